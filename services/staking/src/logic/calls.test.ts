// The signed calls: what each one moves and records, and that every bad call fails with its
// pallet error and changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyCall, cloneState, totalBonded, type CallOutcome } from './calls.js';
import { endEra, genesisState } from './era.js';
import { accountId } from './prng.js';
import type { StakingCall, StakingParams, StakingState } from './types.js';

const A = accountId(1); // genesis validator
const B = accountId(2); // genesis validator
const U = accountId(10); // a fresh user
const W = accountId(11);

const P: StakingParams = {
  minBond: 10n,
  minValidatorBond: 1_000n,
  minNominatorBond: 100n,
  bondingDuration: 3,
  maxUnlockingChunks: 3,
  maxNominations: 4,
  validatorCount: 2,
  minimumValidatorCount: 2,
  minCommission: 0n,
  slashFraction: 100_000_000n,
  maxPayoutsPerValidator: 2,
};

function fresh(params: StakingParams = P): StakingState {
  return genesisState(params, {
    validators: [
      { stash: A, bond: 1_000n, commission: params.minCommission },
      { stash: B, bond: 2_000n, commission: 50_000_000n },
    ],
  }).state;
}
function ok(r: CallOutcome): Extract<CallOutcome, { ok: true }> {
  if (!r.ok) assert.fail(`expected success, got ${r.error.code}: ${r.error.message}`);
  return r;
}
function nextEras(state: StakingState, n: number): void {
  for (let i = 0; i < n; i++) endEra(state, 0n);
}
/** Runs a call that must fail with `code` and asserts the state is deep-equal to before. */
function rejects(state: StakingState, signer: string, call: StakingCall, free: bigint, code: string): void {
  const before = cloneState(state);
  const r = applyCall(state, signer, call, free);
  assert.equal(r.ok, false, `${call.call} should fail`);
  if (!r.ok) assert.equal(r.error.code, code);
  assert.deepEqual(state, before, `${call.call} failing with ${code} changed the state`);
}

describe('bond / bond_extra', () => {
  it('bond moves the value from free balance into the bonded fund and records ledger and payee', () => {
    const s = fresh();
    const r = ok(applyCall(s, U, { call: 'bond', value: 500n, payee: 'Stash' }, 1_000n));
    assert.deepEqual(r.transfers, [{ from: { account: U }, to: { fund: 'bonded' }, amount: 500n }]);
    assert.deepEqual(r.events, [{ type: 'Bonded', stash: U, amount: 500n }]);
    assert.deepEqual(s.ledgers.get(U), { stash: U, total: 500n, active: 500n, unlocking: [] });
    assert.equal(s.payees.get(U), 'Stash');
  });

  it('bond takes at most the free balance (as pallet-staking) and fails below the minimum bond', () => {
    const s = fresh();
    const r = ok(applyCall(s, U, { call: 'bond', value: 10_000n, payee: 'Staked' }, 300n));
    assert.equal(r.transfers[0]!.amount, 300n);
    rejects(s, W, { call: 'bond', value: 9n, payee: 'Staked' }, 1_000n, 'InsufficientBond');
    rejects(s, W, { call: 'bond', value: 100n, payee: 'Staked' }, 9n, 'InsufficientBond');
  });

  it('bond by a bonded stash fails with AlreadyBonded', () => {
    const s = fresh();
    rejects(s, A, { call: 'bond', value: 100n, payee: 'Staked' }, 1_000n, 'AlreadyBonded');
  });

  it('bond_extra adds to active and total; without a bond it fails with NotStash', () => {
    const s = fresh();
    const r = ok(applyCall(s, A, { call: 'bond_extra', maxAdditional: 250n }, 1_000n));
    assert.deepEqual(r.transfers, [{ from: { account: A }, to: { fund: 'bonded' }, amount: 250n }]);
    assert.deepEqual(s.ledgers.get(A), { stash: A, total: 1_250n, active: 1_250n, unlocking: [] });
    rejects(s, U, { call: 'bond_extra', maxAdditional: 100n }, 1_000n, 'NotStash');
  });
});

describe('unbond / withdraw_unbonded / rebond', () => {
  it('unbond moves active into a chunk withdrawable after bondingDuration eras; same-era unbonds merge', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 500n, payee: 'Stash' }, 500n));
    const r = ok(applyCall(s, U, { call: 'unbond', value: 100n }, 0n));
    assert.deepEqual(r.events, [{ type: 'Unbonded', stash: U, amount: 100n, era: 3 }]);
    ok(applyCall(s, U, { call: 'unbond', value: 50n }, 0n));
    assert.deepEqual(s.ledgers.get(U), { stash: U, total: 500n, active: 350n, unlocking: [{ value: 150n, era: 3 }] });
    assert.deepEqual(r.transfers, [], 'unbonding moves no money yet');
  });

  it('unbond fails with NoMoreChunks once maxUnlockingChunks eras are pending', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 500n, payee: 'Stash' }, 500n));
    for (let i = 0; i < P.maxUnlockingChunks; i++) {
      ok(applyCall(s, U, { call: 'unbond', value: 10n }, 0n));
      nextEras(s, 1);
    }
    // era 3: the first chunk (era 3) has matured but is still there until withdrawn
    rejects(s, U, { call: 'unbond', value: 10n }, 0n, 'NoMoreChunks');
    ok(applyCall(s, U, { call: 'withdraw_unbonded' }, 0n));
    ok(applyCall(s, U, { call: 'unbond', value: 10n }, 0n));
  });

  it('a validator cannot unbond below the validator minimum (InsufficientBond) until it chills', () => {
    const s = fresh();
    rejects(s, A, { call: 'unbond', value: 1n }, 0n, 'InsufficientBond');
    ok(applyCall(s, A, { call: 'chill' }, 0n));
    ok(applyCall(s, A, { call: 'unbond', value: 1_000n }, 0n));
    assert.equal(s.ledgers.get(A)!.active, 0n);
  });

  it('unbond leaving less than the minimum bond unbonds the dust too', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 100n, payee: 'Stash' }, 100n));
    const r = ok(applyCall(s, U, { call: 'unbond', value: 95n }, 0n));
    assert.equal((r.events[0] as { amount: bigint }).amount, 100n);
  });

  it('withdraw_unbonded before the chunk matures fails with NoUnlockChunk; after, it pays out and reaps an empty stash', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 100n, payee: 'Stash' }, 100n));
    rejects(s, U, { call: 'withdraw_unbonded' }, 0n, 'NoUnlockChunk');
    ok(applyCall(s, U, { call: 'unbond', value: 40n }, 0n));
    nextEras(s, 2);
    rejects(s, U, { call: 'withdraw_unbonded' }, 0n, 'NoUnlockChunk');
    nextEras(s, 1);
    const r = ok(applyCall(s, U, { call: 'withdraw_unbonded' }, 0n));
    assert.deepEqual(r.transfers, [{ from: { fund: 'bonded' }, to: { account: U }, amount: 40n }]);
    assert.deepEqual(s.ledgers.get(U), { stash: U, total: 60n, active: 60n, unlocking: [] });
    ok(applyCall(s, U, { call: 'unbond', value: 60n }, 0n));
    nextEras(s, 3);
    const last = ok(applyCall(s, U, { call: 'withdraw_unbonded' }, 0n));
    assert.deepEqual(last.events, [
      { type: 'Withdrawn', stash: U, amount: 60n },
      { type: 'StakerRemoved', stash: U },
    ]);
    assert.equal(s.ledgers.has(U), false);
    assert.equal(s.payees.has(U), false);
  });

  it('rebond takes the latest chunks back first; without chunks it fails with NoUnlockChunk', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 500n, payee: 'Stash' }, 500n));
    rejects(s, U, { call: 'rebond', value: 10n }, 0n, 'NoUnlockChunk');
    ok(applyCall(s, U, { call: 'unbond', value: 100n }, 0n)); // era 3
    nextEras(s, 1);
    ok(applyCall(s, U, { call: 'unbond', value: 50n }, 0n)); // era 4
    const r = ok(applyCall(s, U, { call: 'rebond', value: 70n }, 0n));
    assert.deepEqual(r.events, [{ type: 'Bonded', stash: U, amount: 70n }]);
    assert.deepEqual(s.ledgers.get(U), { stash: U, total: 500n, active: 420n, unlocking: [{ value: 80n, era: 3 }] });
  });
});

describe('validate / nominate / chill / set_payee', () => {
  it('validate needs the validator minimum and a commission within [minCommission, 100%]', () => {
    const s = fresh({ ...P, minCommission: 10_000_000n });
    ok(applyCall(s, U, { call: 'bond', value: 999n, payee: 'Stash' }, 999n));
    rejects(s, U, { call: 'validate', commission: 20_000_000n }, 0n, 'InsufficientBond');
    ok(applyCall(s, U, { call: 'bond_extra', maxAdditional: 1n }, 1n));
    rejects(s, U, { call: 'validate', commission: 1_000_000_001n }, 0n, 'CommissionTooHigh');
    rejects(s, U, { call: 'validate', commission: 9_999_999n }, 0n, 'CommissionTooLow');
    const r = ok(applyCall(s, U, { call: 'validate', commission: 20_000_000n }, 0n));
    assert.deepEqual(r.events, [{ type: 'ValidatorPrefsSet', stash: U, commission: 20_000_000n }]);
    assert.deepEqual(s.validators.get(U), { commission: 20_000_000n });
    rejects(s, W, { call: 'validate', commission: 0n }, 0n, 'NotController');
  });

  it('nominate rejects empty, too many, unknown and self targets, and a bond below the nominator minimum', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 99n, payee: 'Stash' }, 99n));
    rejects(s, U, { call: 'nominate', targets: [A] }, 0n, 'InsufficientBond');
    ok(applyCall(s, U, { call: 'bond_extra', maxAdditional: 1n }, 1n));
    rejects(s, U, { call: 'nominate', targets: [] }, 0n, 'EmptyTargets');
    rejects(s, U, { call: 'nominate', targets: [A, B, A, B, A] }, 0n, 'TooManyTargets');
    rejects(s, U, { call: 'nominate', targets: [A, W] }, 0n, 'BadTarget');
    rejects(s, A, { call: 'nominate', targets: [A] }, 0n, 'BadTarget');
    rejects(s, W, { call: 'nominate', targets: [A] }, 0n, 'NotController');
  });

  it('nominate stores sorted distinct targets and the era; a validator that nominates stops validating', () => {
    const s = fresh();
    ok(applyCall(s, U, { call: 'bond', value: 100n, payee: 'Stash' }, 100n));
    const r = ok(applyCall(s, U, { call: 'nominate', targets: [B, A, B] }, 0n));
    assert.deepEqual(r.events, [{ type: 'Nominated', stash: U, targets: [A, B] }]);
    assert.deepEqual(s.nominators.get(U), { targets: [A, B], submittedIn: 0 });
    ok(applyCall(s, A, { call: 'nominate', targets: [B] }, 0n));
    assert.equal(s.validators.has(A), false);
    ok(applyCall(s, U, { call: 'bond_extra', maxAdditional: 900n }, 900n));
    ok(applyCall(s, U, { call: 'validate', commission: 0n }, 0n));
    assert.equal(s.nominators.has(U), false, 'a nominator that validates stops nominating');
  });

  it('chill removes the validator or nominator role; Chilled only when there was one', () => {
    const s = fresh();
    assert.deepEqual(ok(applyCall(s, A, { call: 'chill' }, 0n)).events, [{ type: 'Chilled', stash: A }]);
    assert.equal(s.validators.has(A), false);
    assert.deepEqual(ok(applyCall(s, A, { call: 'chill' }, 0n)).events, []);
    rejects(s, U, { call: 'chill' }, 0n, 'NotController');
  });

  it('set_payee switches the reward destination', () => {
    const s = fresh();
    ok(applyCall(s, A, { call: 'set_payee', payee: 'Stash' }, 0n));
    assert.equal(s.payees.get(A), 'Stash');
    rejects(s, U, { call: 'set_payee', payee: 'Stash' }, 0n, 'NotController');
  });

  it('the bonded fund always equals the sum of ledgers across a mix of calls', () => {
    const s = fresh();
    let fund = totalBonded(s);
    const run = (signer: string, call: StakingCall, free: bigint) => {
      const r = ok(applyCall(s, signer, call, free));
      for (const t of r.transfers) {
        if ('fund' in t.to && t.to.fund === 'bonded') fund += t.amount;
        if ('fund' in t.from && t.from.fund === 'bonded') fund -= t.amount;
      }
      assert.equal(fund, totalBonded(s));
    };
    run(U, { call: 'bond', value: 700n, payee: 'Stash' }, 700n);
    run(U, { call: 'unbond', value: 300n }, 0n);
    run(U, { call: 'rebond', value: 100n }, 0n);
    nextEras(s, 3);
    run(U, { call: 'withdraw_unbonded' }, 0n);
    run(U, { call: 'bond_extra', maxAdditional: 5n }, 5n);
    assert.equal(s.ledgers.get(U)!.total, 505n);
  });
});
