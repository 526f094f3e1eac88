import { ScaleWriter, blake2_256, bytesEqual, fromHex, toHex } from '@balanceai/chain';

export interface AccountData {
  free: bigint;
  reserved: bigint;
  nonce: number;
}

export interface LedgerEvent {
  module: string;
  name: string;
  data: Record<string, string | number | boolean>;
}

/**
 * The shared ledger: free balances, nonces and total issuance. Keys are 0x-hex account ids.
 * Pure state: execution (executor.ts) mutates it through `credit`/`debit`, persistence reads `dirty`.
 */
export class Ledger {
  private readonly accounts = new Map<string, AccountData>();
  /** Accounts changed since the last `takeDirty()`; value undefined = reaped (delete). */
  private dirty = new Set<string>();

  constructor(
    public totalIssuance: bigint,
    readonly existentialDeposit: bigint,
  ) {}

  static fromBalances(balances: Array<{ id: string; free: bigint; reserved?: bigint; nonce?: number }>, existentialDeposit: bigint): Ledger {
    let total = 0n;
    const l = new Ledger(0n, existentialDeposit);
    for (const b of balances) {
      l.accounts.set(b.id, { free: b.free, reserved: b.reserved ?? 0n, nonce: b.nonce ?? 0 });
      total += b.free + (b.reserved ?? 0n);
    }
    l.totalIssuance = total;
    return l;
  }

  get(id: string): AccountData {
    return this.accounts.get(id) ?? { free: 0n, reserved: 0n, nonce: 0 };
  }

  exists(id: string): boolean {
    return this.accounts.has(id);
  }

  get size(): number {
    return this.accounts.size;
  }

  set(id: string, data: AccountData): void {
    if (data.free === 0n && data.reserved === 0n && data.nonce === 0) this.accounts.delete(id);
    else this.accounts.set(id, { ...data });
    this.dirty.add(id);
  }

  /** Ids changed since the last call, with their current data (null = account no longer exists). */
  takeDirty(): Array<{ id: string; data: AccountData | null }> {
    const out = [...this.dirty].sort().map((id) => ({ id, data: this.accounts.get(id) ?? null }));
    this.dirty = new Set();
    return out;
  }

  /** Sum of all balances: must always equal total issuance (checked by tests and at start-up). */
  sumOfBalances(): bigint {
    let s = 0n;
    for (const a of this.accounts.values()) s += a.free + a.reserved;
    return s;
  }

  entries(): Array<[string, AccountData]> {
    return [...this.accounts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
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

  clone(): Ledger {
    const l = new Ledger(this.totalIssuance, this.existentialDeposit);
    for (const [id, a] of this.accounts) l.accounts.set(id, { ...a });
    return l;
  }
}

export function accountKey(id: Uint8Array): string {
  return toHex(id);
}

export function sameAccount(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}
