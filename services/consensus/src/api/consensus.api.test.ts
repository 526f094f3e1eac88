import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RpcException } from '@nestjs/microservices';
import { Metadata as GrpcMetadata, status } from '@grpc/grpc-js';
import { blake2_256, cryptoReady, encodeTransfer, fromHex, genesisMetadata, keyFromUri, palletPrefix, signExtrinsic, toHex, type KeyPair } from '@balanceai/chain';
import { ERROR_CODE_METADATA_KEY, fromGrpcError } from '@balanceai/platform';
import { MempoolRejection } from '../mempool/mempool.js';
import { ConsensusApi } from './consensus.api.js';
import { buildBlock, encodeBody, encodeJustification } from '../block/block.js';
import type { ConsensusNode } from '../node/consensus-node.js';
import { accountStorageKey } from '../state/account-keys.js';
import type { ModuleStorageClient } from '../state/module-storage.js';
import { ALICE, BOB, ONE_BAI, TestChain, id } from '../state/state.testkit.js';
import type { ConsensusStore, ExtrinsicRow, StoredBlock } from '../store/store.js';

function codeOf(err: unknown): { grpc: number; code: unknown } {
  const e = (err as RpcException).getError() as { code: number; metadata: { get(k: string): unknown[] } };
  return { grpc: e.code, code: e.metadata.get(ERROR_CODE_METADATA_KEY)[0] };
}

describe('GetBlock heights', () => {
  const asked: number[] = [];
  const store = { blockByHeight: async (h: number) => (asked.push(h), null) } as unknown as ConsensusStore;
  const api = new ConsensusApi({} as ConsensusNode, store, { genesis: {} as never, hash: new Uint8Array(32) });

  it('answers NOT_FOUND for heights from 2^53 to 2^64-1 (a u64 no chain reaches), never INTERNAL', async () => {
    for (const n of ['9007199254740992', '9223372036854775808', '18446744073709551615']) {
      await assert.rejects(api.getBlock({ number: n, hash: '' }), (err) => codeOf(err).grpc === 5 && codeOf(err).code === 'BLOCK_NOT_FOUND');
    }
    assert.deepEqual(asked, [], 'nothing out of range reaches the database');
  });

  it('answers INVALID_ARGUMENT for what is not a u64', async () => {
    for (const n of ['18446744073709551616', '-1', '1e3', 'abc']) {
      await assert.rejects(api.getBlock({ number: n, hash: '' }), (err) => codeOf(err).grpc === 3 && codeOf(err).code === 'BAD_BLOCK_NUMBER');
    }
  });
});

/** A node over a TestChain: committed chain, mempool and, optionally, module pallets answering storage. */
function nodeOf(t: TestChain, modules: Array<{ pallet: string; client: ModuleStorageClient }> = []): ConsensusNode {
  return {
    committed: t.chain,
    mempool: t.mempool,
    executionContext: (h: number) => t.executionContext(h),
    modules: { storageClients: modules },
    fatal: null,
  } as unknown as ConsensusNode;
}

function apiOf(t: TestChain, modules: Array<{ pallet: string; client: ModuleStorageClient }> = [], extra: object = {}): ConsensusApi {
  return new ConsensusApi(nodeOf(t, modules), { ...t.store(), ...extra } as unknown as ConsensusStore, { genesis: t.genesis, hash: t.genesisHash });
}

const failure = (p: Promise<unknown>) => p.then(() => ({ grpc: -1, code: 'ok' as unknown }), (err) => codeOf(err));

describe('ReadStorage, StorageKeys and RuntimeCall over gRPC', () => {
  let t: TestChain;
  let alice: KeyPair;
  let bob: KeyPair;

  before(async () => {
    await cryptoReady();
    alice = ALICE();
    bob = BOB();
    t = new TestChain();
    t.block([t.transfer(alice, bob.publicKey, ONE_BAI, 0)]);
    t.block([t.transfer(alice, bob.publicKey, ONE_BAI, 1)]);
  });

  it('reads System.Account at the head and at an older block, naming the block read', async () => {
    const api = apiOf(t);
    const key = accountStorageKey(id(alice));
    const head = await api.readStorage({ at: '', keys: [key] });
    const old = await api.readStorage({ at: t.hashAt(1), keys: [key] });
    assert.equal(head.at, t.hashAt(2));
    assert.equal(head.height, '2');
    assert.equal(old.height, '1');
    assert.notEqual(head.entries[0]!.value, old.entries[0]!.value);
    assert.deepEqual(
      (await api.storageKeys({ at: t.hashAt(1), prefix: key.slice(0, 66), count: 1000, startKey: '' })).keys.includes(key),
      true,
    );
  });

  it('maps refusals to gRPC statuses with their codes: NOT_FOUND, FAILED_PRECONDITION, INVALID_ARGUMENT, UNIMPLEMENTED', async () => {
    const long = new TestChain();
    for (let h = 1; h <= 257; h++) long.block();
    const api = apiOf(long);
    assert.deepEqual(await failure(api.readStorage({ at: `0x${'ee'.repeat(32)}`, keys: [] })), { grpc: status.NOT_FOUND, code: 'UNKNOWN_BLOCK' });
    assert.deepEqual(await failure(api.readStorage({ at: long.hashAt(1), keys: [] })), { grpc: status.FAILED_PRECONDITION, code: 'STATE_DISCARDED' });
    assert.deepEqual(await failure(api.runtimeCall({ at: long.hashAt(1), method: 'Core_version', data: '0x' })), { grpc: status.FAILED_PRECONDITION, code: 'STATE_DISCARDED' });
    assert.deepEqual(await failure(api.readStorage({ at: '', keys: Array(1001).fill('0x01') })), { grpc: status.INVALID_ARGUMENT, code: 'TOO_MANY_KEYS' });
    assert.deepEqual(await failure(api.storageKeys({ at: '', prefix: '', count: 1001, startKey: '' })), { grpc: status.INVALID_ARGUMENT, code: 'COUNT_TOO_LARGE' });
    assert.deepEqual(await failure(api.readStorage({ at: '', keys: ['0xabc'] })), { grpc: status.INVALID_ARGUMENT, code: 'BAD_STORAGE_KEY' });
    assert.deepEqual(await failure(api.runtimeCall({ at: '', method: 'BabeApi_configuration', data: '0x' })), { grpc: status.UNIMPLEMENTED, code: 'UNKNOWN_RUNTIME_API' });
    assert.deepEqual(await failure(api.runtimeCall({ at: '', method: 'Metadata_metadata_at_version', data: '0x0e' })), { grpc: status.INVALID_ARGUMENT, code: 'BAD_RUNTIME_CALL_ARGS' });
    assert.deepEqual(await failure(api.runtimeCall({ at: '', method: 'Core_version', data: 'nothex' })), { grpc: status.INVALID_ARGUMENT, code: 'BAD_RUNTIME_CALL_ARGS' });
    const ok = await api.runtimeCall({ at: long.hashAt(2), method: 'Metadata_metadata_versions', data: '' });
    assert.deepEqual(ok, { at: long.hashAt(2), height: '2', result: '0x080e0000000f000000' });
  });

  it('forwards keys under a module pallet to that module at the block height, and passes its refusals through', async () => {
    const staking = toHex(palletPrefix('Staking'));
    const asked: Array<{ height: number; keys: string[] }> = [];
    let refuse: 'discarded' | 'down' | null = null;
    const client: ModuleStorageClient = {
      readStorage: async (height, keys) => {
        asked.push({ height, keys });
        if (refuse === 'discarded') {
          const md = new GrpcMetadata();
          md.set(ERROR_CODE_METADATA_KEY, 'STATE_DISCARDED');
          throw Object.assign(new Error('gone'), { code: status.FAILED_PRECONDITION, details: 'gone', metadata: md });
        }
        if (refuse === 'down') throw Object.assign(new Error('connect ECONNREFUSED'), { code: status.UNAVAILABLE });
        return { entries: keys.map((key) => ({ key, present: true, value: '0x2a' })) };
      },
      storageKeys: async (_height, prefix) => ({ keys: [`${prefix}01`, `${prefix}02`] }),
    };
    const api = apiOf(t, [{ pallet: 'Staking', client }]);
    const moduleKey = `${staking}${'00'.repeat(16)}`;
    const res = await api.readStorage({ at: t.hashAt(1), keys: [accountStorageKey(id(alice)), moduleKey, '0x3a636f6465'] });
    assert.deepEqual(asked, [{ height: 1, keys: [moduleKey] }], 'only the module pallet key, at the height of the block named');
    assert.deepEqual(res.entries.map((e) => [e.present, e.value]), [[true, res.entries[0]!.value], [true, '0x2a'], [false, '']]);
    const keys = await api.storageKeys({ at: '', prefix: staking, count: 10, startKey: '' });
    assert.deepEqual(keys.keys, [`${staking}01`, `${staking}02`]);
    refuse = 'discarded';
    assert.deepEqual(await failure(api.readStorage({ at: '', keys: [moduleKey] })), { grpc: status.FAILED_PRECONDITION, code: 'STATE_DISCARDED' });
    refuse = 'down';
    assert.deepEqual(await failure(api.readStorage({ at: '', keys: [moduleKey] })), { grpc: status.UNAVAILABLE, code: 'MODULE_UNAVAILABLE' });
  });

  it('reads the ledger part of a request at one head even when a block is adopted while a module answers', async () => {
    const local = new TestChain();
    local.block();
    let release!: () => void;
    const client: ModuleStorageClient = {
      readStorage: async (_h, keys) => {
        await new Promise<void>((r) => (release = r));
        return { entries: keys.map((key) => ({ key, present: false, value: '' })) };
      },
      storageKeys: async () => ({ keys: [] }),
    };
    const api = apiOf(local, [{ pallet: 'Staking', client }]);
    const key = accountStorageKey(id(alice));
    const before = (await api.readStorage({ at: '', keys: [key] })).entries[0]!.value;
    const pending = api.readStorage({ at: '', keys: [key, `${toHex(palletPrefix('Staking'))}00`] });
    await new Promise((r) => setImmediate(r));
    local.block([local.transfer(alice, bob.publicKey, ONE_BAI, 0)]);
    release();
    const res = await pending;
    assert.equal(res.height, '1');
    assert.equal(res.entries[0]!.value, before, 'Alice as of block 1, not of block 2 adopted meanwhile');
  });

  it('GetRuntime carries metadata V14 and V15', async () => {
    const res = await apiOf(t).getRuntime();
    assert.equal(res.metadata, toHex(genesisMetadata(t.genesis, 14)));
    assert.equal(res.metadataV15, toHex(genesisMetadata(t.genesis, 15)));
  });

  it('GetBlock carries each extrinsic as submitted: blake2_256(data) is its hash', async () => {
    const xts = [t.transfer(alice, bob.publicKey, ONE_BAI, 2), t.transfer(bob, alice.publicKey, ONE_BAI, 0)];
    const outcomes = t.block(xts);
    const block = buildBlock({
      parentHash: fromHex(t.hashAt(2)),
      number: 3,
      stateRoot: new Uint8Array(32),
      extrinsics: xts,
      meta: { round: 0, proposer: 0, timeMs: 3 },
      lastCommit: null,
      evidence: [],
    });
    const precommit = { type: 'precommit' as const, height: 3, round: 0, validator: 0, blockHash: block.hash, signature: new Uint8Array(64) };
    const justification = encodeJustification({ height: 3, round: 0, blockHash: block.hash, precommits: [precommit] });
    const stored: StoredBlock = { height: 3, hash: block.hash, header: block.headerBytes, body: encodeBody(block), justification, timeMs: 3, round: 0, proposer: 0, appHash: new Uint8Array(32), events: [] };
    const rows: ExtrinsicRow[] = outcomes.map((o) => ({ ...o, height: 3, events: o.events as unknown[] }));
    const api = apiOf(t, [], {
      blockByHeight: async () => stored,
      extrinsicsOfBlock: async () => rows,
    });
    const res = await api.getBlock({ number: '3', hash: '' });
    assert.equal(res.extrinsics.length, 2);
    for (const x of res.extrinsics) assert.equal(toHex(blake2_256(fromHex(x.data))), x.hash);
    assert.equal(res.extrinsics[0]!.data, toHex(xts[0]!));
  });
});

describe('SubmitExtrinsic refusals', () => {
  it('answers a full mempool with RESOURCE_EXHAUSTED of kind busy (the gateway: 429 with Retry-After, JSON-RPC -32009), not UNAVAILABLE', async () => {
    await cryptoReady();
    const alice = keyFromUri('//Alice', 'sr25519');
    const bytes = signExtrinsic(alice, encodeTransfer('keep_alive', alice.publicKey, 1n), { era: { kind: 'immortal' }, nonce: 0, tip: 0n }, {
      specVersion: 1,
      transactionVersion: 1,
      genesisHash: new Uint8Array(32),
      birthHash: new Uint8Array(32),
    });
    const node = {
      fatal: null,
      submit: async () => {
        throw new MempoolRejection('MEMPOOL_FULL', 'the mempool is full, retry later');
      },
    } as unknown as ConsensusNode;
    const api = new ConsensusApi(node, {} as ConsensusStore, { genesis: { params: { maxExtrinsicBytes: 65_536 } } as never, hash: new Uint8Array(32) });
    await assert.rejects(api.submitExtrinsic({ extrinsic: toHex(bytes) }), (err) => {
      const e = (err as RpcException).getError() as { code: number; metadata: GrpcMetadata };
      const back = fromGrpcError(e);
      return e.code === status.RESOURCE_EXHAUSTED && back.code === 'MEMPOOL_FULL' && back.kind === 'busy';
    });
  });
});
