import { ScaleWriter, blake2_256, bytesEqual, fromHex, toHex } from '@balanceai/chain';

export interface AccountData {
  readonly free: bigint;
  readonly reserved: bigint;
  readonly nonce: number;
}

export interface LedgerEvent {
  module: string;
  name: string;
  data: Record<string, string | number | boolean>;
}

const EMPTY: AccountData = Object.freeze({ free: 0n, reserved: 0n, nonce: 0 });

const byId = ([a]: [string, AccountData], [b]: [string, AccountData]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The shared ledger: free balances, nonces and total issuance. Keys are 0x-hex account ids.
 *
 * Block execution never touches the live ledger: it runs on a `draft()` (writes stay in the draft,
 * reads fall through to the ledger under it), and the draft is `adopt`ed only after the block is on
 * disk, in one synchronous step — so a failed write leaves the live ledger as it was, and a reader
 * never sees a half-executed block (CometBFT's finalizeCommit: execute on a copy, then swap).
 */
export class Ledger {
  /** Own entries; in a draft, null marks an account reaped by the draft. */
  private readonly accounts = new Map<string, AccountData | null>();

  private constructor(
    public totalIssuance: bigint,
    readonly existentialDeposit: bigint,
    private readonly base: Ledger | null,
  ) {}

  static fromBalances(balances: Array<{ id: string; free: bigint; reserved?: bigint; nonce?: number }>, existentialDeposit: bigint): Ledger {
    let total = 0n;
    const l = new Ledger(0n, existentialDeposit, null);
    for (const b of balances) {
      l.accounts.set(b.id, Object.freeze({ free: b.free, reserved: b.reserved ?? 0n, nonce: b.nonce ?? 0 }));
      total += b.free + (b.reserved ?? 0n);
    }
    l.totalIssuance = total;
    return l;
  }

  /** A copy-on-write child: the block executor's workspace. */
  draft(): Ledger {
    return new Ledger(this.totalIssuance, this.existentialDeposit, this);
  }

  get isDraft(): boolean {
    return this.base !== null;
  }

  get(id: string): AccountData {
    const own = this.accounts.get(id);
    if (own !== undefined) return own ?? EMPTY;
    return this.base ? this.base.get(id) : EMPTY;
  }

  exists(id: string): boolean {
    const own = this.accounts.get(id);
    if (own !== undefined) return own !== null;
    return this.base ? this.base.exists(id) : false;
  }

  get size(): number {
    if (!this.base) return this.accounts.size;
    let n = this.base.size;
    for (const [id, a] of this.accounts) n += (a ? 1 : 0) - (this.base.exists(id) ? 1 : 0);
    return n;
  }

  set(id: string, data: AccountData): void {
    const gone = data.free === 0n && data.reserved === 0n && data.nonce === 0;
    if (!this.base) {
      if (gone) this.accounts.delete(id);
      else this.accounts.set(id, Object.freeze({ free: data.free, reserved: data.reserved, nonce: data.nonce }));
      return;
    }
    this.accounts.set(id, gone ? null : Object.freeze({ free: data.free, reserved: data.reserved, nonce: data.nonce }));
  }

  /** A draft's changes, sorted by id (null = the account no longer exists): what the store writes. */
  changes(): Array<{ id: string; data: AccountData | null }> {
    if (!this.base) throw new Error('only a draft has changes');
    return [...this.accounts.keys()].sort().map((id) => ({ id, data: this.accounts.get(id) ?? null }));
  }

  /**
   * Each account a draft wrote, with its value in the ledger under it (null: it did not exist there):
   * the undo record the state window keeps. Costs what the draft wrote, not the ledger's size.
   */
  priorValues(): Map<string, AccountData | null> {
    if (!this.base) throw new Error('only a draft has prior values');
    const out = new Map<string, AccountData | null>();
    for (const id of this.accounts.keys()) out.set(id, this.base.exists(id) ? this.base.get(id) : null);
    return out;
  }

  /** Makes a draft of this ledger the live state, in one synchronous step. */
  adopt(draft: Ledger): void {
    if (draft.base !== this) throw new Error('adopting a draft of another ledger');
    for (const [id, a] of draft.accounts) {
      if (a) this.accounts.set(id, a);
      else this.accounts.delete(id);
    }
    this.totalIssuance = draft.totalIssuance;
    draft.accounts.clear();
  }

  /** Sum of all balances: must always equal total issuance (checked by tests and at start-up). */
  sumOfBalances(): bigint {
    let s = 0n;
    for (const a of this.live().values()) s += a.free + a.reserved;
    return s;
  }

  /** Ids of every existing account, unsorted. */
  ids(): IterableIterator<string> {
    return this.live().keys();
  }

  entries(): Array<[string, AccountData]> {
    return [...this.live()].sort(byId);
  }

  /** Every existing account, unsorted (a draft: its base's with its own changes over them). Sorted once by the caller. */
  private live(): Map<string, AccountData> {
    if (!this.base) return this.accounts as Map<string, AccountData>;
    const merged = new Map(this.base.live());
    for (const [id, a] of this.accounts) {
      if (a) merged.set(id, a);
      else merged.delete(id);
    }
    return merged;
  }

  /**
   * State root of the ledger: blake2_256 of SCALE(total issuance, Vec<(id, free, reserved, nonce)>) in
   * ascending id order. O(accounts) per block; an incremental trie can replace it without changing callers.
   */
  root(): Uint8Array {
    const entries = this.entries();
    const w = new ScaleWriter().u128(this.totalIssuance).compact(entries.length);
    for (const [id, a] of entries) w.raw(fromHex(id, 32)).u128(a.free).u128(a.reserved).u32(a.nonce);
    return blake2_256(w.finish());
  }
}

export function accountKey(id: Uint8Array): string {
  return toHex(id);
}

export function sameAccount(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}
