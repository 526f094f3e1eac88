import { DomainError } from '@balanceai/platform';

/** 1 BAI in base units (18 decimals). */
export const BAI = 10n ** 18n;

/**
 * The genesis parameters of the issuance schedule, all in base units or whole percentages.
 * A devnet or a test genesis may use other numbers; MAINNET_SCHEDULE is docs/architecture.md §4.
 */
export interface EmissionSchedule {
  /** Issuance at height 0 (minted by genesis, not by the schedule). */
  readonly genesisIssuance: bigint;
  /** The cap: issuance never exceeds it. */
  readonly maxSupply: bigint;
  /** R0: base units minted per `blocksPerDay` blocks in epoch 0. */
  readonly baseRatePerDay: bigint;
  readonly blocksPerDay: bigint;
  /** Shares of each mint, floored; the development fund takes the rest. */
  readonly stakingPercent: bigint;
  readonly modelsPercent: bigint;
  readonly agentsPercent: bigint;
}

export const MAINNET_SCHEDULE: EmissionSchedule = Object.freeze({
  genesisIssuance: 5_880_000n * BAI,
  maxSupply: 21_000_000n * BAI,
  baseRatePerDay: 2_480n * BAI,
  blocksPerDay: 7_200n,
  stakingPercent: 44n,
  modelsPercent: 24n,
  agentsPercent: 24n,
});

function invalidSchedule(message: string): DomainError {
  return new DomainError('INVALID_EMISSION_SCHEDULE', message);
}

/**
 * Refuses parameters the rules cannot honour (a negative development fund, a genesis above the cap, …).
 * Genesis loading calls it once; the pure functions call it too because a bad schedule must never mint.
 */
export function validateSchedule(s: EmissionSchedule): void {
  if (s.maxSupply <= 0n) throw invalidSchedule('maxSupply must be positive');
  if (s.genesisIssuance < 0n || s.genesisIssuance > s.maxSupply) {
    throw invalidSchedule('genesisIssuance must be between 0 and maxSupply');
  }
  if (s.baseRatePerDay < 0n) throw invalidSchedule('baseRatePerDay must not be negative');
  if (s.blocksPerDay <= 0n) throw invalidSchedule('blocksPerDay must be positive');
  if (s.stakingPercent < 0n || s.modelsPercent < 0n || s.agentsPercent < 0n) {
    throw invalidSchedule('split percentages must not be negative');
  }
  if (s.stakingPercent + s.modelsPercent + s.agentsPercent > 100n) {
    throw invalidSchedule('staking + models + agents percentages must not exceed 100');
  }
}

/**
 * The number of thresholds below the cap, K*: the smallest k with floor(maxSupply / 2^k) = 0,
 * i.e. the bit length of maxSupply. T_k = maxSupply for every k >= K*, so K* is the last epoch
 * (the one the chain enters when issuance reaches the cap, and which mints nothing).
 */
export function finalEpoch(s: EmissionSchedule): number {
  return s.maxSupply <= 0n ? 0 : s.maxSupply.toString(2).length;
}

/**
 * T_k = maxSupply − floor(maxSupply / 2^k): the exact value of maxSupply·(1 − 2^−k) while maxSupply / 2^k
 * is an integer (k <= 24 on mainnet), and that value rounded UP after. Rounding up keeps every T_k
 * an integer the issuance can actually reach, makes T_k strictly increasing up to K* and equal to the cap
 * from K* on. T_0 = 0.
 */
export function threshold(s: EmissionSchedule, k: number): bigint {
  if (!Number.isSafeInteger(k) || k < 0) {
    throw new DomainError('INVALID_EPOCH', `epoch must be a non-negative integer, got ${k}`);
  }
  return s.maxSupply - (s.maxSupply >> BigInt(k));
}

/**
 * The epoch of the block after the one that left `issuance`: the number of thresholds T_1, T_2, …
 * that issuance has reached (T_k <= issuance), counting the thresholds equal to the cap once, so the
 * epoch at the cap is K*. Walks up from `fromEpoch`, a lower bound the caller already knows.
 */
export function epochOfIssuance(s: EmissionSchedule, issuance: bigint, fromEpoch = 0): number {
  let epoch = fromEpoch;
  // (maxSupply >> epoch) > 0 means epoch < K*; past it every threshold is the cap and counts once.
  while (s.maxSupply >> BigInt(epoch) > 0n && threshold(s, epoch + 1) <= issuance) epoch++;
  return epoch;
}
