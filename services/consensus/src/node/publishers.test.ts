import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { publishesBlock } from './consensus-node.js';

const publishers = (proposer: number, n: number) => Array.from({ length: n }, (_, i) => i).filter((i) => publishesBlock(i, proposer, n));

describe('who publishes a finalized block on the event stream', () => {
  it('its proposer and the f validators after it, wrapping around: f + 1 of them', () => {
    assert.deepEqual(publishers(0, 4), [0, 1]);
    assert.deepEqual(publishers(3, 4), [0, 3]);
    assert.deepEqual(publishers(5, 7), [0, 5, 6]);
    assert.deepEqual(publishers(0, 1), [0]);
    assert.deepEqual(publishers(2, 3), [2]);
  });
});
