// Oracle: the emissions storage decodes with @polkadot/types from our metadata (emissionsPallet of the same
// genesis), its keys are the ones polkadot.js builds, and the metadata's constants are the module's schedule.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, StorageKey, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { balancesPallet, blake2_256, buildMetadata, cryptoReady, devGenesis, emissionsPallet, genesisEmissionsOptions, systemPallet, toHex, type Genesis } from '@balanceai/chain';
import type { ExecuteBlockInput, ModuleStorageView } from '@balanceai/module-host';
import { EmissionsMachine, emissionsSetupFromGenesis, type EmissionsModuleState } from './emissions.machine.js';
import { emissionsStorage } from './emissions.storage.js';

let genesis: Genesis;

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
  genesis = devGenesis({ validators: 1, genesisTimeMs: 1 }).genesis;
});

function decorated(g: Genesis) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, buildMetadata([systemPallet(), balancesPallet(), emissionsPallet(genesisEmissionsOptions(g))]));
  registry.setMetadata(metadata);
  return { registry, d: expandMetadata(registry, metadata) };
}

function input(height: bigint): ExecuteBlockInput {
  return {
    context: { height, blockHash: toHex(blake2_256(Uint8Array.of(Number(height)))), timeMs: height * 1_000n, proposerIndex: 0, lastCommitSigners: [], offences: [], totalIssuance: null, validators: [], },
    calls: [],
    signerBalances: new Map(),
    moduleBalances: new Map(),
  };
}

function run(machine: EmissionsMachine, blocks: number): EmissionsModuleState {
  let state = machine.initialState();
  for (let i = 0; i < blocks; i++) state = machine.executeBlock(state, input(state.emission.height + 1n)).state;
  return state;
}

/** name → [args, value] of every entry, each key and value checked against polkadot.js. */
function decodeAll(g: Genesis, view: ModuleStorageView): Map<string, Array<[unknown[], unknown]>> {
  const { registry, d } = decorated(g);
  const query = d.query['emissions']!;
  const out = new Map<string, Array<[unknown[], unknown]>>();
  for (const k of view.keys('0x', null, 1_000)) {
    const name = Object.keys(query).find((n) => u8aToHex(query[n]!.keyPrefix()) === k.slice(0, 66));
    assert.ok(name, `${k} is under no declared Emissions item`);
    const entry = query[name]!;
    const storageKey = new StorageKey(registry, k);
    storageKey.setMeta(entry.meta, 'Emissions', name);
    assert.equal(u8aToHex(compactStripLength(entry(...storageKey.args))[1]), k);
    const type = entry.meta.type;
    const bytes = hexToU8a(view.get(k)!);
    const value = registry.createType(registry.createLookupType(type.isPlain ? type.asPlain : type.asMap.value), bytes);
    assert.equal(u8aToHex(value.toU8a()), u8aToHex(bytes));
    out.set(name, [...(out.get(name) ?? []), [storageKey.args.map((a) => a.toHex()), value.toString()]]);
  }
  return out;
}

describe('Emissions storage (oracle: @polkadot/types from our metadata)', () => {
  it('serves issuance, total minted, the epoch and what each fund got, as the module tracks them', () => {
    const setup = emissionsSetupFromGenesis(genesis);
    const machine = new EmissionsMachine(setup);
    const state = run(machine, 25);
    const all = decodeAll(genesis, emissionsStorage(setup, state));
    assert.deepEqual(all.get('issuance'), [[[], state.emission.issuance.toString()]]);
    assert.deepEqual(all.get('totalMinted'), [[[], (state.emission.issuance - setup.schedule.genesisIssuance).toString()]]);
    assert.deepEqual(all.get('epoch'), [[[], '0']]);
    assert.deepEqual(all.get('epochStart'), [[[], '1']]);
    const m = state.minted;
    assert.equal(m.stakingPot + m.modelsGrants + m.agentsGrants + m.developmentFund, state.emission.issuance - setup.schedule.genesisIssuance);
    const minted = new Map(all.get('minted')!.map(([args, v]) => [(args as string[])[0]!, v]));
    const f = setup.funds;
    const expected = new Map<string, bigint>();
    for (const [account, amount] of [[f.stakingPot, m.stakingPot], [f.modelsGrants, m.modelsGrants], [f.agentsGrants, m.agentsGrants], [f.developmentFund, m.developmentFund]] as const) {
      expected.set(account, (expected.get(account) ?? 0n) + amount);
    }
    assert.deepEqual(minted, new Map([...expected].map(([a, v]) => [a, v.toString()])));
  });

  it('shows the genesis state at height 0: nothing minted, the genesis issuance', () => {
    const setup = emissionsSetupFromGenesis(genesis);
    const all = decodeAll(genesis, emissionsStorage(setup, new EmissionsMachine(setup).initialState()));
    assert.deepEqual(all.get('issuance'), [[[], setup.schedule.genesisIssuance.toString()]]);
    assert.deepEqual(all.get('totalMinted'), [[[], '0']]);
    assert.ok(all.get('minted')!.every(([, v]) => v === '0'));
  });

  it('has the module\'s schedule and funds as the metadata constants', () => {
    const setup = emissionsSetupFromGenesis(genesis);
    const c = decorated(genesis).d.consts['emissions']!;
    const s = setup.schedule;
    assert.deepEqual(
      ['genesisIssuance', 'maxSupply', 'baseRatePerDay', 'blocksPerDay', 'stakingShare', 'modelsShare', 'agentsShare'].map((k) => c[k]!.toString()),
      [s.genesisIssuance, s.maxSupply, s.baseRatePerDay, s.blocksPerDay, s.stakingPercent, s.modelsPercent, s.agentsPercent].map(String),
    );
    assert.deepEqual(
      ['stakingRewardPot', 'modelsGrantsFund', 'agentsGrantsFund', 'developmentFund'].map((k) => c[k]!.toHex()),
      [setup.funds.stakingPot, setup.funds.modelsGrants, setup.funds.agentsGrants, setup.funds.developmentFund],
    );
  });
});
