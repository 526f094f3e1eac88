// The models marketplace's pure state, parameters, events, errors and transfers (docs/architecture.md §6).
// bigint base units; account ids are lowercase 0x hex; providers are keyed by their u32 id.
import type { ModelsError, ModelsGenesis, ProviderKind, ProviderStatus, ReportReason } from '@balanceai/chain';

export type AccountId = string;
export type { ProviderKind, ProviderStatus, ReportReason };

export interface Provider {
  readonly id: number;
  readonly owner: AccountId;
  readonly kind: ProviderKind;
  readonly name: string;
  readonly metadataUri: string;
  readonly endpoint: string;
  /** Free + bonded BAI a caller must hold to be proxied to this provider. */
  readonly minAccessHolding: bigint;
  /** The validation lock, held in the models module account. */
  readonly lock: bigint;
  readonly status: ProviderStatus;
  /** For Deregistered / Slashed: the era at whose start the lock returns (0 otherwise). */
  readonly unlockEra: number;
  readonly registeredEra: number;
  /** Grants paid to it, all eras. */
  readonly earned: bigint;
  /** Slashed from its lock, all eras. */
  readonly slashed: bigint;
}

/** One provider's result of a completed era. */
export interface EraScore {
  readonly provider: number;
  /** The stake-weighted median of the validators' scores. */
  readonly consensus: number;
  /** Σ stake × min(score, consensus): what the grants fund pays pro rata to. */
  readonly weight: bigint;
  readonly paid: bigint;
}

/** One grants fund at a completed era's end. */
export interface EraFund {
  readonly kind: ProviderKind;
  /** The fund's balance when the era ended (what was divided). */
  readonly fund: bigint;
  readonly paid: bigint;
  readonly totalWeight: bigint;
  /** Active providers of the kind that were scored. */
  readonly providers: number;
}

export interface EraRecord {
  readonly era: number;
  /** Ascending provider id; every active provider of the era. */
  readonly scores: readonly EraScore[];
  /** Model first, then Agent. */
  readonly funds: readonly EraFund[];
}

export interface ModelsState {
  /** The last executed height (0 at genesis). */
  readonly height: bigint;
  /** The era in progress. */
  readonly era: number;
  readonly nextId: number;
  readonly providers: ReadonlyMap<number, Provider>;
  /** validator stash → its scores of this era, ascending provider id. */
  readonly weights: ReadonlyMap<AccountId, ReadonlyArray<readonly [number, number]>>;
  /** provider → validator stash → reason, this era. */
  readonly reports: ReadonlyMap<number, ReadonlyMap<AccountId, ReportReason>>;
  /** Completed eras, oldest first, at most MODELS_HISTORY_DEPTH. */
  readonly history: readonly EraRecord[];
  /** The grants funds' balances as consensus reported them for the last executed block. */
  readonly funds: { readonly model: bigint; readonly agent: bigint };
}

/** The genesis parameters the logic needs. */
export type ModelsParams = Pick<ModelsGenesis, 'modelMinLock' | 'agentMinLock' | 'unlockDelay' | 'slashFraction' | 'maxWeights'>;

/** A validator of the active set as the block context gives it. */
export interface ActiveValidator {
  readonly stash: AccountId;
  readonly stake: bigint;
}

export type Fund = 'module' | 'modelFund' | 'agentFund' | 'developmentFund';

/** Money moves only as these: a signer's free balance into the module account, or out of a fund/the module account. */
export type Transfer =
  | { readonly kind: 'debit'; readonly from: AccountId; readonly amount: bigint }
  | { readonly kind: 'credit'; readonly from: 'module' | 'modelFund' | 'agentFund'; readonly to: AccountId | 'developmentFund'; readonly amount: bigint };

export type ModelsEvent =
  | { type: 'Registered'; provider: number; owner: AccountId; kind: ProviderKind; lock: bigint; name: string }
  | { type: 'Updated'; provider: number }
  | { type: 'ToppedUp'; provider: number; amount: bigint; lock: bigint }
  | { type: 'Deregistered'; provider: number; unlockEra: number }
  | { type: 'LockReturned'; provider: number; owner: AccountId; amount: bigint }
  | { type: 'WeightsSet'; validator: AccountId; era: number; count: number }
  | { type: 'Reported'; provider: number; validator: AccountId; reason: ReportReason; reports: number; validators: number }
  | { type: 'ProviderSlashed'; provider: number; amount: bigint; unlockEra: number }
  | { type: 'GrantPaid'; provider: number; owner: AccountId; kind: ProviderKind; era: number; weight: bigint; amount: bigint }
  | { type: 'EraScored'; era: number; kind: ProviderKind; fund: bigint; paid: bigint; totalWeight: bigint; providers: number };

export class ModelsCallError extends Error {
  constructor(
    readonly code: ModelsError,
    message: string,
  ) {
    super(message);
  }
}

export interface Outcome {
  readonly events: ModelsEvent[];
  readonly transfers: Transfer[];
}

export const PERBILL_ONE = 1_000_000_000n;

/** Ascending byte order of lowercase 0x hex account ids. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function emptyState(): ModelsState {
  return { height: 0n, era: 0, nextId: 0, providers: new Map(), weights: new Map(), reports: new Map(), history: [], funds: { model: 0n, agent: 0n } };
}
