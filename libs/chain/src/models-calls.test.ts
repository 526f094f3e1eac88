import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { CallDecodeError, GenesisError } from './errors.js';
import { PALLET, encodeCall } from './extrinsic.js';
import { devGenesis, genesisFromJson, genesisMetadata, genesisToJson, runtimePallets } from './genesis.js';
import { cryptoReady } from './keys.js';
import { BALANCES_PALLET, SYSTEM_PALLET, buildMetadata } from './metadata.js';
import { DEFAULT_MODELS_GENESIS, MODELS_CALL, withGenesisProviders, MODELS_ERRORS, type ModelsCallData, decodeModelsCall, decodeModelsCallOf, encodeModelsCall, modelsGenesisFromJson, modelsPallet } from './models-calls.js';
import { ScaleWriter } from './scale.js';

function registry() {
  const reg = new TypeRegistry();
  const metadata = new Metadata(reg, buildMetadata([SYSTEM_PALLET, BALANCES_PALLET, modelsPallet({ params: { ...DEFAULT_MODELS_GENESIS, unlockDelay: 3 } })]));
  reg.setMetadata(metadata);
  return { reg, decorated: expandMetadata(reg, metadata) };
}

before(async () => {
  await cryptoReady();
});

describe('models call codec', () => {
  const samples: ModelsCallData[] = [
    { call: 'register', kind: 'Model', name: 'llama-risk', metadataUri: 'ipfs://bafy#sha256=00', endpoint: 'http://127.0.0.1:9000', minAccessHolding: 10n ** 18n, lock: 1_000n * 10n ** 18n },
    { call: 'register', kind: 'Agent', name: 'é', metadataUri: '', endpoint: '', minAccessHolding: 0n, lock: (1n << 128n) - 1n },
    { call: 'update', provider: 7, metadataUri: 'u', endpoint: 'https://x', minAccessHolding: 5n },
    { call: 'top_up', provider: 0xffff_ffff, amount: 1n },
    { call: 'deregister', provider: 3 },
    { call: 'set_weights', weights: [[0, 0], [1, 65_535], [9, 300]] },
    { call: 'set_weights', weights: [] },
    { call: 'report', provider: 2, reason: 'WrongOutput' },
  ];

  it('round-trips every call with pallet 20 and its call index', () => {
    for (const c of samples) {
      const call = encodeModelsCall(c);
      assert.equal(call.palletIndex, PALLET.Models);
      assert.equal(call.callIndex, MODELS_CALL[c.call]);
      assert.deepEqual(decodeModelsCallOf(call), c);
    }
  });

  it('encodes the exact bytes: u8 kind, compact-prefixed texts, compact balances, (u32, u16) weights', () => {
    const reg = encodeModelsCall({ call: 'register', kind: 'Agent', name: 'ab', metadataUri: 'c', endpoint: '', minAccessHolding: 1n, lock: 64n });
    assert.equal(u8aToHex(reg.args), '0x01' + '08' + '6162' + '04' + '63' + '00' + '04' + '0101');
    const w = encodeModelsCall({ call: 'set_weights', weights: [[1, 2]] });
    assert.equal(u8aToHex(w.args), '0x04' + '01000000' + '0200');
  });

  it('refuses unknown indices and variants, long or non-UTF-8 texts, trailing bytes and truncation as BAD_CALL', () => {
    const bad = (index: number, args: Uint8Array, re: RegExp) => assert.throws(() => decodeModelsCall(index, args), (e: unknown) => e instanceof CallDecodeError && re.test((e as Error).message));
    bad(9, new Uint8Array(0), /unknown Models call index 9/);
    bad(0, Uint8Array.of(2, 0, 0, 0, 0, 0), /ProviderKind variant 2/);
    bad(5, Uint8Array.of(1, 0, 0, 0, 4), /ReportReason variant 4/);
    bad(3, Uint8Array.of(1, 0, 0, 0, 9), /trailing|deregister/);
    bad(3, Uint8Array.of(1, 0), /deregister/);
    const longName = new ScaleWriter().u8(0).bytes(new Uint8Array(65).fill(0x61)).bytes(new Uint8Array(0)).bytes(new Uint8Array(0)).compact(0).compact(0).finish();
    bad(0, longName, /name is longer than 64/);
    const notUtf8 = new ScaleWriter().u8(0).bytes(Uint8Array.of(0xff, 0xfe)).bytes(new Uint8Array(0)).bytes(new Uint8Array(0)).compact(0).compact(0).finish();
    bad(0, notUtf8, /not UTF-8/);
    assert.throws(() => encodeModelsCall({ call: 'set_weights', weights: [[1, 70_000]] }), CallDecodeError);
  });
});

describe('modelsPallet() metadata', () => {
  it('lets @polkadot/types build models.register and set_weights, whose bytes decode here, and ours decode there', () => {
    const { reg, decorated } = registry();
    const register = decorated.tx['models']!['register']!;
    assert.deepEqual([...register.callIndex], [20, 0]);
    assert.deepEqual(register.meta.args.map((x) => x.name.toString()), ['kind', 'name', 'metadataUri', 'endpoint', 'minAccessHolding', 'lock']);
    const bytes = reg.createType('Call', { callIndex: [20, 0], args: { kind: 'Agent', name: 'expert', metadata_uri: 'm', endpoint: 'http://e', min_access_holding: 5, lock: 1_000n * 10n ** 18n } }).toU8a();
    assert.deepEqual(decodeModelsCall(bytes[1]!, bytes.subarray(2)), { call: 'register', kind: 'Agent', name: 'expert', metadataUri: 'm', endpoint: 'http://e', minAccessHolding: 5n, lock: 1_000n * 10n ** 18n });
    const weights = reg.createType('Call', { callIndex: [20, 4], args: { weights: [[3, 100], [4, 65_535]] } }).toU8a();
    assert.deepEqual(decodeModelsCall(weights[1]!, weights.subarray(2)), { call: 'set_weights', weights: [[3, 100], [4, 65_535]] });
    const ours = reg.createType('Call', encodeCall(encodeModelsCall({ call: 'report', provider: 9, reason: 'Fraud' })));
    assert.equal(ours.section, 'models');
    assert.equal(ours.method, 'report');
    assert.equal(ours.args[1]!.toString(), 'Fraud');
    assert.equal(decorated.consts['models']!['unlockDelay']!.toString(), '3');
    assert.equal(decorated.errors['models']!['NameTaken']!.meta.index.toNumber(), MODELS_ERRORS.indexOf('NameTaken'));
  });
});

describe('models genesis section', () => {
  it('is optional: a genesis without it has no Models pallet and the same canonical JSON', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1 });
    assert.equal(genesis.models, undefined);
    assert.ok(!genesisToJson(genesis).includes('"models"'));
    assert.ok(!runtimePallets(genesis).some((p) => p.name === 'Models'));
  });

  it('fills left-out fields with the defaults, writes every field and puts Models (20) in the metadata', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1 });
    const doc = JSON.parse(genesisToJson(genesis)) as Record<string, unknown>;
    doc['models'] = { unlockDelay: 2, agentMinLock: '5' };
    const g = genesisFromJson(JSON.stringify(doc));
    assert.deepEqual(g.models, { ...DEFAULT_MODELS_GENESIS, unlockDelay: 2, agentMinLock: 5n });
    const again = genesisFromJson(genesisToJson(g));
    assert.deepEqual(again.models, g.models);
    assert.match(genesisToJson(g), /"models": \{\n {4}"modelMinLock": "1000000000000000000000",\n {4}"agentMinLock": "5",/);
    const reg = new TypeRegistry();
    const metadata = new Metadata(reg, genesisMetadata(g));
    reg.setMetadata(metadata);
    const decorated = expandMetadata(reg, metadata);
    assert.equal(decorated.consts['models']!['agentMinLock']!.toString(), '5');
    assert.equal(decorated.consts['models']!['modelsShare']!.toString(), '24');
    assert.equal(u8aToHex(decorated.consts['models']!['modelsGrantsFund']!.toU8a()), u8aToHex(reg.createType('AccountId32', g.accounts.modelsGrantsFund).toU8a()));
    assert.equal(runtimePallets(g).find((p) => p.name === 'Models')?.index, 20);
  });

  it('registers genesis providers: their locks move into the models account, issuance unchanged, JSON round trip', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1 });
    const alice = genesis.balances[0]!;
    const expert = { owner: alice.address, kind: 'Agent' as const, name: 'expert', metadataUri: 'ipfs://expert', endpoint: 'http://127.0.0.1:8090/v1/expert', minAccessHolding: 5n, lock: 1_000n * 10n ** 18n };
    const g = withGenesisProviders(genesis, [expert]);
    assert.deepEqual(g.models!.providers, [expert]);
    assert.equal(g.balances.find((b) => b.address === alice.address)!.free, alice.free - expert.lock);
    const sum = (x: typeof g) => x.balances.reduce((s, b) => s + b.free, 0n);
    assert.equal(sum(g), sum(genesis));
    const again = genesisFromJson(genesisToJson(g));
    assert.deepEqual(again.models, g.models);
    assert.throws(() => withGenesisProviders(genesis, [{ ...expert, lock: 1n }]), (e: unknown) => e instanceof GenesisError && /providers\[0\]\.lock/.test((e as Error).message));
    assert.throws(() => withGenesisProviders(genesis, [expert, expert]), (e: unknown) => e instanceof GenesisError && /another Agent is called expert/.test((e as Error).message));
    assert.throws(() => withGenesisProviders(genesis, [{ ...expert, endpoint: 'ftp://x' }]), (e: unknown) => e instanceof GenesisError && /endpoint/.test((e as Error).message));
  });

  it('refuses bad values naming the field', () => {
    const bad = (v: unknown, re: RegExp) => assert.throws(() => modelsGenesisFromJson(v as never), (e: unknown) => e instanceof GenesisError && re.test((e as Error).message));
    bad({ unlockDelay: 0 }, /models\.unlockDelay/);
    bad({ modelMinLock: '0' }, /models\.modelMinLock/);
    bad({ modelMinLock: 5 }, /models\.modelMinLock/);
    bad({ slashFraction: 1_000_000_001 }, /models\.slashFraction/);
    bad({ modelsPercent: 60, agentsPercent: 41 }, /must be 48/);
    bad({ modelsPercent: 30, agentsPercent: 24 }, /must be 48 .*got 54/);
    assert.equal(modelsGenesisFromJson({ modelsPercent: 30, agentsPercent: 18 }).agentsPercent, 18);
    bad({ extra: 1 }, /models\.extra/);
    bad([], /models/);
    bad({ providers: {} }, /models\.providers/);
    bad({ providers: [{ owner: 'x' }] }, /models\.providers\[0\]/);
  });
});
