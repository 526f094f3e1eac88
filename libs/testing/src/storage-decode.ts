// A module's storage as a wallet reads it: every key of a pallet checked against the key polkadot.js builds
// from the metadata, every value decoded by the metadata's type and re-encoded to exactly its bytes.
import assert from 'node:assert/strict';
import { StorageKey, type TypeRegistry, type expandMetadata } from '@polkadot/types';
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { palletPrefix, storagePrefix, toHex } from '@balanceai/chain';

/** The storage entries of one pallet as `expandMetadata(registry, metadata).query[pallet]` gives them. */
export type PalletQuery = ReturnType<typeof expandMetadata>['query'][string];

/** What a module's storage view offers (ModuleStorageView in @balanceai/module-host). */
export interface StorageViewLike {
  keys(prefix: string, startKey: string | null, count: number): readonly string[];
  get(key: string): string | undefined | null;
}

export interface DecodedEntry<I extends string> {
  readonly item: I;
  readonly args: unknown[];
  readonly value: unknown;
}

/**
 * Every entry of `pallet` in the view, in key order: its key must be under one of `items`, polkadot.js must
 * build the same key from the decoded arguments, and the value must decode to exactly its bytes.
 */
export function decodePalletStorage<I extends string>(
  registry: TypeRegistry,
  query: PalletQuery,
  pallet: string,
  items: readonly I[],
  view: StorageViewLike,
  limit = 100_000,
): DecodedEntry<I>[] {
  const byPrefix = new Map(items.map((i) => [toHex(storagePrefix(pallet, i)), i]));
  const out: DecodedEntry<I>[] = [];
  for (const k of view.keys(toHex(palletPrefix(pallet)), null, limit)) {
    const item = byPrefix.get(k.slice(0, 66));
    assert.ok(item, `key ${k} is under no declared ${pallet} item`);
    const entry = query[item[0]!.toLowerCase() + item.slice(1)]!;
    const sk = new StorageKey(registry, k);
    sk.setMeta(entry.meta, pallet, item);
    assert.equal(u8aToHex(compactStripLength(entry(...sk.args))[1]), k, `${pallet}.${item} key layout`);
    const type = entry.meta.type;
    const bytes = hexToU8a(view.get(k)!);
    const value = registry.createType(registry.createLookupType(type.isPlain ? type.asPlain : type.asMap.value), bytes);
    assert.equal(u8aToHex(value.toU8a()), u8aToHex(bytes), `${pallet}.${item} value decodes to exactly its bytes`);
    out.push({ item, args: sk.args.map((a) => a.toJSON()), value: value.toJSON() });
  }
  return out;
}

/** The decoded entries grouped by item. */
export function byItem<I extends string>(entries: readonly DecodedEntry<I>[]): Partial<Record<I, Array<{ args: unknown[]; value: unknown }>>> {
  const out: Partial<Record<I, Array<{ args: unknown[]; value: unknown }>>> = {};
  for (const { item, args, value } of entries) (out[item] ??= []).push({ args, value });
  return out;
}
