import { ScaleWriter, concatBytes, fromHex, hashStorageKey, palletPrefix, storagePrefix, toHex, unhashStorageKey } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import type { AccountData } from '../ledger/ledger.js';
import { RECENT_HASHES, type ChainView } from '../node/chain-view.js';
import { AccountKeys } from './account-keys.js';
import { pageOf, type StateAt, type StorageSource } from './storage-source.js';

/** pallet_balances' ExtraFlags bit of accounts under the new (holds and freezes) logic: every account here. */
export const NEW_LOGIC_FLAG = 1n << 127n;

/**
 * frame_system::AccountInfo of a ledger account. The ledger has no holds, freezes or locks (bonds sit in
 * the staking module's account), so frozen is 0 and wallets' transferable is free. An existing account has
 * one provider (its balance above the existential deposit) and one consumer while it has a reserve, as
 * pallet_balances counts them.
 */
export function encodeAccountInfo(a: AccountData): Uint8Array {
  return new ScaleWriter()
    .u32(a.nonce)
    .u32(a.reserved > 0n ? 1 : 0)
    .u32(1)
    .u32(0)
    .u128(a.free)
    .u128(a.reserved)
    .u128(0n)
    .u128(NEW_LOGIC_FLAG)
    .finish();
}

const hex = (b: Uint8Array) => toHex(b);
const u32Hex = (n: number) => hex(new ScaleWriter().u32(n).finish());
const ZERO_HASH = `0x${'00'.repeat(32)}`;

export const SYSTEM = {
  prefix: hex(palletPrefix('System')),
  account: hex(storagePrefix('System', 'Account')),
  number: hex(storagePrefix('System', 'Number')),
  parentHash: hex(storagePrefix('System', 'ParentHash')),
  blockHash: hex(storagePrefix('System', 'BlockHash')),
  events: hex(storagePrefix('System', 'Events')),
};
export const BALANCES = {
  prefix: hex(palletPrefix('Balances')),
  totalIssuance: hex(storagePrefix('Balances', 'TotalIssuance')),
};

export function discarded(at: StateAt, oldest: number): DomainError {
  return new DomainError('STATE_DISCARDED', `the state of block ${at.height} is no longer kept (this node keeps blocks from ${oldest} on)`, 'conflict');
}

/** What System storage reads outside the ledger: finalized block hashes and a block's events. */
export interface SystemStorageDeps {
  chain(): ChainView;
  /** Hash of finalized block `n` (0x hex), null when the store has none. */
  blockHash(n: number): Promise<string | null>;
  /** SCALE `Vec<EventRecord>` of finalized block `height`. */
  events(height: number): Promise<Uint8Array>;
}

/**
 * frame_system storage from the ledger and the block store: Account, Number, ParentHash, BlockHash and
 * Events, as a Substrate node has them after executing the block. BlockHash holds the block numbers
 * from max(1, h - BlockHashCount) to h - 1 and the genesis (frame_system inserts the parent's hash at
 * each block and prunes beyond BlockHashCount, keeping block 0).
 */
export class SystemStorage implements StorageSource {
  readonly prefix = SYSTEM.prefix;
  private readonly accounts = new AccountKeys();
  /** twox64 is slow in bigint: a block number's key suffix is computed once. */
  private readonly numberKeys = new Map<number, string>();

  constructor(private readonly deps: SystemStorageDeps) {}

  async read(keys: readonly string[], at: StateAt): Promise<Array<string | null>> {
    // Ledger values are read here, synchronously, all at the one head the caller resolved `at` against.
    const chain = this.deps.chain();
    const values = keys.map((key) => this.value(key, at, chain));
    return Promise.all(values);
  }

  private value(key: string, at: StateAt, chain: ChainView): string | null | Promise<string | null> {
    if (key.startsWith(SYSTEM.account)) {
      const id = mapKey(key, SYSTEM.account, 'Blake2_128Concat', 32);
      if (!id) return null;
      const a = chain.window.account(hex(id), at.height, chain.ledger);
      if (a === undefined) throw discarded(at, chain.window.oldest);
      return a ? hex(encodeAccountInfo(a)) : null;
    }
    if (key === SYSTEM.number) return u32Hex(at.height);
    if (key === SYSTEM.parentHash) return at.height === 0 ? ZERO_HASH : this.deps.blockHash(at.height - 1);
    if (key === SYSTEM.events) return this.deps.events(at.height).then(hex);
    if (key.startsWith(SYSTEM.blockHash)) {
      const n = mapKey(key, SYSTEM.blockHash, 'Twox64Concat', 4);
      if (!n) return null;
      const number = new DataView(n.buffer, n.byteOffset, 4).getUint32(0, true);
      return blockHashKept(number, at.height) ? this.deps.blockHash(number) : null;
    }
    return null;
  }

  async keys(prefix: string, count: number, startKey: string | null, at: StateAt): Promise<string[]> {
    const chain = this.deps.chain();
    if (!chain.window.holds(at.height)) throw discarded(at, chain.window.oldest);
    // Items in key order; each contributes its sorted keys (computed only when the range reaches it).
    const items: Array<[string, () => readonly string[]]> = [
      [SYSTEM.account, () => this.accounts.at(at.height, chain.window, chain.ledger)],
      [SYSTEM.number, () => [SYSTEM.number]],
      [SYSTEM.parentHash, () => [SYSTEM.parentHash]],
      [SYSTEM.blockHash, () => this.blockHashKeys(at.height)],
      [SYSTEM.events, () => [SYSTEM.events]],
    ];
    return pageItems(items, prefix, count, startKey);
  }

  private blockHashKeys(height: number): string[] {
    const out: string[] = [];
    for (let n = Math.max(1, height - RECENT_HASHES); n < height; n++) out.push(this.numberKey(n));
    if (height > 0) out.push(this.numberKey(0));
    // Numbers far below every readable height are never asked again.
    if (this.numberKeys.size > 2 * (RECENT_HASHES + 512)) {
      for (const n of this.numberKeys.keys()) if (n !== 0 && n < height - RECENT_HASHES - 512) this.numberKeys.delete(n);
    }
    return out.sort();
  }

  private numberKey(n: number): string {
    let k = this.numberKeys.get(n);
    if (k === undefined) {
      k = hex(concatBytes(fromHex(SYSTEM.blockHash), hashStorageKey('Twox64Concat', new ScaleWriter().u32(n).finish())));
      this.numberKeys.set(n, k);
    }
    return k;
  }
}

/** pallet_balances storage: TotalIssuance; no Locks, Holds, Freezes or Reserves exist, so every other key is empty (the pallet's default). */
export class BalancesStorage implements StorageSource {
  readonly prefix = BALANCES.prefix;

  constructor(private readonly chain: () => ChainView) {}

  async read(keys: readonly string[], at: StateAt): Promise<Array<string | null>> {
    const chain = this.chain();
    return keys.map((key) => {
      if (key !== BALANCES.totalIssuance) return null;
      const issuance = chain.window.totalIssuance(at.height, chain.ledger);
      if (issuance === undefined) throw discarded(at, chain.window.oldest);
      return hex(new ScaleWriter().u128(issuance).finish());
    });
  }

  async keys(prefix: string, count: number, startKey: string | null): Promise<string[]> {
    return pageItems([[BALANCES.totalIssuance, () => [BALANCES.totalIssuance]]], prefix, count, startKey);
  }
}

/** Whether frame_system still holds BlockHash(n) in the state of block `height`. */
function blockHashKept(n: number, height: number): boolean {
  return n === 0 ? height > 0 : n < height && n >= height - RECENT_HASHES;
}

/** The raw map key after `itemPrefix`, when the key is well formed and its hash matches; else null (nothing is stored there). */
function mapKey(key: string, itemPrefix: string, hasher: 'Blake2_128Concat' | 'Twox64Concat', length: number): Uint8Array | null {
  try {
    return unhashStorageKey(hasher, fromHex(`0x${key.slice(itemPrefix.length)}`), length);
  } catch {
    return null;
  }
}

/** A page over storage items in key order, each given as its item prefix and a (lazy) sorted key list. */
function pageItems(items: Array<[string, () => readonly string[]]>, prefix: string, count: number, startKey: string | null): string[] {
  const out: string[] = [];
  for (const [itemPrefix, list] of [...items].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (out.length >= count) break;
    // Skip items outside the prefix, or wholly at or before startKey.
    if (!itemPrefix.startsWith(prefix) && !prefix.startsWith(itemPrefix)) continue;
    if (startKey !== null && startKey > itemPrefix && !startKey.startsWith(itemPrefix)) continue;
    const under = prefix.length > itemPrefix.length ? prefix : itemPrefix;
    out.push(...pageOf(list(), under, startKey, count - out.length));
  }
  return out;
}
