import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chainStreamName, finalizedBlocksSubject, parseFinalizedBlock, RecentHashes } from './finalized-block.js';

const block = {
  number: 7,
  hash: `0x${'AA'.repeat(32)}`,
  parentHash: `0x${'bb'.repeat(32)}`,
  timeMs: 1_700_000_000_000,
  extrinsicCount: 2,
  proposerIndex: 1,
  round: 0,
};

describe('finalized block stream naming', () => {
  it('derives the subject and the stream name from the chain id', () => {
    assert.equal(finalizedBlocksSubject('balanceai-dev'), 'bai.balanceai-dev.blocks.finalized');
    assert.equal(chainStreamName('balanceai-dev'), 'BAI_BALANCEAI_DEV');
    assert.equal(chainStreamName('Main_1'), 'BAI_MAIN_1');
  });
});

describe('parseFinalizedBlock', () => {
  it('keeps the contract fields, lower-cases hashes and drops extra ones', () => {
    const parsed = parseFinalizedBlock(JSON.stringify({ ...block, stateRoot: '0x00', validatorSecret: 'x' }));
    assert.deepEqual(parsed, { type: 'block', ...block, hash: block.hash.toLowerCase() });
  });

  it('accepts uint64 fields published as decimal strings', () => {
    const parsed = parseFinalizedBlock(JSON.stringify({ ...block, number: '7', timeMs: String(block.timeMs) }));
    assert.equal(parsed?.number, 7);
    assert.equal(parsed?.timeMs, block.timeMs);
  });

  it('drops malformed payloads instead of forwarding them', () => {
    assert.equal(parseFinalizedBlock('not json'), undefined);
    assert.equal(parseFinalizedBlock('null'), undefined);
    assert.equal(parseFinalizedBlock(JSON.stringify({ ...block, hash: '0x12' })), undefined);
    assert.equal(parseFinalizedBlock(JSON.stringify({ ...block, number: -1 })), undefined);
    assert.equal(parseFinalizedBlock(JSON.stringify({ ...block, round: undefined })), undefined);
  });
});

describe('RecentHashes', () => {
  it('reports a hash as new once, and forgets the oldest beyond its capacity', () => {
    const recent = new RecentHashes(2);
    assert.equal(recent.add('a'), true);
    assert.equal(recent.add('a'), false);
    recent.add('b');
    recent.add('c');
    assert.equal(recent.add('b'), false);
    assert.equal(recent.add('a'), true);
  });
});
