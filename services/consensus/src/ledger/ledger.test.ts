import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScaleWriter, blake2_256, fromHex } from '@balanceai/chain';
import { Ledger, type AccountData } from './ledger.js';

/** The state root as specified: blake2_256(SCALE(issuance, Vec<(id, free, reserved, nonce)>)), ids ascending. */
function referenceRoot(issuance: bigint, accounts: Map<string, AccountData>): Uint8Array {
  const ids = [...accounts.keys()].sort();
  const w = new ScaleWriter().u128(issuance).compact(ids.length);
  for (const id of ids) {
    const a = accounts.get(id)!;
    w.raw(fromHex(id, 32)).u128(a.free).u128(a.reserved).u32(a.nonce);
  }
  return blake2_256(w.finish());
}

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

describe('ledger state root', () => {
  it('equals the specified encoding through blocks that create, change and reap accounts (drafts, adoption, direct sets)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const id = (k: number) => '0x' + k.toString(16).padStart(64, '0');
    const model = new Map<string, AccountData>();
    for (let k = 0; k < 50; k++) model.set(id(k * 3), { free: BigInt(1 + rand(1000)) * 10n ** 20n, reserved: BigInt(rand(3)), nonce: rand(9) });
    const live = Ledger.fromBalances([...model].map(([i, a]) => ({ id: i, ...a })), 1n);
    assert.deepEqual(live.root(), referenceRoot(live.totalIssuance, model));
    for (let block = 0; block < 30; block++) {
      const draft = live.draft();
      const next = new Map(model);
      for (let t = 0; t < 20; t++) {
        const k = id(rand(200));
        const reap = rand(5) === 0;
        const a: AccountData = reap ? { free: 0n, reserved: 0n, nonce: 0 } : { free: BigInt(rand(10 ** 6)) + 1n, reserved: BigInt(rand(2)), nonce: rand(100) };
        draft.set(k, a);
        if (reap) next.delete(k);
        else next.set(k, a);
      }
      draft.totalIssuance += BigInt(block);
      assert.deepEqual(draft.root(), referenceRoot(draft.totalIssuance, next), `draft root at block ${block}`);
      assert.deepEqual(live.root(), referenceRoot(live.totalIssuance, model), 'the live root is unchanged by a draft');
      if (rand(4) === 0) continue; // a draft never adopted
      live.adopt(draft);
      model.clear();
      for (const [k, a] of next) model.set(k, a);
      assert.deepEqual(live.root(), referenceRoot(live.totalIssuance, model), `live root after block ${block}`);
      const k = id(rand(200)); // a direct set on the live ledger (genesis-style)
      live.set(k, { free: 5n, reserved: 0n, nonce: 0 });
      model.set(k, { free: 5n, reserved: 0n, nonce: 0 });
      assert.deepEqual(live.root(), referenceRoot(live.totalIssuance, model));
    }
  });

  it('refuses an account id that is not 32 bytes of hex', () => {
    assert.throws(() => Ledger.fromBalances([{ id: '0x1234', free: 1n }], 1n).root(), /expected 32 bytes/);
    assert.throws(() => Ledger.fromBalances([{ id: '0x' + 'zz'.repeat(32), free: 1n }], 1n).root(), /invalid hex digit/);
  });
});
