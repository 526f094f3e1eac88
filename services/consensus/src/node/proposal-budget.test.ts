import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProposalBudget } from './proposal-budget.js';

describe('proposal budget', () => {
  it('offers the protocol maximum until it has measured a block', () => {
    assert.equal(new ProposalBudget(400, 2_000, 64).limit, 2_000);
  });

  it('sizes proposals so that the measured cost fits the budget: fixed cost from small blocks, per-tx cost from large ones', () => {
    const b = new ProposalBudget(400, 2_000, 64, 1);
    b.observe(0, 100); // empty block: 100 ms fixed
    b.observe(1_000, 1_100); // 1 ms per tx on top
    assert.equal(b.limit, 300);
    b.observe(300, 100 + 300 * 3); // the machine got 3x slower (contention): smaller blocks
    assert.equal(b.limit, 100);
  });

  it('never goes below the minimum nor above the protocol limit, and ignores nonsense timings', () => {
    const b = new ProposalBudget(400, 2_000, 64, 1);
    b.observe(1_000, 100_000);
    assert.equal(b.limit, 64);
    b.observe(1_000, 1);
    assert.equal(b.limit, 2_000);
    b.observe(1_000, Number.NaN);
    b.observe(1_000, -5);
    assert.equal(b.limit, 2_000);
  });

  it('moves gradually with the default smoothing (one slow block does not halve the next proposal)', () => {
    const b = new ProposalBudget(400, 2_000, 64);
    b.observe(400, 400); // 1 ms per tx
    assert.equal(b.limit, 400);
    b.observe(400, 1_600); // one block at 4 ms per tx
    assert.ok(b.limit > 200 && b.limit < 400, String(b.limit));
  });
});

describe('pool capacity from the proposal limit', () => {
  it('holds one and a half proposals of txs, and never fewer than 1,024', async () => {
    const { poolCapacity } = await import('./consensus-node.js');
    assert.equal(poolCapacity(2_000), 3_000);
    assert.equal(poolCapacity(1_001), 1_501);
    assert.equal(poolCapacity(64), 1_024);
  });
});
