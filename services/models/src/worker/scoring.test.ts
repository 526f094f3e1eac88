import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { scoreOf, shouldScore, weightsOf } from './scoring.js';

describe('scoring worker rules', () => {
  it('a provider that is down scores 0, a failing sample a quarter, latency costs 3 a millisecond', () => {
    assert.equal(scoreOf({ healthy: false, sampleOk: true, latencyMs: 1 }), 0);
    assert.equal(scoreOf({ healthy: true, sampleOk: false, latencyMs: 1 }), 16_384);
    assert.equal(scoreOf({ healthy: true, sampleOk: true, latencyMs: 0 }), 65_535);
    assert.equal(scoreOf({ healthy: true, sampleOk: true, latencyMs: 12.4 }), 65_535 - 36);
    assert.equal(scoreOf({ healthy: true, sampleOk: true, latencyMs: 60_000 }), 35_535);
  });

  it('weights go in ascending id order, at most maxWeights', () => {
    const r = new Map([
      [7, { healthy: true, sampleOk: true, latencyMs: 0 }],
      [2, { healthy: false, sampleOk: false, latencyMs: 0 }],
      [5, { healthy: true, sampleOk: false, latencyMs: 0 }],
    ]);
    assert.deepEqual(weightsOf(r, 10), [[2, 0], [5, 16_384], [7, 65_535]]);
    assert.deepEqual(weightsOf(r, 2), [[2, 0], [5, 16_384]]);
  });

  it('scores once per era, after its first block and before its last three', () => {
    const L = 15;
    assert.deepEqual(shouldScore(1, L, null), { score: false, era: 0 });
    assert.deepEqual(shouldScore(2, L, null), { score: true, era: 0 });
    assert.deepEqual(shouldScore(12, L, null), { score: true, era: 0 });
    assert.deepEqual(shouldScore(13, L, null), { score: false, era: 0 });
    assert.deepEqual(shouldScore(5, L, 0), { score: false, era: 0 });
    assert.deepEqual(shouldScore(17, L, 0), { score: true, era: 1 });
  });
});
