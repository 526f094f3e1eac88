import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { ONE_BAI } from './amount.js';
import { EMISSIONS_STORAGE, MAINNET_EMISSION_CONSTANTS, emissionsPallet, genesisEmissionsOptions } from './emissions-pallet.js';
import { BALANCES_PALLET, SYSTEM_PALLET, buildMetadata } from './metadata.js';
import { devGenesis } from './genesis.js';
import { DEFAULT_MODELS_GENESIS } from './models-genesis.js';
import { cryptoReady } from './keys.js';
import { ss58Encode, parseAccountId } from './ss58.js';

before(async () => {
  await cryptoReady();
});

function decorated(pallet = emissionsPallet()) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, buildMetadata([SYSTEM_PALLET, BALANCES_PALLET, pallet]));
  registry.setMetadata(metadata);
  return { registry, metadata, d: expandMetadata(registry, metadata) };
}

describe('emissionsPallet() metadata', () => {
  it('is pallet 10 without calls, with its events, its one error and its storage', () => {
    const { registry, d } = decorated();
    const p = registry.metadata.pallets.find((x) => x.name.toString() === 'Emissions')!;
    assert.equal(p.index.toNumber(), 10);
    assert.ok(p.calls.isNone);
    assert.deepEqual(Object.keys(d.events['emissions']!).sort(), ['Halving', 'Minted']);
    assert.deepEqual(d.events['emissions']!['Minted']!.meta.fields.map((x) => x.name.unwrap().toString()), ['height', 'amount', 'staking_pot', 'models_grants', 'agents_grants', 'development_fund']);
    assert.deepEqual(d.events['emissions']!['Halving']!.meta.fields.map((x) => x.name.unwrap().toString()), ['epoch', 'at_issuance']);
    assert.equal(d.errors['emissions']!['UnknownCall']!.meta.index.toNumber(), 0);
    const items = p.storage.unwrap().items;
    assert.deepEqual(items.map((i) => i.name.toString()), Object.keys(EMISSIONS_STORAGE));
    for (const item of items) {
      const valueId = item.type.isPlain ? item.type.asPlain : item.type.asMap.value;
      const fallback = registry.createType(registry.createLookupType(valueId), item.fallback.toU8a(true));
      assert.equal(u8aToHex(registry.createType(registry.createLookupType(valueId)).toU8a()), u8aToHex(fallback.toU8a()), `${item.name.toString()} fallback is the default`);
    }
    assert.deepEqual(items.find((i) => i.name.toString() === 'Minted')!.type.asMap.hashers.map((h) => h.type), ['Twox64Concat']);
  });

  it('carries the schedule of a genesis as constants: mainnet rates, the genesis issuance and the fund accounts', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1 });
    const opts = genesisEmissionsOptions(genesis);
    const { d } = decorated(emissionsPallet(opts));
    const c = d.consts['emissions']!;
    assert.equal(c['genesisIssuance']!.toString(), genesis.balances.reduce((s, b) => s + b.free, 0n).toString());
    assert.equal(c['maxSupply']!.toString(), (21_000_000n * ONE_BAI).toString());
    assert.equal(c['baseRatePerDay']!.toString(), MAINNET_EMISSION_CONSTANTS.baseRatePerDay.toString());
    assert.equal(c['blocksPerDay']!.toString(), '7200');
    assert.deepEqual([c['stakingShare'], c['modelsShare'], c['agentsShare']].map((x) => x!.toJSON()), [44, 24, 24]);
    const hex = (a: string) => u8aToHex(parseAccountId(a));
    assert.equal(c['stakingRewardPot']!.toHex(), hex(genesis.accounts.stakingRewardPot));
    assert.equal(c['developmentFund']!.toHex(), hex(genesis.accounts.developmentFund));
    assert.equal(c['developmentFund']!.toString(), ss58Encode(parseAccountId(genesis.accounts.developmentFund), 42));
  });

  it('takes the models/agents split of a genesis that has a models section', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1, models: { ...DEFAULT_MODELS_GENESIS, modelsPercent: 30, agentsPercent: 18 } });
    const c = decorated(emissionsPallet(genesisEmissionsOptions(genesis))).d.consts['emissions']!;
    assert.deepEqual([c['stakingShare'], c['modelsShare'], c['agentsShare']].map((x) => x!.toJSON()), [44, 30, 18]);
  });
});
