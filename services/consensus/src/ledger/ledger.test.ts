import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger } from './ledger.js';

const A = '0x' + '01'.repeat(32);
const B = '0x' + '02'.repeat(32);
const C = '0x' + '03'.repeat(32);

describe('ledger drafts', () => {
  it('keeps the live ledger unchanged while a block executes on a draft, and adopts it whole', () => {
    const live = Ledger.fromBalances([{ id: A, free: 100n }, { id: B, free: 50n }], 1n);
    const before = live.root();
    const draft = live.draft();
    draft.set(A, { ...draft.get(A), free: 40n, nonce: 1 });
    draft.set(C, { free: 60n, reserved: 0n, nonce: 0 });
    draft.set(B, { free: 0n, reserved: 0n, nonce: 0 }); // reaped
    draft.totalIssuance += 0n;
    assert.equal(live.get(A).free, 100n, 'a reader of the live ledger sees the committed balance');
    assert.equal(live.exists(C), false);
    assert.deepEqual(live.root(), before);
    assert.equal(draft.get(A).free, 40n);
    assert.equal(draft.exists(B), false);
    assert.equal(draft.size, 2);
    assert.deepEqual(draft.changes().map((c) => [c.id, c.data?.free ?? null]), [[A, 40n], [B, null], [C, 60n]]);
    const draftRoot = draft.root();
    live.adopt(draft);
    assert.deepEqual(live.root(), draftRoot, 'the adopted ledger is exactly what the draft computed');
    assert.equal(live.exists(B), false);
    assert.equal(live.sumOfBalances(), 100n);
  });

  it('forgets a draft that was never adopted (a failed write): retrying starts from the committed state', () => {
    const live = Ledger.fromBalances([{ id: A, free: 100n }], 1n);
    const failed = live.draft();
    failed.set(A, { ...failed.get(A), free: 100n + 7n });
    failed.totalIssuance += 7n; // a mint
    const retry = live.draft();
    assert.equal(retry.get(A).free, 100n, 'the retry does not see the first attempt');
    assert.equal(retry.totalIssuance, 100n, 'no mint applied twice');
  });

  it('refuses to adopt a draft of another ledger, and hands out frozen account data', () => {
    const a = Ledger.fromBalances([{ id: A, free: 1n }], 1n);
    const b = Ledger.fromBalances([{ id: A, free: 1n }], 1n);
    assert.throws(() => a.adopt(b.draft()), /another ledger/);
    assert.throws(() => {
      (a.get(A) as { free: bigint }).free = 5n;
    }, TypeError);
  });
});
