import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { FinalizedHeads } from './finalized-heads.js';
import { StorageWatch } from './storage-watch.js';
import { chainData, FakeBlockSource, FakeConsensus, RecordingSink, testChain } from './testing.js';

/** Storage per block number; ReadStorage answers from it at the requested block. */
function setup(states: Array<Record<string, string>>) {
  const blocks = testChain(states.length);
  const consensus = new FakeConsensus(blocks.slice(0, 1));
  let failNext = false;
  consensus.handlers.set('readStorage', (req) => {
    if (failNext) {
      failNext = false;
      throw new DomainError('NODE_UNAVAILABLE', 'down', 'unavailable');
    }
    const at = (req.at as string) || consensus.blocks.at(-1)!.hash;
    const n = blocks.findIndex((b) => b.hash === at);
    const state = states[n]!;
    return {
      at,
      height: String(n),
      entries: (req.keys as string[]).map((key) => ({ key, present: key in state, value: state[key] ?? '' })),
    } satisfies consensusV1.ReadStorageResponse;
  });
  const source = new FakeBlockSource();
  const heads = new FinalizedHeads(source, chainData(consensus));
  const watch = new StorageWatch(heads, chainData(consensus));
  const finalize = async (n: number) => {
    consensus.blocks.push(blocks[n]!);
    source.push(blocks[n]!);
    await heads.settled();
    await watch.settled();
  };
  return { blocks, consensus, watch, finalize, failNext: () => (failNext = true) };
}

describe('StorageWatch', () => {
  it('sends every key first, then only what changed, with the block it changed in', async () => {
    const { blocks, watch, finalize } = setup([{ '0xaa': '0x01' }, { '0xaa': '0x01' }, { '0xaa': '0x02', '0xbb': '0x09' }, {}]);
    const sink = new RecordingSink();
    watch.watch(['0xaa', '0xbb'], sink);
    await watch.settled();
    for (const n of [1, 2, 3]) await finalize(n);
    assert.deepEqual(sink.results, [
      { block: blocks[0]!.hash, changes: [['0xaa', '0x01'], ['0xbb', null]] },
      { block: blocks[2]!.hash, changes: [['0xaa', '0x02'], ['0xbb', '0x09']] },
      { block: blocks[3]!.hash, changes: [['0xaa', null], ['0xbb', null]] },
    ]);
  });

  it('reads the union of every subscriber in one call per block', async () => {
    const { consensus, watch, finalize } = setup([{}, { '0xaa': '0x01' }, { '0xaa': '0x01', '0xbb': '0x02' }]);
    const sinks = [new RecordingSink('a'), new RecordingSink('b'), new RecordingSink('c')];
    watch.watch(['0xaa'], sinks[0]!);
    watch.watch(['0xaa', '0xbb'], sinks[1]!);
    watch.watch(['0xbb'], sinks[2]!);
    await watch.settled();
    const before = consensus.count('readStorage');
    await finalize(1);
    await finalize(2);
    assert.equal(consensus.count('readStorage'), before + 2);
    assert.deepEqual(consensus.calls.at(-1)![1].keys, ['0xaa', '0xbb']);
    assert.equal(sinks[2]!.results.length, 2);
    assert.equal(sinks[0]!.results.length, 2);
  });

  it('loses no change when a read fails: the next block reports it', async () => {
    const { blocks, watch, finalize, failNext } = setup([{ '0xaa': '0x01' }, { '0xaa': '0x02' }, { '0xaa': '0x02' }]);
    const sink = new RecordingSink();
    watch.watch(['0xaa'], sink);
    await watch.settled();
    failNext();
    await finalize(1);
    await finalize(2);
    assert.deepEqual(sink.results.slice(1), [{ block: blocks[2]!.hash, changes: [['0xaa', '0x02']] }]);
  });

  it('stops reading for a subscriber that left', async () => {
    const { consensus, watch, finalize } = setup([{}, {}]);
    const stop = watch.watch(['0xaa'], new RecordingSink());
    await watch.settled();
    stop();
    const before = consensus.count('readStorage');
    await finalize(1);
    assert.equal(consensus.count('readStorage'), before);
  });
});
