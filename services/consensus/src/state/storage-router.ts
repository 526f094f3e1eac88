import { fromHex, toHex } from '@balanceai/chain';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { ChainView } from '../node/chain-view.js';
import { discarded } from './ledger-storage.js';
import type { StateAt, StorageSource } from './storage-source.js';

/** Keys per ReadStorage call and per StorageKeys page (Substrate's state_getKeysPaged limit). */
export const MAX_STORAGE_KEYS = 1_000;
/** Longer than any key a pallet builds (32-byte prefix and a few hashed map keys). */
export const MAX_STORAGE_KEY_BYTES = 512;

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

function storageKey(text: string | undefined, field: string, allowEmpty: boolean): string {
  if (typeof text !== 'string' || !HEX.test(text) || (!allowEmpty && text.length === 2) || text.length > 2 + 2 * MAX_STORAGE_KEY_BYTES) {
    throw new DomainError('BAD_STORAGE_KEY', `${field} must be 0x hex of ${allowEmpty ? 0 : 1} to ${MAX_STORAGE_KEY_BYTES} bytes`);
  }
  return text.toLowerCase();
}

export interface StorageRouterDeps {
  /** The committed chain (head, ledger, state window). */
  chain(): ChainView;
  /** Height of a finalized block by 0x hash, null when this node has no such block. */
  heightOfHash(hash: string): Promise<number | null>;
  /** Every storage source: System and Balances from the ledger, each module's pallet. */
  sources(): readonly StorageSource[];
}

/**
 * Storage at a finalized block (ReadStorage, StorageKeys): each key goes to the source owning its
 * twox128 pallet prefix; keys under no known pallet hold nothing. Reads check the block is still in the
 * state window and call every source in one synchronous pass, so ledger values all come from one head.
 */
export class StorageRouter {
  constructor(private readonly deps: StorageRouterDeps) {}

  /** The block named by `at` (empty: the finalized head): UNKNOWN_BLOCK, or STATE_DISCARDED beyond the window. */
  async resolve(at: string | undefined): Promise<StateAt> {
    const window = this.deps.chain().window;
    if (at === undefined || at === '') return { height: window.head, hash: window.hashAt(window.head)! };
    let hash: string;
    try {
      hash = toHex(fromHex(at, 32));
    } catch {
      throw new DomainError('BAD_BLOCK_HASH', 'at must be a 0x hex block hash of 32 bytes, or empty for the finalized head');
    }
    const inWindow = window.heightOf(hash);
    if (inWindow !== undefined) return { height: inWindow, hash };
    const height = await this.deps.heightOfHash(hash);
    const now = this.deps.chain().window;
    if (height === null || height > now.head) throw new DomainError('UNKNOWN_BLOCK', `no finalized block ${hash} on this node`, 'not_found');
    if (now.holds(height)) return { height, hash };
    throw discarded({ height, hash }, now.oldest);
  }

  async readStorage(req: consensusV1.ReadStorageRequest): Promise<consensusV1.ReadStorageResponse> {
    const requested = req.keys ?? [];
    if (requested.length > MAX_STORAGE_KEYS) throw new DomainError('TOO_MANY_KEYS', `at most ${MAX_STORAGE_KEYS} keys per read, got ${requested.length}`);
    const keys = requested.map((k, i) => storageKey(k, `keys[${i}]`, false));
    const at = await this.resolve(req.at);
    const values: Array<string | null> = keys.map(() => null);
    // From here to the last source call: synchronous, so every ledger read sees the same head.
    const window = this.deps.chain().window;
    if (!window.holds(at.height)) throw discarded(at, window.oldest);
    const pending: Array<Promise<void>> = [];
    for (const source of this.deps.sources()) {
      const mine = keys.flatMap((k, i) => (k.startsWith(source.prefix) ? [i] : []));
      if (mine.length === 0) continue;
      pending.push(
        source.read(mine.map((i) => keys[i]!), at).then((got) => {
          mine.forEach((i, j) => (values[i] = got[j] ?? null));
        }),
      );
    }
    await Promise.all(pending);
    return {
      at: at.hash,
      height: String(at.height),
      entries: keys.map((key, i) => ({ key, present: values[i] !== null, value: values[i] ?? '' })),
    };
  }

  async storageKeys(req: consensusV1.StorageKeysRequest): Promise<consensusV1.StorageKeysResponse> {
    const count = req.count ?? 0;
    if (count > MAX_STORAGE_KEYS) throw new DomainError('COUNT_TOO_LARGE', `count may be at most ${MAX_STORAGE_KEYS}, got ${count}`);
    const prefix = req.prefix ? storageKey(req.prefix, 'prefix', true) : '0x';
    const startKey = req.startKey ? storageKey(req.startKey, 'start_key', true) : null;
    const at = await this.resolve(req.at);
    const window = this.deps.chain().window;
    if (!window.holds(at.height)) throw discarded(at, window.oldest);
    const out: string[] = [];
    // Sources in key order; each asked only for what remains of the page, after start_key.
    const sources = [...this.deps.sources()].sort((a, b) => (a.prefix < b.prefix ? -1 : 1));
    for (const source of sources) {
      if (out.length >= count) break;
      if (!source.prefix.startsWith(prefix) && !prefix.startsWith(source.prefix)) continue;
      if (startKey !== null && startKey > source.prefix && !startKey.startsWith(source.prefix)) continue;
      const under = prefix.length > source.prefix.length ? prefix : source.prefix;
      const after = startKey !== null && startKey >= under ? startKey : null;
      out.push(...(await source.keys(under, count - out.length, after, at)));
    }
    return { at: at.hash, height: String(at.height), keys: out };
  }
}
