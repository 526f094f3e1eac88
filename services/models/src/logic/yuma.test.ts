import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { consensusScores, proRata, stakeWeightedMedian, type ValidatorVote } from './yuma.js';

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
    const votes: ValidatorVote[] = [
      { stake: 100n, scores: [[0, 1_000], [1, 65_535]] },
      { stake: 100n, scores: [[0, 2_000], [1, 0]] },
      { stake: 50n, scores: [[0, 60_000]] },
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
    const votes: ValidatorVote[] = [
      { stake: 0n, scores: [[0, 10]] },
      { stake: 0n, scores: [[0, 20]] },
      { stake: 0n, scores: [[0, 30]] },
    ];
    assert.deepEqual(consensusScores(votes, [0]).get(0), { consensus: 20, weight: 10n + 20n + 20n });
  });

  it('a minority validator inflating a score cannot raise the weight past the majority', () => {
    const honest: ValidatorVote = { stake: 300n, scores: [[0, 100], [1, 100]] };
    const liar: ValidatorVote = { stake: 100n, scores: [[0, 65_535], [1, 0]] };
    const s = consensusScores([honest, liar], [0, 1]);
    assert.deepEqual(s.get(0), { consensus: 100, weight: 300n * 100n + 100n * 100n });
    assert.deepEqual(s.get(1), { consensus: 100, weight: 300n * 100n });
  });
});

describe('consensusScores against the plain definition', () => {
  it('agrees with stakeWeightedMedian + the clipped sum on pseudo-random votes, ties and zero scores included', () => {
    let x = 7;
    const next = () => ((x = (x * 1_103_515_245 + 12_345) % 2_147_483_648), x);
    for (let round = 0; round < 40; round++) {
      const n = 1 + (next() % 12);
      const providers = Array.from({ length: 1 + (next() % 9) }, (_, i) => i * 3 + (next() % 3));
      const votes: ValidatorVote[] = Array.from({ length: n }, () => ({
        stake: round % 7 === 0 ? 0n : BigInt(next() % 5) * 10n ** 18n + BigInt(next() % 1000),
        scores: providers.filter(() => next() % 4 !== 0).map((p): [number, number] => [p, next() % 5 === 0 ? 65_535 : next() % 8]),
      }));
      const got = consensusScores(votes, providers);
      const staked = votes.reduce((s, v) => s + v.stake, 0n);
      for (const p of providers) {
        const pairs = votes.map((v): [number, bigint] => [v.scores.find(([q]) => q === p)?.[1] ?? 0, staked === 0n ? 1n : v.stake]);
        const consensus = stakeWeightedMedian(pairs);
        const weight = pairs.reduce((s, [score, stake]) => s + stake * BigInt(Math.min(score, consensus)), 0n);
        assert.deepEqual(got.get(p), { consensus, weight }, `round ${round}, provider ${p}`);
      }
    }
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
