import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ACCOUNTS, defaultAccounts, defaultConnections } from './load-defaults.js';

describe('transfers defaults', () => {
  it('gives each account at most one transfer per second offered, and at most 48 over the window below the cap', () => {
    for (const [rate, seconds] of [[300, 60], [1_500, 30], [1_500, 60], [3_000, 30]] as const) {
      const accounts = defaultAccounts(rate, seconds);
      assert.ok(rate / accounts <= 1, `${rate}/s: ${accounts} accounts`);
      assert.ok((rate * seconds) / accounts <= 48, `${rate}/s for ${seconds} s: ${accounts} accounts`);
    }
    assert.equal(defaultAccounts(10, 10), 200);
    assert.equal(defaultAccounts(4_500, 60), MAX_ACCOUNTS);
  });

  it('offers rate / 4 requests in flight within 128..2048, split over pipelined connections', () => {
    assert.equal(defaultConnections(300, 1), 128);
    assert.equal(defaultConnections(4_500, 1), 1_125);
    assert.equal(defaultConnections(4_500, 8), 141);
    assert.equal(defaultConnections(100_000, 1), 2_048);
  });
});
