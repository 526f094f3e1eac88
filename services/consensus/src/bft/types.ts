// Types of the pure Tendermint BFT state machine (Buchman, Kwon, Milosevic 2018, Algorithm 1).
// The machine does no I/O, reads no clock and checks no signature: the node feeds it verified messages
// and fired timeouts, and carries out the actions it returns.

export type Step = 'propose' | 'prevote' | 'precommit';
export type VoteType = 'prevote' | 'precommit';

export interface Vote {
  type: VoteType;
  height: number;
  round: number;
  /** null = nil (a vote for no block). */
  blockHash: string | null;
  /** Index of the validator in the active set, 0..validatorCount-1. */
  validator: number;
}

export interface Proposal<V> {
  height: number;
  round: number;
  value: V;
  /** Round of the proof-of-lock the proposer re-proposes `value` under; -1 = none. */
  validRound: number;
  proposer: number;
}

export interface BftTimeouts {
  proposeMs: number;
  prevoteMs: number;
  precommitMs: number;
  /** Added once per round to each base timeout, so that rounds eventually outlast network delays. */
  deltaMs: number;
}

export interface BftConfig<V> {
  height: number;
  validatorCount: number;
  /** Own validator index; null = non-validating full node (follows and decides, never proposes or votes). */
  self: number | null;
  /** Proposer rotation, decided by the caller. */
  proposer(height: number, round: number): number;
  hashOf(value: V): string;
  /** ProcessProposal: the caller checks parent, app hash, last commit, … */
  isValid(value: V): boolean;
  /** The caller builds a block when self is the proposer; null = cannot propose now. */
  getValue(round: number): V | null;
  /** timeout(step, r) = base(step) + r * deltaMs. */
  timeouts: BftTimeouts;
}

/** What the machine must remember across a restart so that it never breaks a lock. */
export interface LockState<V> {
  lockedRound: number;
  lockedValue: V | null;
  validRound: number;
  validValue: V | null;
  round: number;
}

export type BftAction<V> =
  /** Sign and broadcast. */
  | { type: 'proposal'; proposal: Proposal<V> }
  /** Sign and broadcast self's own vote (it is already counted internally). */
  | { type: 'vote'; vote: Vote }
  /** The caller schedules it, then calls onTimeout(step, height, round). */
  | { type: 'timeout'; step: Step; height: number; round: number; delayMs: number }
  /** The value is final; `precommits` are the +2/3 precommits for it in `round` (the commit). */
  | { type: 'decide'; height: number; round: number; value: V; precommits: Vote[] }
  /** Two different votes of one validator for the same height/round/type: evidence. */
  | { type: 'equivocation'; first: Vote; second: Vote }
  /** Informational (metrics, logs). */
  | { type: 'enterRound'; height: number; round: number };
