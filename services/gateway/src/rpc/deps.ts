import type { ChainData } from './chain-data.js';
import type { FinalizedHeads } from './finalized-heads.js';

/**
 * What method modules build on. A module takes these in its factory and registers its methods; a new
 * namespace (spec-v2's chainHead_v1_*, transaction_v1_*) is one more factory in methods/index.ts.
 */
export interface RpcDeps {
  /** Validator reads with caches (runtime, blocks, status) and the raw failover client (`chain.consensus`). */
  chain: ChainData;
  /** The finalized chain, once per block, in order, across validator failovers. */
  heads: FinalizedHeads;
  /** Which validators the gateway can use (for health and sync state). */
  validators: { readonly healthy: boolean; bestKnownHeight(): number | undefined };
  /** The gateway's chain id (BAI_CHAIN_ID): names the chain type. */
  chainId: string;
  /** The gateway's own version (system_version). */
  version: string;
  /** Submissions one connection may have unanswered (author_submit*); default DEFAULT_SUBMIT_CONFIG.maxPerConnection. */
  maxSubmissionsPerConnection?: number;
  /** Where background work (subscriptions between calls) reports problems. */
  warn?: (message: string) => void;
}
