// A module's pallet storage as wallets read it: full Substrate keys (twox128(pallet) ++ twox128(item) ++
// hashed map keys) to SCALE values. Keys and values travel as lowercase 0x hex; lowercase hex compares in
// the same order as the bytes it spells (two digits per byte, '0'-'9' < 'a'-'f'), so string order here is
// Substrate's key order.
import { toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';

/** One storage entry: a full key and its SCALE-encoded value. */
export type StorageEntryBytes = readonly [key: Uint8Array, value: Uint8Array];

/** The storage of one committed state. Keys and values are lowercase 0x hex. */
export interface ModuleStorageView {
  /** The value under a full key, or undefined when nothing is stored there. */
  get(key: string): string | undefined;
  /** Keys that start with `prefix`, strictly after `startKey` (when not null), in key order, at most `count`. */
  keys(prefix: string, startKey: string | null, count: number): string[];
}

/** The first index whose key is >= `key` (or > `key` when `strict`). */
function lowerBound(sorted: readonly string[], key: string, strict: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = sorted[mid]!;
    if (k < key || (strict && k === key)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A view over a fixed set of entries: sorted once, then O(log n) per get and per page. */
class SortedStorage implements ModuleStorageView {
  constructor(
    private readonly sorted: readonly string[],
    private readonly values: ReadonlyMap<string, string>,
  ) {}

  get size(): number {
    return this.sorted.length;
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  keys(prefix: string, startKey: string | null, count: number): string[] {
    const out: string[] = [];
    if (count <= 0) return out;
    // Past a start key that is itself under (or after) the prefix, else from the prefix's first key.
    let i = startKey !== null && startKey >= prefix ? lowerBound(this.sorted, startKey, true) : lowerBound(this.sorted, prefix, false);
    for (; i < this.sorted.length && out.length < count; i++) {
      const key = this.sorted[i]!;
      if (!key.startsWith(prefix)) break;
      out.push(key);
    }
    return out;
  }
}

/**
 * The view of a module's entries. A key listed twice is the module's bug (two items hashing to one key would
 * make one of them unreadable): MODULE_BUG, never a silent overwrite.
 */
export function storageView(entries: Iterable<StorageEntryBytes>): ModuleStorageView & { readonly size: number } {
  const values = new Map<string, string>();
  for (const [key, value] of entries) {
    const k = toHex(key);
    if (values.has(k)) throw new DomainError('MODULE_BUG', `storage key ${k} is listed twice`, 'internal');
    values.set(k, toHex(value));
  }
  return new SortedStorage([...values.keys()].sort(), values);
}

/** A module that declares no storage: every key reads absent. */
export const EMPTY_STORAGE: ModuleStorageView = storageView([]);
