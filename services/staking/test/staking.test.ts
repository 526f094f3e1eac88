import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength } from '@polkadot/util';
import {
  ONE_BAI,
  blake2_256,
  genesisMetadata,
  cryptoReady,
  devGenesis,
  encodeStakingCall,
  fromHex,
  keyFromUri,
  parseAccountId,
  ss58Encode,
  toHex,
  type Genesis,
  type StakingCallData,
} from '@balanceai/chain';
import { protoFile, type moduleV1 } from '@balanceai/contracts';
import { GRPC_HEALTH_PROTO } from '@balanceai/platform';
import { parseExecuteBlockRequest } from '@balanceai/module-host';
import { GrpcTestClient, ModuleBlockDriver, ModuleServiceHarness, TestBalances, expectGrpcError } from '@balanceai/testing';
import {
  STAKING_MODULE_ACCOUNT,
  StakingMachine,
  StakingRepository,
  stakingSetupFromGenesis,
  startStaking,
  withGenesisBonds,
  type StakingModuleState,
  type StakingSetup,
} from '../src/index.js';

const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Raw-capable gRPC client of the contract under test (libs/testing). */
const GrpcClient = GrpcTestClient;
type GrpcClient = GrpcTestClient;

const ERA = 5;
const genesisTimeMs = 1_700_000_000_000;
const id = (uri: string) => toHex(keyFromUri(uri, 'sr25519').publicKey);
const ALICE = id('//Alice');
const BOB = id('//Bob');
const ALICE_KEY = toHex(keyFromUri('//validator//alice', 'ed25519').publicKey);

let service: ModuleServiceHarness;
let runtime: GrpcClient;
let queries: GrpcClient;
let genesis: Genesis;
let setup: StakingSetup;

/** What consensus would send at each height: calls per height; the ledger model supplies the balances. */
const script = new Map<number, Array<{ signer: string; call: StakingCallData }>>([
  [1, [{ signer: ALICE, call: { call: 'bond', value: 50_000n * ONE_BAI, payee: 'Stash' } }, { signer: BOB, call: { call: 'bond', value: 1_000n * ONE_BAI, payee: 'Staked' } }]],
  [2, [{ signer: ALICE, call: { call: 'set_consensus_key', key: fromHex(ALICE_KEY, 32) } }, { signer: ALICE, call: { call: 'validate', commission: 50_000_000n, blocked: false } }]],
  [3, [{ signer: BOB, call: { call: 'nominate', targets: [parseAccountId(ALICE)] } }, { signer: BOB, call: { call: 'bond', value: 1n, payee: 'Stash' } }]],
  [7, [{ signer: BOB, call: { call: 'bond_extra', maxAdditional: 500n * ONE_BAI } }]],
  [9, [{ signer: BOB, call: { call: 'unbond', value: 200n * ONE_BAI } }]],
]);

/** The ledger as consensus keeps it, for the balances in each request. */
const balances = new TestBalances();
const { free } = balances;
const bal = (a: string) => balances.balance(a);
/** Validator set in force (consensus applies validator_set_update from the next block on). */
let activeSet: moduleV1.ActiveValidator[] = [];

function buildRequest(height: number): moduleV1.ExecuteBlockRequest {
  const calls = script.get(height) ?? [];
  const signers = [...new Set(calls.map((c) => c.signer))].sort();
  return {
    context: {
      height: String(height),
      blockHash: toHex(blake2_256(new TextEncoder().encode(`block ${height}`))),
      timeMs: String(genesisTimeMs + height * 1000),
      proposerIndex: height % 2,
      lastCommitSigners: activeSet.map((v) => v.index),
      offences: [],
      totalIssuance: [...free.values()].reduce((s, v) => s + v, 0n).toString(),
      validators: activeSet,
    },
    calls: calls.map((c, i) => {
      const e = encodeStakingCall(c.call);
      return { extrinsicIndex: i + 1, extrinsicHash: toHex(blake2_256(e.args)), signer: c.signer, callIndex: e.callIndex, args: toHex(e.args) };
    }),
    signerBalances: signers.map((s) => ({ account: s, free: bal(s).toString() })),
    moduleBalances: [{ account: STAKING_MODULE_ACCOUNT, free: bal(STAKING_MODULE_ACCOUNT).toString() }],
  };
}

/** Applies a response as consensus would: transfers, then the next set. */
function apply(res: moduleV1.ExecuteBlockResponse): void {
  balances.apply(res.transfers);
  if (res.validatorSetUpdate?.present) activeSet = res.validatorSetUpdate.validators;
}

/**
 * The request of a height is built once from the model ledger when it is first sent and then kept: consensus
 * replays a height with the very request it first sent (the module refuses any other).
 */
const driver = new ModuleBlockDriver<moduleV1.ExecuteBlockRequest, moduleV1.ExecuteBlockResponse>(() => runtime, buildRequest, apply);
const { served, roots, responses } = driver;
const request = (height: number) => driver.request(height);
const execute = (height: number, raw = false) => driver.execute(height, raw);
const commit = (height: number) => driver.commit<moduleV1.CommitResponse>(height);
const runHeight = (height: number) => driver.runHeight(height);
const info = () => runtime.call<moduleV1.InfoResponse>('Info', {});

const grpcError = expectGrpcError;

function connect(): void {
  const url = `127.0.0.1:${service.config.grpcPort}`;
  runtime = new GrpcClient(url, 'balanceai.module.v1.ModuleRuntimeService', protoFile('module'), { token: service.config.moduleToken });
  queries = new GrpcClient(url, 'balanceai.staking.v1.StakingService', protoFile('staking'));
}

before(async () => {
  await cryptoReady();
  genesis = withGenesisBonds(devGenesis({ validators: 2, genesisTimeMs, eraLength: ERA }).genesis, 20_000n * ONE_BAI);
  setup = stakingSetupFromGenesis(genesis);
  for (const b of genesis.balances) free.set(toHex(parseAccountId(b.address)), b.free);
  activeSet = genesis.validators.map((v, index) => ({ index, consensusKey: v.consensusKey, stash: toHex(parseAccountId(v.stash)), backingStake: '0' }));
  service = await ModuleServiceHarness.prepare({ serviceDir: SERVICE_DIR, database: 'staking_it', genesis });
  service.app = await startStaking(service.config, { logger: false });
  connect();
});

after(async () => {
  runtime?.close();
  queries?.close();
  await service?.stop();
});

describe('staking service over gRPC and PostgreSQL', () => {
  it('starts at height 0 as pallet 7 with the genesis root; the genesis bonds are in the module account', async () => {
    const i = await info();
    assert.deepEqual([i.name, i.palletIndex, i.lastCommittedHeight], ['staking', 7, '0']);
    const machine = new StakingMachine(setup);
    assert.equal(i.lastRoot, toHex(machine.root(machine.initialState())));
    assert.equal(bal(STAKING_MODULE_ACCOUNT), 40_000n * ONE_BAI);
  });

  it('bond, set_consensus_key, validate and nominate over several blocks; the era end returns the elected set', async () => {
    for (let h = 1; h <= ERA; h++) responses.set(h, await runHeight(h));
    const r1 = responses.get(1)!;
    assert.deepEqual(r1.results.map((r) => r.success), [true, true]);
    assert.deepEqual(r1.transfers.map((t) => [t.kind, t.from, t.to, t.amount]), [
      [1, ALICE, STAKING_MODULE_ACCOUNT, (50_000n * ONE_BAI).toString()],
      [1, BOB, STAKING_MODULE_ACCOUNT, (1_000n * ONE_BAI).toString()],
    ]);
    assert.deepEqual(responses.get(2)!.events.map((e) => e.name), ['ConsensusKeySet', 'ValidatorPrefsSet']);
    assert.deepEqual(responses.get(3)!.results.map((r) => r.errorCode), ['', 'Staking.AlreadyBonded']);
    for (let h = 1; h < ERA; h++) assert.equal(responses.get(h)!.validatorSetUpdate?.present, false);
    const end = responses.get(ERA)!;
    assert.equal(end.validatorSetUpdate?.present, true);
    const set = end.validatorSetUpdate!.validators;
    assert.equal(set.length, 3);
    const alice = set.find((v) => v.stash === ALICE)!;
    assert.equal(alice.consensusKey, ALICE_KEY);
    assert.equal(alice.backingStake, (51_000n * ONE_BAI).toString());
    assert.deepEqual(end.events.map((e) => e.name).filter((n) => n === 'EraPaid' || n === 'StakersElected'), ['EraPaid', 'StakersElected']);
    assert.equal(JSON.parse(end.events.find((e) => e.name === 'EraPaid')!.dataJson).transferred, true, 'era rewards are credited out of the pot');
    assert.equal(bal(STAKING_MODULE_ACCOUNT), 91_000n * ONE_BAI);
  });

  it('replays committed heights byte for byte, answers a repeated ExecuteBlock identically and commits idempotently', async () => {
    for (const h of [1, 3, ERA]) assert.deepEqual(await execute(h, true), served.get(h));
    const a = await execute(6, true);
    const b = await execute(6, true);
    assert.deepEqual(a, b);
    served.set(6, a);
    apply(await execute(6));
    const c1 = await commit(6);
    assert.deepEqual(await commit(6), c1);
    roots.set(6, c1.root);
    assert.equal((await info()).lastRoot, c1.root);
    assert.deepEqual(await grpcError(runtime.call('ExecuteBlock', buildRequest(8))), { code: 9, domain: 'HEIGHT_GAP' }); // not kept: 8 is sent for real later
    assert.deepEqual(await grpcError(commit(7)), { code: 9, domain: 'NOT_EXECUTED' });
  });

  it('refuses a stranger on the host: no token or a wrong one is UNAUTHENTICATED and changes nothing; queries and health stay open', async () => {
    const url = `127.0.0.1:${service.config.grpcPort}`;
    const before = await info();
    // The attack of issue 9: a forged bond of 10^27 base units backed by an invented signer balance, then Commit.
    const MALLORY = id('//Mallory');
    const forged: moduleV1.ExecuteBlockRequest = { ...request(7), calls: [], signerBalances: [{ account: MALLORY, free: (10n ** 28n).toString() }] };
    const bond = encodeStakingCall({ call: 'bond', value: 10n ** 27n, payee: 'Stash' });
    forged.calls = [{ extrinsicIndex: 1, extrinsicHash: toHex(blake2_256(bond.args)), signer: MALLORY, callIndex: bond.callIndex, args: toHex(bond.args) }];
    for (const token of [undefined, 'f'.repeat(64), `${service.config.moduleToken}x`, service.config.moduleToken.slice(0, -1)]) {
      const stranger = new GrpcClient(url, 'balanceai.module.v1.ModuleRuntimeService', protoFile('module'), token === undefined ? {} : { token });
      try {
        for (const call of [stranger.call('ExecuteBlock', forged), stranger.call('Commit', { height: '7' }), stranger.call('Info', {})]) {
          assert.deepEqual(await grpcError(call), { code: 16, domain: 'MODULE_UNAUTHENTICATED' }, `token ${token ?? '(none)'}`);
        }
      } finally {
        stranger.close();
      }
    }
    assert.deepEqual(await info(), before);
    // The query API and grpc.health.v1 need no token (the gateway reads them; they change nothing).
    const health = new GrpcClient(url, 'grpc.health.v1.Health', GRPC_HEALTH_PROTO);
    try {
      assert.equal((await health.call<{ status: number }>('Check', { service: '' })).status, 1);
    } finally {
      health.close();
    }
    assert.equal((await queries.call<{ height: string }>('GetValidators', {})).height, before.lastCommittedHeight);
    // With the token, the validator's own Commit of 7 finds nothing executed: the stranger's block left no trace.
    assert.deepEqual(await grpcError(commit(7)), { code: 9, domain: 'NOT_EXECUTED' });
  });

  it('answers a replay whose request differs from the committed (or executed) one with REPLAY_MISMATCH, never the stored response', async () => {
    const committed = request(6);
    const forged = { ...committed, signerBalances: [{ account: id('//Mallory'), free: (10n ** 28n).toString() }] };
    assert.deepEqual(await grpcError(runtime.call('ExecuteBlock', forged)), { code: 9, domain: 'REPLAY_MISMATCH' });
    assert.deepEqual(await grpcError(runtime.call('ExecuteBlock', { ...committed, context: { ...committed.context!, lastCommitSigners: [0] } })), { code: 9, domain: 'REPLAY_MISMATCH' });
    assert.deepEqual(await execute(6, true), served.get(6), 'the committed request itself is still replayed byte for byte');
    // Executed, not committed: a second, different request for 7 is refused too, and 7 then commits as first executed.
    const pending = await execute(7, true);
    assert.deepEqual(await grpcError(runtime.call('ExecuteBlock', { ...request(7), moduleBalances: [] })), { code: 9, domain: 'REPLAY_MISMATCH' });
    assert.deepEqual(await execute(7, true), pending);
  });

  it('restarts mid-era in a new process and continues with the results of an uninterrupted run', async () => {
    await runHeight(7);
    const pending = await execute(8); // executed, never committed: lost with the process
    assert.equal(pending.results.length, 0);
    runtime.close();
    queries.close();
    await service.restartAsProcess('BAI_STAKING_GRPC_PORT');
    connect();
    assert.equal((await info()).lastCommittedHeight, '7');
    assert.deepEqual(await execute(7, true), served.get(7));
    for (let h = 8; h <= 3 * ERA; h++) responses.set(h, await runHeight(h));
    assert.equal(responses.get(2 * ERA)!.validatorSetUpdate?.present, true);

    // The same blocks through the pure machine, with no restart: identical roots at every height.
    const machine = new StakingMachine(setup);
    let state: StakingModuleState = machine.initialState();
    free.clear();
    for (const b of genesis.balances) free.set(toHex(parseAccountId(b.address)), b.free);
    activeSet = genesis.validators.map((v, index) => ({ index, consensusKey: v.consensusKey, stash: toHex(parseAccountId(v.stash)), backingStake: '0' }));
    for (let h = 1; h <= 3 * ERA; h++) {
      const req = request(h);
      const input = parseExecuteBlockRequest(req);
      const r = machine.executeBlock(state, input);
      state = r.state;
      assert.equal(toHex(machine.root(state)), roots.get(h), `root at height ${h}`);
      apply(await execute(h)); // the stored response drives the model ledger like the first run
    }
    const repo = new StakingRepository(service.config.databaseUrl, setup.params);
    try {
      assert.deepEqual(await repo.committedHeights(), Array.from({ length: 3 * ERA }, (_, i) => BigInt(i + 1)));
      const stored = await repo.load();
      assert.equal(toHex(stored!.root), roots.get(3 * ERA));
      assert.equal(stored!.state.staking.currentEra, 3);
    } finally {
      await repo.close();
    }
  });

  it('serves validators, a nominator, eras and totals from the committed state', async () => {
    const v = await queries.call<{ height: string; currentEra: number; active: Array<Record<string, unknown>>; waiting: unknown[] }>('GetValidators', {});
    assert.equal(v.height, String(3 * ERA));
    assert.equal(v.currentEra, 3);
    assert.equal(v.active.length, 3);
    const alice = v.active.find((x) => x['account'] === ALICE)!;
    assert.deepEqual([alice['commission'], alice['nominatorCount'], alice['status'], alice['consensusKey'], alice['ownBond']], [50_000_000, 1, 'active', ALICE_KEY, (50_000n * ONE_BAI).toString()]);
    assert.equal(alice['eraPoints'], '0', 'a fresh era');
    assert.deepEqual(v.waiting, []);

    const bobAddress = ss58Encode(fromHex(BOB, 32), 42);
    const n = await queries.call<Record<string, unknown>>('GetNominator', { address: bobAddress });
    assert.equal(n['role'], 'nominator');
    assert.deepEqual(n['targets'], [ALICE]);
    assert.equal(n['total'], (1_500n * ONE_BAI).toString());
    assert.equal(n['active'], (1_300n * ONE_BAI).toString());
    assert.deepEqual(n['unlocking'], [{ value: (200n * ONE_BAI).toString(), era: 1 + 2 }]);
    assert.deepEqual((n['exposures'] as Array<{ validator: string; value: string }>).map((e) => [e.validator, e.value]), [[ALICE, (1_300n * ONE_BAI).toString()]]);
    assert.deepEqual(await grpcError(queries.call('GetNominator', { address: 'nope' })), { code: 3, domain: 'BAD_ADDRESS' });
    assert.deepEqual(await grpcError(queries.call('GetNominator', { address: id('//Charlie') })), { code: 5, domain: 'NOT_BONDED' });

    const eras = await queries.call<{ currentEra: number; eras: Array<{ era: number; startHeight: string; endHeight: string; validatorCount: number; totalPoints: string; paidOut: boolean }> }>('GetEras', {});
    assert.deepEqual(eras.eras.map((e) => [e.era, e.startHeight, e.endHeight, e.validatorCount, e.paidOut]), [[2, '11', '15', 3, true], [1, '6', '10', 3, true], [0, '1', '5', 2, true]]);
    assert.equal(eras.eras[1]!.totalPoints, '15', 'three signers over five blocks');

    const t = await queries.call<Record<string, string>>('GetTotals', {});
    assert.equal(t['totalStaked'], ((40_000n + 50_000n + 1_500n) * ONE_BAI).toString());
    const issuance = BigInt(t['totalIssuance']!);
    assert.equal(issuance, genesis.balances.reduce((s, b) => s + b.free, 0n));
    assert.equal(BigInt(t['stakingRatioPpb']!), ((91_500n * ONE_BAI) * 1_000_000_000n) / issuance);
  });

  it('serves Staking storage over ModuleStorageService that @polkadot/types decodes from the chain metadata', async () => {
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(genesis));
    registry.setMetadata(metadata);
    const q = expandMetadata(registry, metadata).query['staking']!;
    const keyOf = (item: string, ...args: unknown[]) => toHex(compactStripLength(q[item]!(...args))[1]);
    const url = `127.0.0.1:${service.config.grpcPort}`;
    const storage = new GrpcClient(url, 'balanceai.module.v1.ModuleStorageService', protoFile('module'), { token: service.config.moduleToken });
    try {
      const height = String(3 * ERA);
      const keys = [keyOf('ledger', BOB), keyOf('nominators', BOB), keyOf('currentEra'), keyOf('validators', ALICE), keyOf('ledger', id('//Charlie'))];
      const res = await storage.call<moduleV1.ReadStorageResponse>('ReadStorage', { height, keys });
      const value = (i: number, item: string) => {
        const type = q[item]!.meta.type;
        return registry.createType(registry.createLookupType(type.isPlain ? type.asPlain : type.asMap.value), fromHex(res.entries[i]!.value)).toPrimitive();
      };
      const ss58 = (a: string) => registry.createType('AccountId32', a).toString();
      const bai = (n: bigint) => (n * ONE_BAI).toString();
      assert.deepEqual(value(0, 'ledger'), { stash: ss58(BOB), total: bai(1_500n), active: bai(1_300n), unlocking: [{ value: bai(200n), era: 3 }], legacyClaimedRewards: [] });
      assert.deepEqual(value(1, 'nominators'), { targets: [ss58(ALICE)], submittedIn: 0, suppressed: false });
      assert.equal(value(2, 'currentEra'), 3);
      assert.deepEqual(value(3, 'validators'), { commission: 50_000_000, blocked: false });
      assert.equal(res.entries[4]!.present, false);
      // Every Staking key at that height, paged, lies under the pallet's prefix and reads back present.
      const all = await storage.call<moduleV1.StorageKeysResponse>('StorageKeys', { height, prefix: toHex(q['ledger']!.keyPrefix()).slice(0, 34), count: 1_000, startKey: '' });
      assert.ok(all.keys.length > 20);
      const back = await storage.call<moduleV1.ReadStorageResponse>('ReadStorage', { height, keys: all.keys });
      assert.ok(back.entries.every((e) => e.present));
    } finally {
      storage.close();
    }
    const stranger = new GrpcClient(url, 'balanceai.module.v1.ModuleStorageService', protoFile('module'));
    try {
      assert.deepEqual(await grpcError(stranger.call('StorageKeys', { height: '1', prefix: '', count: 1, startKey: '' })), { code: 16, domain: 'MODULE_UNAUTHENTICATED' });
    } finally {
      stranger.close();
    }
  });
});

/** The wire request as the host parses it (for the pure-machine reference run). */
