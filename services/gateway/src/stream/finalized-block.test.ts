import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { consensusV1 } from '@balanceai/contracts';
import { blockMessage, chainStreamName, finalizedBlocksSubject, parseFinalizedNotice } from './finalized-block.js';

const HASH = `0x${'AA'.repeat(32)}`;

describe('finalized block stream naming', () => {
  it('derives the subject and the stream name from the chain id', () => {
    assert.equal(finalizedBlocksSubject('balanceai-dev'), 'bai.balanceai-dev.blocks.finalized');
    assert.equal(chainStreamName('balanceai-dev'), 'BAI_BALANCEAI_DEV');
    assert.equal(chainStreamName('Main_1'), 'BAI_MAIN_1');
  });
});

describe('parseFinalizedNotice', () => {
  it('keeps only the height and the lower-cased hash', () => {
    assert.deepEqual(parseFinalizedNotice(JSON.stringify({ number: 7, hash: HASH, parentHash: 'x', secret: 1 })), { number: 7, hash: HASH.toLowerCase() });
    assert.deepEqual(parseFinalizedNotice(JSON.stringify({ number: '7', hash: HASH })), { number: 7, hash: HASH.toLowerCase() });
  });

  it('drops malformed payloads and heights it cannot represent', () => {
    for (const payload of ['not json', 'null', '[]', JSON.stringify({ number: 7, hash: '0x12' }), JSON.stringify({ number: -1, hash: HASH }),
      JSON.stringify({ number: '18446744073709551615', hash: HASH }), JSON.stringify({ number: 1.5, hash: HASH }), JSON.stringify({ hash: HASH })]) {
      assert.equal(parseFinalizedNotice(payload), undefined, payload);
    }
  });
});

describe('blockMessage', () => {
  const response = {
    number: '7', hash: HASH, parentHash: `0x${'bb'.repeat(32)}`, timeMs: '1700000000000', proposerIndex: 1, round: 2,
    extrinsics: [{}, {}], stateRoot: `0x${'00'.repeat(32)}`,
  } as unknown as consensusV1.GetBlockResponse;

  it("builds the WebSocket message from the validator's block", () => {
    assert.deepEqual(blockMessage(response), {
      type: 'block', number: 7, hash: HASH.toLowerCase(), parentHash: `0x${'bb'.repeat(32)}`, timeMs: 1_700_000_000_000,
      extrinsicCount: 2, proposerIndex: 1, round: 2,
    });
  });

  it('refuses a block whose height or hashes are not sane', () => {
    assert.equal(blockMessage({ ...response, number: '18446744073709551615' }), undefined);
    assert.equal(blockMessage({ ...response, hash: '0x' }), undefined);
  });
});
