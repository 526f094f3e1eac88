// Helpers shared by the HeightConsensus tests: one machine driven by hand, and message builders.
import assert from 'node:assert/strict';
import { HeightConsensus } from './height-consensus.js';
import { HEIGHT, hashOf, SimulatedNetwork } from './simulated-network.testkit.js';
import type { BftAction, BftConfig, LockState, Proposal, Vote, VoteType } from './types.js';

// ---- one machine driven by hand, for rules that need an exact message order ----

export const TIMEOUTS = { proposeMs: 300, prevoteMs: 100, precommitMs: 100, deltaMs: 50 };
/** Rotation used by the scripted tests: round r is proposed by validator (r + 1) % 4, so self = 0 proposes round 3. */
export const rotate = (_height: number, round: number): number => (round + 1) % 4;

export function machine(overrides: Partial<BftConfig<string>> = {}, restored?: LockState<string>): HeightConsensus<string> {
  return new HeightConsensus<string>(
    {
      height: HEIGHT,
      validatorCount: 4,
      self: 0,
      proposer: rotate,
      hashOf,
      isValid: (value) => !value.startsWith('invalid'),
      getValue: (round) => `own(r${round})`,
      timeouts: TIMEOUTS,
      ...overrides,
    },
    restored,
  );
}

export const vote = (type: VoteType, round: number, value: string | null, validator: number): Vote => ({
  type,
  height: HEIGHT,
  round,
  blockHash: value === null ? null : hashOf(value),
  validator,
});
export const proposal = (round: number, value: string, validRound = -1): Proposal<string> => ({
  height: HEIGHT,
  round,
  value,
  validRound,
  proposer: rotate(HEIGHT, round),
});
export const votesOf = (actions: BftAction<string>[]): Vote[] => actions.flatMap((a) => (a.type === 'vote' ? [a.vote] : []));
export const ofType = <T extends BftAction<string>['type']>(actions: BftAction<string>[], type: T) =>
  actions.filter((a): a is Extract<BftAction<string>, { type: T }> => a.type === type);

export function feed(consensus: HeightConsensus<string>, messages: (Vote | Proposal<string>)[]): BftAction<string>[] {
  return messages.flatMap((m) => ('type' in m ? consensus.onVote(m) : consensus.onProposal(m)));
}

/** Drives self (validator 0) into a lock on `value` in round 0 and then into round 1 by the precommit timeout. */
export function lockedInRoundZero(value: string): HeightConsensus<string> {
  const c = machine();
  c.start();
  feed(c, [proposal(0, value), vote('prevote', 0, value, 1), vote('prevote', 0, value, 2)]);
  assert.deepEqual(c.lockState().lockedValue, value);
  feed(c, [vote('precommit', 0, null, 1), vote('precommit', 0, null, 2)]);
  const toRound1 = c.onTimeout('precommit', HEIGHT, 0);
  assert.equal(c.round, 1, `expected round 1, actions ${JSON.stringify(toRound1)}`);
  return c;
}

export function assertClean(net: SimulatedNetwork): void {
  assert.deepEqual(net.violations, []);
}
