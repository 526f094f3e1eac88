// Era end: rewards by points (equal for equal work, whatever the stake), commission then pro rata,
// bounded payouts with the rest left in the pot, the election of the next set, and the fallback
// that keeps the current set when there are too few candidates.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyCall } from './calls.js';
import { electNextSet, endEra, genesisState, notePoints, payoutEra } from './era.js';
import { accountId, mulberry32 } from './prng.js';
import type { StakingParams, StakingState, Transfer } from './types.js';

const V1 = accountId(1);
const V2 = accountId(2);
const V3 = accountId(3);
const N1 = accountId(101);
const N2 = accountId(102);
const N3 = accountId(103);

const P: StakingParams = {
  minBond: 1n,
  minValidatorBond: 100n,
  minNominatorBond: 10n,
  bondingDuration: 2,
  maxUnlockingChunks: 8,
  maxNominations: 16,
  validatorCount: 2,
  minimumValidatorCount: 2,
  minCommission: 0n,
  slashFraction: 100_000_000n,
  maxPayoutsPerValidator: 64,
};

/** Credits per recipient (stash) from the reward pot, re-staked or paid out alike. */
function rewardsOf(transfers: Transfer[], events: ReturnType<typeof payoutEra>['events']): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const e of events) if (e.type === 'Rewarded') out.set(e.stash, (out.get(e.stash) ?? 0n) + e.amount);
  const fromPot = transfers.filter((t) => 'fund' in t.from && t.from.fund === 'rewardPot').reduce((s, t) => s + t.amount, 0n);
  assert.equal([...out.values()].reduce((s, x) => s + x, 0n), fromPot, 'every Rewarded event has its transfer');
  return out;
}
function givePoints(state: StakingState, points: Record<string, number>): void {
  for (const [v, n] of Object.entries(points)) for (let i = 0; i < n; i++) notePoints(state, [v]);
}

describe('era rewards', () => {
  it('two validators with equal points and stakes 10x apart receive equal era rewards', () => {
    const { state } = genesisState(P, {
      validators: [
        { stash: V1, bond: 1_000n, commission: 0n },
        { stash: V2, bond: 10_000n, commission: 0n },
      ],
      nominators: [
        { stash: N1, bond: 4_000n, targets: [V1] },
        { stash: N2, bond: 40_000n, targets: [V2] },
      ],
    });
    assert.equal(state.active.exposures.get(V2)!.total, 10n * state.active.exposures.get(V1)!.total);
    givePoints(state, { [V1]: 7, [V2]: 7 });
    const r = payoutEra(state, 1_000_001n);
    const paid = rewardsOf(r.transfers, r.events);
    const side1 = paid.get(V1)! + paid.get(N1)!;
    const side2 = paid.get(V2)! + paid.get(N2)!;
    assert.equal(side1, 500_000n);
    assert.equal(side2, 500_000n);
    assert.deepEqual(r.events.at(-1), { type: 'EraPaid', era: 0, paid: 1_000_000n, remainder: 1n });
  });

  it('commission first, then exact floor(pro rata) to own stake and each nominator exposure', () => {
    const { state } = genesisState(
      { ...P, validatorCount: 1, minimumValidatorCount: 1 },
      {
        validators: [{ stash: V1, bond: 300n, commission: 100_000_000n, payee: 'Stash' }],
        nominators: [
          { stash: N1, bond: 500n, targets: [V1], payee: 'Stash' },
          { stash: N2, bond: 200n, targets: [V1], payee: 'Stash' },
        ],
      },
    );
    assert.deepEqual(state.active.exposures.get(V1), {
      total: 1_000n,
      own: 300n,
      others: [
        { who: N1, value: 500n },
        { who: N2, value: 200n },
      ],
    });
    givePoints(state, { [V1]: 1 });
    const r = payoutEra(state, 1_000_003n);
    // commission floor(1000003 * 10%) = 100000; leftover 900003
    // own floor(900003*300/1000) = 270000, N1 floor(900003*500/1000) = 450001, N2 floor(900003*200/1000) = 180000
    assert.deepEqual(
      r.transfers,
      [
        { from: { fund: 'rewardPot' }, to: { account: V1 }, amount: 370_000n },
        { from: { fund: 'rewardPot' }, to: { account: N1 }, amount: 450_001n },
        { from: { fund: 'rewardPot' }, to: { account: N2 }, amount: 180_000n },
      ],
    );
    assert.deepEqual(r.events.at(-1), { type: 'EraPaid', era: 0, paid: 1_000_001n, remainder: 2n });
  });

  it('rewards split by points: 3 points vs 1 point get 3/4 and 1/4 of the pot', () => {
    const { state } = genesisState(P, {
      validators: [
        { stash: V1, bond: 100n, commission: 0n, payee: 'Stash' },
        { stash: V2, bond: 100n, commission: 0n, payee: 'Stash' },
      ],
    });
    givePoints(state, { [V1]: 3, [V2]: 1 });
    const r = payoutEra(state, 400n);
    const paid = rewardsOf(r.transfers, r.events);
    assert.deepEqual([paid.get(V1), paid.get(V2)], [300n, 100n]);
  });

  it('a Staked payee has its reward added to its bond and moved rewardPot -> bonded', () => {
    const { state } = genesisState(P, {
      validators: [
        { stash: V1, bond: 100n, commission: 0n, payee: 'Staked' },
        { stash: V2, bond: 100n, commission: 0n, payee: 'Stash' },
      ],
    });
    givePoints(state, { [V1]: 1, [V2]: 1 });
    const r = payoutEra(state, 100n);
    assert.deepEqual(r.transfers, [
      { from: { fund: 'rewardPot' }, to: { fund: 'bonded' }, amount: 50n },
      { from: { fund: 'rewardPot' }, to: { account: V2 }, amount: 50n },
    ]);
    assert.deepEqual(state.ledgers.get(V1), { stash: V1, total: 150n, active: 150n, unlocking: [] });
  });

  it('only the maxPayoutsPerValidator largest nominators are paid; the rest of the share stays in the pot', () => {
    const { state } = genesisState(
      { ...P, validatorCount: 1, minimumValidatorCount: 1, maxPayoutsPerValidator: 2 },
      {
        validators: [{ stash: V1, bond: 100n, commission: 0n, payee: 'Stash' }],
        nominators: [
          { stash: N1, bond: 300n, targets: [V1], payee: 'Stash' },
          { stash: N2, bond: 100n, targets: [V1], payee: 'Stash' },
          { stash: N3, bond: 500n, targets: [V1], payee: 'Stash' },
        ],
      },
    );
    givePoints(state, { [V1]: 1 });
    const r = payoutEra(state, 1_000n);
    const paid = rewardsOf(r.transfers, r.events);
    assert.deepEqual([...paid.entries()].sort(), [
      [V1, 100n],
      [N1, 300n],
      [N3, 500n],
    ].sort());
    assert.deepEqual(r.events.at(-1), { type: 'EraPaid', era: 0, paid: 900n, remainder: 100n });
  });

  it('an era without points pays nothing and the whole pot stays', () => {
    const { state } = genesisState(P, { validators: [{ stash: V1, bond: 100n, commission: 0n }] });
    const r = payoutEra(state, 5_000n);
    assert.deepEqual(r.transfers, []);
    assert.deepEqual(r.events, [{ type: 'EraPaid', era: 0, paid: 0n, remainder: 5_000n }]);
  });

  it('points go once per commit to signers in the active set only', () => {
    const { state } = genesisState(P, { validators: [{ stash: V1, bond: 100n, commission: 0n }] });
    notePoints(state, [V1, V1, V2]);
    notePoints(state, [V1]);
    assert.deepEqual([...state.points], [[V1, 2n]]);
  });

  it('payouts never exceed the pot, over random stakes, commissions, points and pots', () => {
    const rng = mulberry32(42);
    for (let round = 0; round < 30; round++) {
      const nv = 1 + rng.int(8);
      const validators = Array.from({ length: nv }, (_, i) => ({
        stash: accountId(i + 1),
        bond: rng.bigint(100n, 10n ** 24n),
        commission: rng.bigint(0n, 1_000_000_000n),
        payee: rng.int(2) ? ('Staked' as const) : ('Stash' as const),
      }));
      const nominators = Array.from({ length: rng.int(40) }, (_, i) => ({
        stash: accountId(1000 + i),
        bond: rng.bigint(10n, 10n ** 24n),
        targets: [...new Set(Array.from({ length: 1 + rng.int(4) }, () => validators[rng.int(nv)]!.stash))],
      }));
      const { state } = genesisState({ ...P, validatorCount: nv, minimumValidatorCount: 1, maxPayoutsPerValidator: rng.int(5) }, { validators, nominators });
      for (const v of state.active.validators) for (let k = rng.int(4); k > 0; k--) notePoints(state, [v]);
      const pot = rng.bigint(0n, 10n ** 22n);
      const r = payoutEra(state, pot);
      const fromPot = r.transfers.reduce((s, t) => s + t.amount, 0n);
      assert.ok(fromPot <= pot, `paid ${fromPot} out of a pot of ${pot}`);
      assert.equal(fromPot, r.paid);
    }
  });
});

describe('era end and election', () => {
  it('elects the next set by Phragmén, which takes effect in the next era with fresh exposures', () => {
    const { state } = genesisState(P, {
      validators: [
        { stash: V1, bond: 100n, commission: 0n },
        { stash: V2, bond: 200n, commission: 0n },
        { stash: V3, bond: 300n, commission: 0n },
      ],
    });
    assert.deepEqual(state.active.validators, [V2, V3], 'genesis elects the two largest');
    const n = accountId(200);
    assert.ok(applyCall(state, n, { call: 'bond', value: 1_000n, payee: 'Staked' }, 1_000n).ok);
    assert.ok(applyCall(state, n, { call: 'nominate', targets: [V1] }, 0n).ok);
    notePoints(state, [V2, V3]);
    const r = endEra(state, 0n);
    assert.equal(state.currentEra, 1);
    assert.deepEqual(state.active.validators, [V1, V3]);
    assert.deepEqual(r.nextValidators, [
      { stash: V1, backing: 1_100n },
      { stash: V3, backing: 300n },
    ]);
    assert.deepEqual(state.active.exposures.get(V1), { total: 1_100n, own: 100n, others: [{ who: n, value: 1_000n }] });
    assert.equal(state.points.size, 0, 'points start again');
    assert.equal(state.previous!.era, 0);
    assert.ok(r.events.some((e) => e.type === 'StakersElected' && e.era === 1));
  });

  it('with fewer eligible candidates than needed it keeps the current set and says why', () => {
    const { state } = genesisState(P, {
      validators: [
        { stash: V1, bond: 100n, commission: 0n },
        { stash: V2, bond: 200n, commission: 0n },
      ],
    });
    assert.ok(applyCall(state, V1, { call: 'chill' }, 0n).ok);
    const r = endEra(state, 0n);
    assert.deepEqual(state.active.validators, [V1, V2]);
    assert.deepEqual(r.nextValidators.map((v) => v.stash), [V1, V2]);
    assert.deepEqual(r.events.find((e) => e.type === 'ElectionSkipped'), {
      type: 'ElectionSkipped',
      era: 1,
      reason: 'NotEnoughCandidates',
      candidates: 1,
      needed: 2,
    });
  });

  it('a candidate below the validator minimum (after a slash or unbond) is not eligible', () => {
    const { state } = genesisState({ ...P, validatorCount: 1, minimumValidatorCount: 1 }, {
      validators: [
        { stash: V1, bond: 100n, commission: 0n },
        { stash: V2, bond: 5_000n, commission: 0n },
      ],
    });
    state.ledgers.set(V2, { stash: V2, total: 99n, active: 99n, unlocking: [] });
    assert.deepEqual(electNextSet(state).snapshot.validators, [V1]);
  });
});
