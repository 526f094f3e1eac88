import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeightConsensus } from './height-consensus.js';
import { HEIGHT, hashOf, SimulatedNetwork } from './simulated-network.testkit.js';
import type { BftAction, BftConfig, LockState, Proposal, Vote, VoteType } from './types.js';

// ---- one machine driven by hand, for rules that need an exact message order ----

const TIMEOUTS = { proposeMs: 300, prevoteMs: 100, precommitMs: 100, deltaMs: 50 };
/** Rotation used by the scripted tests: round r is proposed by validator (r + 1) % 4, so self = 0 proposes round 3. */
const rotate = (_height: number, round: number): number => (round + 1) % 4;

function machine(overrides: Partial<BftConfig<string>> = {}, restored?: LockState<string>): HeightConsensus<string> {
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

const vote = (type: VoteType, round: number, value: string | null, validator: number): Vote => ({
  type,
  height: HEIGHT,
  round,
  blockHash: value === null ? null : hashOf(value),
  validator,
});
const proposal = (round: number, value: string, validRound = -1): Proposal<string> => ({
  height: HEIGHT,
  round,
  value,
  validRound,
  proposer: rotate(HEIGHT, round),
});
const votesOf = (actions: BftAction<string>[]): Vote[] => actions.flatMap((a) => (a.type === 'vote' ? [a.vote] : []));
const ofType = <T extends BftAction<string>['type']>(actions: BftAction<string>[], type: T) =>
  actions.filter((a): a is Extract<BftAction<string>, { type: T }> => a.type === type);

function feed(consensus: HeightConsensus<string>, messages: (Vote | Proposal<string>)[]): BftAction<string>[] {
  return messages.flatMap((m) => ('type' in m ? consensus.onVote(m) : consensus.onProposal(m)));
}

/** Drives self (validator 0) into a lock on `value` in round 0 and then into round 1 by the precommit timeout. */
function lockedInRoundZero(value: string): HeightConsensus<string> {
  const c = machine();
  c.start();
  feed(c, [proposal(0, value), vote('prevote', 0, value, 1), vote('prevote', 0, value, 2)]);
  assert.deepEqual(c.lockState().lockedValue, value);
  feed(c, [vote('precommit', 0, null, 1), vote('precommit', 0, null, 2)]);
  const toRound1 = c.onTimeout('precommit', HEIGHT, 0);
  assert.equal(c.round, 1, `expected round 1, actions ${JSON.stringify(toRound1)}`);
  return c;
}

function assertClean(net: SimulatedNetwork): void {
  assert.deepEqual(net.violations, []);
}

// ---- the network scenarios ----

describe('HeightConsensus on a simulated network', () => {
  it('decides in round 0 with the same value everywhere when all 4 are honest (full node included)', () => {
    const net = new SimulatedNetwork({ validatorCount: 4, fullNodes: 1 });
    net.start();
    net.run(10_000);
    assertClean(net);
    assert.equal(net.decisions.length, 5);
    for (const d of net.decisions) {
      assert.equal(d.round, 0);
      assert.equal(d.value, 'block(p3,r0)'); // proposer(7, 0) = 7 % 4
      assert.ok(d.precommits.length >= 3);
    }
    assert.equal(votesOf(net.actionsOf.get(4) ?? []).length, 0, 'a full node never votes');
  });

  it('decides in round 0 with 7 validators, two of them crashed', () => {
    const net = new SimulatedNetwork({ validatorCount: 7, crashed: [1, 2] });
    net.start();
    net.run(10_000);
    assertClean(net);
    assert.equal(net.decisions.length, 5);
    assert.ok(net.decisions.every((d) => d.round === 0 && d.value === 'block(p0,r0)'));
  });

  it('moves to round 1 after the propose timeout when the proposer is silent, and decides the next proposer\'s block', () => {
    const net = new SimulatedNetwork({ validatorCount: 4, crashed: [3] });
    net.start();
    net.run(10_000);
    assertClean(net);
    assert.equal(net.decisions.length, 3);
    assert.ok(net.decisions.every((d) => d.round === 1 && d.value === 'block(p0,r1)'), JSON.stringify(net.decisions));
    // Nothing can happen before the round-0 propose timeout of 300 ms fired.
    assert.ok(net.decisions.every((d) => d.atMs >= 300));
  });

  it('still decides with one of 4 crashed (f = 1)', () => {
    const net = new SimulatedNetwork({ validatorCount: 4, crashed: [0] });
    net.start();
    net.run(10_000);
    assertClean(net);
    assert.deepEqual(net.decisions.map((d) => d.node).sort(), [1, 2, 3]);
    assert.equal(new Set(net.decisions.map((d) => d.value)).size, 1);
  });

  it('never decides with two of 4 crashed, and never forks', () => {
    for (const crashed of [[0, 1], [2, 3], [1, 3]]) {
      const net = new SimulatedNetwork({ validatorCount: 4, crashed, seed: crashed[0] });
      net.start();
      net.run(30_000);
      assertClean(net);
      assert.equal(net.decisions.length, 0, `crashed ${crashed.join(',')}`);
    }
  });

  it('decides when the proposal reaches a node only after the precommits for it', () => {
    // Node 1 misses the round-0 proposal until t = 2000 ms; the other three decide without it.
    const net = new SimulatedNetwork({
      validatorCount: 4,
      intercept: ({ to, message }) => (to === 1 && message.kind === 'proposal' && message.proposal.round === 0 ? { delayMs: 2000 } : 'deliver'),
    });
    net.start();
    net.run(1900);
    assert.equal(net.nodes[1]?.decided, false);
    assert.ok((net.nodes[1]?.round ?? 0) >= 1, 'node 1 left round 0 on its precommit timeout');
    net.run(10_000);
    assertClean(net);
    const late = net.decisionOf(1);
    assert.ok(late !== undefined);
    assert.equal(late.round, 0);
    assert.equal(late.value, 'block(p3,r0)');
    assert.ok(late.atMs >= 2000);
  });

  it('reports each equivocating validator once per round and type, and stays safe under one byzantine of 4', () => {
    for (let seed = 1; seed <= 30; seed++) {
      // gstMs 0: nothing is dropped and honest nodes re-gossip, as the node's gossip layer does.
      const net = new SimulatedNetwork({ validatorCount: 4, byzantine: [3], seed, gstMs: 0 });
      net.start();
      net.run(20_000);
      assertClean(net);
      assert.ok(net.allHonestDecided(), `seed ${seed}`);
      const seen = new Set<string>();
      for (const { node, first } of net.equivocations) {
        assert.equal(first.validator, 3);
        const key = `${node}/${first.round}/${first.type}`;
        assert.ok(!seen.has(key), `seed ${seed}: node ${node} reported ${key} twice`);
        seen.add(key);
      }
    }
  });

  it('restarts a locked validator from its persisted lock state and still reaches agreement', () => {
    const net = new SimulatedNetwork({
      validatorCount: 4,
      // Precommits of round 0 are lost until 500 ms, so everyone locks in round 0 but nobody decides
      // before node 2 restarts; from then on re-gossip brings them.
      intercept: ({ message }, now) => (now < 500 && message.kind === 'vote' && message.vote.type === 'precommit' && message.vote.round === 0 ? 'drop' : 'deliver'),
      gstMs: 500,
    });
    net.start();
    net.run(200, () => net.nodes[2]?.lockState().lockedRound === 0);
    const persisted = net.nodes[2]?.lockState();
    assert.equal(persisted?.lockedValue, 'block(p3,r0)');
    const ownVotes = [...(net.nodes[2]?.votesFor(0, 'prevote') ?? []), ...(net.nodes[2]?.votesFor(0, 'precommit') ?? [])].filter((v) => v.validator === 2);
    net.crash(2);
    net.run(net.now + 50, () => false);
    net.restart(2, persisted, ownVotes);
    net.run(20_000);
    assertClean(net);
    assert.ok(net.allHonestDecided());
    assert.ok(net.decisions.every((d) => d.value === 'block(p3,r0)'), JSON.stringify(net.decisions.map((d) => d.value)));
  });

  describe('randomized: drops, duplicates, reordering and faults within the bound', () => {
    const cases = [
      { validatorCount: 4, faults: 1, seeds: 400 },
      { validatorCount: 7, faults: 2, seeds: 150 },
    ];
    for (const { validatorCount, faults, seeds } of cases) {
      it(`n = ${validatorCount}: agreement always, termination once messages stop being dropped (${seeds} seeds)`, () => {
        for (let seed = 1; seed <= seeds; seed++) {
          const pick = (salt: number) => (seed * 7919 + salt * 104729) % validatorCount;
          const faulty = [...new Set([pick(1), pick(2), pick(3)])].slice(0, faults);
          const byzantine = seed % 3 === 0 ? [] : faulty.slice(0, seed % 2 === 0 ? faults : 1);
          const crashed = faulty.filter((v) => !byzantine.includes(v));
          const net = new SimulatedNetwork({
            validatorCount,
            fullNodes: 1,
            seed,
            byzantine,
            crashed,
            minDelayMs: 1,
            maxDelayMs: 10 + (seed % 5) * 40, // up to 170 ms: slower than the base timeouts in some runs
            dropProbability: 0.1 + (seed % 4) * 0.1,
            duplicateProbability: 0.2,
            gstMs: 1500 + (seed % 3) * 1000,
          });
          net.start();
          net.run(60_000);
          const context = `seed ${seed}, byzantine ${byzantine}, crashed ${crashed}`;
          assert.deepEqual(net.violations, [], context);
          assert.ok(net.allHonestDecided(), `${context}: not all honest nodes decided by 60 s`);
          const honestValues = new Set(net.decisions.filter((d) => net.isHonest(d.node)).map((d) => d.value));
          assert.equal(honestValues.size, 1, context);
        }
      });
    }

    it('n = 4 with 2 byzantine (beyond the bound) still never lets the machine decide without +2/3 precommits', () => {
      // Safety is not promised here; this pins that every decision carries a real commit and nothing throws.
      for (let seed = 1; seed <= 20; seed++) {
        const net = new SimulatedNetwork({ validatorCount: 4, byzantine: [0, 1], seed, dropProbability: 0.2, gstMs: 1000 });
        net.start();
        net.run(20_000);
        const commitProblems = net.violations.filter((v) => v.includes('precommits') || v.includes('foreign') || v.includes('twice'));
        assert.deepEqual(commitProblems, [], `seed ${seed}`);
      }
    });
  });
});

// ---- single-machine rules ----

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
