// The bridge's pure state, parameters, events, errors and transfers (docs/architecture.md §7).
// bigint base units; account ids, lock ids and burn ids are lowercase 0x hex.
import type { BridgeError, BurnStatus, LockStatus } from '@balanceai/chain';

export type AccountId = string;
export type { BurnStatus, LockStatus };

export interface Lock {
  readonly id: string;
  readonly nonce: bigint;
  readonly owner: AccountId;
  /** 20 bytes, 0x hex. */
  readonly ethRecipient: string;
  readonly amount: bigint;
  /** Unix seconds: BaiBridge mints only while the Ethereum block timestamp ≤ deadline. */
  readonly deadline: bigint;
  readonly lockedAt: bigint;
  readonly status: LockStatus;
  /** The height of Minted / Refunded (0 while Locked). */
  readonly finalAt: bigint;
  /** Relayers that reported it minted, ascending. */
  readonly mintVotes: readonly AccountId[];
  /** Relayers that attested it refundable, ascending. */
  readonly refundVotes: readonly AccountId[];
}

export interface BurnAttestation {
  readonly relayer: AccountId;
  readonly recipient: AccountId;
  readonly amount: bigint;
}

export interface Burn {
  readonly id: string;
  readonly status: BurnStatus;
  /** Ascending relayer. */
  readonly attestations: readonly BurnAttestation[];
  /** The (recipient, amount) M relayers agreed on; unset while Attesting. */
  readonly recipient: AccountId;
  readonly amount: bigint;
  /** Queued: the height it was confirmed; Released: the height it was paid. */
  readonly at: bigint;
}

export interface BridgeState {
  /** The last executed height (0 at genesis). */
  readonly height: bigint;
  readonly nextNonce: bigint;
  /** locked − released − refunded: what the module account holds for the bridge. */
  readonly escrow: bigint;
  readonly totals: { readonly locked: bigint; readonly released: bigint; readonly refunded: bigint };
  readonly locks: ReadonlyMap<string, Lock>;
  readonly burns: ReadonlyMap<string, Burn>;
  /** Confirmed burns waiting to be released, oldest first. */
  readonly queue: readonly string[];
  /** The 24 h release limit's bucket: what may still be released, as of `updatedAt`. */
  readonly allowance: { readonly left: bigint; readonly updatedAt: bigint };
}

/** The genesis parameters the logic needs. */
export interface BridgeParams {
  /** Ascending, distinct 0x hex account ids. */
  readonly relayers: readonly AccountId[];
  readonly threshold: number;
  readonly lockTtlSecs: bigint;
  readonly minLock: bigint;
  /** 0 = no limit. */
  readonly releaseLimit: bigint;
  /** Blocks in the 24 h window (≥ 1). */
  readonly releaseWindow: bigint;
  /** The genesis chain id: lock ids commit to it. */
  readonly chainId: string;
}

/** Money moves only as these: a signer's free balance into the module account, or out of the module account. */
export type Transfer =
  | { readonly kind: 'debit'; readonly from: AccountId; readonly amount: bigint }
  | { readonly kind: 'credit'; readonly to: AccountId; readonly amount: bigint };

export type BridgeEvent =
  | { type: 'Locked'; lockId: string; owner: AccountId; ethRecipient: string; amount: bigint; deadline: bigint; nonce: bigint }
  | { type: 'MintAttested'; lockId: string; relayer: AccountId; attestations: number }
  | { type: 'Minted'; lockId: string; amount: bigint }
  | { type: 'RefundAttested'; lockId: string; relayer: AccountId; attestations: number }
  | { type: 'Refunded'; lockId: string; owner: AccountId; amount: bigint }
  | { type: 'BurnAttested'; burnId: string; relayer: AccountId; recipient: AccountId; amount: bigint; attestations: number }
  | { type: 'BurnQueued'; burnId: string; recipient: AccountId; amount: bigint }
  | { type: 'Released'; burnId: string; recipient: AccountId; amount: bigint };

export class BridgeCallError extends Error {
  constructor(
    readonly code: BridgeError,
    message: string,
  ) {
    super(message);
  }
}

/** Ascending byte order of lowercase 0x hex ids (same length). */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export const ZERO_ACCOUNT = `0x${'00'.repeat(32)}`;
export const ZERO_H160 = `0x${'00'.repeat(20)}`;

export function emptyState(params: Pick<BridgeParams, 'releaseLimit'>): BridgeState {
  return {
    height: 0n,
    nextNonce: 0n,
    escrow: 0n,
    totals: { locked: 0n, released: 0n, refunded: 0n },
    locks: new Map(),
    burns: new Map(),
    queue: [],
    allowance: { left: params.releaseLimit, updatedAt: 0n },
  };
}
