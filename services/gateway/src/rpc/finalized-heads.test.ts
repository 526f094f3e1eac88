import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FinalizedHeads } from './finalized-heads.js';
import { chainData, FakeBlockSource, FakeConsensus, testChain } from './testing.js';

const numbers = (seen: Array<{ number: number }>) => seen.map((h) => h.number);

describe('FinalizedHeads', () => {
  it('publishes each streamed block once, in order, with its header JSON serialised once', async () => {
    const blocks = testChain(6);
    const source = new FakeBlockSource();
    const heads = new FinalizedHeads(source, chainData(new FakeConsensus(blocks)));
    const seen: Array<{ number: number; headerJson: string }> = [];
    heads.subscribe((h) => seen.push(h));
    for (const n of [1, 2, 2, 1, 3]) source.push(blocks[n]!);
    await heads.settled();
    assert.deepEqual(numbers(seen), [1, 2, 3]);
    assert.equal(JSON.parse(seen[2]!.headerJson).parentHash, blocks[2]!.hash);
    assert.equal(heads.latest?.hash, blocks[3]!.hash);
  });

  it("starts from the validator's head when asked before the stream, and fills the blocks up to the stream's first", async () => {
    const blocks = testChain(8);
    const consensus = new FakeConsensus(blocks.slice(0, 4));
    const source = new FakeBlockSource();
    const heads = new FinalizedHeads(source, chainData(consensus));
    const seen: Array<{ number: number }> = [];
    heads.subscribe((h) => seen.push(h));
    assert.equal((await heads.current()).number, 3);
    // The chain moved on meanwhile; the stream's first block is #7.
    consensus.blocks.push(...blocks.slice(4));
    source.push(blocks[7]!);
    await heads.settled();
    assert.deepEqual(numbers(seen), [3, 4, 5, 6, 7]);
  });

  it('skips what a seeded head is already past', async () => {
    const blocks = testChain(5);
    const source = new FakeBlockSource();
    const heads = new FinalizedHeads(source, chainData(new FakeConsensus(blocks)));
    const seen: Array<{ number: number }> = [];
    heads.subscribe((h) => seen.push(h));
    await heads.current();
    source.push(blocks[3]!);
    source.push(blocks[4]!);
    await heads.settled();
    assert.deepEqual(numbers(seen), [4]);
  });

  it('keeps publishing when a listener throws, and stops feeding one that unsubscribed', async () => {
    const blocks = testChain(4);
    const source = new FakeBlockSource();
    const warnings: string[] = [];
    const heads = new FinalizedHeads(source, chainData(new FakeConsensus(blocks)), (m) => warnings.push(m));
    heads.subscribe(() => {
      throw new Error('boom');
    });
    const seen: Array<{ number: number }> = [];
    const stop = heads.subscribe((h) => seen.push(h));
    source.push(blocks[1]!);
    await heads.settled();
    stop();
    source.push(blocks[2]!);
    await heads.settled();
    assert.deepEqual(numbers(seen), [1]);
    assert.equal(warnings.length, 2);
  });
});
