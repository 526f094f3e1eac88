// The models service over gRPC and PostgreSQL: blocks as consensus sends them (a model ledger supplies the
// balances), era-end grants, slashes, replay, a restart mid-era in a new process that ends with the same
// roots as the pure machine, and the Models storage wallets read through ModuleStorageService.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength } from '@polkadot/util';
import {
  DEFAULT_MODELS_GENESIS,
  ONE_BAI,
  blake2_256,
  cryptoReady,
  devGenesis,
  encodeModelsCall,
  fromHex,
  genesisMetadata,
  keyFromUri,
  parseAccountId,
  toHex,
  type Genesis,
  type ModelsCallData,
} from '@balanceai/chain';
import { protoFile, type moduleV1, type modelsV1 } from '@balanceai/contracts';
import { parseExecuteBlockRequest } from '@balanceai/module-host';
import { GrpcTestClient, ModuleBlockDriver, ModuleServiceHarness, TestBalances, expectGrpcError } from '@balanceai/testing';
import { MODELS_MODULE_ACCOUNT, ModelsMachine, ModelsRepository, modelsSetupFromGenesis, startModels, type ModelsSetup } from '../src/index.js';
import type { ModelsState } from '../src/logic/types.js';

const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ERA = 5;
const id = (uri: string) => toHex(keyFromUri(uri, 'sr25519').publicKey);
const ALICE = id('//Alice');
const BOB = id('//Bob');

let service: ModuleServiceHarness;
let runtime: GrpcTestClient;
let genesis: Genesis;
let setup: ModelsSetup;
let stashes: string[];

const reg = (name: string, kind: 'Model' | 'Agent'): ModelsCallData => ({ call: 'register', kind, name, metadataUri: `ipfs://${name}`, endpoint: `http://127.0.0.1:1/${name}`, minAccessHolding: ONE_BAI, lock: 1_000n * ONE_BAI });

/** Calls per height. Validators' stashes are filled in before. */
const script = new Map<number, () => Array<{ signer: string; call: ModelsCallData }>>([
  [1, () => [{ signer: ALICE, call: reg('alpha', 'Model') }, { signer: BOB, call: reg('beta', 'Model') }, { signer: BOB, call: reg('agent', 'Agent') }]],
  [2, () => [{ signer: stashes[0]!, call: { call: 'set_weights', weights: [[0, 3_000], [1, 1_000], [2, 50]] } }, { signer: stashes[1]!, call: { call: 'set_weights', weights: [[0, 2_000], [1, 1_000]] } }]],
  [3, () => [{ signer: stashes[2]!, call: { call: 'set_weights', weights: [[0, 65_535], [1, 0], [2, 50]] } }, { signer: ALICE, call: { call: 'set_weights', weights: [] } }]],
  [7, () => [{ signer: BOB, call: { call: 'deregister', provider: 1 } }]],
  [8, () => stashes.map((s) => ({ signer: s, call: { call: 'report', provider: 2, reason: 'Unreachable' } as ModelsCallData }))],
]);

const balances = new TestBalances();
const { free } = balances;
const bal = (a: string) => balances.balance(a);
let activeSet: moduleV1.ActiveValidator[] = [];

function buildRequest(height: number): moduleV1.ExecuteBlockRequest {
  // Emissions' share lands in the funds every block before the models module runs.
  free.set(setup.modelsFund, bal(setup.modelsFund) + 24n * ONE_BAI);
  free.set(setup.agentsFund, bal(setup.agentsFund) + 24n * ONE_BAI + 1n);
  const calls = script.get(height)?.() ?? [];
  const signers = [...new Set(calls.map((c) => c.signer))].sort();
  return {
    context: {
      height: String(height),
      blockHash: toHex(blake2_256(new TextEncoder().encode(`block ${height}`))),
      timeMs: String(height * 1000),
      proposerIndex: 0,
      lastCommitSigners: [],
      offences: [],
      totalIssuance: '0',
      validators: activeSet,
    },
    calls: calls.map((c, i) => {
      const e = encodeModelsCall(c.call);
      return { extrinsicIndex: i + 1, extrinsicHash: toHex(blake2_256(e.args)), signer: c.signer, callIndex: e.callIndex, args: toHex(e.args) };
    }),
    signerBalances: signers.map((s) => ({ account: s, free: bal(s).toString() })),
    moduleBalances: [MODELS_MODULE_ACCOUNT, setup.modelsFund, setup.agentsFund].sort().map((a) => ({ account: a, free: bal(a).toString() })),
  };
}

const driver = new ModuleBlockDriver<moduleV1.ExecuteBlockRequest, moduleV1.ExecuteBlockResponse>(() => runtime, buildRequest, (res) => balances.apply(res.transfers));
const { served, roots, responses } = driver;
const request = (height: number) => driver.request(height);
const execute = (height: number, raw = false) => driver.execute(height, raw);
const runHeight = (height: number) => driver.runHeight(height);
const info = () => runtime.call<moduleV1.InfoResponse>('Info', {});

function connect(): void {
  const c = service.config;
  runtime = new GrpcTestClient(`127.0.0.1:${c.grpcPort}`, 'balanceai.module.v1.ModuleRuntimeService', protoFile('module'), { token: c.moduleToken });
}

before(async () => {
  await cryptoReady();
  genesis = { ...devGenesis({ validators: 3, genesisTimeMs: 1, eraLength: ERA }).genesis, models: { ...DEFAULT_MODELS_GENESIS, unlockDelay: 1 } };
  setup = modelsSetupFromGenesis(genesis);
  for (const b of genesis.balances) free.set(toHex(parseAccountId(b.address)), b.free);
  stashes = genesis.validators.map((v) => toHex(parseAccountId(v.stash)));
  activeSet = genesis.validators.map((v, index) => ({ index, consensusKey: v.consensusKey, stash: stashes[index]!, backingStake: String(BigInt(index + 1) * 10_000n * ONE_BAI) }));
  service = await ModuleServiceHarness.prepare({ serviceDir: SERVICE_DIR, database: 'models_it', genesis });
  service.app = await startModels(service.config, { logger: false });
  connect();
});

after(async () => {
  runtime?.close();
  await service?.stop();
});

describe('models service over gRPC and PostgreSQL', () => {
  it('starts at height 0 as pallet 20 with the genesis root', async () => {
    const i = await info();
    assert.deepEqual([i.name, i.palletIndex, i.lastCommittedHeight], ['models', 20, '0']);
    const machine = new ModelsMachine(setup);
    assert.equal(i.lastRoot, toHex(machine.root(machine.initialState())));
  });

  it('registers, scores, and pays the grants funds at the era end in exactly the formula\'s amounts', async () => {
    for (let h = 1; h <= ERA; h++) await runHeight(h);
    assert.deepEqual(responses.get(1)!.transfers.map((t) => [t.kind, t.from, t.to, t.amount]), [
      [1, ALICE, MODELS_MODULE_ACCOUNT, (1_000n * ONE_BAI).toString()],
      [1, BOB, MODELS_MODULE_ACCOUNT, (1_000n * ONE_BAI).toString()],
      [1, BOB, MODELS_MODULE_ACCOUNT, (1_000n * ONE_BAI).toString()],
    ]);
    assert.deepEqual(responses.get(3)!.results.map((r) => r.errorCode), ['', 'Models.NotValidator']);
    // stakes 10k, 20k, 30k (total 60k; > 30k needed). alpha: 3000@10k, 2000@20k, 65535@30k → ≥65535: 30k (not >), ≥3000: 40k → 3000;
    //   weight = 10k·3000 + 20k·2000 + 30k·3000 = 160,000k. beta: 1000@10k, 1000@20k, 0@30k → ≥1000: 30k → 0; weight 0.
    // agent: 50@10k, 0@20k, 50@30k → ≥50: 40k → 50; weight 10k·50 + 30k·50 = 2,000k.
    const end = responses.get(ERA)!;
    const modelsFund = 5n * 24n * ONE_BAI;
    const agentsFund = 5n * (24n * ONE_BAI + 1n);
    assert.deepEqual(end.transfers.map((t) => [t.from, t.to, t.amount]), [
      [setup.modelsFund, ALICE, modelsFund.toString()],
      [setup.agentsFund, BOB, agentsFund.toString()],
    ]);
    assert.deepEqual(end.events.map((e) => e.name), ['GrantPaid', 'EraScored', 'GrantPaid', 'EraScored']);
    const scored = JSON.parse(end.events[1]!.dataJson) as Record<string, unknown>;
    assert.deepEqual(scored, { era: 0, kind: 'Model', fund: modelsFund.toString(), paid: modelsFund.toString(), totalWeight: (160_000_000n * ONE_BAI).toString(), providers: 2 });
    assert.equal(bal(setup.modelsFund), 0n);
  });

  it('replays committed heights byte for byte and refuses a different request for them', async () => {
    for (const h of [1, 3, ERA]) assert.deepEqual(await execute(h, true), served.get(h));
    const forged = { ...request(2), signerBalances: [{ account: id('//Mallory'), free: '1' }] };
    assert.deepEqual(await expectGrpcError(runtime.call('ExecuteBlock', forged)), { code: 9, domain: 'REPLAY_MISMATCH' });
  });

  it('restarts mid-era in a new process and ends with the roots of the pure machine; deregister and report settle', async () => {
    await runHeight(6);
    await runHeight(7);
    await execute(8); // executed, never committed: lost with the process
    runtime.close();
    await service.restartAsProcess('BAI_MODELS_GRPC_PORT');
    connect();
    assert.equal((await info()).lastCommittedHeight, '7');
    for (let h = 8; h <= 2 * ERA; h++) await runHeight(h);
    const slash = (1_000n * ONE_BAI * 100_000_000n) / 1_000_000_000n;
    assert.deepEqual(responses.get(8)!.events.map((e) => e.name), ['Reported', 'Reported', 'Reported', 'ProviderSlashed']);
    assert.deepEqual(responses.get(8)!.transfers.map((t) => [t.from, t.to, t.amount]), [[MODELS_MODULE_ACCOUNT, setup.developmentFund, slash.toString()]]);
    // Era 1 ends at 10: beta (deregistered in era 1, unlock delay 1) and the slashed agent get their locks back.
    const returned = responses.get(2 * ERA)!.transfers.filter((t) => t.from === MODELS_MODULE_ACCOUNT).map((t) => [t.to, t.amount]);
    assert.deepEqual(returned, [[BOB, (1_000n * ONE_BAI).toString()], [BOB, (1_000n * ONE_BAI - slash).toString()]]);
    assert.equal(bal(MODELS_MODULE_ACCOUNT), 1_000n * ONE_BAI);

    const machine = new ModelsMachine(setup);
    let state: ModelsState = machine.initialState();
    for (let h = 1; h <= 2 * ERA; h++) {
      state = machine.executeBlock(state, parseExecuteBlockRequest(request(h))).state;
      assert.equal(toHex(machine.root(state)), roots.get(h), `root at height ${h}`);
    }
    const repo = new ModelsRepository(service.config.databaseUrl);
    try {
      assert.deepEqual(await repo.committedHeights(), Array.from({ length: 2 * ERA }, (_, i) => BigInt(i + 1)));
      assert.equal(toHex((await repo.load())!.root), roots.get(2 * ERA));
    } finally {
      await repo.close();
    }
  });

  it('serves Models storage over ModuleStorageService that @polkadot/types decodes from the chain metadata', async () => {
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(genesis));
    registry.setMetadata(metadata);
    const q = expandMetadata(registry, metadata).query['models']!;
    const keyOf = (item: string, ...args: unknown[]) => toHex(compactStripLength(q[item]!(...args))[1]);
    const storage = new GrpcTestClient(`127.0.0.1:${service.config.grpcPort}`, 'balanceai.module.v1.ModuleStorageService', protoFile('module'), { token: service.config.moduleToken });
    try {
      const keys = [keyOf('providers', 0), keyOf('currentEra'), keyOf('eraScores', 0, 0), keyOf('providerByName', 'Model', 'alpha'), keyOf('providers', 99)];
      const res = await storage.call<moduleV1.ReadStorageResponse>('ReadStorage', { height: String(2 * ERA), keys });
      const value = (i: number, item: string) => {
        const type = q[item]!.meta.type;
        return registry.createType(registry.createLookupType(type.isPlain ? type.asPlain : type.asMap.value), fromHex(res.entries[i]!.value)).toPrimitive() as Record<string, unknown>;
      };
      const alpha = value(0, 'providers');
      assert.equal(alpha['kind'], 'Model');
      assert.equal(alpha['lock'], (1_000n * ONE_BAI).toString());
      assert.deepEqual(alpha['status'], { active: null });
      assert.equal(BigInt(alpha['earned'] as string), 5n * 24n * ONE_BAI, 'paid in era 0; nobody scored in era 1');
      assert.equal(value(1, 'currentEra') as unknown, 2);
      assert.equal(value(2, 'eraScores')['consensus'], 3_000);
      assert.equal(value(3, 'providerByName') as unknown, 0);
      assert.equal(res.entries[4]!.present, false);
    } finally {
      storage.close();
    }
  });

  it('answers ModelsService queries from the committed state (after the restart: read back from PostgreSQL), only to the module token holder', async () => {
    const url = `127.0.0.1:${service.config.grpcPort}`;
    const queries = new GrpcTestClient(url, 'balanceai.models.v1.ModelsService', protoFile('models'), { token: service.config.moduleToken });
    try {
      const all = await queries.call<modelsV1.ListProvidersResponse>('ListProviders', {});
      assert.deepEqual([all.height, all.currentEra], [String(2 * ERA), 2]);
      assert.deepEqual(all.providers.map((p) => [p.id, p.name, p.kind, p.status]), [[0, 'alpha', 'model', 'active'], [1, 'beta', 'model', 'closed'], [2, 'agent', 'agent', 'closed']]);
      assert.deepEqual((await queries.call<modelsV1.ListProvidersResponse>('ListProviders', { kind: 'model', status: 'active', query: 'ALP' })).providers.map((p) => p.id), [0]);
      assert.deepEqual((await queries.call<modelsV1.ListProvidersResponse>('ListProviders', { kind: 'agent' })).providers.map((p) => p.id), [2]);

      const alpha = await queries.call<modelsV1.GetProviderResponse>('GetProvider', { id: 0 });
      assert.deepEqual([alpha.provider?.owner, alpha.provider?.lock, alpha.provider?.earned], [ALICE, (1_000n * ONE_BAI).toString(), (5n * 24n * ONE_BAI).toString()]);
      // Era 1 (most recent first) scored nobody: consensus 0; era 0: consensus 3000, weight 160,000k BAI·score, the whole models fund.
      assert.deepEqual(alpha.eras, [{ era: 1, consensus: 0, weight: '0', paid: '0' }, { era: 0, consensus: 3_000, weight: (160_000_000n * ONE_BAI).toString(), paid: (5n * 24n * ONE_BAI).toString() }]);
      const slashed = await queries.call<modelsV1.GetProviderResponse>('GetProvider', { id: 2 });
      assert.equal(slashed.provider?.slashed, ((1_000n * ONE_BAI * 100_000_000n) / 1_000_000_000n).toString());

      const funds = await queries.call<modelsV1.GetFundsResponse>('GetFunds', {});
      assert.equal(funds.totalLocked, bal(MODELS_MODULE_ACCOUNT).toString(), 'the locks are what the module account holds');
      assert.deepEqual([funds.modelsFund, funds.agentsFund], [bal(setup.modelsFund).toString(), bal(setup.agentsFund).toString()]);
      assert.deepEqual(funds.eras.map((f) => [f.era, f.kind, f.paid]), [[1, 'model', '0'], [1, 'agent', '0'], [0, 'model', (5n * 24n * ONE_BAI).toString()], [0, 'agent', (5n * (24n * ONE_BAI + 1n)).toString()]]);

      assert.deepEqual(await expectGrpcError(queries.call('GetProvider', { id: 99 })), { code: 5, domain: 'PROVIDER_NOT_FOUND' });
      assert.deepEqual(await expectGrpcError(queries.call('ListProviders', { kind: 'robot' })), { code: 3, domain: 'BAD_QUERY' });
    } finally {
      queries.close();
    }
    for (const token of [undefined, `${service.config.moduleToken}x`]) {
      const stranger = new GrpcTestClient(url, 'balanceai.models.v1.ModelsService', protoFile('models'), { token });
      try {
        assert.deepEqual(await expectGrpcError(stranger.call('GetFunds', {})), { code: 16, domain: 'MODULE_UNAUTHENTICATED' });
      } finally {
        stranger.close();
      }
    }
  });
});
