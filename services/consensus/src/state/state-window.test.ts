import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../bft/simulated-network.testkit.js';
import { Ledger, type AccountData } from '../ledger/ledger.js';
import { StateWindow } from './state-window.js';

const ids = Array.from({ length: 12 }, (_, i) => `0x${(i + 1).toString(16).padStart(2, '0').repeat(32)}`);
const hashOf = (h: number) => `0x${h.toString(16).padStart(64, '0')}`;

/** Every account's value (null: absent) and the issuance: what a full copy of the ledger would say. */
function snapshot(l: Ledger): { accounts: Map<string, AccountData | null>; issuance: bigint } {
  return { accounts: new Map(ids.map((id) => [id, l.exists(id) ? l.get(id) : null])), issuance: l.totalIssuance };
}

/** One block on a draft, adopted the way ChainView does: prior values recorded, then the draft adopted. */
function executeBlock(live: Ledger, window: StateWindow, height: number, random: () => number): void {
  const draft = live.draft();
  const writes = Math.floor(random() * 5);
  for (let k = 0; k < writes; k++) {
    const id = ids[Math.floor(random() * ids.length)]!;
    const a = draft.get(id);
    const roll = random();
    if (roll < 0.2) draft.set(id, { free: 0n, reserved: 0n, nonce: 0 }); // reaped (or never created)
    else draft.set(id, { ...a, free: a.free + BigInt(1 + Math.floor(random() * 100)), nonce: a.nonce + (roll < 0.6 ? 1 : 0) });
  }
  if (random() < 0.5) draft.totalIssuance += BigInt(Math.floor(random() * 10));
  const prior = draft.priorValues();
  const issuanceBefore = live.totalIssuance;
  live.adopt(draft);
  window.record(height, hashOf(height), prior, issuanceBefore);
}

describe('state window (undo records of the last blocks)', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`answers every account and the issuance at every height in the window as a full copy would (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const live = Ledger.fromBalances(ids.slice(0, 6).map((id, i) => ({ id, free: BigInt(100 * (i + 1)) })), 1n);
      const start = 1_000;
      const window = new StateWindow(start, hashOf(start), 8);
      const copies = new Map([[start, snapshot(live)]]);
      for (let h = start + 1; h <= start + 40; h++) {
        executeBlock(live, window, h, random);
        copies.set(h, snapshot(live));
        assert.equal(window.oldest, Math.max(start, h - 7), 'the window keeps the last 8 heights');
        for (let at = window.oldest; at <= h; at++) {
          const copy = copies.get(at)!;
          for (const id of ids) assert.deepEqual(window.account(id, at, live), copy.accounts.get(id), `account ${id.slice(0, 6)} at ${at} (head ${h})`);
          assert.equal(window.totalIssuance(at, live), copy.issuance, `issuance at ${at} (head ${h})`);
        }
        assert.equal(window.account(ids[0]!, window.oldest - 1, live), undefined, 'older than the window: discarded');
        assert.equal(window.totalIssuance(window.oldest - 1, live), undefined);
        assert.equal(window.account(ids[0]!, h + 1, live), undefined, 'not yet finalized');
      }
    });
  }

  it('after a restart starts at the loaded head: nothing older is readable', () => {
    const live = Ledger.fromBalances([{ id: ids[0]!, free: 5n }], 1n);
    const window = new StateWindow(77, hashOf(77));
    assert.equal(window.oldest, 77);
    assert.deepEqual(window.account(ids[0]!, 77, live), { free: 5n, reserved: 0n, nonce: 0 });
    assert.equal(window.account(ids[0]!, 76, live), undefined);
    assert.equal(window.heightOf(hashOf(77)), 77);
  });

  it('knows the hashes of exactly the readable blocks, and forgets the records no readable height needs', () => {
    const random = seededRandom(9);
    const live = Ledger.fromBalances([{ id: ids[0]!, free: 5n }], 1n);
    const window = new StateWindow(0, hashOf(0), 4);
    for (let h = 1; h <= 10; h++) executeBlock(live, window, h, random);
    assert.deepEqual([6, 7, 8, 9, 10].map((h) => window.heightOf(hashOf(h))), [undefined, 7, 8, 9, 10]);
    assert.equal(window.hashAt(7), hashOf(7));
    assert.equal(window.hashAt(6), undefined);
    // Only blocks 8..10 undo toward readable heights: accounts last written before that have no records.
    const changed = new Set(window.changedAfter(6));
    assert.deepEqual(changed, new Set(window.changedAfter(7)), 'block 7 (the oldest readable) has no record left');
  });

  it('lists the accounts written after a height', () => {
    const live = Ledger.fromBalances([{ id: ids[0]!, free: 50n }], 1n);
    const window = new StateWindow(0, hashOf(0));
    const block = (h: number, id: string, free: bigint) => {
      const d = live.draft();
      d.set(id, { ...d.get(id), free });
      const prior = d.priorValues();
      const issuance = live.totalIssuance;
      live.adopt(d);
      window.record(h, hashOf(h), prior, issuance);
    };
    block(1, ids[1]!, 10n);
    block(2, ids[2]!, 10n);
    block(3, ids[1]!, 0n);
    assert.deepEqual(new Set(window.changedAfter(0)), new Set([ids[1], ids[2]]));
    assert.deepEqual(new Set(window.changedAfter(2)), new Set([ids[1]]));
    assert.deepEqual([...window.changedAfter(3)], []);
    assert.equal(window.account(ids[1]!, 0, live), null, 'created in block 1');
    assert.deepEqual(window.account(ids[1]!, 2, live), { free: 10n, reserved: 0n, nonce: 0 });
    assert.equal(window.account(ids[1]!, 3, live), null, 'reaped in block 3');
    assert.throws(() => window.record(5, hashOf(5), new Map(), 0n), /recording block 5 after 3/);
  });
});
