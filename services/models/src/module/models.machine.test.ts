// The models module on the contract: wire transfers and results, the root and its encoding, the storage
// wallets read (decoded by @polkadot/types from OUR metadata) and System.Events records of every event.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import {
  DEFAULT_MODELS_GENESIS,
  decodeProviderInfo,
  withGenesisProviders,
  MODELS_STORAGE,
  cryptoReady,
  devGenesis,
  encodeEventRecords,
  encodeModelsCall,
  genesisMetadata,
  keyFromUri,
  modelsPallet,
  runtimePallets,
  storagePrefix,
  toHex,
  type EventRecordInput,
  type Genesis,
  type ModelsCallData,
  type ModelsStorageItem,
} from '@balanceai/chain';
import { byItem, decodePalletStorage } from '@balanceai/testing/storage-decode';
import { canonicalJson, type EventOutput, type ExecuteBlockInput, type ExecuteBlockOutput } from '@balanceai/module-host';
import type { ModelsState } from '../logic/types.js';
import { MODELS_MODULE_ACCOUNT, ModelsMachine, modelsSetupFromGenesis } from './models.machine.js';
import { decodeModelsState, encodeModelsState } from './models.state.js';
import { providerInfoValue } from './models.storage.js';

const BAI = 10n ** 18n;
let genesis: Genesis;
let machine: ModelsMachine;
let ALICE: string;
let BOB: string;
const V = ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32), '0x' + '03'.repeat(32)];

before(async () => {
  await cryptoReady();
  const g = devGenesis({ validators: 3, genesisTimeMs: 1, eraLength: 4 }).genesis;
  genesis = { ...g, models: { ...DEFAULT_MODELS_GENESIS, unlockDelay: 1, agentMinLock: 10n * BAI } };
  machine = new ModelsMachine(modelsSetupFromGenesis(genesis));
  ALICE = toHex(keyFromUri('//Alice', 'sr25519').publicKey);
  BOB = toHex(keyFromUri('//Bob', 'sr25519').publicKey);
});

/** Runs blocks through the machine like consensus would, keeping free balances and fund balances. */
class Run {
  state: ModelsState;
  outputs: ExecuteBlockOutput[] = [];
  balances = new Map<string, bigint>();
  constructor() {
    this.state = machine.initialState();
    this.balances.set(machine.setup.modelsFund, 5_000n * BAI);
    this.balances.set(machine.setup.agentsFund, 3_000n * BAI + 1n);
    this.balances.set(ALICE, 100_000n * BAI);
    this.balances.set(BOB, 100_000n * BAI);
  }

  block(calls: Array<[string, ModelsCallData]> = []): ExecuteBlockOutput {
    const bal = (a: string) => this.balances.get(a) ?? 0n;
    const input: ExecuteBlockInput = {
      context: {
        height: this.state.height + 1n,
        blockHash: '0x' + '00'.repeat(32),
        timeMs: 0n,
        proposerIndex: 0,
        lastCommitSigners: [],
        offences: [],
        totalIssuance: null,
        validators: V.map((stash, index) => ({ index, consensusKey: '0x' + '0a'.repeat(32), stash, backingStake: BigInt(index + 1) * 1_000n * BAI })),
      },
      calls: calls.map(([signer, c], i) => {
        const call = encodeModelsCall(c);
        return { extrinsicIndex: i + 1, extrinsicHash: '0x', signer, callIndex: call.callIndex, args: call.args };
      }),
      signerBalances: new Map([...new Set(calls.map(([s]) => s))].sort().map((s) => [s, bal(s)])),
      moduleBalances: new Map([MODELS_MODULE_ACCOUNT, machine.setup.modelsFund, machine.setup.agentsFund].sort().map((a) => [a, bal(a)])),
    };
    const { state, output } = machine.executeBlock(this.state, input);
    for (const t of output.transfers) {
      assert.ok(t.kind !== 'mint');
      this.balances.set(t.from, bal(t.from) - t.amount);
      this.balances.set(t.to, bal(t.to) + t.amount);
    }
    this.state = state;
    this.outputs.push(output);
    return output;
  }
}

const reg = (name: string, kind: 'Model' | 'Agent', lock: bigint): ModelsCallData => ({ call: 'register', kind, name, metadataUri: `ipfs://${name}`, endpoint: `http://127.0.0.1:1/${name}`, minAccessHolding: 7n * BAI, lock });

/** Blocks that make the module emit each of its events at least once. */
function scenario(): Run {
  const r = new Run();
  r.block([[ALICE, reg('m', 'Model', 1_000n * BAI)], [BOB, reg('a', 'Agent', 10n * BAI)], [BOB, reg('gone', 'Agent', 10n * BAI)]]);
  r.block([
    [ALICE, { call: 'update', provider: 0, metadataUri: 'ipfs://m2', endpoint: 'https://m.example', minAccessHolding: 8n * BAI }],
    [ALICE, { call: 'top_up', provider: 0, amount: 5n }],
    [V[0]!, { call: 'set_weights', weights: [[0, 500], [1, 100]] }],
    [V[1]!, { call: 'set_weights', weights: [[0, 400], [1, 200], [2, 9]] }],
    [V[2]!, { call: 'set_weights', weights: [[1, 300], [0, 300]] }],
    [BOB, { call: 'deregister', provider: 2 }],
    [V[0]!, { call: 'set_weights', weights: [[2, 1]] }],
  ]);
  r.block([[V[0]!, { call: 'report', provider: 1, reason: 'Unreachable' }], [V[1]!, { call: 'report', provider: 1, reason: 'Unreachable' }], [V[2]!, { call: 'report', provider: 1, reason: 'WrongOutput' }]]);
  r.block(); // 4: era 0 ends: model grants; the slashed agent's and the deregistered agent's locks return
  return r;
}

describe('ModelsMachine', () => {
  it('refuses a genesis without the models section', () => {
    assert.throws(() => modelsSetupFromGenesis({ ...genesis, models: undefined }), /no "models" section/);
  });

  it('speaks the contract: DEBIT into the module account, grants from the funds, slashes to the development fund, Models.<error>', () => {
    const r = scenario();
    const [b1, b2, b3, b4] = r.outputs;
    assert.deepEqual(b1!.transfers, [
      { kind: 'debit', from: ALICE, to: MODELS_MODULE_ACCOUNT, amount: 1_000n * BAI },
      { kind: 'debit', from: BOB, to: MODELS_MODULE_ACCOUNT, amount: 10n * BAI },
      { kind: 'debit', from: BOB, to: MODELS_MODULE_ACCOUNT, amount: 10n * BAI },
    ]);
    assert.deepEqual(b2!.results.map((x) => x.success), [true, true, true, true, true, true, false]);
    assert.equal(b2!.results[6]!.errorCode, 'Models.WeightsAlreadySet');
    const slash = (10n * BAI * 100_000_000n) / 1_000_000_000n;
    assert.deepEqual(b3!.transfers, [{ kind: 'credit', from: MODELS_MODULE_ACCOUNT, to: machine.setup.developmentFund, amount: slash }]);
    // Era end: only model 0 is active with weight; it takes the whole models fund; the agents fund has no active weight.
    assert.deepEqual(b4!.transfers, [
      { kind: 'credit', from: machine.setup.modelsFund, to: ALICE, amount: 5_000n * BAI },
      { kind: 'credit', from: MODELS_MODULE_ACCOUNT, to: BOB, amount: 10n * BAI - slash },
      { kind: 'credit', from: MODELS_MODULE_ACCOUNT, to: BOB, amount: 10n * BAI },
    ]);
    assert.equal(r.balances.get(MODELS_MODULE_ACCOUNT), 1_000n * BAI + 5n);
    assert.equal(r.balances.get(machine.setup.agentsFund), 3_000n * BAI + 1n);
  });

  it('encodes its state canonically: decode(encode(s)) re-encodes to the same bytes and root', () => {
    const r = scenario();
    for (const s of [machine.initialState(), r.state]) {
      const bytes = encodeModelsState(s);
      assert.equal(toHex(encodeModelsState(decodeModelsState(bytes))), toHex(bytes));
      assert.equal(toHex(machine.root(decodeModelsState(bytes))), toHex(machine.root(s)));
    }
    assert.notEqual(toHex(machine.root(r.state)), toHex(machine.root(machine.initialState())));
    assert.throws(() => decodeModelsState(Uint8Array.of(...encodeModelsState(r.state), 0)), /trailing|models state/);
  });

  it('encodes a state with 50 validators × 10,000 scores (a writer part per pair would overflow the stack)', () => {
    const weights = new Map(Array.from({ length: 50 }, (_, v): [string, Array<readonly [number, number]>] => ['0x' + v.toString(16).padStart(64, '0'), Array.from({ length: 10_000 }, (_, p) => [p, (p * 31 + v) % 65_536] as const)]));
    const s: ModelsState = { ...machine.initialState(), weights };
    const bytes = encodeModelsState(s);
    assert.equal(bytes.length > 50 * 10_000 * 6, true);
    assert.deepEqual(decodeModelsState(bytes).weights.get('0x' + (7).toString(16).padStart(64, '0'))![9_999], [9_999, (9_999 * 31 + 7) % 65_536]);
    assert.equal(machine.storage(s).keys(toHex(storagePrefix('Models', 'Weights')), null, 1_000).length, 50);
  });

  it('registers the genesis providers at height 0 (the expert as the first agent) and refuses an unfunded genesis', () => {
    const alice = genesis.balances[0]!;
    const expert = { owner: alice.address, kind: 'Agent' as const, name: 'expert', metadataUri: 'ipfs://expert', endpoint: 'http://127.0.0.1:8090/v1/expert', minAccessHolding: 5n, lock: 10n * BAI };
    const g = withGenesisProviders(genesis, [expert]);
    const m = new ModelsMachine(modelsSetupFromGenesis(g));
    const s0 = m.initialState();
    assert.equal(s0.nextId, 1);
    assert.deepEqual({ ...s0.providers.get(0)!, owner: undefined }, { ...expert, owner: undefined, id: 0, status: 'Active', unlockEra: 0, registeredEra: 0, earned: 0n, slashed: 0n });
    assert.equal(s0.providers.get(0)!.owner, ALICE);
    assert.notEqual(toHex(m.root(s0)), toHex(machine.root(machine.initialState())));
    assert.throws(() => modelsSetupFromGenesis({ ...genesis, models: g.models }), /genesis balance 0 is not the 10000000000000000000/);
  });

  it('libs/chain decodeProviderInfo reads back every provider the module stores', () => {
    const r = scenario();
    for (const p of r.state.providers.values()) {
      const d = decodeProviderInfo(providerInfoValue(p));
      assert.deepEqual({ ...d, owner: toHex(d.owner) }, {
        owner: p.owner, kind: p.kind, name: p.name, metadataUri: p.metadataUri, endpoint: p.endpoint, minAccessHolding: p.minAccessHolding, lock: p.lock,
        status: p.status, unlockEra: p.status === 'Deregistered' || p.status === 'Slashed' ? p.unlockEra : null, registeredEra: p.registeredEra, earned: p.earned, slashed: p.slashed,
      });
    }
    assert.deepEqual([...r.state.providers.values()].map((p) => p.status).sort(), ['Active', 'Closed', 'Closed']);
  });

  it('checkTx refuses what needs no state', () => {
    const check = (c: ModelsCallData, free = 10_000n * BAI) => {
      const call = encodeModelsCall(c);
      return machine.checkTx({ signer: ALICE, callIndex: call.callIndex, args: call.args, signerFree: free });
    };
    assert.deepEqual(check(reg('ok', 'Model', 1_000n * BAI)), { ok: true });
    assert.equal(check(reg('low', 'Model', 999n * BAI)).errorCode, 'Models.LockTooLow');
    assert.equal(check(reg('Up', 'Agent', 10n * BAI)).errorCode, 'Models.BadName');
    assert.equal(check(reg('poor', 'Agent', 10n * BAI), BAI).errorCode, 'Models.InsufficientBalance');
    assert.equal(check({ call: 'top_up', provider: 0, amount: 0n }).errorCode, 'Models.ZeroAmount');
    assert.equal(machine.checkTx({ signer: ALICE, callIndex: 42, args: new Uint8Array(0), signerFree: 0n }).errorCode, 'Models.BadCall');
  });
});

describe('Models storage and events for wallets', () => {
  it('every storage entry decodes with @polkadot/types from the chain metadata, keys as polkadot.js builds them', () => {
    const r = new Run();
    r.block([[ALICE, reg('m', 'Model', 1_000n * BAI)], [BOB, reg('a', 'Agent', 10n * BAI)]]);
    r.block([[V[0]!, { call: 'set_weights', weights: [[0, 500], [1, 100]] }], [V[1]!, { call: 'report', provider: 1, reason: 'Fraud' }], [BOB, { call: 'deregister', provider: 1 }]]);
    const mid = r.state;
    r.block();
    r.block(); // era end: history
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(genesis));
    registry.setMetadata(metadata);
    const query = expandMetadata(registry, metadata).query['models']!;
    const decodeView = (s: ModelsState) => byItem(decodePalletStorage(registry, query, 'Models', Object.keys(MODELS_STORAGE) as ModelsStorageItem[], machine.storage(s), 10_000));
    const m = decodeView(mid);
    const provider1 = m['Providers']!.find((e) => e.args[0] === 1)!.value as Record<string, unknown>;
    assert.equal(provider1['kind'], 'Agent');
    assert.equal(provider1['name'], '0x61');
    assert.deepEqual(provider1['status'], { deregistered: { unlockEra: 1 } });
    assert.deepEqual(m['Weights']![0]!.value, [[0, 500], [1, 100]]);
    assert.deepEqual(m['Reports']![0]!.args, [1]);
    assert.deepEqual(m['ProviderByName']!.map((e) => e.value).sort(), [0, 1]);
    const end = decodeView(r.state);
    assert.deepEqual(end['CurrentEra']![0]!.value, 1);
    assert.deepEqual(end['EraScores']!.map((e) => e.args), [[0, 0]]);
    assert.equal(BigInt((end['EraScores']![0]!.value as { paid: string | number }).paid), 5_000n * BAI);
    assert.equal(end['EraFunds']!.length, 2);
    assert.equal(end['Weights'], undefined);
  });

  it('every event the pallet declares is emitted and decodes from System.Events with the metadata', () => {
    const r = scenario();
    r.block([[ALICE, { call: 'deregister', provider: 0 }]]);
    r.block();
    r.block();
    r.block(); // era 1 ends: lock of provider 0 returns
    const events: EventOutput[] = r.outputs.flatMap((o) => o.events);
    const declared = (modelsPallet().events ?? []).map((e) => e.name).sort();
    assert.deepEqual([...new Set(events.map((e) => e.name))].sort(), declared);
    const records: EventRecordInput[] = events.map((e) => ({
      phase: e.extrinsicIndex === null ? 'Finalization' : { applyExtrinsic: e.extrinsicIndex },
      module: 'Models',
      name: e.name,
      data: JSON.parse(canonicalJson(e.data)) as unknown,
    }));
    const bytes = encodeEventRecords(runtimePallets(genesis), records);
    const registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, genesisMetadata(genesis)));
    const decoded = registry.createType('Vec<FrameSystemEventRecord>', bytes) as unknown as Array<{ event: { section: string; method: string; data: Codec[] & { names?: string[] } } }>;
    assert.equal(u8aToHex((decoded as unknown as Codec).toU8a()), u8aToHex(bytes));
    assert.deepEqual(decoded.map((x) => `${x.event.section}.${x.event.method}`), events.map((e) => `models.${e.name}`));
    const grant = decoded[events.findIndex((e) => e.name === 'GrantPaid')]!.event.data;
    assert.equal(grant[grant.names!.indexOf('amount')]!.toString(), (5_000n * BAI).toString());
  });
});
