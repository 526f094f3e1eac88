import { DomainError } from '@balanceai/platform';
import { type EmissionSchedule, epochOfIssuance, threshold, validateSchedule } from './emission-schedule.js';
import { type EmissionState, assertEmissionState, cumulativeEpochMint, genesisEmissionState } from './mint.js';

/** Where the current epoch ends: the block whose mint reaches T_(epoch+1), and the state after it. */
interface EpochEnd {
  readonly crossingHeight: bigint;
  readonly after: EmissionState;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function assertHeight(height: bigint, name = 'height'): void {
  if (height < 0n) throw new DomainError('INVALID_HEIGHT', `${name} must not be negative`);
}

/**
 * Solves for the end of the current epoch instead of walking blocks: with n0 blocks of the epoch already
 * minted, the epoch ends at the smallest n with C(n) − C(n0) >= T_(epoch+1) − issuance, where
 * C(n) = floor(n·R0 / D) and D = blocksPerDay·2^epoch. Since the right side is an integer,
 * floor(n·R0/D) >= x  ⇔  n·R0 >= x·D  ⇔  n >= ceil(x·D / R0).
 * Null at the cap, or when R0 = 0 (nothing is ever minted).
 */
function epochEnd(s: EmissionSchedule, state: EmissionState): EpochEnd | null {
  if (state.issuance >= s.maxSupply || s.baseRatePerDay === 0n) return null;
  const { epoch, epochStartHeight: start } = state;
  // Below the cap the epoch is < K*, so T_(epoch+1) <= maxSupply and the target is reachable.
  const remaining = threshold(s, epoch + 1) - state.issuance;
  // Guaranteed positive by the epoch invariant; checked because a zero would make the walk stand still.
  if (remaining <= 0n) {
    throw new DomainError('CORRUPT_EMISSION_STATE', `epoch ${epoch} already reached its end threshold`, 'internal');
  }
  const mintedBefore = state.height + 1n - start;
  const alreadyMinted = cumulativeEpochMint(s, epoch, mintedBefore);
  const blocksToCross = ceilDiv((remaining + alreadyMinted) * (s.blocksPerDay << BigInt(epoch)), s.baseRatePerDay);
  const crossingHeight = start + blocksToCross - 1n;
  const uncapped = state.issuance + cumulativeEpochMint(s, epoch, blocksToCross) - alreadyMinted;
  const issuance = uncapped < s.maxSupply ? uncapped : s.maxSupply;
  return {
    crossingHeight,
    after: {
      height: crossingHeight,
      issuance,
      epoch: epochOfIssuance(s, issuance, epoch + 1),
      epochStartHeight: crossingHeight + 1n,
    },
  };
}

/**
 * The state after block `height`, from any earlier state, in O(epochs crossed): the result equals
 * applying mintForBlock (height − state.height) times. This is how a node that restored its persisted
 * state answers queries about later heights without replaying.
 */
export function advanceEmissionState(s: EmissionSchedule, state: EmissionState, height: bigint): EmissionState {
  validateSchedule(s);
  assertEmissionState(s, state);
  if (height < state.height) {
    throw new DomainError('INVALID_HEIGHT', `cannot advance emission state from ${state.height} back to ${height}`);
  }
  let current = state;
  for (;;) {
    if (height === current.height) return current;
    const end = epochEnd(s, current);
    if (end === null || height < end.crossingHeight) {
      // Still inside the epoch (or at the cap, where nothing more is minted).
      const { epoch, epochStartHeight: start } = current;
      const minted =
        end === null
          ? 0n
          : cumulativeEpochMint(s, epoch, height + 1n - start) - cumulativeEpochMint(s, epoch, current.height + 1n - start);
      return { height, issuance: current.issuance + minted, epoch, epochStartHeight: start };
    }
    current = end.after;
  }
}

/** The state after block `height` (0 = genesis), walking epoch by epoch from genesis. */
export function stateAtHeight(s: EmissionSchedule, height: bigint): EmissionState {
  assertHeight(height);
  return advanceEmissionState(s, genesisEmissionState(s), height);
}

export function issuanceAtHeight(s: EmissionSchedule, height: bigint): bigint {
  return stateAtHeight(s, height).issuance;
}

export interface NextHalving {
  /** The epoch the chain enters (usually state.epoch + 1; K* when the threshold is the cap). */
  readonly epoch: number;
  /** T_(state.epoch+1). */
  readonly threshold: bigint;
  /** Base units still to mint before issuance reaches the threshold. */
  readonly remaining: bigint;
  /**
   * The block whose mint reaches the threshold (where mintForBlock reports the halving); the new rate
   * applies from the next block. Exact under the schedule's floor formula, not a projection from an average.
   */
  readonly estimatedHeight: bigint;
}

/** Null once issuance is at the cap (or if the schedule mints nothing). */
export function nextHalving(s: EmissionSchedule, state: EmissionState): NextHalving | null {
  validateSchedule(s);
  assertEmissionState(s, state);
  const end = epochEnd(s, state);
  if (end === null) return null;
  const next = threshold(s, state.epoch + 1);
  return { epoch: end.after.epoch, threshold: next, remaining: next - state.issuance, estimatedHeight: end.crossingHeight };
}

export interface IssuancePoint {
  readonly height: bigint;
  readonly issuance: bigint;
}

/**
 * `points` heights spread evenly over [fromHeight, toHeight], both ends included (fewer if the range
 * holds fewer heights), for charts. One pass: each point advances the previous point's state.
 */
export function issuanceCurve(s: EmissionSchedule, fromHeight: bigint, toHeight: bigint, points: number): IssuancePoint[] {
  assertHeight(fromHeight, 'fromHeight');
  if (toHeight < fromHeight) throw new DomainError('INVALID_HEIGHT', 'toHeight must not be below fromHeight');
  if (!Number.isSafeInteger(points) || points < 1) {
    throw new DomainError('INVALID_ARGUMENT', 'points must be a positive integer');
  }
  const span = toHeight - fromHeight;
  const count = span + 1n < BigInt(points) ? span + 1n : BigInt(points);
  let state = stateAtHeight(s, fromHeight);
  const curve: IssuancePoint[] = [{ height: fromHeight, issuance: state.issuance }];
  for (let i = 1n; i < count; i++) {
    // i·span/(count−1) lands on toHeight exactly for the last point and never repeats a height.
    const height = fromHeight + (i * span) / (count - 1n);
    state = advanceEmissionState(s, state, height);
    curve.push({ height, issuance: state.issuance });
  }
  return curve;
}
