import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consensusScores, proRata, stakeWeightedMedian } from './yuma.js';

describe('stakeWeightedMedian', () => {
  it('is the largest score backed by more than half the stake', () => {
    assert.equal(stakeWeightedMedian([[10, 1n], [20, 1n], [30, 1n]]), 20);
    // exactly half the stake at 20 is not enough to raise it
    assert.equal(stakeWeightedMedian([[10, 1n], [20, 1n]]), 10);
    // one whale decides
    assert.equal(stakeWeightedMedian([[65_535, 51n], [0, 49n]]), 65_535);
    assert.equal(stakeWeightedMedian([[65_535, 49n], [0, 51n]]), 0);
    // stake, not head count
    assert.equal(stakeWeightedMedian([[100, 10n], [5, 3n], [6, 3n], [7, 3n]]), 100);
    assert.equal(stakeWeightedMedian([]), 0);
    assert.equal(stakeWeightedMedian([[9, 0n]]), 0);
  });
});

describe('consensusScores', () => {
  it('clips scores above the median and weighs by stake (exact integers)', () => {
    const votes = [
      { stake: 100n, scores: new Map([[0, 1_000], [1, 65_535]]) },
      { stake: 100n, scores: new Map([[0, 2_000], [1, 0]]) },
      { stake: 50n, scores: new Map([[0, 60_000]]) },
    ];
    const s = consensusScores(votes, [0, 1, 2]);
    // provider 0: scores 1000@100, 2000@100, 60000@50; total 250: ≥60000 holds 50, ≥2000 holds 150 > 125 → 2000
    // weight = 100·1000 + 100·2000 + 50·min(60000, 2000) = 100000 + 200000 + 100000
    assert.deepEqual(s.get(0), { consensus: 2_000, weight: 400_000n });
    // provider 1: 65535@100, 0@100, 0@50 → ≥65535 holds 100 of 250 → 0; everything clipped to 0
    assert.deepEqual(s.get(1), { consensus: 0, weight: 0n });
    // provider 2: nobody scored it
    assert.deepEqual(s.get(2), { consensus: 0, weight: 0n });
  });

  it('counts each voter once when no voter has stake', () => {
    const votes = [
      { stake: 0n, scores: new Map([[0, 10]]) },
      { stake: 0n, scores: new Map([[0, 20]]) },
      { stake: 0n, scores: new Map([[0, 30]]) },
    ];
    assert.deepEqual(consensusScores(votes, [0]).get(0), { consensus: 20, weight: 10n + 20n + 20n });
  });

  it('a minority validator inflating a score cannot raise the weight past the majority', () => {
    const honest = { stake: 300n, scores: new Map([[0, 100], [1, 100]]) };
    const liar = { stake: 100n, scores: new Map([[0, 65_535], [1, 0]]) };
    const s = consensusScores([honest, liar], [0, 1]);
    assert.deepEqual(s.get(0), { consensus: 100, weight: 300n * 100n + 100n * 100n });
    assert.deepEqual(s.get(1), { consensus: 100, weight: 300n * 100n });
  });
});

describe('proRata', () => {
  it('floors each share; the remainder stays; never more than the fund', () => {
    assert.deepEqual(proRata(100n, [[0, 1n], [1, 1n], [2, 1n]]), [[0, 33n], [1, 33n], [2, 33n]]);
    assert.deepEqual(proRata(10n ** 21n + 7n, [[4, 3n], [9, 0n], [5, 1n]]), [[4, 750_000_000_000_000_000_005n], [5, 250_000_000_000_000_000_001n]]);
    assert.deepEqual(proRata(100n, [[0, 0n]]), []);
    assert.deepEqual(proRata(0n, [[0, 5n]]), []);
    // a share that floors to 0 is not paid
    assert.deepEqual(proRata(2n, [[0, 1n], [1, 1_000n]]), [[1, 1n]]);
  });
});
