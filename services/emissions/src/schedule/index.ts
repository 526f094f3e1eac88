// The exact BAI issuance schedule (docs/architecture.md §4): pure, bigint only, no clock. See README.md.
export {
  BAI,
  type EmissionSchedule,
  MAINNET_SCHEDULE,
  epochOfIssuance,
  finalEpoch,
  threshold,
  validateSchedule,
} from './emission-schedule.js';
export {
  type BlockMint,
  type EmissionState,
  type MintSplit,
  assertEmissionState,
  cumulativeEpochMint,
  genesisEmissionState,
  mintForBlock,
  ratePerBlock,
  ratePerDay,
  splitMint,
} from './mint.js';
export {
  type IssuancePoint,
  type NextHalving,
  advanceEmissionState,
  issuanceAtHeight,
  issuanceCurve,
  nextHalving,
  stateAtHeight,
} from './closed-form.js';
