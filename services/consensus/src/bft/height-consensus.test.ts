import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeightConsensus } from './height-consensus.js';
import { HEIGHT, hashOf } from './simulated-network.testkit.js';
import type { LockState, Proposal, Vote } from './types.js';
import { feed, lockedInRoundZero, machine, ofType, proposal, rotate, vote, votesOf } from './height-consensus.testkit.js';

describe('HeightConsensus rules', () => {
  it('prevotes a valid fresh proposal and nil for an invalid one (line 22)', () => {
    const good = machine();
    good.start();
    assert.deepEqual(votesOf(good.onProposal(proposal(0, 'v'))), [vote('prevote', 0, 'v', 0)]);
    assert.equal(good.step, 'prevote');
    const bad = machine();
    bad.start();
    assert.deepEqual(votesOf(bad.onProposal(proposal(0, 'invalid-v'))), [vote('prevote', 0, null, 0)]);
  });

  it('locks and precommits on a proof-of-lock, and sets validValue even when already at precommit (line 36)', () => {
    const c = machine();
    c.start();
    const actions = feed(c, [proposal(0, 'v'), vote('prevote', 0, 'v', 1), vote('prevote', 0, 'v', 2)]);
    assert.deepEqual(votesOf(actions).at(-1), vote('precommit', 0, 'v', 0));
    assert.deepEqual(c.lockState(), { lockedRound: 0, lockedValue: 'v', validRound: 0, validValue: 'v', round: 0 });

    // Prevote timed out into a nil precommit first; the late POL then updates validValue but not the lock.
    const late = machine();
    late.start();
    feed(late, [vote('prevote', 0, 'w', 1), vote('prevote', 0, 'w', 2)]);
    late.onTimeout('propose', HEIGHT, 0); // own prevote nil: 3 prevotes of any kind, 2 for w
    late.onTimeout('prevote', HEIGHT, 0); // precommit nil
    assert.equal(late.step, 'precommit');
    const afterPol = feed(late, [vote('prevote', 0, 'w', 3), proposal(0, 'w')]);
    assert.equal(votesOf(afterPol).length, 0, 'no second precommit');
    assert.deepEqual(late.lockState(), { lockedRound: -1, lockedValue: null, validRound: 0, validValue: 'w', round: 0 });
  });

  it('schedules the prevote and precommit timeouts once, after +2/3 of any votes (lines 34, 47)', () => {
    const c = machine();
    c.start();
    c.onTimeout('propose', HEIGHT, 0);
    const prevotes = feed(c, [vote('prevote', 0, 'a', 1), vote('prevote', 0, 'b', 2), vote('prevote', 0, 'a', 3)]);
    assert.deepEqual(ofType(prevotes, 'timeout'), [{ type: 'timeout', step: 'prevote', height: HEIGHT, round: 0, delayMs: 100 }]);
    c.onTimeout('prevote', HEIGHT, 0);
    const precommits = feed(c, [vote('precommit', 0, 'a', 1), vote('precommit', 0, 'b', 2), vote('precommit', 0, 'a', 3)]);
    assert.deepEqual(ofType(precommits, 'timeout'), [{ type: 'timeout', step: 'precommit', height: HEIGHT, round: 0, delayMs: 100 }]);
    const next = c.onTimeout('precommit', HEIGHT, 0);
    assert.deepEqual(ofType(next, 'enterRound'), [{ type: 'enterRound', height: HEIGHT, round: 1 }]);
    // Round 1's timeouts grow by delta.
    assert.deepEqual(ofType(next, 'timeout'), [{ type: 'timeout', step: 'propose', height: HEIGHT, round: 1, delayMs: 350 }]);
  });

  it('precommits nil on +2/3 nil prevotes (line 44)', () => {
    const c = machine();
    c.start();
    const actions = feed(c, [proposal(0, 'v'), vote('prevote', 0, null, 1), vote('prevote', 0, null, 2), vote('prevote', 0, null, 3)]);
    assert.deepEqual(votesOf(actions).at(-1), vote('precommit', 0, null, 0));
    assert.equal(c.lockState().lockedRound, -1);
  });

  it('a validator locked on v in round 0 does not prevote v\' in round 1, and unlocks only on a newer proof-of-lock', () => {
    const c = lockedInRoundZero('v');
    // Round 1: a fresh v' (validRound -1) gets nil from a locked validator.
    assert.deepEqual(votesOf(c.onProposal(proposal(1, "v'"))), [vote('prevote', 1, null, 0)]);
    feed(c, [vote('prevote', 1, "v'", 1), vote('prevote', 1, "v'", 2)]); // 3 prevotes, no quorum for v'
    c.onTimeout('prevote', HEIGHT, 1);
    feed(c, [vote('precommit', 1, null, 1), vote('precommit', 1, null, 2)]);
    c.onTimeout('precommit', HEIGHT, 1);
    assert.equal(c.round, 2);
    assert.equal(c.lockState().lockedValue, 'v', 'still locked');

    // Round 2 re-proposes v' under validRound 1, but round 1 had no POL for v' yet: no prevote for it.
    assert.deepEqual(votesOf(c.onProposal(proposal(2, "v'", 1))), []);
    // A proposal claiming the POL of round 0 (older than nothing, but not for v') does not help either.
    assert.equal(c.step, 'propose');
    // The missing third round-1 prevote for v' completes a POL newer than the lock: now it prevotes v'.
    assert.deepEqual(votesOf(c.onVote(vote('prevote', 1, "v'", 3))), [vote('prevote', 2, "v'", 0)]);
  });

  it('a locked validator prevotes its locked value when it is proposed again as fresh', () => {
    const c = lockedInRoundZero('v');
    assert.deepEqual(votesOf(c.onProposal(proposal(1, 'v'))), [vote('prevote', 1, 'v', 0)]);
  });

  it('a locked validator ignores a re-proposal whose proof-of-lock is older than its lock', () => {
    // Locked on v in round 1; a re-proposal of w under a (real) POL from round 0 must get nil.
    const c = machine();
    c.start();
    feed(c, [vote('prevote', 0, 'w', 1), vote('prevote', 0, 'w', 2), vote('prevote', 0, 'w', 3)]);
    c.onTimeout('propose', HEIGHT, 0);
    feed(c, [vote('precommit', 0, null, 1), vote('precommit', 0, null, 2), vote('precommit', 0, null, 3)]);
    c.onTimeout('precommit', HEIGHT, 0);
    feed(c, [proposal(1, 'v'), vote('prevote', 1, 'v', 1), vote('prevote', 1, 'v', 2)]);
    assert.equal(c.lockState().lockedRound, 1);
    feed(c, [vote('precommit', 1, null, 1), vote('precommit', 1, null, 2)]);
    c.onTimeout('precommit', HEIGHT, 1);
    assert.deepEqual(votesOf(c.onProposal(proposal(2, 'w', 0))), [vote('prevote', 2, null, 0)]);
  });

  it('proposes its validValue with its validRound when it is the proposer (line 16)', () => {
    const c = lockedInRoundZero('v');
    // Rounds 1 and 2 time out; round 3 is self's (rotate(3) = 0).
    for (const round of [1, 2]) {
      c.onTimeout('propose', HEIGHT, round);
      feed(c, [vote('precommit', round, null, 1), vote('precommit', round, null, 2)]);
      c.onTimeout('precommit', HEIGHT, round);
    }
    const proposals = ofType(c.onTimeout('precommit', HEIGHT, 2), 'proposal');
    assert.equal(proposals.length, 0, 'the same timeout does not fire twice');
    assert.equal(c.round, 3);
    assert.deepEqual(c.proposalFor(3), { height: HEIGHT, round: 3, value: 'v', validRound: 0, proposer: 0 });
    assert.deepEqual(c.votesFor(3, 'prevote'), [vote('prevote', 3, 'v', 0)]);
  });

  it('proposes a fresh block from getValue, and waits for the propose timeout when it has none', () => {
    const proposer = machine({ proposer: () => 0 });
    const actions = proposer.start();
    assert.deepEqual(ofType(actions, 'proposal')[0]?.proposal, { height: HEIGHT, round: 0, value: 'own(r0)', validRound: -1, proposer: 0 });
    assert.deepEqual(votesOf(actions), [vote('prevote', 0, 'own(r0)', 0)]);

    const empty = machine({ proposer: () => 0, getValue: () => null });
    const waiting = empty.start();
    assert.equal(ofType(waiting, 'proposal').length, 0);
    assert.deepEqual(ofType(waiting, 'timeout'), [{ type: 'timeout', step: 'propose', height: HEIGHT, round: 0, delayMs: 300 }]);
  });

  it('decides on +2/3 precommits of an earlier round, even after the proposal arrives last (line 49)', () => {
    const c = machine();
    c.start();
    feed(c, [vote('precommit', 0, 'v', 1), vote('precommit', 0, 'v', 2), vote('precommit', 0, 'v', 3)]);
    c.onTimeout('precommit', HEIGHT, 0);
    c.onTimeout('propose', HEIGHT, 1);
    assert.equal(c.round, 1);
    assert.equal(c.decided, false, 'no decision without the value');
    const actions = c.onProposal(proposal(0, 'v'));
    const decide = ofType(actions, 'decide');
    assert.equal(decide.length, 1);
    assert.equal(decide[0]?.round, 0);
    assert.equal(decide[0]?.value, 'v');
    assert.deepEqual(decide[0]?.precommits.map((p) => p.validator).sort(), [1, 2, 3]);
    assert.equal(c.decided, true);
    assert.deepEqual(c.onTimeout('prevote', HEIGHT, 1), [], 'nothing more after the decision');
  });

  it('does not decide an invalid value even with +2/3 precommits for it', () => {
    const c = machine();
    c.start();
    feed(c, [proposal(0, 'invalid-v'), vote('precommit', 0, 'invalid-v', 1), vote('precommit', 0, 'invalid-v', 2), vote('precommit', 0, 'invalid-v', 3)]);
    assert.equal(c.decided, false);
  });

  it('skips to a higher round on messages from f+1 validators, not from f (line 55)', () => {
    const c = machine();
    c.start();
    assert.deepEqual(ofType(c.onVote(vote('precommit', 3, null, 1)), 'enterRound'), []);
    assert.deepEqual(ofType(c.onVote(vote('prevote', 3, null, 1)), 'enterRound'), [], 'the same validator counts once');
    assert.deepEqual(c.onProposal({ ...proposal(3, 'x'), proposer: 2 }), [], 'a proposal from the wrong proposer is ignored');
    const actions = c.onVote(vote('prevote', 3, 'x', 2));
    assert.deepEqual(ofType(actions, 'enterRound'), [{ type: 'enterRound', height: HEIGHT, round: 3 }]);
    assert.equal(c.round, 3);
  });

  it('honours a restored lock after a restart: starts in the restored round and prevotes nil for another value', () => {
    const restored: LockState<string> = { lockedRound: 0, lockedValue: 'v', validRound: 0, validValue: 'v', round: 1 };
    const c = machine({}, restored);
    assert.deepEqual(ofType(c.start(), 'enterRound'), [{ type: 'enterRound', height: HEIGHT, round: 1 }]);
    assert.deepEqual(votesOf(c.onProposal(proposal(1, "v'"))), [vote('prevote', 1, null, 0)]);

    // As round-3 proposer it re-proposes the restored validValue under its validRound.
    const proposerAgain = machine({}, { ...restored, round: 3 });
    const proposed = ofType(proposerAgain.start(), 'proposal');
    assert.deepEqual(proposed[0]?.proposal, { height: HEIGHT, round: 3, value: 'v', validRound: 0, proposer: 0 });
  });

  it('repeats a replayed own vote instead of signing a conflicting one after a restart', () => {
    const c = machine({}, { lockedRound: -1, lockedValue: null, validRound: -1, validValue: null, round: 0 });
    c.onVote(vote('prevote', 0, 'v', 0)); // signed before the crash, replayed by the caller
    c.start();
    // The propose timeout would prevote nil; the machine re-sends its earlier prevote for v instead.
    assert.deepEqual(votesOf(c.onTimeout('propose', HEIGHT, 0)), [vote('prevote', 0, 'v', 0)]);
  });

  it('reports one equivocation per offender, keeps the first vote, and ignores duplicates', () => {
    const c = machine();
    c.start();
    const first = vote('prevote', 0, 'a', 2);
    const second = vote('prevote', 0, 'b', 2);
    const actions = feed(c, [first, first, second, second, first, vote('prevote', 0, null, 2)]);
    assert.deepEqual(ofType(actions, 'equivocation'), [{ type: 'equivocation', first, second }]);
    assert.deepEqual(c.votesFor(0, 'prevote'), [first]);
    // A precommit is a different type: its own conflicts are reported separately.
    const precommits = feed(c, [vote('precommit', 0, 'a', 2), vote('precommit', 0, null, 2)]);
    assert.equal(ofType(precommits, 'equivocation').length, 1);
  });

  it('does not count an equivocator\'s second vote for a hash that fewer than f+1 validators back', () => {
    const c = machine();
    c.start();
    c.onTimeout('propose', HEIGHT, 0); // own prevote nil
    feed(c, [vote('prevote', 0, 'a', 1), vote('prevote', 0, 'a', 2), vote('prevote', 0, 'b', 2), vote('prevote', 0, 'b', 3)]);
    // a: 1, 2 (b from 2 is ignored); so +2/3 any exists but no quorum for a or b.
    assert.equal(c.step, 'prevote');
    assert.equal(c.lockState().lockedRound, -1);
  });

  it('counts an equivocator\'s second precommit toward a hash that f+1 back, so a node that got the wrong variant first still decides', () => {
    const c = machine();
    c.start();
    const actions = feed(c, [
      proposal(0, 'v'),
      vote('precommit', 0, 'other', 3), // the byzantine's variant that reached us first
      vote('precommit', 0, 'v', 1),
      vote('precommit', 0, 'v', 2),
      vote('precommit', 0, 'v', 3), // its variant for v, re-gossiped by an honest peer
    ]);
    assert.equal(ofType(actions, 'equivocation').length, 1);
    const decide = ofType(actions, 'decide');
    assert.equal(decide[0]?.value, 'v');
    assert.deepEqual(decide[0]?.precommits.map((p) => p.validator).sort(), [1, 2, 3]);
    assert.deepEqual(c.votesFor(0, 'precommit').find((p) => p.validator === 3)?.blockHash, hashOf('other'), 'the first vote is the one kept');
  });

  it('ignores stale timeouts, other heights, wrong proposers, out-of-range validators and malformed input', () => {
    const c = machine();
    c.start();
    assert.deepEqual(c.onTimeout('prevote', HEIGHT, 0), [], 'prevote timeout while at propose');
    assert.deepEqual(c.onTimeout('propose', HEIGHT + 1, 0), []);
    assert.deepEqual(c.onTimeout('propose', HEIGHT, 1), []);
    assert.deepEqual(c.onProposal({ ...proposal(0, 'v'), height: HEIGHT + 1 }), []);
    assert.deepEqual(c.onProposal({ ...proposal(0, 'v'), proposer: 2 }), []);
    assert.deepEqual(c.onProposal({ ...proposal(0, 'v'), validRound: 0 }), [], 'a POL round must precede the round');
    assert.deepEqual(c.onVote({ ...vote('prevote', 0, 'v', 1), height: HEIGHT - 1 }), []);
    assert.deepEqual(c.onVote(vote('prevote', 0, 'v', 4)), []);
    assert.deepEqual(c.onVote(vote('prevote', 0, 'v', -1)), []);
    assert.deepEqual(c.onVote({ ...vote('prevote', 0.5, 'v', 1) }), []);
    const garbage = JSON.parse('[null, 3, {"type":"vote"}, {"height":7,"round":"0"}]') as Vote[];
    for (const g of garbage) {
      assert.deepEqual(c.onVote(g), []);
      assert.deepEqual(c.onProposal(g as unknown as Proposal<string>), []);
    }
    const throwing = machine({ hashOf: () => { throw new Error('undecodable'); } });
    throwing.start();
    assert.deepEqual(throwing.onProposal(proposal(0, 'v')), []);
    assert.equal(c.step, 'propose');
    assert.deepEqual(c.votesFor(0, 'prevote'), []);
  });

  it('stores only a bounded number of far-future rounds per validator', () => {
    const c = machine();
    c.start();
    for (let round = 10; round < 1010; round++) c.onVote(vote('prevote', round, null, 1));
    assert.equal(c.votesFor(10, 'prevote').length, 1);
    assert.equal(c.votesFor(11, 'prevote').length, 1);
    assert.equal(c.votesFor(12, 'prevote').length, 0);
    assert.equal(c.votesFor(1009, 'prevote').length, 0);
  });

  it('a full node follows to the decision without proposing or voting', () => {
    const c = machine({ self: null, proposer: () => 0 });
    const started = c.start();
    assert.equal(ofType(started, 'proposal').length, 0);
    const actions = feed(c, [
      { ...proposal(0, 'v'), proposer: 0 },
      vote('prevote', 0, 'v', 0), vote('prevote', 0, 'v', 1), vote('prevote', 0, 'v', 2),
      vote('precommit', 0, 'v', 0), vote('precommit', 0, 'v', 1), vote('precommit', 0, 'v', 2),
    ]);
    assert.equal(votesOf(actions).length, 0);
    assert.equal(ofType(actions, 'decide')[0]?.value, 'v');
  });
});
