// Oracle: every entry the module serves must decode with @polkadot/types from OUR metadata exactly as
// @polkadot/api would decode `api.query.staking.*`, and its key must be the key polkadot.js builds for the
// same arguments (and decode back to them through StorageKey).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, StorageKey, TypeRegistry, expandMetadata } from '@polkadot/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { STAKING_STORAGE, balancesPallet, buildMetadata, cryptoReady, fromHex, parseAccountId, stakingPallet, storagePrefix, systemPallet, toHex, type StakingStorageItem } from '@balanceai/chain';
import type { ModuleStorageView } from '@balanceai/module-host';
import { decodePalletStorage, type DecodedEntry } from '@balanceai/testing/storage-decode';
import { A, B, G, N, PARAMS, chain, key } from './staking.fixture.js';
import type { StakingModuleState } from './staking.state.js';
import { stakingStorage } from './staking.storage.js';

const registry = new TypeRegistry();
let query: ReturnType<typeof expandMetadata>['query']['staking'];

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
  const metadata = new Metadata(registry, buildMetadata([systemPallet(), balancesPallet(), stakingPallet({ bondingDuration: PARAMS.bondingDuration, maxNominations: PARAMS.maxNominations })]));
  registry.setMetadata(metadata);
  query = expandMetadata(registry, metadata).query['staking']!;
});

const ss58 = (a: string) => registry.createType('AccountId32', a).toString();

type Decoded = DecodedEntry<StakingStorageItem>;

/**
 * Every Staking entry of the view, its key checked against polkadot.js and its value decoded by the metadata's
 * type. The view also holds the Session pallet's keys (session.storage.test.ts checks those).
 */
const decodeAll = (view: ModuleStorageView): Decoded[] => decodePalletStorage(registry, query, 'Staking', Object.keys(STAKING_STORAGE) as StakingStorageItem[], view);

const pick = (all: Decoded[], item: StakingStorageItem) => all.filter((d) => d.item === item).map(({ args, value }) => ({ args, value }));

/** Two genesis validators, A validating with a nominator, B bonded and unbonding, an era paid and elected. */
function scenario() {
  const c = chain('credit-from-pot');
  c.run([
    { signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } },
    { signer: B, call: { call: 'bond', value: 2_000n, payee: 'Staked' } },
    { signer: N, call: { call: 'bond', value: 500n, payee: 'Staked' } },
  ]);
  c.run([
    { signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(5)) } },
    { signer: A, call: { call: 'validate', commission: 50_000_000n, blocked: false } },
    { signer: N, call: { call: 'nominate', targets: [parseAccountId(A), parseAccountId(G[0]!)] } },
    { signer: B, call: { call: 'unbond', value: 300n } },
  ]);
  for (let h = 3; h <= 7; h++) c.run([], { potInflow: 1_000n }); // era 0 ends at 5: paid, era 1 elected
  return c;
}

describe('Staking storage (oracle: @polkadot/types from our metadata)', () => {
  it('serves every entry under a declared item, decodable, with polkadot.js key layout', () => {
    const c = scenario();
    const all = decodeAll(stakingStorage(c.state));
    assert.ok(all.length > 30);
    const items = new Set(all.map((d) => d.item));
    for (const item of Object.keys(STAKING_STORAGE)) assert.ok(items.has(item as StakingStorageItem) || item === 'ErasValidatorReward', `Staking.${item} has entries`);
  });

  it('values are the module state: ledgers, payees, roles, counters, eras', () => {
    const c = scenario();
    const s = c.state.staking;
    const all = decodeAll(stakingStorage(c.state));
    const stashes = [...s.ledgers.keys()].sort();
    assert.deepEqual(pick(all, 'Bonded').map((d) => d.args[0]).sort(), stashes.map(ss58).sort());
    for (const d of pick(all, 'Bonded')) assert.equal(d.value, d.args[0], 'the stash is its own controller');
    const ledgerB = pick(all, 'Ledger').find((d) => d.args[0] === ss58(B))!;
    assert.deepEqual(ledgerB.value, { stash: ss58(B), total: 2_000, active: 1_700, unlocking: [{ value: 300, era: PARAMS.bondingDuration }], legacyClaimedRewards: [] });
    assert.deepEqual(pick(all, 'Payee').find((d) => d.args[0] === ss58(A))!.value, { stash: null });
    assert.deepEqual(pick(all, 'Payee').find((d) => d.args[0] === ss58(N))!.value, { staked: null });
    assert.deepEqual(pick(all, 'Validators').find((d) => d.args[0] === ss58(A))!.value, { commission: 50_000_000, blocked: false });
    assert.deepEqual(pick(all, 'CounterForValidators')[0]!.value, s.validators.size);
    assert.deepEqual(pick(all, 'Nominators'), [{ args: [ss58(N)], value: { targets: [A, G[0]!].sort().map(ss58), submittedIn: 0, suppressed: false } }]);
    assert.deepEqual(pick(all, 'CounterForNominators')[0]!.value, 1);
    assert.equal(s.currentEra, 1);
    assert.deepEqual(pick(all, 'CurrentEra')[0]!.value, 1);
    assert.deepEqual(pick(all, 'ActiveEra')[0]!.value, { index: 1, start: null });
    assert.deepEqual(
      ['ValidatorCount', 'MinimumValidatorCount', 'MinNominatorBond', 'MinValidatorBond', 'MinCommission'].map((i) => pick(all, i as StakingStorageItem)[0]!.value),
      [PARAMS.validatorCount, PARAMS.minimumValidatorCount, Number(PARAMS.minNominatorBond), Number(PARAMS.minValidatorBond), 0],
    );
  });

  it('era entries: exposures (full, overview, pages) and prefs of the active era and the one before, totals, rewards, points', () => {
    const c = scenario();
    const s = c.state.staking;
    const all = decodeAll(stakingStorage(c.state));
    for (const snap of [s.previous!, s.active]) {
      for (const v of snap.validators) {
        const e = snap.exposures.get(v)!;
        const at = (item: StakingStorageItem) => pick(all, item).filter((d) => d.args[0] === snap.era && d.args[1] === ss58(v));
        const others = e.others.map((o) => ({ who: ss58(o.who), value: Number(o.value) }));
        assert.deepEqual(at('ErasStakers').map((d) => d.value), [{ total: Number(e.total), own: Number(e.own), others }]);
        assert.deepEqual(at('ErasStakersOverview').map((d) => d.value), [{ total: Number(e.total), own: Number(e.own), nominatorCount: others.length, pageCount: others.length > 0 ? 1 : 0 }]);
        assert.deepEqual(at('ErasStakersPaged').map((d) => [d.args[2], d.value]), others.length > 0 ? [[0, { pageTotal: others.reduce((x, o) => x + o.value, 0), others }]] : []);
        assert.deepEqual(at('ErasValidatorPrefs').map((d) => d.value), [{ commission: Number(snap.commissions.get(v) ?? 0n), blocked: false }]);
      }
      const total = snap.validators.reduce((x, v) => x + snap.exposures.get(v)!.total, 0n);
      assert.deepEqual(pick(all, 'ErasTotalStake').find((d) => d.args[0] === snap.era)!.value, Number(total));
    }
    // A is elected into era 1 and backed by N: the exposure's nominator is real data, not a default.
    assert.ok(s.active.exposures.get(A)!.others.some((o) => o.who === N));
    const paid = c.state.eras.find((e) => e.era === 0)!;
    assert.ok(paid.paidOut && paid.paid > 0n);
    assert.deepEqual(pick(all, 'ErasValidatorReward'), [{ args: [0], value: Number(paid.paid) }]);
    const points = [...s.points.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    assert.ok(points.length > 0);
    assert.deepEqual(pick(all, 'ErasRewardPoints'), [
      { args: [1], value: { total: Number(points.reduce((x, [, p]) => x + p, 0n)), individual: Object.fromEntries(points.map(([v, p]) => [ss58(v), Number(p)])) } },
    ]);
  });

  it('pages an exposure by MaxExposurePageSize nominators, in the exposure order', () => {
    const c = scenario();
    const v = c.state.staking.active.validators[0]!;
    const who = (i: number) => `0x${(0x1000 + i).toString(16).padStart(64, '0')}`;
    const others = Array.from({ length: 1_030 }, (_, i) => ({ who: who(i), value: BigInt(i + 1) }));
    const exposures = new Map(c.state.staking.active.exposures);
    exposures.set(v, { total: 10n ** 9n, own: 5n, others });
    const state: StakingModuleState = { ...c.state, staking: { ...c.state.staking, active: { ...c.state.staking.active, exposures } } };
    const all = decodeAll(stakingStorage(state));
    // Twox64Concat orders keys by the page's hash, not its index.
    const pages = pick(all, 'ErasStakersPaged')
      .filter((d) => d.args[0] === 1 && d.args[1] === ss58(v))
      .sort((a, b) => (a.args[2] as number) - (b.args[2] as number));
    assert.deepEqual(pages.map((d) => d.args[2]), [0, 1, 2]);
    assert.deepEqual(pages.map((d) => (d.value as { others: unknown[] }).others.length), [512, 512, 6]);
    assert.equal((pages[2]!.value as { pageTotal: number }).pageTotal, [1025, 1026, 1027, 1028, 1029, 1030].reduce((a, b) => a + b, 0));
    const overview = pick(all, 'ErasStakersOverview').find((d) => d.args[0] === 1 && d.args[1] === ss58(v))!;
    assert.deepEqual(overview.value, { total: 10 ** 9, own: 5, nominatorCount: 1_030, pageCount: 3 });
  });

  it('a state keeps its storage after later blocks (states are immutable values)', () => {
    const c = scenario();
    const at7 = c.state;
    const before = stakingStorage(at7);
    const keys = before.keys('0x', null, 100_000);
    const snapshot = keys.map((k) => [k, before.get(k)]);
    c.run([{ signer: B, call: { call: 'bond_extra', maxAdditional: 100n } }, { signer: N, call: { call: 'chill' } }]);
    for (let i = 0; i < 5; i++) c.run([], { potInflow: 1_000n });
    const again = stakingStorage(at7);
    assert.deepEqual(again.keys('0x', null, 100_000).map((k) => [k, again.get(k)]), snapshot);
    assert.notDeepEqual(stakingStorage(c.state).keys('0x', null, 100_000), keys);
  });

  it('serves the genesis state: genesis validators bonded as validators of era 0, no nominators, no previous era', () => {
    const c = chain();
    const all = decodeAll(stakingStorage(c.machine.initialState()));
    assert.deepEqual(pick(all, 'Validators').map((d) => d.args[0]).sort(), G.map(ss58).sort());
    assert.deepEqual(pick(all, 'CurrentEra')[0]!.value, 0);
    assert.deepEqual(pick(all, 'Nominators'), []);
    assert.deepEqual(new Set(pick(all, 'ErasStakers').map((d) => d.args[0])), new Set([0]));
    assert.deepEqual(pick(all, 'ErasRewardPoints'), [{ args: [0], value: { total: 0, individual: {} } }]);
    assert.equal(fromHex(stakingStorage(c.machine.initialState()).get(toHex(storagePrefix('Staking', 'CounterForNominators')))!).length, 4);
  });
});
