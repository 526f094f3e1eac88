// The staking module's state, calls, events and transfers (docs/architecture.md §5). Pure data: bigint
// base units (1 BAI = 10^18), Perbill integers, era numbers; no clock, no I/O.
import { type Perbill, PERBILL_ONE } from './arith.js';

/** An account as a lowercase 0x-hex string; every map is iterated in ascending order of it. */
export type AccountId = string;

/** Funds this module moves: `bonded` holds every stake, `rewardPot` the staking reward pot. */
export type Fund = 'bonded' | 'rewardPot' | 'developmentFund';
export type Party = { readonly account: AccountId } | { readonly fund: Fund };

/**
 * A movement the ledger applies after the module's turn: a debit of a signer's free balance into
 * `bonded` (bond), a credit out of a fund (withdrawal, payout), or fund to fund (re-staked reward,
 * slash). The ledger re-checks each one; the module never creates money.
 */
export interface Transfer {
  readonly from: Party;
  readonly to: Party;
  readonly amount: bigint;
}

/** Value that becomes withdrawable once the current era reaches `era`. */
export interface UnlockChunk {
  readonly value: bigint;
  readonly era: number;
}

/** A stash's bond. The stash is also its controller (Substrate's controller is deprecated). */
export interface StakingLedger {
  readonly stash: AccountId;
  /** active + sum(unlocking): everything of this stash inside `bonded`. */
  readonly total: bigint;
  /** The part that backs validators and can be slashed and rewarded as stake. */
  readonly active: bigint;
  /** Sorted by era, at most one chunk per era, at most `maxUnlockingChunks`. */
  readonly unlocking: readonly UnlockChunk[];
}

/** Where rewards go: added to the bond (`Staked`) or paid to the stash's free balance (`Stash`). */
export type RewardDestination = 'Staked' | 'Stash';

export interface ValidatorPrefs {
  readonly commission: Perbill;
}

export interface Nominations {
  /** Sorted, distinct, each a validator candidate when submitted. */
  readonly targets: readonly AccountId[];
  readonly submittedIn: number;
}

export interface IndividualExposure {
  readonly who: AccountId;
  readonly value: bigint;
}

/** How much stake backs an elected validator in an era: its own plus its nominators'. */
export interface Exposure {
  readonly total: bigint;
  readonly own: bigint;
  /** Sorted by account. */
  readonly others: readonly IndividualExposure[];
}

/** An elected set for one era, frozen at election: rewards and slashes of that era read it. */
export interface EraSnapshot {
  readonly era: number;
  /** Sorted by account. */
  readonly validators: readonly AccountId[];
  readonly exposures: ReadonlyMap<AccountId, Exposure>;
  /** Commission as it was at election, so a later `validate` cannot raise it for a past era. */
  readonly commissions: ReadonlyMap<AccountId, Perbill>;
}

export interface StakingParams {
  /** Smallest bond and smallest remaining active bond (Substrate's existential-deposit rule). */
  readonly minBond: bigint;
  readonly minValidatorBond: bigint;
  readonly minNominatorBond: bigint;
  /** Eras an unbonded chunk waits before it can be withdrawn. */
  readonly bondingDuration: number;
  readonly maxUnlockingChunks: number;
  readonly maxNominations: number;
  /** Seats elected each era. */
  readonly validatorCount: number;
  /**
   * Fewer eligible candidates than this and the current set is kept (with fresh exposures) and an
   * `ElectionSkipped` event says why. The rule is `validatorCount`, the default.
   */
  readonly minimumValidatorCount: number;
  readonly minCommission: Perbill;
  /** Share of an offender's and its nominators' exposed stake moved to the development fund. */
  readonly slashFraction: Perbill;
  /** Nominators paid per validator per era, largest exposures first; the validator is always paid. */
  readonly maxPayoutsPerValidator: number;
}

export const DEFAULT_PARAMS: StakingParams = {
  minBond: 10n ** 18n,
  minValidatorBond: 10_000n * 10n ** 18n,
  minNominatorBond: 100n * 10n ** 18n,
  bondingDuration: 28,
  maxUnlockingChunks: 32,
  maxNominations: 16,
  validatorCount: 100,
  minimumValidatorCount: 100,
  minCommission: 0n,
  slashFraction: 100_000_000n, // 10%
  maxPayoutsPerValidator: 512,
};

/** Rejects parameters that would let the module misbehave (no minimum, zero seats, a Perbill over 100%). */
export function validateParams(p: StakingParams): void {
  const bad = (why: string): never => {
    throw new RangeError(`invalid staking params: ${why}`);
  };
  if (p.minBond < 1n) bad('minBond must be at least 1');
  if (p.minValidatorBond < p.minBond || p.minNominatorBond < p.minBond) bad('role minimums must be >= minBond');
  for (const [k, v] of Object.entries({
    bondingDuration: p.bondingDuration,
    maxUnlockingChunks: p.maxUnlockingChunks,
    maxNominations: p.maxNominations,
    validatorCount: p.validatorCount,
    minimumValidatorCount: p.minimumValidatorCount,
    maxPayoutsPerValidator: p.maxPayoutsPerValidator,
  })) {
    if (!Number.isSafeInteger(v) || v < 0) bad(`${k} must be a non-negative integer`);
  }
  if (p.validatorCount < 1 || p.maxNominations < 1 || p.maxUnlockingChunks < 1) bad('counts must be >= 1');
  if (p.minimumValidatorCount > p.validatorCount) bad('minimumValidatorCount must be <= validatorCount');
  if (p.minCommission < 0n || p.minCommission > PERBILL_ONE) bad('minCommission is a Perbill');
  if (p.slashFraction < 0n || p.slashFraction > PERBILL_ONE) bad('slashFraction is a Perbill');
}

export interface StakingState {
  readonly params: StakingParams;
  /** The era in progress; the `active` snapshot belongs to it. */
  currentEra: number;
  readonly ledgers: Map<AccountId, StakingLedger>;
  readonly payees: Map<AccountId, RewardDestination>;
  /** Validator candidates (called `validate`, not chilled since). */
  readonly validators: Map<AccountId, ValidatorPrefs>;
  readonly nominators: Map<AccountId, Nominations>;
  /** The validating set of `currentEra`. */
  active: EraSnapshot;
  /** The set of the era before, kept so evidence that arrives after an era boundary still slashes. */
  previous: EraSnapshot | null;
  /** Era points of `currentEra`, one per commit signed. */
  readonly points: Map<AccountId, bigint>;
  /** `${era}:${offender}` already slashed: one offence is punished once. */
  readonly slashed: Set<string>;
}

/** Pallet-style dispatch errors; `code` is stable and is what clients see. */
export type StakingErrorCode =
  | 'NotController'
  | 'NotStash'
  | 'AlreadyBonded'
  | 'InsufficientBond'
  | 'NoMoreChunks'
  | 'NoUnlockChunk'
  | 'EmptyTargets'
  | 'TooManyTargets'
  | 'BadTarget'
  | 'CommissionTooLow'
  | 'CommissionTooHigh'
  | 'BadValue';

export interface StakingError {
  readonly code: StakingErrorCode;
  readonly message: string;
}

export type StakingEvent =
  | { readonly type: 'Bonded'; readonly stash: AccountId; readonly amount: bigint }
  | { readonly type: 'Unbonded'; readonly stash: AccountId; readonly amount: bigint; readonly era: number }
  | { readonly type: 'Withdrawn'; readonly stash: AccountId; readonly amount: bigint }
  | { readonly type: 'StakerRemoved'; readonly stash: AccountId }
  | { readonly type: 'ValidatorPrefsSet'; readonly stash: AccountId; readonly commission: Perbill }
  | { readonly type: 'Nominated'; readonly stash: AccountId; readonly targets: readonly AccountId[] }
  | { readonly type: 'Chilled'; readonly stash: AccountId }
  | { readonly type: 'PayeeSet'; readonly stash: AccountId; readonly payee: RewardDestination }
  | { readonly type: 'Rewarded'; readonly stash: AccountId; readonly dest: RewardDestination; readonly amount: bigint }
  | { readonly type: 'EraPaid'; readonly era: number; readonly paid: bigint; readonly remainder: bigint }
  | { readonly type: 'StakersElected'; readonly era: number; readonly validators: readonly AccountId[] }
  | {
      readonly type: 'ElectionSkipped';
      readonly era: number;
      readonly reason: 'NotEnoughCandidates';
      readonly candidates: number;
      readonly needed: number;
    }
  | { readonly type: 'Slashed'; readonly staker: AccountId; readonly offender: AccountId; readonly amount: bigint }
  | {
      readonly type: 'SlashIgnored';
      readonly offender: AccountId;
      readonly era: number;
      readonly reason: 'AlreadySlashed' | 'UnknownEra' | 'NotExposed';
    };

/** The calls of pallet index 7; `index` is the call index of Substrate's pallet-staking. */
export type StakingCall =
  | { readonly call: 'bond'; readonly value: bigint; readonly payee: RewardDestination }
  | { readonly call: 'bond_extra'; readonly maxAdditional: bigint }
  | { readonly call: 'unbond'; readonly value: bigint }
  | { readonly call: 'withdraw_unbonded' }
  | { readonly call: 'validate'; readonly commission: Perbill }
  | { readonly call: 'nominate'; readonly targets: readonly AccountId[] }
  | { readonly call: 'chill' }
  | { readonly call: 'set_payee'; readonly payee: RewardDestination }
  | { readonly call: 'rebond'; readonly value: bigint };

export const STAKING_PALLET_INDEX = 7;
export const STAKING_CALL_INDEX: Readonly<Record<StakingCall['call'], number>> = {
  bond: 0,
  bond_extra: 1,
  unbond: 2,
  withdraw_unbonded: 3,
  validate: 4,
  nominate: 5,
  chill: 6,
  set_payee: 7,
  rebond: 19,
};
