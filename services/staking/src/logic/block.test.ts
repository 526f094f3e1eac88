// Many eras of random calls, points, evidence and pot inflows through executeStakingBlock, with a
// model ledger that applies the transfers the way the chain's ledger does (refusing overdrafts).
// Pins: nothing is created or lost, the bonded fund always equals the ledgers, the pot never
// goes negative, and a failed call changes nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { executeStakingBlock } from './block.js';
import { cloneState, totalBonded } from './calls.js';
import { genesisState } from './era.js';
import { accountId, mulberry32 } from './prng.js';
import type { AccountId, Fund, StakingCall, StakingParams, Transfer } from './types.js';

const P: StakingParams = {
  minBond: 5n,
  minValidatorBond: 1_000n,
  minNominatorBond: 50n,
  bondingDuration: 2,
  maxUnlockingChunks: 4,
  maxNominations: 4,
  validatorCount: 4,
  minimumValidatorCount: 3,
  minCommission: 0n,
  slashFraction: 50_000_000n,
  maxPayoutsPerValidator: 3,
};

describe('executeStakingBlock over many eras', () => {
  for (const seed of [7, 8, 9]) {
    it(`seed ${seed}: 60 eras conserve every base unit and keep bonded == sum of ledgers`, () => {
      const rng = mulberry32(seed);
      const genesisValidators = [1, 2, 3, 4, 5].map((i) => ({ stash: accountId(i), bond: 2_000n, commission: BigInt(i) * 50_000_000n }));
      const { state, bonded } = genesisState(P, { validators: genesisValidators });
      const users: AccountId[] = [...genesisValidators.map((v) => v.stash), ...Array.from({ length: 20 }, (_, i) => accountId(100 + i))];
      const free = new Map<AccountId, bigint>(users.map((u) => [u, 5_000n]));
      const funds: Record<Fund, bigint> = { bonded, rewardPot: 0n, developmentFund: 0n };
      let minted = 0n;
      const supply = () => [...free.values()].reduce((s, x) => s + x, 0n) + funds.bonded + funds.rewardPot + funds.developmentFund;
      const initial = supply();
      const apply = (t: Transfer) => {
        assert.ok(t.amount > 0n, 'no empty transfers');
        if ('account' in t.from) {
          const have = free.get(t.from.account) ?? 0n;
          assert.ok(have >= t.amount, `overdraft of ${t.from.account}`);
          free.set(t.from.account, have - t.amount);
        } else {
          assert.ok(funds[t.from.fund] >= t.amount, `overdraft of fund ${t.from.fund}`);
          funds[t.from.fund] -= t.amount;
        }
        if ('account' in t.to) free.set(t.to.account, (free.get(t.to.account) ?? 0n) + t.amount);
        else funds[t.to.fund] += t.amount;
      };
      const randomCall = (): StakingCall => {
        const pick = () => users[rng.int(users.length)]!;
        switch (rng.int(9)) {
          case 0: return { call: 'bond', value: rng.bigint(0n, 3_000n), payee: rng.int(2) ? 'Staked' : 'Stash' };
          case 1: return { call: 'bond_extra', maxAdditional: rng.bigint(0n, 1_000n) };
          case 2: return { call: 'unbond', value: rng.bigint(0n, 1_500n) };
          case 3: return { call: 'withdraw_unbonded' };
          case 4: return { call: 'rebond', value: rng.bigint(0n, 500n) };
          case 5: return { call: 'validate', commission: rng.bigint(0n, 1_000_000_000n) };
          case 6: return { call: 'nominate', targets: Array.from({ length: 1 + rng.int(5) }, pick) };
          case 7: return { call: 'chill' };
          default: return { call: 'set_payee', payee: rng.int(2) ? 'Staked' : 'Stash' };
        }
      };

      const eraLength = 5n;
      let rejected = 0;
      for (let height = 1n; height <= 60n * eraLength; height++) {
        const inflow = rng.bigint(0n, 1_000n); // emissions' 44% and fees, minted/moved in before staking's turn
        funds.rewardPot += inflow;
        minted += inflow;
        const calls = Array.from({ length: rng.int(4) }, () => ({ signer: users[rng.int(users.length)]!, call: randomCall() }));
        const signers = state.active.validators.filter(() => rng.int(5) > 0);
        const evidence = rng.int(40) === 0 && state.active.validators.length > 0
          ? [{ offender: state.active.validators[rng.int(state.active.validators.length)]!, era: state.currentEra }]
          : [];
        const before = cloneState(state);
        const out = executeStakingBlock(state, {
          height, eraLength, commitSigners: signers, evidence, calls,
          freeBalances: new Map(calls.map((c) => [c.signer, free.get(c.signer) ?? 0n])),
          rewardPot: funds.rewardPot,
        });
        out.transfers.forEach(apply);
        rejected += out.callResults.filter((r) => !r.ok).length;
        if (calls.length > 0 && out.callResults.every((r) => !r.ok) && evidence.length === 0 && height % eraLength !== 0n) {
          assert.deepEqual({ ...state, points: before.points }, { ...before, points: before.points }, 'failed calls changed the state');
        }
        assert.equal(funds.bonded, totalBonded(state), `bonded fund equals the ledgers at height ${height}`);
        assert.equal(supply(), initial + minted, `money is conserved at height ${height}`);
        assert.ok(state.active.validators.length >= 1, 'there is always a validator set');
        if (out.nextValidators) assert.deepEqual(out.nextValidators.map((v) => v.stash), state.active.validators);
      }
      assert.equal(state.currentEra, 60);
      assert.ok(rejected > 0 && rejected < 60 * 5 * 3, 'the run exercised both failing and succeeding calls');
    });
  }
});
