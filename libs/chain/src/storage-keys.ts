import { ChainError } from './errors.js';
import { blake2b } from './hash.js';
import { bytesEqual, concatBytes, utf8 } from './hex.js';
import type { StorageHasher } from './metadata.js';

/*
 * Substrate storage keys, byte for byte as frame-support builds them, so that wallets can compute
 * `state_getStorage` keys from our metadata: twox128(pallet prefix) ‖ twox128(item name) ‖ for each map
 * key its hasher's output (the *Concat hashers append the raw key so it can be read back from the key).
 */

const MASK64 = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

const rotl = (v: bigint, r: bigint): bigint => ((v << r) | (v >> (64n - r))) & MASK64;
const round = (acc: bigint, input: bigint): bigint => (rotl((acc + input * P2) & MASK64, 31n) * P1) & MASK64;
const mergeRound = (acc: bigint, v: bigint): bigint => ((acc ^ round(0n, v)) * P1 + P4) & MASK64;

function readU64(d: Uint8Array, i: number): bigint {
  return new DataView(d.buffer, d.byteOffset + i, 8).getBigUint64(0, true);
}
function readU32(d: Uint8Array, i: number): bigint {
  return BigInt(new DataView(d.buffer, d.byteOffset + i, 4).getUint32(0, true));
}

/**
 * XXH64 (the reference algorithm) in bigint: deterministic with no wasm to load first. Storage keys are
 * short and the pallet/item prefixes are cached below, so speed is not a concern here.
 */
export function xxhash64(data: Uint8Array, seed: bigint): bigint {
  const len = data.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (seed + P1 + P2) & MASK64;
    let v2 = (seed + P2) & MASK64;
    let v3 = seed & MASK64;
    let v4 = (seed - P1) & MASK64;
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, readU64(data, i));
      v2 = round(v2, readU64(data, i + 8));
      v3 = round(v3, readU64(data, i + 16));
      v4 = round(v4, readU64(data, i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK64;
    h = mergeRound(h, v1);
    h = mergeRound(h, v2);
    h = mergeRound(h, v3);
    h = mergeRound(h, v4);
  } else {
    h = (seed + P5) & MASK64;
  }
  h = (h + BigInt(len)) & MASK64;
  for (; i + 8 <= len; i += 8) {
    h ^= round(0n, readU64(data, i));
    h = (rotl(h, 27n) * P1 + P4) & MASK64;
  }
  if (i + 4 <= len) {
    h ^= (readU32(data, i) * P1) & MASK64;
    h = (rotl(h, 23n) * P2 + P3) & MASK64;
    i += 4;
  }
  for (; i < len; i++) {
    h ^= (BigInt(data[i]!) * P5) & MASK64;
    h = (rotl(h, 11n) * P1) & MASK64;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK64;
  h ^= h >> 29n;
  h = (h * P3) & MASK64;
  h ^= h >> 32n;
  return h;
}

/** sp_core::twox_{64,128,256}: XXH64 with seeds 0..rounds-1, each result little-endian, concatenated. */
function twox(data: Uint8Array, rounds: number): Uint8Array {
  const out = new Uint8Array(rounds * 8);
  const view = new DataView(out.buffer);
  for (let seed = 0; seed < rounds; seed++) view.setBigUint64(seed * 8, xxhash64(data, BigInt(seed)), true);
  return out;
}

const asBytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? utf8(data) : data);

export function twox64(data: Uint8Array | string): Uint8Array {
  return twox(asBytes(data), 1);
}
export function twox128(data: Uint8Array | string): Uint8Array {
  return twox(asBytes(data), 2);
}
export function twox256(data: Uint8Array | string): Uint8Array {
  return twox(asBytes(data), 4);
}

export class StorageKeyError extends ChainError {
  constructor(message: string) {
    super('BAD_STORAGE_KEY', message);
  }
}

// Pallet and item names are a small fixed set; every storage read hashes them, so keep the results.
// Callers get copies: a caller that writes into a returned key must not corrupt the cache.
const prefixCache = new Map<string, Uint8Array>();
function cached(key: string, make: () => Uint8Array): Uint8Array {
  let v = prefixCache.get(key);
  if (v === undefined) {
    v = make();
    prefixCache.set(key, v);
  }
  return v.slice();
}

/** twox128(pallet storage prefix): the first 16 bytes of every key of that pallet. */
export function palletPrefix(pallet: string): Uint8Array {
  return cached(pallet, () => twox128(pallet));
}

/** twox128(pallet) ‖ twox128(item): the key of a plain value, and the prefix of every key of a map. */
export function storagePrefix(pallet: string, item: string): Uint8Array {
  // '\0' cannot occur in a Rust identifier, so the cache key is unambiguous.
  return cached(`${pallet}\0${item}`, () => concatBytes(twox128(pallet), twox128(item)));
}

/** What `hasher` contributes to a map key for the SCALE-encoded key part `key`. */
export function hashStorageKey(hasher: StorageHasher, key: Uint8Array): Uint8Array {
  switch (hasher) {
    case 'Blake2_128':
      return blake2b(key, 16);
    case 'Blake2_256':
      return blake2b(key, 32);
    case 'Blake2_128Concat':
      return concatBytes(blake2b(key, 16), key);
    case 'Twox128':
      return twox(key, 2);
    case 'Twox256':
      return twox(key, 4);
    case 'Twox64Concat':
      return concatBytes(twox(key, 1), key);
    case 'Identity':
      return key.slice();
    default:
      throw new StorageKeyError(`unknown storage hasher ${String(hasher)}`);
  }
}

/** The full key of a map entry: `storagePrefix(pallet, item)` then each key part through its hasher. */
export function storageMapKey(pallet: string, item: string, ...parts: Array<[StorageHasher, Uint8Array]>): Uint8Array {
  return concatBytes(storagePrefix(pallet, item), ...parts.map(([hasher, key]) => hashStorageKey(hasher, key)));
}

/** Bytes of hash in front of the raw key, for the hashers whose output keeps the key readable. */
const CONCAT_HASH_BYTES: Partial<Record<StorageHasher, number>> = { Blake2_128Concat: 16, Twox64Concat: 8, Identity: 0 };

/**
 * Reads the raw key back from the hashed part of a map key (what follows `storagePrefix`), for the
 * hashers that allow it, checking the hash so that a forged key is refused rather than served.
 * `keyLength` is the SCALE length of the key (32 for an AccountId32); the rest must be empty.
 */
export function unhashStorageKey(hasher: StorageHasher, hashed: Uint8Array, keyLength: number): Uint8Array {
  const hashBytes = CONCAT_HASH_BYTES[hasher];
  if (hashBytes === undefined) throw new StorageKeyError(`${hasher} does not keep the key readable`);
  if (hashed.length !== hashBytes + keyLength) {
    throw new StorageKeyError(`a ${hasher} key of ${keyLength} bytes is ${hashBytes + keyLength} bytes, got ${hashed.length}`);
  }
  const key = hashed.slice(hashBytes);
  if (!bytesEqual(hashStorageKey(hasher, key), hashed)) throw new StorageKeyError(`the ${hasher} hash does not match its key`);
  return key;
}
