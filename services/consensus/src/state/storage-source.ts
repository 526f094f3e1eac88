/*
 * Substrate storage as consensus serves it: keys and values are lowercase 0x hex, and 0x hex strings
 * of keys compare like the bytes they encode (each byte is two characters), so key order is string order.
 */

/** A finalized block whose state is read. */
export interface StateAt {
  readonly height: number;
  /** 0x hex. */
  readonly hash: string;
}

/** The storage of the pallets under one twox128 pallet prefix (the ledger's, or a module's). */
export interface StorageSource {
  /** twox128 of the pallet's storage prefix, 0x hex (16 bytes). */
  readonly prefix: string;
  /**
   * Values (null: nothing stored) of full keys under `prefix`, in order. A source backed by the live
   * ledger reads it before its first await, so one call reads one head (see StorageRouter).
   */
  read(keys: readonly string[], at: StateAt): Promise<Array<string | null>>;
  /** At most `count` keys starting with `prefix` (which starts with this source's prefix), strictly after `startKey`, in order. */
  keys(prefix: string, count: number, startKey: string | null, at: StateAt): Promise<string[]>;
}

/** Index of the first key of a sorted list that is strictly greater than `key`. */
export function upperBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! > key) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Index of the first key that is greater than or equal to `key`. */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! >= key) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** A page of a sorted key list: keys under `prefix`, strictly after `startKey`, at most `count`. */
export function pageOf(sorted: readonly string[], prefix: string, startKey: string | null, count: number): string[] {
  const from = startKey !== null && startKey >= prefix ? upperBound(sorted, startKey) : lowerBound(sorted, prefix);
  const out: string[] = [];
  for (let i = from; i < sorted.length && out.length < count; i++) {
    const k = sorted[i]!;
    if (!k.startsWith(prefix)) break;
    out.push(k);
  }
  return out;
}
