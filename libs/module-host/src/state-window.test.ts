import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { STATE_WINDOW, StateWindow } from './state-window.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DomainError);
    return `${err.code}/${err.kind}`;
  }
  return 'no error';
}

describe('StateWindow', () => {
  it('keeps the last 256 heights by default: older is STATE_DISCARDED, above the newest HEIGHT_NOT_COMMITTED', () => {
    const w = new StateWindow<{ h: number }>();
    assert.equal(w.capacity, STATE_WINDOW);
    for (let h = 0; h <= 300; h++) w.push(BigInt(h), { h });
    assert.equal(w.oldest, 45n);
    assert.equal(w.newest, 300n);
    assert.deepEqual(w.at(45n), { h: 45 });
    assert.deepEqual(w.at(300n), { h: 300 });
    assert.deepEqual(w.at(200n), { h: 200 });
    assert.equal(code(() => w.at(44n)), 'STATE_DISCARDED/conflict');
    assert.equal(code(() => w.at(0n)), 'STATE_DISCARDED/conflict');
    assert.equal(code(() => w.at(301n)), 'HEIGHT_NOT_COMMITTED/conflict');
  });

  it('starts at any height (the one loaded after a restart) and holds only that one until the next commit', () => {
    const w = new StateWindow<string>(4);
    assert.equal(code(() => w.at(0n)), 'HEIGHT_NOT_COMMITTED/conflict');
    w.push(1_000n, 'loaded');
    assert.equal(w.at(1_000n), 'loaded');
    assert.equal(code(() => w.at(999n)), 'STATE_DISCARDED/conflict');
    assert.equal(code(() => w.at(1_001n)), 'HEIGHT_NOT_COMMITTED/conflict');
    for (let h = 1_001n; h <= 1_005n; h++) w.push(h, `s${h}`);
    assert.deepEqual([w.oldest, w.newest], [1_002n, 1_005n]);
    assert.equal(w.at(1_002n), 's1002');
    assert.equal(code(() => w.at(1_001n)), 'STATE_DISCARDED/conflict');
  });

  it('refuses a height that does not follow the newest (a mislabelled state would be served as another block)', () => {
    const w = new StateWindow<number>(4);
    w.push(5n, 5);
    assert.equal(code(() => w.push(7n, 7)), 'MODULE_BUG/internal');
    assert.equal(code(() => w.push(5n, 5)), 'MODULE_BUG/internal');
    assert.equal(w.newest, 5n);
  });

  it('keeps heights past 2^53 exact', () => {
    const w = new StateWindow<number>(2);
    const big = 2n ** 60n;
    w.push(big, 1);
    w.push(big + 1n, 2);
    w.push(big + 2n, 3);
    assert.equal(w.at(big + 1n), 2);
    assert.equal(code(() => w.at(big)), 'STATE_DISCARDED/conflict');
  });
});
