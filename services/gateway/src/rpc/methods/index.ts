import type { RpcDeps } from '../deps.js';
import type { RpcModule } from '../registry.js';
import { specV2ModulesFor } from '../spec-v2/index.js';
import { authorModule } from './author.js';
import { chainModule } from './chain.js';
import { stateModule } from './state.js';
import { rpcModule, systemModule } from './system.js';

/**
 * Every method module the gateway serves: the legacy API and the new one (json-rpc-interface-spec:
 * chainHead_v1, transaction_v1, chainSpec_v1). A name registered twice fails at start-up.
 */
export function rpcModules(deps: RpcDeps): RpcModule[] {
  return [rpcModule(), systemModule(deps), chainModule(deps), stateModule(deps), authorModule(deps), ...specV2ModulesFor(deps)];
}
