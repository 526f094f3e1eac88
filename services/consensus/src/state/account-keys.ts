import { concatBytes, fromHex, hashStorageKey, storagePrefix, toHex } from '@balanceai/chain';
import type { HeadLedger, StateWindow } from './state-window.js';

const ACCOUNT_PREFIX = storagePrefix('System', 'Account');

/** `System.Account` key of an account id (0x hex): prefix ‖ blake2_128(id) ‖ id. */
export function accountStorageKey(id: string): string {
  return toHex(concatBytes(ACCOUNT_PREFIX, hashStorageKey('Blake2_128Concat', fromHex(id, 32))));
}

/** What the index reads besides the window: every existing account id of the head. */
export interface AccountIds extends HeadLedger {
  ids(): Iterable<string>;
}

/**
 * The `System.Account` keys in key order (what `state_getKeysPaged` pages through). Their order is the
 * order of blake2_128(id), unrelated to the ledger's, so it is kept sorted here, built on the first
 * listing and then brought to each newer head by the accounts the window says were written since: no
 * work on the block path, and per listing only what changed (plus a merge) unless the index fell out of
 * the window. A height below the head is the head's list adjusted by the accounts written after it.
 */
export class AccountKeys {
  private sorted: string[] = [];
  private members = new Set<string>();
  private height = -1;

  /** Sorted keys of the accounts existing at `height`, which the caller checked is in the window. */
  at(height: number, window: StateWindow, head: AccountIds): readonly string[] {
    this.catchUp(window, head);
    if (height === this.height) return this.sorted;
    const add: string[] = [];
    const remove = new Set<string>();
    for (const id of window.changedAfter(height)) {
      const then = window.account(id, height, head) !== null;
      const now = head.exists(id);
      if (then && !now) add.push(accountStorageKey(id));
      else if (!then && now) remove.add(accountStorageKey(id));
    }
    return merge(this.sorted, remove, add);
  }

  private catchUp(window: StateWindow, head: AccountIds): void {
    if (this.height === window.head) return;
    if (this.height < window.oldest) {
      this.members = new Set([...head.ids()].map(accountStorageKey));
      this.sorted = [...this.members].sort();
    } else {
      const add: string[] = [];
      const remove = new Set<string>();
      for (const id of window.changedAfter(this.height)) {
        const key = accountStorageKey(id);
        const was = this.members.has(key);
        const is = head.exists(id);
        if (was && !is) remove.add(key);
        else if (!was && is) add.push(key);
      }
      if (add.length > 0 || remove.size > 0) {
        this.sorted = merge(this.sorted, remove, add);
        for (const k of remove) this.members.delete(k);
        for (const k of add) this.members.add(k);
      }
    }
    this.height = window.head;
  }
}

/** `sorted` without `remove`, with `add` (keys not in `sorted`) merged in: one pass. */
function merge(sorted: readonly string[], remove: ReadonlySet<string>, add: string[]): string[] {
  if (add.length === 0 && remove.size === 0) return sorted as string[];
  add.sort();
  const out: string[] = [];
  let j = 0;
  for (const k of sorted) {
    if (remove.has(k)) continue;
    while (j < add.length && add[j]! < k) out.push(add[j++]!);
    out.push(k);
  }
  while (j < add.length) out.push(add[j++]!);
  return out;
}
