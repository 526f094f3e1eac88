// What a module writes: a pure state machine (no Nest, no Prisma, no clock) and a repository.
// The host (ModuleRuntime) turns them into the ModuleRuntimeService contract with replay and idempotency.
import type { ModuleStorageView } from './storage-view.js';

/** A JSON value an event may carry; bigints become decimal strings in the canonical encoding. */
export type EventData = string | number | boolean | bigint | null | readonly EventData[] | { readonly [key: string]: EventData };

export interface OffenceInput {
  readonly validator: number;
  readonly height: bigint;
  readonly round: number;
  readonly voteType: string;
}

export interface ActiveValidatorInput {
  readonly index: number;
  /** 0x hex, lowercase. */
  readonly consensusKey: string;
  /** 0x hex account id, lowercase. */
  readonly stash: string;
  readonly backingStake: bigint;
}

export interface BlockContextInput {
  readonly height: bigint;
  /** 0x hex, lowercase (empty only if consensus sent none). */
  readonly blockHash: string;
  readonly timeMs: bigint;
  readonly proposerIndex: number;
  readonly lastCommitSigners: readonly number[];
  readonly offences: readonly OffenceInput[];
  /** Total issuance when the module's turn begins; null when consensus did not send it. */
  readonly totalIssuance: bigint | null;
  readonly validators: readonly ActiveValidatorInput[];
}

export interface ModuleCallInput {
  readonly extrinsicIndex: number;
  readonly extrinsicHash: string;
  /** 0x hex account id, lowercase. */
  readonly signer: string;
  readonly callIndex: number;
  readonly args: Uint8Array;
}

/** The request, parsed and checked: bigints, lowercase hex account ids, balances keyed by account (sorted). */
export interface ExecuteBlockInput {
  readonly context: BlockContextInput;
  readonly calls: readonly ModuleCallInput[];
  readonly signerBalances: ReadonlyMap<string, bigint>;
  readonly moduleBalances: ReadonlyMap<string, bigint>;
}

export interface CallOutcome {
  readonly extrinsicIndex: number;
  readonly success: boolean;
  /** Stable code when !success, e.g. "Staking.InsufficientBond". */
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

export interface EventOutput {
  readonly name: string;
  readonly data: EventData;
  /** The call that caused it; null for a block-level event. */
  readonly extrinsicIndex: number | null;
}

export type TransferOutput =
  | { readonly kind: 'debit'; readonly from: string; readonly to: string; readonly amount: bigint }
  | { readonly kind: 'credit'; readonly from: string; readonly to: string; readonly amount: bigint }
  | { readonly kind: 'mint'; readonly to: string; readonly amount: bigint };

export interface ExecuteBlockOutput {
  /** Exactly one per call, in block order. */
  readonly results: readonly CallOutcome[];
  readonly events: readonly EventOutput[];
  /** In the order the ledger must apply them; zero amounts are dropped by the host. */
  readonly transfers: readonly TransferOutput[];
  /** Staking only: the next active validator set. */
  readonly validatorSetUpdate?: readonly ActiveValidatorInput[];
}

export interface CheckTxInput {
  readonly signer: string;
  readonly callIndex: number;
  readonly args: Uint8Array;
  readonly signerFree: bigint;
}

export interface CheckTxOutcome {
  readonly ok: boolean;
  readonly errorCode?: string;
  readonly errorMessage?: string;
}

/**
 * A module's deterministic state transition. `executeBlock` must be a pure function of (state, input):
 * the host calls it again for the same height after a crash or a repeated ExecuteBlock, and every validator
 * must get the same output and root. It must not mutate `state` (the committed state stays untouched until
 * Commit). Throwing a DomainError refuses the block with that code; anything else is reported as internal.
 */
export interface ModuleStateMachine<S> {
  readonly name: string;
  readonly palletIndex: number;
  /** Only emissions may return mint transfers; the host refuses them from any other module. */
  readonly mayMint?: boolean;
  /** The state at height 0 (from the genesis the machine was built with). */
  initialState(): S;
  executeBlock(state: S, input: ExecuteBlockInput): { state: S; output: ExecuteBlockOutput };
  /** 32 bytes: a hash of the state's canonical encoding. */
  root(state: S): Uint8Array;
  /** Mempool validation of one call; without it every call is refused as UNKNOWN_CALL. */
  checkTx?(input: CheckTxInput): CheckTxOutcome;
  /**
   * The pallet storage of a committed state under Substrate's keys, as wallets read it (`api.query.<pallet>.*`
   * through ModuleStorageService); build it with `storageView(entries)`. Pure and deterministic like root():
   * only what the state holds, never a clock. Without it every key reads absent.
   */
  storage?(state: S): ModuleStorageView;
}

/** The state after a committed height, as the repository loads it. */
export interface CommittedState<S> {
  readonly height: bigint;
  readonly root: Uint8Array;
  readonly state: S;
}

/** What Commit persists in one transaction. */
export interface CommittedBlock<S> extends CommittedState<S> {
  readonly blockHash: string;
  /** blake2-256 of the canonical ExecuteBlockRequest bytes: a replay of this height must match it. */
  readonly requestDigest: Uint8Array;
  /** The ExecuteBlockResponse exactly as served (protobuf bytes). */
  readonly response: Uint8Array;
}

export interface StoredResponse {
  readonly height: bigint;
  readonly blockHash: string;
  /** Empty for a height committed before digests were stored (then only the block hash is compared). */
  readonly requestDigest: Uint8Array;
  readonly root: Uint8Array;
  readonly response: Uint8Array;
}

/**
 * A module's persistence. `commit` writes the state and the response of one height in ONE transaction and
 * must refuse (throw) unless the stored height is exactly `block.height - 1`, so two writers or a repeated
 * commit can never apply a height twice.
 */
export interface ModuleRepository<S> {
  /** The last committed state, or null before the first block. */
  load(): Promise<CommittedState<S> | null>;
  commit(block: CommittedBlock<S>): Promise<void>;
  /** The stored response of a committed height, or null. */
  committedAt(height: bigint): Promise<StoredResponse | null>;
  /** Cheap liveness check of the store (readiness probe). */
  ping?(): Promise<void>;
  close?(): Promise<void>;
}
