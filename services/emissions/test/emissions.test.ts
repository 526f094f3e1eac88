import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { blake2_256, cryptoReady, devGenesis, genesisToJson, palletPrefix, storagePrefix, toHex } from '@balanceai/chain';
import { protoFile, type emissionsV1, type moduleV1 } from '@balanceai/contracts';
import { GrpcTestClient, expectGrpcError, freePort, waitFor as waitUntil, startPostgres, type PostgresServer } from '@balanceai/testing';
import { EmissionsRepository, MAINNET_SCHEDULE, emissionsSetupFromGenesis, issuanceAtHeight, startEmissions, type EmissionsConfig } from '../src/index.js';

const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REPO_ROOT = join(SERVICE_DIR, '..', '..');

/** Raw-capable gRPC client of the contract under test (libs/testing). */
const GrpcClient = GrpcTestClient;
type GrpcClient = GrpcTestClient;

const genesisTimeMs = 1_700_000_000_000;
let postgres: PostgresServer;
let dir: string;
let config: EmissionsConfig;
let app: NestFastifyApplication | null = null;
let child: ChildProcess | null = null;
let runtime: GrpcClient;
let storage: GrpcClient;
let queries: GrpcClient;
let funds: string[];

function hashOf(height: number): string {
  return toHex(blake2_256(new TextEncoder().encode(`block ${height}`)));
}

function executeRequest(height: number, totalIssuance: bigint = issuanceAtHeight(MAINNET_SCHEDULE, BigInt(height - 1))): moduleV1.ExecuteBlockRequest {
  return {
    context: {
      height: String(height),
      blockHash: hashOf(height),
      timeMs: String(genesisTimeMs + height * 1000),
      proposerIndex: 0,
      lastCommitSigners: [0],
      offences: [],
      totalIssuance: totalIssuance.toString(),
      validators: [],
    },
    calls: [],
    signerBalances: [],
    moduleBalances: [],
  };
}

const execute = (height: number, raw = false) => runtime.call<moduleV1.ExecuteBlockResponse & Buffer>('ExecuteBlock', executeRequest(height), raw);
const commit = (height: number) => runtime.call<moduleV1.CommitResponse>('Commit', { height: String(height) });
const info = () => runtime.call<moduleV1.InfoResponse>('Info', {});
const ISSUANCE_KEY = toHex(storagePrefix('Emissions', 'Issuance'));
/** Emissions.Issuance at a committed height, through ModuleStorageService: u128 little-endian. */
async function issuanceAt(height: number): Promise<bigint> {
  const res = await storage.call<moduleV1.ReadStorageResponse>('ReadStorage', { height: String(height), keys: [ISSUANCE_KEY] });
  assert.equal(res.entries[0]!.present, true);
  return BigInt(`0x${Buffer.from(res.entries[0]!.value.slice(2), 'hex').reverse().toString('hex')}`);
}

const grpcError = expectGrpcError;
/** Polls `check` until true (libs/testing waitFor, which wants a value or undefined). */
const waitFor = (what: string, check: () => Promise<boolean>, ms = 30_000) => waitUntil(what, async () => ((await check()) ? true : undefined), ms, 200);

/** Responses (raw bytes) of every height as first served, to compare replays against. */
const served = new Map<number, Buffer>();

before(async () => {
  process.env.BAI_TESTCONTAINERS ??= '0';
  await cryptoReady();
  postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase('emissions_it');
  const migrate = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], {
    cwd: SERVICE_DIR,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  assert.equal(migrate.status, 0, migrate.stderr);
  dir = mkdtempSync(join(tmpdir(), 'bai-emissions-'));
  const { genesis } = devGenesis({ validators: 1, genesisTimeMs });
  const genesisFile = join(dir, 'genesis.json');
  writeFileSync(genesisFile, genesisToJson(genesis));
  const setup = emissionsSetupFromGenesis(genesis);
  funds = [setup.funds.stakingPot, setup.funds.modelsGrants, setup.funds.agentsGrants, setup.funds.developmentFund];
  config = { genesisFile, databaseUrl, grpcHost: '127.0.0.1', grpcPort: await freePort(), httpHost: '127.0.0.1', httpPort: await freePort(), moduleToken: randomBytes(32).toString('hex') };
  app = await startEmissions(config, { logger: false });
  const url = `127.0.0.1:${config.grpcPort}`;
  runtime = new GrpcClient(url, 'balanceai.module.v1.ModuleRuntimeService', protoFile('module'), { token: config.moduleToken });
  storage = new GrpcClient(url, 'balanceai.module.v1.ModuleStorageService', protoFile('module'), { token: config.moduleToken });
  queries = new GrpcClient(url, 'balanceai.emissions.v1.EmissionsService', protoFile('emissions'));
});

after(async () => {
  runtime?.close();
  storage?.close();
  queries?.close();
  await app?.close();
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));
  }
  await postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('emissions service over gRPC and PostgreSQL', () => {
  it('starts at height 0 as pallet 10', async () => {
    const i = await info();
    assert.deepEqual([i.name, i.palletIndex, i.lastCommittedHeight], ['emissions', 10, '0']);
    assert.match(i.lastRoot, /^0x[0-9a-f]{64}$/);
  });

  it('executes and commits heights 1..10, minting each block into the four funds', async () => {
    for (let h = 1; h <= 10; h++) {
      const raw = await execute(h, true);
      served.set(h, raw);
      const res = await execute(h);
      assert.equal(res.height, String(h));
      assert.deepEqual(res.transfers.map((t) => [t.kind, t.from, t.to]), funds.map((f) => [3, '', f]));
      const minted = res.transfers.reduce((sum, t) => sum + BigInt(t.amount), 0n);
      assert.equal(minted, issuanceAtHeight(MAINNET_SCHEDULE, BigInt(h)) - issuanceAtHeight(MAINNET_SCHEDULE, BigInt(h - 1)));
      assert.equal(res.events[0]!.name, 'Minted');
      assert.equal(JSON.parse(res.events[0]!.dataJson).amount, minted.toString());
      const c = await commit(h);
      assert.equal(c.height, String(h));
    }
    assert.equal((await info()).lastCommittedHeight, '10');
  });

  it('serves its pallet storage at each committed height over ModuleStorageService, only to its validator', async () => {
    for (const h of [0, 1, 5, 10]) assert.equal(await issuanceAt(h), issuanceAtHeight(MAINNET_SCHEDULE, BigInt(h)));
    const read = await storage.call<moduleV1.ReadStorageResponse>('ReadStorage', { height: '10', keys: [ISSUANCE_KEY, `${ISSUANCE_KEY}00`] });
    assert.deepEqual(read.entries[1], { key: `${ISSUANCE_KEY}00`, present: false, value: '' });
    // Every key of the pallet, in key order: Issuance, TotalMinted, Epoch, EpochStart and one Minted per fund.
    const keys = await storage.call<moduleV1.StorageKeysResponse>('StorageKeys', { height: '10', prefix: toHex(palletPrefix('Emissions')), count: 100, startKey: '' });
    assert.equal(keys.keys.length, 4 + new Set(funds).size);
    assert.deepEqual(keys.keys, [...keys.keys].sort());
    const page = await storage.call<moduleV1.StorageKeysResponse>('StorageKeys', { height: '10', prefix: toHex(palletPrefix('Emissions')), count: 2, startKey: keys.keys[1]! });
    assert.deepEqual(page.keys, keys.keys.slice(2, 4));
    assert.deepEqual(await grpcError(storage.call('ReadStorage', { height: '11', keys: [ISSUANCE_KEY] })), { code: 9, domain: 'HEIGHT_NOT_COMMITTED' });
    assert.deepEqual(await grpcError(storage.call('ReadStorage', { height: '10', keys: ['0x1'] })), { code: 3, domain: 'BAD_STORAGE_KEY' });
    const stranger = new GrpcClient(`127.0.0.1:${config.grpcPort}`, 'balanceai.module.v1.ModuleStorageService', protoFile('module'));
    try {
      assert.deepEqual(await grpcError(stranger.call('ReadStorage', { height: '10', keys: [ISSUANCE_KEY] })), { code: 16, domain: 'MODULE_UNAUTHENTICATED' });
    } finally {
      stranger.close();
    }
  });

  it('replays a committed height with the byte-identical stored response', async () => {
    for (const h of [1, 5, 10]) assert.deepEqual(await execute(h, true), served.get(h));
    assert.equal((await info()).lastCommittedHeight, '10');
  });

  it('answers ExecuteBlock twice before Commit with the same bytes, and commits once', async () => {
    const a = await execute(11, true);
    const b = await execute(11, true);
    assert.deepEqual(a, b);
    served.set(11, a);
    const c1 = await commit(11);
    const c2 = await commit(11);
    assert.deepEqual(c1, c2);
    assert.equal((await info()).lastRoot, c1.root);
  });

  it('refuses a gap with HEIGHT_GAP (FAILED_PRECONDITION) and a wrong ledger issuance with ISSUANCE_MISMATCH', async () => {
    assert.deepEqual(await grpcError(execute(13)), { code: 9, domain: 'HEIGHT_GAP' });
    const wrong = runtime.call('ExecuteBlock', executeRequest(12, 1n));
    assert.deepEqual(await grpcError(wrong), { code: 9, domain: 'ISSUANCE_MISMATCH' });
    assert.deepEqual(await grpcError(commit(12)), { code: 9, domain: 'NOT_EXECUTED' });
  });

  it('continues in a new process after a restart, with no height minted twice or skipped', async () => {
    await execute(12); // executed but never committed: lost with the process
    runtime.close();
    storage.close();
    queries.close();
    await app!.close();
    app = null;
    child = spawn(process.execPath, [join(SERVICE_DIR, 'dist', 'src', 'main.js')], {
      env: {
        ...process.env,
        BAI_GENESIS_FILE: config.genesisFile,
        DATABASE_URL: config.databaseUrl,
        BAI_GRPC_HOST: '127.0.0.1',
        BAI_EMISSIONS_GRPC_PORT: String(config.grpcPort),
        BAI_HTTP_HOST: '127.0.0.1',
        BAI_HTTP_PORT: String(config.httpPort),
        BAI_MODULE_TOKEN: config.moduleToken,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    await waitFor('emissions /readyz', async () => (await fetch(`http://127.0.0.1:${config.httpPort}/readyz`)).ok);
    const url = `127.0.0.1:${config.grpcPort}`;
    runtime = new GrpcClient(url, 'balanceai.module.v1.ModuleRuntimeService', protoFile('module'), { token: config.moduleToken });
    storage = new GrpcClient(url, 'balanceai.module.v1.ModuleStorageService', protoFile('module'), { token: config.moduleToken });
    queries = new GrpcClient(url, 'balanceai.emissions.v1.EmissionsService', protoFile('emissions'));
    assert.equal((await info()).lastCommittedHeight, '11');
    // After a restart only the loaded height's state is in memory; each commit adds one.
    assert.equal(await issuanceAt(11), issuanceAtHeight(MAINNET_SCHEDULE, 11n));
    assert.deepEqual(await grpcError(storage.call('ReadStorage', { height: '10', keys: [ISSUANCE_KEY] })), { code: 9, domain: 'STATE_DISCARDED' });
    assert.deepEqual(await execute(11, true), served.get(11));
    for (let h = 12; h <= 20; h++) {
      await execute(h);
      await commit(h);
    }
    for (const h of [11, 15, 20]) assert.equal(await issuanceAt(h), issuanceAtHeight(MAINNET_SCHEDULE, BigInt(h)));
    const repo = new EmissionsRepository(config.databaseUrl);
    try {
      assert.deepEqual(await repo.committedHeights(), Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
      const stored = await repo.load();
      assert.equal(stored!.state.emission.issuance, issuanceAtHeight(MAINNET_SCHEDULE, 20n));
    } finally {
      await repo.close();
    }
  });

  it('serves the schedule, the funds and the issuance curve from the committed state', async () => {
    const schedule = await queries.call<emissionsV1.GetScheduleResponse>('GetSchedule', {});
    assert.equal(schedule.height, '20');
    assert.equal(schedule.issuance, issuanceAtHeight(MAINNET_SCHEDULE, 20n).toString());
    assert.equal(schedule.epoch, 0);
    assert.equal(schedule.lastBlockTimeMs, String(genesisTimeMs + 20_000));
    assert.equal(schedule.nextHalving?.estimatedHeight, '13412904');
    assert.equal(schedule.nextHalving?.estimatedTimeMs, String(genesisTimeMs + 20_000 + (13_412_904 - 20) * 1000));
    const f = await queries.call<emissionsV1.GetFundsResponse>('GetFunds', {});
    assert.deepEqual(f.funds.map((x) => x.account), funds);
    assert.equal(BigInt(f.totalMinted), issuanceAtHeight(MAINNET_SCHEDULE, 20n) - MAINNET_SCHEDULE.genesisIssuance);
    const curve = await queries.call<emissionsV1.GetIssuanceCurveResponse>('GetIssuanceCurve', { points: 3 });
    assert.equal(curve.capHeight, '2593006844');
    assert.deepEqual(curve.points.map((p) => p.height), ['0', '1296503422', '2593006844']);
    assert.deepEqual(await grpcError(queries.call('GetIssuanceCurve', { points: 5000 })), { code: 3, domain: 'BAD_POINTS' });
  });
});
