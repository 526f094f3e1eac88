import { DomainError } from '@balanceai/platform';
import { type EmissionSchedule, epochOfIssuance, validateSchedule } from './emission-schedule.js';

/** What the emissions module persists after each block: enough to mint the next one in O(1). */
export interface EmissionState {
  /** The last minted block; 0 at genesis. */
  readonly height: bigint;
  /** Genesis issuance plus everything the schedule has minted up to `height`. */
  readonly issuance: bigint;
  /** The epoch of block height + 1: the number of thresholds issuance has reached. */
  readonly epoch: number;
  /** The first block of the current epoch (n = 0 there). */
  readonly epochStartHeight: bigint;
}

export interface BlockMint {
  readonly minted: bigint;
  readonly next: EmissionState;
  /** Present when this block's mint reached one or more thresholds: the next block starts `epoch`. */
  readonly halving?: { readonly epoch: number; readonly atIssuance: bigint };
}

export interface MintSplit {
  readonly stakingPot: bigint;
  readonly modelsGrants: bigint;
  readonly agentsGrants: bigint;
  readonly developmentFund: bigint;
}

export function genesisEmissionState(s: EmissionSchedule): EmissionState {
  validateSchedule(s);
  return { height: 0n, issuance: s.genesisIssuance, epoch: epochOfIssuance(s, s.genesisIssuance), epochStartHeight: 1n };
}

/**
 * A persisted state that breaks its own invariants is our bug, never the caller's input. The epoch must be
 * the one its issuance is in (T_epoch <= issuance < T_(epoch+1), or K* at the cap): with a wrong epoch the
 * chain would mint at the wrong rate, and the closed form could not find the epoch's end.
 */
export function assertEmissionState(s: EmissionSchedule, state: EmissionState): void {
  if (
    state.height < 0n ||
    state.epochStartHeight < 1n ||
    state.epochStartHeight > state.height + 1n ||
    state.issuance < s.genesisIssuance ||
    state.issuance > s.maxSupply ||
    !Number.isSafeInteger(state.epoch) ||
    state.epoch < 0 ||
    !epochMatchesIssuance(s, state.epoch, state.issuance)
  ) {
    throw new DomainError('CORRUPT_EMISSION_STATE', 'emission state breaks its invariants', 'internal', {
      height: state.height.toString(),
      issuance: state.issuance.toString(),
      epoch: String(state.epoch),
      epochStartHeight: state.epochStartHeight.toString(),
    });
  }
}

function epochMatchesIssuance(s: EmissionSchedule, epoch: number, issuance: bigint): boolean {
  const k = BigInt(epoch);
  if (s.maxSupply - (s.maxSupply >> k) > issuance) return false; // T_epoch not reached
  if (issuance < s.maxSupply - (s.maxSupply >> (k + 1n))) return true; // T_(epoch+1) not reached
  // At the cap every later threshold equals it: the epoch is K*, the first k with maxSupply >> k = 0.
  return issuance === s.maxSupply && s.maxSupply >> k === 0n && (epoch === 0 || s.maxSupply >> (k - 1n) > 0n);
}

/**
 * floor(n·R0 / (blocksPerDay·2^epoch)): what the first n blocks of an epoch mint together, before the cap.
 * The rate is never divided first, so every blocksPerDay blocks mint R0/2^epoch to the base unit
 * whenever that is an integer.
 */
export function cumulativeEpochMint(s: EmissionSchedule, epoch: number, n: bigint): bigint {
  return (n * s.baseRatePerDay) / (s.blocksPerDay << BigInt(epoch));
}

/** Mints block state.height + 1. Constant time: it runs every block. */
export function mintForBlock(s: EmissionSchedule, state: EmissionState): BlockMint {
  validateSchedule(s);
  assertEmissionState(s, state);
  const height = state.height + 1n;
  const n = height - state.epochStartHeight;
  const headroom = s.maxSupply - state.issuance;
  const scheduled = cumulativeEpochMint(s, state.epoch, n + 1n) - cumulativeEpochMint(s, state.epoch, n);
  const minted = scheduled < headroom ? scheduled : headroom;
  const issuance = state.issuance + minted;
  // Cheap test for "reached T_(epoch+1)" before the walk: one shift and one subtraction per block.
  const reachedNext = s.maxSupply >> BigInt(state.epoch) > 0n && s.maxSupply - (s.maxSupply >> BigInt(state.epoch + 1)) <= issuance;
  if (!reachedNext) {
    return { minted, next: { height, issuance, epoch: state.epoch, epochStartHeight: state.epochStartHeight } };
  }
  // One block may reach several thresholds (a devnet with a tiny cap); the epoch counts them all.
  const epoch = epochOfIssuance(s, issuance, state.epoch + 1);
  return {
    minted,
    next: { height, issuance, epoch, epochStartHeight: height + 1n },
    halving: { epoch, atIssuance: issuance },
  };
}

/** Staking, models and agents shares are floored separately; the development fund takes the rest. */
export function splitMint(s: EmissionSchedule, minted: bigint): MintSplit {
  validateSchedule(s);
  if (minted < 0n) throw new DomainError('INVALID_AMOUNT', 'a mint cannot be negative');
  const stakingPot = (minted * s.stakingPercent) / 100n;
  const modelsGrants = (minted * s.modelsPercent) / 100n;
  const agentsGrants = (minted * s.agentsPercent) / 100n;
  return { stakingPot, modelsGrants, agentsGrants, developmentFund: minted - stakingPot - modelsGrants - agentsGrants };
}

/** The epoch's nominal rate per block, floored (blocks mint it or one base unit more); 0 at the cap. */
export function ratePerBlock(s: EmissionSchedule, state: EmissionState): bigint {
  validateSchedule(s);
  assertEmissionState(s, state);
  if (state.issuance >= s.maxSupply) return 0n;
  return s.baseRatePerDay / (s.blocksPerDay << BigInt(state.epoch));
}

/**
 * The epoch's nominal rate per blocksPerDay blocks, R0/2^epoch floored: exact while 2^epoch divides R0
 * (epochs 0..22 on mainnet), after which a day mints this or one base unit more; 0 at the cap.
 */
export function ratePerDay(s: EmissionSchedule, state: EmissionState): bigint {
  validateSchedule(s);
  assertEmissionState(s, state);
  if (state.issuance >= s.maxSupply) return 0n;
  return s.baseRatePerDay >> BigInt(state.epoch);
}
