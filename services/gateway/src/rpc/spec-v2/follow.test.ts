import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { RpcError } from '../errors.js';
import { FakeChain, RUNTIME_1, RecordingSink, hashOf, tick } from './fake-chain.js';
import { ChainHeadCode, DEFAULT_FOLLOW_LIMITS, Follow, type FollowLimits } from './follow.js';

async function follow(chain: FakeChain, withRuntime = true, limits: Partial<FollowLimits> = {}) {
  const sink = new RecordingSink();
  const f = new Follow(sink, withRuntime, chain, { ...DEFAULT_FOLLOW_LIMITS, ...limits });
  await f.start();
  return { f, sink };
}

/** Lets operations (which run after the call returns) finish. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await tick();
}

const rpcCode = (code: number) => (err: unknown) => err instanceof RpcError && err.code === code;

describe('chainHead_v1_follow', () => {
  it('starts with initialized at the finalized head, with its runtime', async () => {
    const chain = new FakeChain(3);
    const { sink } = await follow(chain);
    assert.deepEqual(sink.events, [{ event: 'initialized', finalizedBlockHashes: [hashOf(3)], finalizedBlockRuntime: { type: 'valid', spec: RUNTIME_1 } }]);
  });

  it('reports each new block as newBlock, bestBlockChanged and finalized; newRuntime only when the runtime changes', async () => {
    const chain = new FakeChain(1);
    const { f, sink } = await follow(chain);
    chain.addBlock();
    const upgraded = { ...RUNTIME_1, specVersion: 2, apis: { ...RUNTIME_1.apis, '0xbc9d89904f5b923f': 1 } };
    chain.addBlock(true, {}, upgraded);
    await f.settled();
    assert.deepEqual(sink.events.slice(1), [
      { event: 'newBlock', blockHash: hashOf(2), parentBlockHash: hashOf(1), newRuntime: null },
      { event: 'bestBlockChanged', bestBlockHash: hashOf(2) },
      { event: 'finalized', finalizedBlockHashes: [hashOf(2)], prunedBlockHashes: [] },
      { event: 'newBlock', blockHash: hashOf(3), parentBlockHash: hashOf(2), newRuntime: { type: 'valid', spec: upgraded } },
      { event: 'bestBlockChanged', bestBlockHash: hashOf(3) },
      { event: 'finalized', finalizedBlockHashes: [hashOf(3)], prunedBlockHashes: [] },
    ]);
  });

  it('without withRuntime: no runtime fields, and chainHead_v1_call is refused with -32802', async () => {
    const chain = new FakeChain(1);
    const { f, sink } = await follow(chain, false);
    chain.addBlock();
    await f.settled();
    assert.deepEqual(sink.events[0], { event: 'initialized', finalizedBlockHashes: [hashOf(1)] });
    assert.deepEqual(sink.events[1], { event: 'newBlock', blockHash: hashOf(2), parentBlockHash: hashOf(1) });
    assert.throws(() => f.call(hashOf(2), 'Core_version', '0x'), rpcCode(ChainHeadCode.NO_RUNTIME));
  });

  it('fills blocks the feed skipped, in order, so every parent was reported before its child', async () => {
    const chain = new FakeChain(2);
    const { f, sink } = await follow(chain);
    chain.addBlock(false);
    chain.addBlock(false);
    chain.addBlock(true);
    await f.settled();
    const newBlocks = sink.events.filter((e) => e.event === 'newBlock').map((e) => e.blockHash);
    assert.deepEqual(newBlocks, [hashOf(3), hashOf(4), hashOf(5)]);
    assert.deepEqual(chain.calls.filter((c) => c.startsWith('blockAt')), ['blockAt 3', 'blockAt 4']);
  });

  it('ignores blocks at or below the head it reported (the head itself arriving from the feed)', async () => {
    const chain = new FakeChain(2);
    const { f, sink } = await follow(chain);
    for (const l of chain.listeners) l(chain.tip);
    await f.settled();
    assert.deepEqual(sink.names, ['initialized']);
  });

  it('stops (event stop, subscription closed) when a block does not extend the one before', async () => {
    const chain = new FakeChain(2);
    const { f, sink } = await follow(chain);
    for (const l of chain.listeners) l({ number: 3, hash: hashOf(3, 'c'), parentHash: hashOf(2, 'c') });
    await f.settled();
    assert.deepEqual(sink.names, ['initialized', 'stop']);
    assert.equal(sink.closed, true);
    assert.equal(chain.listeners.size, 0, 'no longer listens to blocks');
  });

  it('stops when it cannot read the head', async () => {
    const chain = new FakeChain(2);
    chain.head = async () => {
      throw new Error('no validator');
    };
    const { sink } = await follow(chain);
    assert.deepEqual(sink.names, ['stop']);
  });

  it('stops before a pinned block leaves the state window, or past the pin limit', async () => {
    const chain = new FakeChain(1);
    const { f, sink } = await follow(chain, true, { maxPinAge: 3 });
    for (let i = 0; i < 3; i++) chain.addBlock();
    await f.settled();
    assert.equal(sink.names.includes('stop'), false);
    f.unpin([hashOf(2)]);
    chain.addBlock();
    await f.settled();
    assert.equal(sink.names.at(-1), 'stop', 'block 1 is still pinned 4 blocks later');

    const c2 = new FakeChain(1);
    const m2 = await follow(c2, true, { maxPinned: 2 });
    c2.addBlock();
    c2.addBlock();
    await m2.f.settled();
    assert.equal(m2.sink.names.at(-1), 'stop');
  });
});

describe('chainHead_v1_unpin and chainHead_v1_header', () => {
  it('answers the header of a pinned block, -32801 for one never reported or unpinned', async () => {
    const chain = new FakeChain(2);
    const { f } = await follow(chain);
    assert.match(await f.header(hashOf(2)), /^0x/);
    await assert.rejects(f.header(hashOf(1)), rpcCode(ChainHeadCode.INVALID_BLOCK));
    f.unpin([hashOf(2)]);
    await assert.rejects(f.header(hashOf(2)), rpcCode(ChainHeadCode.INVALID_BLOCK));
  });

  it('unpins all or nothing: a duplicate is -32804, an unknown hash -32801, and nothing was unpinned', async () => {
    const chain = new FakeChain(1);
    const { f } = await follow(chain);
    chain.addBlock();
    await f.settled();
    assert.throws(() => f.unpin([hashOf(1), hashOf(1)]), rpcCode(ChainHeadCode.DUPLICATE_HASH));
    assert.throws(() => f.unpin([hashOf(1), hashOf(9)]), rpcCode(ChainHeadCode.INVALID_BLOCK));
    await f.header(hashOf(1));
    f.unpin([hashOf(1), hashOf(2)]);
    await assert.rejects(f.header(hashOf(1)));
  });
});

describe('chainHead_v1_body and chainHead_v1_call', () => {
  it('delivers a body as operationBodyDone on the follow subscription', async () => {
    const chain = new FakeChain(1);
    chain.mempool.add('0x0401');
    const { f, sink } = await follow(chain);
    chain.addBlock();
    await f.settled();
    const started = f.body(hashOf(2));
    assert.equal(started.result, 'started');
    await settle();
    const id = (started as { operationId: string }).operationId;
    assert.deepEqual(sink.of(id), [{ event: 'operationBodyDone', operationId: id, value: ['0x0401'] }]);
  });

  it('runs a runtime call: operationCallDone; an unknown API is operationError; discarded state is operationInaccessible', async () => {
    const chain = new FakeChain(2);
    const { f, sink } = await follow(chain);
    const ok = f.call(hashOf(2), 'Core_version', '0x') as { operationId: string };
    const bad = f.call(hashOf(2), 'Nope_nope', '0x') as { operationId: string };
    await settle();
    assert.deepEqual(sink.of(ok.operationId), [{ event: 'operationCallDone', operationId: ok.operationId, output: '0x0c' }]);
    assert.equal(sink.of(bad.operationId)[0]!.event, 'operationError');
    assert.match(String(sink.of(bad.operationId)[0]!.error), /Nope_nope/);
    chain.discarded.add(2);
    const gone = f.call(hashOf(2), 'Core_version', '0x') as { operationId: string };
    await settle();
    assert.deepEqual(sink.of(gone.operationId), [{ event: 'operationInaccessible', operationId: gone.operationId }]);
  });
});

describe('chainHead_v1_storage', () => {
  const K = (s: string) => `0xaa${s}`;

  async function withStore(writes: Record<string, string>, limits: Partial<FollowLimits> = {}) {
    const chain = new FakeChain(0);
    chain.addBlock(false, writes);
    const r = await follow(chain, true, limits);
    return { chain, ...r };
  }

  it('answers value and hash items present, omits absent ones, then operationStorageDone', async () => {
    const { f, sink } = await withStore({ [K('01')]: '0x1234', [K('02')]: '0x99' });
    const op = f.storage(hashOf(1), [
      { key: K('01'), type: 'value' },
      { key: K('02'), type: 'hash' },
      { key: K('03'), type: 'value' },
    ], null) as { operationId: string; discardedItems: number };
    assert.equal(op.discardedItems, 0);
    await settle();
    assert.deepEqual(sink.of(op.operationId), [
      { event: 'operationStorageItems', operationId: op.operationId, items: [{ key: K('01'), value: '0x1234' }, { key: K('02'), hash: toHex(blake2_256(fromHex('0x99'))) }] },
      { event: 'operationStorageDone', operationId: op.operationId },
    ]);
  });

  it('pages descendants, waiting for chainHead_v1_continue between pages', async () => {
    const writes: Record<string, string> = {};
    for (let i = 0; i < 5; i++) writes[K(`0${i}`)] = `0x0${i}`;
    writes['0xbb00'] = '0xff';
    const { f, sink } = await withStore(writes, { storagePageSize: 2 });
    const op = f.storage(hashOf(1), [{ key: '0xaa', type: 'descendantsValues' }], null) as { operationId: string };
    await settle();
    assert.deepEqual(sink.of(op.operationId).map((e) => e.event), ['operationStorageItems', 'operationWaitingForContinue']);
    f.continue('999'); // an unknown operation: ignored
    f.continue(op.operationId);
    await settle();
    f.continue(op.operationId);
    await settle();
    const events = sink.of(op.operationId);
    assert.deepEqual(events.map((e) => e.event), [
      'operationStorageItems', 'operationWaitingForContinue', 'operationStorageItems', 'operationWaitingForContinue', 'operationStorageItems', 'operationStorageDone',
    ]);
    const keys = events.flatMap((e) => ((e.items as Array<{ key: string }> | undefined) ?? []).map((i) => i.key));
    assert.deepEqual(keys, [K('00'), K('01'), K('02'), K('03'), K('04')]);
  });

  it('continue on an operation that is not waiting answers -32803', async () => {
    const { chain, f } = await withStore({ [K('01')]: '0x01' });
    let release!: () => void;
    chain.gate = new Promise<void>((r) => (release = r));
    const op = f.storage(hashOf(1), [{ key: '0xaa', type: 'descendantsHashes' }], null) as { operationId: string };
    await tick();
    assert.throws(() => f.continue(op.operationId), rpcCode(ChainHeadCode.NOT_WAITING));
    release();
  });

  it('stopOperation ends an operation waiting for continue: no more events for it', async () => {
    const writes: Record<string, string> = {};
    for (let i = 0; i < 4; i++) writes[K(`0${i}`)] = '0x01';
    const { f, sink } = await withStore(writes, { storagePageSize: 2 });
    const op = f.storage(hashOf(1), [{ key: '0xaa', type: 'descendantsValues' }], null) as { operationId: string };
    await settle();
    f.stopOperation(op.operationId);
    await settle();
    assert.deepEqual(sink.of(op.operationId).map((e) => e.event), ['operationStorageItems', 'operationWaitingForContinue']);
    // Its slots are free again.
    assert.equal(f.storage(hashOf(1), [{ key: K('00'), type: 'value' }], null).result, 'started');
  });

  it('takes as many items as it has operation slots: discardedItems, then limitReached', async () => {
    const { chain, f } = await withStore({ [K('01')]: '0x01' }, { maxOperations: 3 });
    let release!: () => void;
    chain.gate = new Promise<void>((r) => (release = r));
    const items = Array.from({ length: 5 }, () => ({ key: '0xaa', type: 'descendantsValues' as const }));
    const first = f.storage(hashOf(1), items, null);
    assert.deepEqual({ result: first.result, discarded: (first as { discardedItems: number }).discardedItems }, { result: 'started', discarded: 2 });
    assert.deepEqual(f.storage(hashOf(1), items, null), { result: 'limitReached' });
    assert.deepEqual(f.body(hashOf(1)), { result: 'limitReached' });
    release();
  });

  it('serves closestDescendantMerkleValue as a digest of what is under the key, changing with it', async () => {
    const chain = new FakeChain(0);
    chain.addBlock(false, { [K('01')]: '0x01', [K('02')]: '0x02' });
    chain.addBlock(false, {});
    chain.addBlock(false, { [K('02')]: '0x03' });
    const { f, sink } = await follow(chain);
    const digestAt = async (n: number) => {
      // Only the head is pinned by initialized: pin the others the way a client would see them.
      (f as unknown as { pinned: Map<string, number> }).pinned.set(hashOf(n), n);
      const op = f.storage(hashOf(n), [{ key: '0xaa', type: 'closestDescendantMerkleValue' }, { key: '0xcc', type: 'closestDescendantMerkleValue' }], null) as { operationId: string };
      await settle();
      const items = sink.of(op.operationId).flatMap((e) => (e.items as Array<{ key: string; closestDescendantMerkleValue: string }> | undefined) ?? []);
      assert.equal(items.length, 1, 'nothing under 0xcc: no item');
      return items[0]!.closestDescendantMerkleValue;
    };
    const [a, b, c] = [await digestAt(1), await digestAt(2), await digestAt(3)];
    assert.equal(a, b);
    assert.notEqual(b, c);
  });

  it('a child trie holds nothing here: started, then done', async () => {
    const { f, sink } = await withStore({ [K('01')]: '0x01' });
    const op = f.storage(hashOf(1), [{ key: K('01'), type: 'value' }], '0x1234') as { operationId: string };
    await settle();
    assert.deepEqual(sink.of(op.operationId).map((e) => e.event), ['operationStorageDone']);
  });

  it('reads at an unpinned block are refused with -32801', async () => {
    const { f } = await withStore({});
    assert.throws(() => f.storage(hashOf(0), [], null), rpcCode(ChainHeadCode.INVALID_BLOCK));
  });

  it('nothing is sent for operations once the subscription is disposed', async () => {
    const { f, sink } = await withStore({ [K('01')]: '0x01' });
    f.storage(hashOf(1), [{ key: K('01'), type: 'value' }], null);
    f.dispose();
    await settle();
    assert.deepEqual(sink.names, ['initialized']);
  });
});
