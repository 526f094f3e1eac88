// Slashing: the fraction of exposed stake (unbonding chunks included) goes to the development fund,
// the offender is chilled and stays out of elections until it validates again, once per offence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyCall } from './calls.js';
import { endEra, genesisState } from './era.js';
import { accountId } from './prng.js';
import { applySlash, slashLedger } from './slashing.js';
import type { StakingParams } from './types.js';

const V1 = accountId(1);
const V2 = accountId(2);
const V3 = accountId(3);
const N1 = accountId(101);
const N2 = accountId(102);

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
  slashFraction: 100_000_000n, // 10%
  maxPayoutsPerValidator: 64,
};

function setup() {
  return genesisState(P, {
    validators: [
      { stash: V1, bond: 1_000n, commission: 0n },
      { stash: V2, bond: 2_000n, commission: 0n },
      { stash: V3, bond: 500n, commission: 0n },
    ],
    nominators: [
      { stash: N1, bond: 3_000n, targets: [V1] },
      { stash: N2, bond: 500n, targets: [V2] },
    ],
  }).state;
}

describe('applySlash', () => {
  it('moves slashFraction of the offender and its nominators exposures to the development fund and chills it', () => {
    const s = setup();
    assert.deepEqual(s.active.validators, [V1, V2]);
    const r = applySlash(s, { offender: V1, era: 0 });
    assert.deepEqual(r.transfers, [
      { from: { fund: 'bonded' }, to: { fund: 'developmentFund' }, amount: 100n },
      { from: { fund: 'bonded' }, to: { fund: 'developmentFund' }, amount: 300n },
    ]);
    assert.deepEqual(
      r.events.filter((e) => e.type === 'Slashed'),
      [
        { type: 'Slashed', staker: V1, offender: V1, amount: 100n },
        { type: 'Slashed', staker: N1, offender: V1, amount: 300n },
      ],
    );
    assert.equal(s.ledgers.get(V1)!.active, 900n);
    assert.equal(s.ledgers.get(N1)!.active, 2_700n);
    assert.equal(s.ledgers.get(N2)!.active, 500n, 'a nominator of another validator is untouched');
    assert.equal(s.validators.has(V1), false, 'offender chilled');
  });

  it('the offender is not elected until it validates again', () => {
    const s = setup();
    applySlash(s, { offender: V1, era: 0 });
    endEra(s, 0n);
    assert.deepEqual(s.active.validators, [V2, V3]);
    assert.ok(applyCall(s, V1, { call: 'validate', commission: 0n }, 0n).ok);
    endEra(s, 0n);
    assert.ok(s.active.validators.includes(V1));
  });

  it('stake unbonded after the exposure is still slashed from its unlocking chunk', () => {
    const s = setup();
    assert.ok(applyCall(s, N1, { call: 'unbond', value: 2_990n }, 0n).ok);
    applySlash(s, { offender: V1, era: 0 });
    assert.deepEqual(s.ledgers.get(N1), { stash: N1, total: 2_700n, active: 0n, unlocking: [{ value: 2_700n, era: 2 }] });
  });

  it('evidence arriving in the next era slashes by the exposure of the offence era', () => {
    const s = setup();
    endEra(s, 0n);
    const r = applySlash(s, { offender: V1, era: 0 });
    assert.equal(r.slashed, 400n);
  });

  it('ignores a second report of the same offence, an era no longer kept, and a non-exposed account', () => {
    const s = setup();
    applySlash(s, { offender: V1, era: 0 });
    const again = applySlash(s, { offender: V1, era: 0 });
    assert.deepEqual(again.events, [{ type: 'SlashIgnored', offender: V1, era: 0, reason: 'AlreadySlashed' }]);
    assert.equal(again.slashed, 0n);
    assert.equal(applySlash(s, { offender: V2, era: 7 }).events[0]!.type, 'SlashIgnored');
    assert.deepEqual(applySlash(s, { offender: V3, era: 0 }).events, [
      { type: 'SlashIgnored', offender: V3, era: 0, reason: 'NotExposed' },
    ]);
    endEra(s, 0n);
    endEra(s, 0n);
    assert.deepEqual(applySlash(s, { offender: V2, era: 0 }).events, [
      { type: 'SlashIgnored', offender: V2, era: 0, reason: 'UnknownEra' },
    ]);
  });
});

describe('slashLedger', () => {
  it('takes the active bond first, then chunks from the latest era back, never more than the total', () => {
    const l = { stash: N1, total: 100n, active: 10n, unlocking: [{ value: 40n, era: 3 }, { value: 50n, era: 5 }] };
    assert.deepEqual(slashLedger(l, 70n), {
      ledger: { stash: N1, total: 30n, active: 0n, unlocking: [{ value: 30n, era: 3 }] },
      taken: 70n,
    });
    assert.equal(slashLedger(l, 1_000n).taken, 100n);
  });
});
