import { ScaleError, ScaleWriter, blake2_256, bytesEqual, fromHex, toHex } from '@balanceai/chain';

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
  /** The live ledger's account ids in ascending order, kept until an account is created or reaped (not in drafts). */
  private sorted: string[] | null = null;

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
      if (gone) {
        if (this.accounts.delete(id)) this.sorted = null;
      } else {
        if (!this.accounts.has(id)) this.sorted = null;
        this.accounts.set(id, Object.freeze({ free: data.free, reserved: data.reserved, nonce: data.nonce }));
      }
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
      if (a) {
        if (!this.accounts.has(id)) this.sorted = null;
        this.accounts.set(id, a);
      } else if (this.accounts.delete(id)) {
        this.sorted = null;
      }
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
   * Ids of every existing account in ascending order. The live ledger keeps the list until an account is
   * created or reaped; a draft merges its created and reaped ids into its base's.
   */
  private sortedIds(): string[] {
    if (!this.base) return (this.sorted ??= [...this.accounts.keys()].sort());
    const baseIds = this.base.sortedIds();
    const created: string[] = [];
    const reaped = new Set<string>();
    for (const [id, a] of this.accounts) {
      const inBase = this.base.exists(id);
      if (a && !inBase) created.push(id);
      else if (!a && inBase) reaped.add(id);
    }
    if (created.length === 0 && reaped.size === 0) return baseIds;
    created.sort();
    const out: string[] = [];
    let j = 0;
    for (const id of baseIds) {
      while (j < created.length && created[j]! < id) out.push(created[j++]!);
      if (!reaped.has(id)) out.push(id);
    }
    while (j < created.length) out.push(created[j++]!);
    return out;
  }

  /**
   * State root of the ledger: blake2_256 of SCALE(total issuance, Vec<(id, free, reserved, nonce)>) in
   * ascending id order. O(accounts) per block, written into one buffer (no allocation per account); an
   * incremental trie can replace it without changing callers.
   */
  root(): Uint8Array {
    const ids = this.sortedIds();
    const head = new ScaleWriter().u128(this.totalIssuance).compact(ids.length).finish();
    const out = new Uint8Array(head.length + ids.length * ACCOUNT_RECORD_BYTES);
    out.set(head, 0);
    const view = new DataView(out.buffer);
    let at = head.length;
    for (const id of ids) {
      const a = this.get(id);
      writeAccountId(out, at, id);
      writeU128(view, at + 32, a.free);
      writeU128(view, at + 48, a.reserved);
      if (!Number.isInteger(a.nonce) || a.nonce < 0 || a.nonce > 0xffff_ffff) throw new ScaleError(`u32 out of range: ${a.nonce}`);
      view.setUint32(at + 64, a.nonce, true);
      at += ACCOUNT_RECORD_BYTES;
    }
    return blake2_256(out);
  }
}

/** id (32) ‖ free (u128) ‖ reserved (u128) ‖ nonce (u32). */
const ACCOUNT_RECORD_BYTES = 32 + 16 + 16 + 4;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_U128 = (1n << 128n) - 1n;

function writeU128(view: DataView, at: number, v: bigint): void {
  if (v < 0n || v > MAX_U128) throw new ScaleError(`u128 out of range: ${v}`);
  view.setBigUint64(at, v & MAX_U64, true);
  view.setBigUint64(at + 8, v >> 64n, true);
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** The 32 bytes of a 0x-hex account id, written in place (fromHex's errors for anything else). */
function writeAccountId(out: Uint8Array, at: number, id: string): void {
  if (id.length === 66 && id.charCodeAt(0) === 48 && id.charCodeAt(1) === 120) {
    let ok = true;
    for (let i = 0; i < 32; i++) {
      const hi = hexDigit(id.charCodeAt(2 + 2 * i));
      const lo = hexDigit(id.charCodeAt(3 + 2 * i));
      if (hi < 0 || lo < 0) {
        ok = false;
        break;
      }
      out[at + i] = (hi << 4) | lo;
    }
    if (ok) return;
  }
  out.set(fromHex(id, 32), at);
}

export function accountKey(id: Uint8Array): string {
  return toHex(id);
}

export function sameAccount(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}
