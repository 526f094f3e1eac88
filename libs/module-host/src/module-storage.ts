import type { moduleV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { parseUint64 } from './parse.js';
import type { StateWindow } from './state-window.js';
import { EMPTY_STORAGE, type ModuleStorageView } from './storage-view.js';

/** StorageKeys answers at most this many keys per call (Substrate's state_getKeysPaged limit). */
export const MAX_STORAGE_KEYS_PAGE = 1_000;
/** ReadStorage reads at most this many keys per call. */
export const MAX_STORAGE_READ_KEYS = 4_096;
/** Longer than any key a pallet builds (prefix 32 B + a few hashed map keys); refused before any lookup. */
export const MAX_STORAGE_KEY_BYTES = 512;
/** Built views kept: reads cluster at the head and a few recent blocks, and a view can be as big as its state. */
export const STORAGE_VIEW_CACHE = 8;

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;

function storageKey(text: string, field: string, allowEmpty: boolean): string {
  if (typeof text !== 'string' || !HEX.test(text) || (!allowEmpty && text.length === 2) || text.length > 2 + 2 * MAX_STORAGE_KEY_BYTES) {
    throw new DomainError('BAD_STORAGE_KEY', `${field} must be 0x hex of ${allowEmpty ? 0 : 1} to ${MAX_STORAGE_KEY_BYTES} bytes`, 'invalid');
  }
  return text.toLowerCase();
}

/** What ModuleStorage reads: the committed states and how a state shows as storage. */
export interface StorageSource<S> {
  /** The committed state at `height` (STATE_DISCARDED / HEIGHT_NOT_COMMITTED otherwise). */
  stateAt(height: bigint): S;
  /** The module's storage of a state; undefined when the module declares none. */
  readonly storage?: (state: S) => ModuleStorageView;
}

/** A window of committed states as the source (the runtime passes its own window and machine). */
export function windowSource<S>(window: StateWindow<S>, storage?: (state: S) => ModuleStorageView): StorageSource<S> {
  return { stateAt: (h) => window.at(h), storage };
}

/**
 * ModuleStorageService over a module's committed states: ReadStorage and StorageKeys at a height in the
 * window. The view of a height is built once (a module may build every entry of its state) and kept in a
 * small most-recently-used cache, so the many reads of one block cost one build.
 */
export class ModuleStorage<S> {
  private readonly views = new Map<bigint, { state: S; view: ModuleStorageView }>();
  private built = 0;

  constructor(
    private readonly source: StorageSource<S>,
    private readonly cacheSize: number = STORAGE_VIEW_CACHE,
  ) {}

  readStorage(req: moduleV1.ReadStorageRequest): moduleV1.ReadStorageResponse {
    const height = parseUint64(req.height, 'height');
    const keys = req.keys ?? [];
    if (keys.length > MAX_STORAGE_READ_KEYS) throw new DomainError('TOO_MANY_KEYS', `at most ${MAX_STORAGE_READ_KEYS} keys per read`, 'too_large');
    const parsed = keys.map((k, i) => storageKey(k, `keys[${i}]`, false));
    const view = this.viewAt(height);
    return {
      height: height.toString(),
      entries: parsed.map((key) => {
        const value = view.get(key);
        return value === undefined ? { key, present: false, value: '' } : { key, present: true, value };
      }),
    };
  }

  storageKeys(req: moduleV1.StorageKeysRequest): moduleV1.StorageKeysResponse {
    const height = parseUint64(req.height, 'height');
    const prefix = req.prefix === '' || req.prefix === undefined ? '0x' : storageKey(req.prefix, 'prefix', true);
    const startKey = req.startKey === '' || req.startKey === undefined ? null : storageKey(req.startKey, 'start_key', true);
    const count = Math.min(Math.max(0, Math.trunc(req.count ?? 0)), MAX_STORAGE_KEYS_PAGE);
    const view = this.viewAt(height);
    return { height: height.toString(), keys: view.keys(prefix, startKey, count) };
  }

  /** The view of a committed height, from the cache when the state there is still the same. */
  private viewAt(height: bigint): ModuleStorageView {
    const state = this.source.stateAt(height);
    const cached = this.views.get(height);
    if (cached && cached.state === state) {
      // Most recently used last: Map keeps insertion order.
      this.views.delete(height);
      this.views.set(height, cached);
      return cached.view;
    }
    const view = this.build(state);
    this.built++;
    this.views.delete(height);
    this.views.set(height, { state, view });
    while (this.views.size > this.cacheSize) this.views.delete(this.views.keys().next().value!);
    return view;
  }

  private build(state: S): ModuleStorageView {
    const storage = this.source.storage;
    if (!storage) return EMPTY_STORAGE;
    try {
      return storage(state);
    } catch (err) {
      if (err instanceof DomainError) throw err;
      throw new DomainError('MODULE_BUG', `storage() threw: ${(err as Error).message}`, 'internal');
    }
  }

  /** Views built so far (tests: repeated reads of one height build once). */
  get builds(): number {
    return this.built;
  }
}
