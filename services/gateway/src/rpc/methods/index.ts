import type { RpcDeps } from '../deps.js';
import type { RpcModule } from '../registry.js';
import { authorModule } from './author.js';
import { chainModule } from './chain.js';
import { stateModule } from './state.js';
import { rpcModule, systemModule } from './system.js';

/**
 * Every method module the gateway serves. A new namespace is one more entry (spec-v2's chainHead_v1 /
 * transaction_v1 / chainSpec_v1 go here); a name registered twice fails at start-up.
 */
export function rpcModules(deps: RpcDeps): RpcModule[] {
  return [rpcModule(), systemModule(deps), chainModule(deps), stateModule(deps), authorModule(deps)];
}
