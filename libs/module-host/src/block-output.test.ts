import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockOutput } from './block-output.js';
import type { TransferOutput } from './state-machine.js';

describe('blockOutput', () => {
  it('prefixes error codes with the pallet, splits event type from data, maps transfers in order', () => {
    const out = blockOutput(
      'Bridge',
      {
        results: [
          { extrinsicIndex: 0 },
          { extrinsicIndex: 1, error: { code: 'BelowMinLock', message: 'too small' } },
          { extrinsicIndex: 2, error: null },
        ],
        events: [
          { event: { type: 'Locked', id: 7n, who: '0xaa' } as { type: string }, extrinsicIndex: 0 },
          { event: { type: 'Expired' }, extrinsicIndex: null },
        ],
        transfers: [{ n: 1n }, { n: 2n }],
      },
      (t): TransferOutput => ({ kind: 'mint', to: '0xbb', amount: t.n }),
    );
    assert.deepEqual(out, {
      results: [
        { extrinsicIndex: 0, success: true },
        { extrinsicIndex: 1, success: false, errorCode: 'Bridge.BelowMinLock', errorMessage: 'too small' },
        { extrinsicIndex: 2, success: true },
      ],
      events: [
        { name: 'Locked', data: { id: 7n, who: '0xaa' }, extrinsicIndex: 0 },
        { name: 'Expired', data: {}, extrinsicIndex: null },
      ],
      transfers: [
        { kind: 'mint', to: '0xbb', amount: 1n },
        { kind: 'mint', to: '0xbb', amount: 2n },
      ],
    });
  });
});
