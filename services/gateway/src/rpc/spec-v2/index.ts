import type { RpcDeps } from '../deps.js';
import type { RpcModule } from '../registry.js';
import { GatewaySpecV2Chain, type SpecV2Chain } from './chain.js';
import { chainHeadModule } from './chain-head.js';
import { chainSpecModule } from './chain-spec.js';
import { DEFAULT_FOLLOW_LIMITS, type FollowLimits } from './follow.js';
import { DEFAULT_TRANSACTION_LIMITS, transactionModule, type TransactionLimits } from './transaction.js';

export { GatewaySpecV2Chain, type BlockRef, type ChainSpecData, type SpecV2Chain, type TransactionStatus } from './chain.js';
export { CODE_KEY, codeValue, decodeRuntimeSpec, type RuntimeSpec } from './runtime.js';
export { DEFAULT_FOLLOW_LIMITS, type FollowLimits } from './follow.js';
export { DEFAULT_TRANSACTION_LIMITS, type TransactionLimits } from './transaction.js';

export interface SpecV2Options {
  follow?: Partial<FollowLimits>;
  transaction?: Partial<TransactionLimits>;
  log?: (message: string) => void;
}

/**
 * The new JSON-RPC API (json-rpc-interface-spec) that polkadot-api and dedot prefer: chainSpec_v1,
 * chainHead_v1, transaction_v1 and transactionWatch_v1, on the same registry as the legacy methods.
 */
export function specV2Modules(chain: SpecV2Chain, options: SpecV2Options = {}): RpcModule[] {
  return [
    chainSpecModule(chain),
    chainHeadModule(chain, { ...DEFAULT_FOLLOW_LIMITS, ...options.follow }, options.log),
    transactionModule(chain, { ...DEFAULT_TRANSACTION_LIMITS, ...options.transaction }),
  ];
}

/** specV2Modules over the gateway's chain reads and finalized heads: the one line methods/index.ts adds. */
export function specV2ModulesFor(deps: Pick<RpcDeps, 'chain' | 'heads'> & { warn?: (message: string) => void }, options: SpecV2Options = {}): RpcModule[] {
  return specV2Modules(new GatewaySpecV2Chain(deps.chain, deps.heads), { log: deps.warn, ...options });
}
