export type { BftAction, BftConfig, BftTimeouts, LockState, Proposal, Step, Vote, VoteType } from './types.js';
export { HeightConsensus } from './height-consensus.js';
