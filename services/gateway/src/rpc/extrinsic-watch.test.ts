import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoReady, encodeTransfer, fromHex, IMMORTAL, keyFromUri, mortalEra, signExtrinsic, toHex, type Era } from '@balanceai/chain';
import { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { ExtrinsicWatch, hashOf } from './extrinsic-watch.js';
import { FinalizedHeads } from './finalized-heads.js';
import { chainData, FakeBlockSource, FakeConsensus, RecordingSink, testChain } from './testing.js';

function xt(nonce: number, era: Era = IMMORTAL): string {
  const genesis = fromHex(`0x${'00'.repeat(32)}`);
  const call = encodeTransfer('keep_alive', new Uint8Array(32), 1n);
  return toHex(signExtrinsic(keyFromUri('//Alice', 'ed25519'), call, { era, nonce, tip: 0n }, { specVersion: 1, transactionVersion: 1, genesisHash: genesis, birthHash: genesis }));
}

function setup(options: ConstructorParameters<typeof ExtrinsicWatch>[2] = {}) {
  const blocks = testChain(40);
  const consensus = new FakeConsensus(blocks.slice(0, 2));
  const mempool = new Set<string>();
  let answerSubmit: (() => void) | undefined;
  let gate: Promise<void> | undefined;
  consensus.handlers.set('submitExtrinsic', async (req) => {
    if (gate) await gate;
    const hash = hashOf(req.extrinsic as string);
    mempool.add(hash);
    return { hash };
  });
  consensus.handlers.set('getExtrinsic', (req) => ({
    state: mempool.has(req.hash as string) ? consensusV1.ExtrinsicState.EXTRINSIC_STATE_PENDING : consensusV1.ExtrinsicState.EXTRINSIC_STATE_UNKNOWN,
  }));
  const source = new FakeBlockSource();
  const heads = new FinalizedHeads(source, chainData(consensus));
  const watch = new ExtrinsicWatch(heads, chainData(consensus), options);
  let next = 2;
  const finalize = async (included: string[] = []) => {
    const block = { ...blocks[next++]!, extrinsics: included.map((hash, index) => ({ hash, index })) } as unknown as consensusV1.GetBlockResponse;
    consensus.blocks.push(block);
    source.push(block);
    await heads.settled();
    await new Promise((resolve) => setImmediate(resolve));
    return block;
  };
  return {
    consensus,
    watch,
    finalize,
    mempool,
    holdSubmissions: () => (gate = new Promise((resolve) => (answerSubmit = resolve))),
    releaseSubmissions: () => answerSubmit?.(),
  };
}

describe('ExtrinsicWatch', () => {
  it('sends ready, inBlock with the including block, and finalized with the next head; then ends', async () => {
    await cryptoReady();
    const { watch, finalize } = setup();
    const sink = new RecordingSink();
    const bytes = xt(0);
    await watch.submitAndWatch(bytes, sink);
    assert.deepEqual(watch.pending(), [bytes]);
    const block = await finalize([hashOf(bytes)]);
    assert.deepEqual(sink.results, ['ready', { inBlock: block.hash }]);
    assert.deepEqual(watch.pending(), []);
    await finalize();
    assert.deepEqual(sink.results, ['ready', { inBlock: block.hash }, { finalized: block.hash }]);
    assert.equal(sink.closed, true);
  });

  it('keeps statuses that come before the submission is answered for after ready', async () => {
    const { watch, finalize, holdSubmissions, releaseSubmissions } = setup();
    const sink = new RecordingSink();
    const bytes = xt(1);
    holdSubmissions();
    const watching = watch.submitAndWatch(bytes, sink);
    const block = await finalize([hashOf(bytes)]);
    await finalize();
    assert.deepEqual(sink.results, []);
    releaseSubmissions();
    await watching;
    assert.deepEqual(sink.results, ['ready', { inBlock: block.hash }, { finalized: block.hash }]);
    assert.equal(sink.closed, true);
  });

  it('throws the refusal and forgets the extrinsic', async () => {
    const { watch, consensus } = setup();
    consensus.handlers.set('submitExtrinsic', () => {
      throw new DomainError('STALE_NONCE', 'nonce too low', 'conflict');
    });
    const sink = new RecordingSink();
    await assert.rejects(watch.submitAndWatch(xt(2), sink), (e: DomainError) => e.code === 'STALE_NONCE');
    assert.deepEqual(sink.results, []);
    assert.deepEqual(watch.pending(), []);
  });

  it('names the hash of an extrinsic already imported (1013 data)', async () => {
    const { watch, consensus } = setup();
    consensus.handlers.set('submitExtrinsic', () => {
      throw new DomainError('ALREADY_IMPORTED', 'already in the pool', 'conflict');
    });
    const bytes = xt(3);
    await assert.rejects(watch.submit(bytes), (e: DomainError) => e.details?.hash === hashOf(bytes));
  });

  it('reports invalid once the mortal era has passed, and dropped after two polls miss it and the validator refuses it again', async () => {
    const { watch, finalize, mempool, consensus } = setup({ pollEveryBlocks: 2 });
    const mortal = new RecordingSink('mortal');
    const lost = new RecordingSink('lost');
    await watch.submitAndWatch(xt(4, mortalEra(1, 4)), mortal);
    const lostBytes = xt(5);
    await watch.submitAndWatch(lostBytes, lost);
    mempool.delete(hashOf(lostBytes));
    consensus.handlers.set('submitExtrinsic', () => {
      throw new DomainError('STALE_NONCE', 'Transaction is outdated', 'conflict');
    });
    for (let i = 0; i < 8; i++) await finalize();
    assert.deepEqual(mortal.results, ['ready', 'invalid']);
    assert.deepEqual(lost.results, ['ready', 'dropped']);
    assert.deepEqual(watch.pending(), []);
  });

  it('hands an extrinsic the validator lost (it died before gossiping it) to the validator again, and follows it to finalized', async () => {
    const { watch, finalize, mempool, consensus } = setup({ pollEveryBlocks: 2 });
    const sink = new RecordingSink('resent');
    const bytes = xt(6);
    await watch.submitAndWatch(bytes, sink);
    mempool.delete(hashOf(bytes));
    const before = consensus.count('submitExtrinsic');
    for (let i = 0; i < 6; i++) await finalize();
    assert.equal(consensus.count('submitExtrinsic'), before + 1, 'resubmitted once, then held again');
    assert.deepEqual(sink.results, ['ready']);
    const block = await finalize([hashOf(bytes)]);
    await finalize();
    assert.deepEqual(sink.results, ['ready', { inBlock: block.hash }, { finalized: block.hash }]);
  });
});
