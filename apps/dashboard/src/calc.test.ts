import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { annualReturn, eraProgress, halvingThreshold, rates } from './calc.js';
import { fmtAmount, fmtDuration, parseBai } from './util.js';

const BAI = 10n ** 18n;

describe('amounts', () => {
  it('formats base units as BAI with grouping and at most the asked decimals', () => {
    assert.equal(fmtAmount(1_234_567_800_000_000_000_000n), '1,234.5678');
    assert.equal(fmtAmount('100000000000000000000000'), '100,000');
    assert.equal(fmtAmount(1_150_000_000_000_000n, 6), '0.00115');
    assert.equal(fmtAmount(-2n * BAI), '-2');
    // Dust shows as the smallest visible amount, never as zero.
    assert.equal(fmtAmount(1n, 4), '0.0001');
    assert.equal(fmtAmount(0n), '0');
  });

  it('parses BAI to base units exactly and refuses anything else in words', () => {
    assert.equal(parseBai('12.5'), 12_500_000_000_000_000_000n);
    assert.equal(parseBai(' 1,000 '), 1000n * BAI);
    assert.equal(parseBai('0.000000000000000001'), 1n);
    for (const bad of ['', 'abc', '1.2.3', '-1', '0.0000000000000000001', '1e3']) assert.throws(() => parseBai(bad), /Enter an amount in BAI/);
  });

  it('says durations in the unit people use', () => {
    assert.equal(fmtDuration(42_000), '42 s');
    assert.equal(fmtDuration(45 * 60_000), '45 min');
    assert.equal(fmtDuration(155 * 86_400_000), '155 days');
    assert.equal(fmtDuration(3 * 365.25 * 86_400_000), '3.0 years');
  });
});

describe('token and staking arithmetic', () => {
  it('puts halving k at the cap less cap/2^k', () => {
    const cap = 21_000_000n * BAI;
    assert.deepEqual([1, 2, 3].map((k) => halvingThreshold(cap, k)), [10_500_000n * BAI, 15_750_000n * BAI, 18_375_000n * BAI]);
  });

  it('annualises one era’s reward over its stake', () => {
    // 1 % per era, an era a day (86,400 one-second blocks): 365.25 % a year.
    assert.ok(Math.abs(annualReturn(BAI, 100n * BAI, 86_400, 1000) - 3.6525) < 1e-9);
    assert.equal(annualReturn(BAI, 0n, 10, 1000), 0);
  });

  it('reports era progress from the finalized height', () => {
    assert.deepEqual(eraProgress(11, 11, 10), { done: 1, left: 9, percent: 10 });
    assert.deepEqual(eraProgress(25, 11, 10), { done: 10, left: 0, percent: 100 });
    assert.deepEqual(eraProgress(5, 11, 10), { done: 0, left: 10, percent: 0 });
  });
});

describe('blocks and transfers per second', () => {
  const block = (number: number, timeMs: number, transfers = 0) => ({ number, timeMs, transfers });

  it('measures over the last blocks, fewer at the start, nothing across a gap', () => {
    const r = rates([block(1, 0), block(2, 1000, 2), block(3, 2000, 4), block(4, 3000), block(6, 5000, 1), block(7, 6000)], 2);
    assert.deepEqual(r.x, [0, 1, 2, 3, 5, 6]);
    // Block 3: blocks 2..3 over 2 s → 1 block/s, 6 transfers/2 s. Block 6: 4 → 6 is not contiguous.
    assert.deepEqual(r.blocksPerSecond, [null, null, 1, 1, null, null]);
    assert.deepEqual(r.transfersPerSecond, [null, null, 3, 2, null, null]);
  });

  it('counts only the blocks inside the window', () => {
    const list = Array.from({ length: 12 }, (_, i) => block(i + 1, i * 500, i === 0 ? 100 : 1));
    const r = rates(list, 10);
    // The last block: 10 blocks over 5 s, one transfer each (block 1's 100 are outside the window).
    assert.equal(r.blocksPerSecond.at(-1), 2);
    assert.equal(r.transfersPerSecond.at(-1), 2);
  });
});
