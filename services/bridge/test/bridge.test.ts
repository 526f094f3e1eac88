// The bridge service over gRPC and PostgreSQL: blocks as consensus sends them (a model ledger supplies the
// balances and applies the transfers), lock → minted, burn → released at M matching attestations, an expired
// lock refunded once, replay byte for byte, a restart in a new process that ends with the pure machine's
// roots, and the Bridge storage wallets read through ModuleStorageService.
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength } from '@polkadot/util';
import {
  DEFAULT_BRIDGE_GENESIS,
  ONE_BAI,
  blake2_256,
  bridgeLockId,
  cryptoReady,
  devGenesis,
  encodeBridgeCall,
  fromHex,
  genesisMetadata,
  keyFromUri,
  parseAccountId,
  toHex,
  type BridgeCallData,
  type Genesis,
} from '@balanceai/chain';
import { protoFile, type moduleV1 } from '@balanceai/contracts';
import { parseExecuteBlockRequest } from '@balanceai/module-host';
import { GrpcTestClient, ModuleBlockDriver, ModuleServiceHarness, TestBalances, expectGrpcError } from '@balanceai/testing';
import { BRIDGE_MODULE_ACCOUNT, BridgeMachine, BridgeRepository, bridgeSetupFromGenesis, startBridge, type BridgeSetup } from '../src/index.js';
import type { BridgeState } from '../src/logic/types.js';

const SERVICE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const id = (uri: string) => toHex(keyFromUri(uri, 'sr25519').publicKey);
const ALICE = id('//Alice');
const BOB = id('//Bob');
const [R1, R2, R3] = ['//Relayer1', '//Relayer2', '//Relayer3'].map(id) as [string, string, string];
const ETH = `0x${'5e'.repeat(20)}`;
const BURN = `0x${'b1'.repeat(32)}`;
const BLOCK_MS = 4_000;
const LAST = 8;

let service: ModuleServiceHarness;
let runtime: GrpcTestClient;
let genesis: Genesis;
let setup: BridgeSetup;
let lockA: string;
let lockB: string;

/** Calls per height. Lock deadlines: block time 4 s × height, TTL 10 s → the lock of height 1 expires after 14 s. */
const script = new Map<number, () => Array<{ signer: string; call: BridgeCallData }>>([
  [1, () => [{ signer: ALICE, call: { call: 'lock', ethRecipient: ETH, amount: 100n * ONE_BAI } }, { signer: BOB, call: { call: 'lock', ethRecipient: ETH, amount: 40n * ONE_BAI } }]],
  [
    2,
    () => [
      { signer: R1, call: { call: 'attest_minted', lockId: lockA } },
      { signer: R2, call: { call: 'attest_minted', lockId: lockA } },
      { signer: R1, call: { call: 'attest_burn', burnId: BURN, recipient: BOB, amount: 30n * ONE_BAI } },
      { signer: R2, call: { call: 'attest_burn', burnId: BURN, recipient: BOB, amount: 31n * ONE_BAI } },
    ],
  ],
  [3, () => [{ signer: R3, call: { call: 'attest_burn', burnId: BURN, recipient: BOB, amount: 30n * ONE_BAI } }, { signer: R1, call: { call: 'refund', lockId: lockB } }]],
  [4, () => [{ signer: R1, call: { call: 'refund', lockId: lockB } }, { signer: ALICE, call: { call: 'refund', lockId: lockB } }]],
  [7, () => [{ signer: R3, call: { call: 'refund', lockId: lockB } }, { signer: R2, call: { call: 'refund', lockId: lockA } }, { signer: R2, call: { call: 'refund', lockId: lockB } }]],
]);

const balances = new TestBalances();
const { free } = balances;
const bal = (a: string) => balances.balance(a);

function buildRequest(height: number): moduleV1.ExecuteBlockRequest {
  const calls = script.get(height)?.() ?? [];
  const signers = [...new Set(calls.map((c) => c.signer))].sort();
  return {
    context: {
      height: String(height),
      blockHash: toHex(blake2_256(new TextEncoder().encode(`block ${height}`))),
      timeMs: String(height * BLOCK_MS),
      proposerIndex: 0,
      lastCommitSigners: [],
      offences: [],
      totalIssuance: '0',
      validators: [],
    },
    calls: calls.map((c, i) => {
      const e = encodeBridgeCall(c.call);
      return { extrinsicIndex: i + 1, extrinsicHash: toHex(blake2_256(e.args)), signer: c.signer, callIndex: e.callIndex, args: toHex(e.args) };
    }),
    signerBalances: signers.map((s) => ({ account: s, free: bal(s).toString() })),
    moduleBalances: [{ account: BRIDGE_MODULE_ACCOUNT, free: bal(BRIDGE_MODULE_ACCOUNT).toString() }],
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

const errorsAt = (h: number) => responses.get(h)!.results.map((r) => r.errorCode);
const eventsAt = (h: number) => responses.get(h)!.events.map((e) => e.name);

before(async () => {
  await cryptoReady();
  genesis = { ...devGenesis({ validators: 1, genesisTimeMs: 1 }).genesis, bridge: { ...DEFAULT_BRIDGE_GENESIS, relayers: [R1, R2, R3], threshold: 2, lockTtlSecs: 10 } };
  setup = bridgeSetupFromGenesis(genesis);
  lockA = bridgeLockId(genesis.chainId, 0n);
  lockB = bridgeLockId(genesis.chainId, 1n);
  for (const b of genesis.balances) free.set(toHex(parseAccountId(b.address)), b.free);
  free.set(ALICE, 1_000n * ONE_BAI);
  free.set(BOB, 1_000n * ONE_BAI);
  service = await ModuleServiceHarness.prepare({ serviceDir: SERVICE_DIR, database: 'bridge_it', genesis });
  service.app = await startBridge(service.config, { logger: false });
  connect();
});

after(async () => {
  runtime?.close();
  await service?.stop();
});

describe('bridge service over gRPC and PostgreSQL', () => {
  it('starts at height 0 as pallet 30 with the genesis root', async () => {
    const i = await info();
    assert.deepEqual([i.name, i.palletIndex, i.lastCommittedHeight], ['bridge', 30, '0']);
    const machine = new BridgeMachine(setup);
    assert.equal(i.lastRoot, toHex(machine.root(machine.initialState())));
  });

  it('locks into escrow, marks a lock minted, releases a burn at 2 matching of 3 attestations, refuses an early refund', async () => {
    for (let h = 1; h <= 4; h++) await runHeight(h);
    assert.deepEqual(responses.get(1)!.transfers.map((t) => [t.kind, t.from, t.to, t.amount]), [
      [1, ALICE, BRIDGE_MODULE_ACCOUNT, (100n * ONE_BAI).toString()],
      [1, BOB, BRIDGE_MODULE_ACCOUNT, (40n * ONE_BAI).toString()],
    ]);
    const locked = JSON.parse(responses.get(1)!.events[0]!.dataJson) as Record<string, unknown>;
    assert.deepEqual(locked, { lockId: lockA, owner: ALICE, ethRecipient: ETH, amount: (100n * ONE_BAI).toString(), deadline: '14', nonce: '0' });
    assert.deepEqual(eventsAt(2), ['MintAttested', 'MintAttested', 'Minted', 'BurnAttested', 'BurnAttested']);
    assert.equal(responses.get(2)!.transfers.length, 0, '30 and 31 are not two matching attestations');
    assert.deepEqual(eventsAt(3), ['BurnAttested', 'Released']);
    assert.deepEqual(errorsAt(3), ['', 'Bridge.DeadlineNotPassed']);
    assert.deepEqual(responses.get(3)!.transfers.map((t) => [t.from, t.to, t.amount]), [[BRIDGE_MODULE_ACCOUNT, BOB, (30n * ONE_BAI).toString()]]);
    assert.deepEqual(errorsAt(4), ['', 'Bridge.NotRelayer']);
    assert.equal(bal(BRIDGE_MODULE_ACCOUNT), 110n * ONE_BAI);
  });

  it('replays committed heights byte for byte and refuses a different request for them', async () => {
    for (const h of [1, 3]) assert.deepEqual(await execute(h, true), served.get(h));
    const forged = { ...request(2), signerBalances: [{ account: id('//Mallory'), free: '1' }] };
    assert.deepEqual(await expectGrpcError(runtime.call('ExecuteBlock', forged)), { code: 9, domain: 'REPLAY_MISMATCH' });
  });

  it('restarts in a new process, refunds the expired lock exactly once, never the minted one, and ends with the pure machine\'s roots', async () => {
    await runHeight(5);
    await runHeight(6);
    await execute(7); // executed, never committed: lost with the process
    runtime.close();
    await service.restartAsProcess('BAI_BRIDGE_GRPC_PORT');
    connect();
    assert.equal((await info()).lastCommittedHeight, '6');
    for (let h = 7; h <= LAST; h++) await runHeight(h);
    assert.deepEqual(errorsAt(7), ['', 'Bridge.LockMinted', 'Bridge.LockRefunded']);
    assert.deepEqual(eventsAt(7), ['RefundAttested', 'Refunded']);
    assert.deepEqual(responses.get(7)!.transfers.map((t) => [t.from, t.to, t.amount]), [[BRIDGE_MODULE_ACCOUNT, BOB, (40n * ONE_BAI).toString()]]);
    assert.equal(bal(BOB), 1_000n * ONE_BAI + 30n * ONE_BAI);
    assert.equal(bal(BRIDGE_MODULE_ACCOUNT), 70n * ONE_BAI, 'escrow = 100 locked and minted − 30 released');

    const machine = new BridgeMachine(setup);
    let state: BridgeState = machine.initialState();
    for (let h = 1; h <= LAST; h++) {
      state = machine.executeBlock(state, parseExecuteBlockRequest(request(h))).state;
      assert.equal(toHex(machine.root(state)), roots.get(h), `root at height ${h}`);
    }
    assert.equal(state.escrow, 70n * ONE_BAI);
    const repo = new BridgeRepository(service.config.databaseUrl);
    try {
      assert.deepEqual(await repo.committedHeights(), Array.from({ length: LAST }, (_, i) => BigInt(i + 1)));
      assert.equal(toHex((await repo.load())!.root), roots.get(LAST));
    } finally {
      await repo.close();
    }
  });

  it('serves Bridge storage over ModuleStorageService that @polkadot/types decodes from the chain metadata', async () => {
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(genesis));
    registry.setMetadata(metadata);
    const q = expandMetadata(registry, metadata).query['bridge']!;
    const keyOf = (item: string, ...args: unknown[]) => toHex(compactStripLength(q[item]!(...args))[1]);
    const storage = new GrpcTestClient(`127.0.0.1:${service.config.grpcPort}`, 'balanceai.module.v1.ModuleStorageService', protoFile('module'), { token: service.config.moduleToken });
    try {
      const keys = [keyOf('locks', lockA), keyOf('locks', lockB), keyOf('escrow'), keyOf('burns', BURN), keyOf('locks', `0x${'99'.repeat(32)}`), keyOf('relayers')];
      const res = await storage.call<moduleV1.ReadStorageResponse>('ReadStorage', { height: String(LAST), keys });
      const value = (i: number, item: string) => {
        const type = q[item]!.meta.type;
        return registry.createType(registry.createLookupType(type.isPlain ? type.asPlain : type.asMap.value), fromHex(res.entries[i]!.value)).toPrimitive() as Record<string, unknown>;
      };
      const a = value(0, 'locks');
      assert.deepEqual(a['status'], { minted: { at: 2 } });
      assert.equal(a['deadline'], 14);
      assert.deepEqual(value(1, 'locks')['status'], { refunded: { at: 7 } });
      assert.equal(BigInt(value(2, 'escrow') as unknown as string), 70n * ONE_BAI);
      const burn = value(3, 'burns');
      assert.deepEqual(Object.keys(burn['status'] as object), ['released']);
      assert.equal((burn['attestations'] as unknown[]).length, 3);
      assert.equal(res.entries[4]!.present, false);
      assert.equal((value(5, 'relayers') as unknown as string[]).length, 3);
    } finally {
      storage.close();
    }
  });
});
