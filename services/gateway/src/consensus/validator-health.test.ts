import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type StatusSample, ValidatorHealthBook } from './validator-health.js';

const URLS = ['a:1', 'b:1', 'c:1'];
const policy = { staleAfterMs: 5000, maxLagBlocks: 5 };
const at = (height: number, extra: Partial<{ syncing: boolean; serving: boolean }> = {}): StatusSample => ({
  kind: 'status',
  height,
  syncing: false,
  serving: true,
  ...extra,
});

/** Each validator reports its height once a second for `seconds`; `stuck` ones stay at `from`. */
function run(book: ValidatorHealthBook, from: number, seconds: number, stuck: number[], startMs = 0): number {
  let now = startMs;
  for (let s = 0; s <= seconds; s++) {
    now = startMs + s * 1000;
    URLS.forEach((_, i) => book.record(i, at(stuck.includes(i) ? from : from + s), now));
  }
  return now;
}

describe('ValidatorHealthBook', () => {
  it('uses the first configured validator while all advance together', () => {
    const book = new ValidatorHealthBook(URLS, policy);
    const now = run(book, 10, 3, []);
    assert.equal(book.choose(now), 0);
    assert.deepEqual(book.views(now).map((v) => [v.state, v.advancing, v.chosen]), [
      ['healthy', true, true],
      ['healthy', true, false],
      ['healthy', true, false],
    ]);
  });

  it('leaves a validator that still answers but whose height stopped while the others go on', () => {
    const book = new ValidatorHealthBook(URLS, policy);
    assert.equal(book.choose(run(book, 10, 2, [])), 0);
    // Validator 0 halts at 12 (it keeps answering GetChainStatus); the others go on.
    let now = 2000;
    for (let s = 1; s <= 6; s++) {
      now = 2000 + s * 1000;
      book.record(0, at(12), now);
      book.record(1, at(12 + s), now);
      book.record(2, at(12 + s), now);
    }
    assert.equal(book.stateOf(0, now), 'behind');
    assert.notEqual(book.choose(now), 0);
    assert.equal(book.callOrder(now).at(-1), 0);
    const view = book.views(now)[0]!;
    assert.deepEqual([view.height, view.advancing, view.chosen], [12, false, false]);
  });

  it('calls a validator stale once it has lagged without moving for staleAfterMs, even within maxLagBlocks', () => {
    const book = new ValidatorHealthBook(URLS, { staleAfterMs: 5000, maxLagBlocks: 100 });
    book.record(0, at(10), 0);
    book.record(1, at(10), 0);
    book.record(2, at(10), 0);
    book.record(1, at(11), 4000);
    assert.equal(book.stateOf(0, 4000), 'healthy');
    book.record(1, at(12), 6000);
    assert.equal(book.stateOf(0, 6000), 'stale');
    assert.equal(book.choose(6000), 1);
  });

  it('keeps serving from validators that are all stuck at the same height (the whole chain stopped)', () => {
    const book = new ValidatorHealthBook(URLS, policy);
    const now = run(book, 10, 20, [0, 1, 2]);
    assert.equal(book.choose(now), 0);
    assert.ok(book.views(now).every((v) => v.state === 'healthy' && !v.advancing));
  });

  it('never chooses a validator that reports syncing, is halted or does not answer', () => {
    const book = new ValidatorHealthBook(URLS, policy);
    book.record(0, at(10, { syncing: true }), 0);
    book.record(1, at(10, { serving: false }), 0);
    book.record(2, { kind: 'unreachable', reason: 'DEADLINE_EXCEEDED' }, 0);
    assert.deepEqual(book.views(0).map((v) => v.state), ['syncing', 'halted', 'unreachable']);
    assert.equal(book.choose(0), undefined);
    assert.equal(book.views(0)[2]!.reason, 'DEADLINE_EXCEEDED');
    // Still callable as a last resort, the unreachable one last.
    assert.equal(book.callOrder(0).at(-1), 2);
  });

  it('sticks with the chosen validator while it stays healthy, even when another is one block ahead', () => {
    const book = new ValidatorHealthBook(URLS, policy);
    book.record(0, at(10), 0);
    book.record(1, at(11), 0);
    book.record(2, at(9), 0);
    assert.equal(book.choose(0), 1);
    book.record(0, at(12), 1000);
    book.record(1, at(12), 1000);
    assert.equal(book.choose(1000), 1);
    book.record(1, { kind: 'unreachable', reason: 'UNAVAILABLE' }, 1500);
    assert.equal(book.choose(1500), 0);
    assert.deepEqual(book.callOrder(1500), [0, 2, 1]);
  });

  it('tries validators in configured order before any poll, and knows no best height', () => {
    const book = new ValidatorHealthBook(URLS, policy);
    assert.equal(book.sampled, false);
    assert.deepEqual(book.callOrder(0), [0, 1, 2]);
    assert.equal(book.bestHeight(), undefined);
    assert.deepEqual(book.views(0).map((v) => v.state), ['unknown', 'unknown', 'unknown']);
  });
});
