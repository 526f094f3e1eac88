import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, xxhashAsU8a } from '@polkadot/util-crypto';
import { fromHex, toHex, utf8 } from './hex.js';
import { cryptoReady, keyFromUri } from './keys.js';
import { balancesPallet, buildMetadata, systemPallet } from './metadata.js';
import { ScaleWriter } from './scale.js';
import type { StorageHasher } from './metadata.js';
import {
  StorageKeyError,
  hashStorageKey,
  palletPrefix,
  storageMapKey,
  storagePrefix,
  twox128,
  twox256,
  twox64,
  unhashStorageKey,
  xxhash64,
} from './storage-keys.js';

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
});

test('twox128 of pallet and item names matches the well-known Substrate constants', () => {
  assert.equal(toHex(twox128('System')), '0x26aa394eea5630e07c48ae0c9558cef7');
  assert.equal(toHex(twox128('Account')), '0xb99d880ec681799c0cf30e8886371da9');
  assert.equal(toHex(twox128('Balances')), '0xc2261276cc9d1f8598ea4b6a74b15c2f');
  assert.equal(toHex(twox128('TotalIssuance')), '0x57c875e4cff74148e4628f264b974c80');
  assert.equal(toHex(twox128('Events')), '0x80d41e5e16056765bc8461851072c9d7');
  assert.equal(toHex(twox128('Number')), '0x02a5c1b19ab7a04f536c519aca4983ac');
  // The XXH64 reference test values.
  assert.equal(xxhash64(new Uint8Array(0), 0n), 0xef46db3751d8e999n);
  assert.equal(xxhash64(utf8('abc'), 0n), 0x44bc2cf5ad770999n);
});

test('twox64/128/256 match @polkadot/util-crypto (wasm and JS) on every length across the 32-byte stripe and tail paths', () => {
  // Deterministic pseudo-random bytes: every tail (8-, 4-, 1-byte steps) and 0..3 full stripes.
  let x = 0x9e3779b9;
  const next = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) >>> 24);
  for (let len = 0; len <= 131; len++) {
    const data = Uint8Array.from({ length: len }, next);
    assert.equal(toHex(twox64(data)), toHex(xxhashAsU8a(data, 64)), `twox64 len ${len}`);
    assert.equal(toHex(twox128(data)), toHex(xxhashAsU8a(data, 128)), `twox128 len ${len}`);
    assert.equal(toHex(twox256(data)), toHex(xxhashAsU8a(data, 256, true)), `twox256 len ${len}`);
  }
  // All-0xff input exercises the carries of the 64-bit wrap-around.
  const ff = new Uint8Array(77).fill(0xff);
  assert.equal(toHex(twox128(ff)), toHex(xxhashAsU8a(ff, 128)));
});

test('palletPrefix and storagePrefix are twox128 of the names; callers cannot corrupt the cache', () => {
  assert.equal(toHex(palletPrefix('System')), '0x26aa394eea5630e07c48ae0c9558cef7');
  assert.equal(toHex(storagePrefix('System', 'Account')), '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9');
  storagePrefix('System', 'Account').fill(0);
  palletPrefix('System').fill(0);
  assert.equal(toHex(storagePrefix('System', 'Account')), '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9');
  assert.equal(toHex(palletPrefix('System')), '0x26aa394eea5630e07c48ae0c9558cef7');
});

test('hashStorageKey implements each StorageHasher as frame-support does', () => {
  const key = utf8('some key bytes');
  const expected: Record<StorageHasher, Uint8Array> = {
    Blake2_128: blake2AsU8a(key, 128),
    Blake2_256: blake2AsU8a(key, 256),
    Blake2_128Concat: Uint8Array.from([...blake2AsU8a(key, 128), ...key]),
    Twox128: xxhashAsU8a(key, 128),
    Twox256: xxhashAsU8a(key, 256),
    Twox64Concat: Uint8Array.from([...xxhashAsU8a(key, 64), ...key]),
    Identity: key,
  };
  for (const [hasher, bytes] of Object.entries(expected)) assert.equal(toHex(hashStorageKey(hasher as StorageHasher, key)), toHex(bytes), hasher);
  assert.throws(() => hashStorageKey('Sha256' as StorageHasher, key), (e: unknown) => e instanceof StorageKeyError && e.code === 'BAD_STORAGE_KEY');
});

test('storageMapKey equals the keys @polkadot/types builds from our metadata (System.Account, System.BlockHash, plain items)', () => {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, buildMetadata([systemPallet(), balancesPallet()]));
  registry.setMetadata(metadata);
  const query = expandMetadata(registry, metadata).query;
  // The decorated storage functions return the key with a compact length prefix (as state_getStorage params).
  const theirs = (key: Uint8Array) => toHex(compactStripLength(key)[1]);
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  assert.equal(toHex(storageMapKey('System', 'Account', ['Blake2_128Concat', alice])), theirs(query['system']!['account']!(alice)));
  assert.equal(
    toHex(storageMapKey('System', 'Account', ['Blake2_128Concat', alice])),
    '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d',
  );
  const blockNumber = new ScaleWriter().u32(1234).finish();
  assert.equal(toHex(storageMapKey('System', 'BlockHash', ['Twox64Concat', blockNumber])), theirs(query['system']!['blockHash']!(1234)));
  assert.equal(toHex(storagePrefix('Balances', 'TotalIssuance')), theirs(query['balances']!['totalIssuance']!()));
  assert.equal(toHex(storageMapKey('System', 'Number')), theirs(query['system']!['number']!()));
});

test('unhashStorageKey reads the key back from a *Concat hash and refuses a forged or mis-sized one', () => {
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  const hashed = hashStorageKey('Blake2_128Concat', alice);
  assert.deepEqual(unhashStorageKey('Blake2_128Concat', hashed, 32), alice);
  assert.deepEqual(unhashStorageKey('Twox64Concat', hashStorageKey('Twox64Concat', fromHex('0xd2040000')), 4), fromHex('0xd2040000'));
  const forged = hashed.slice();
  forged[0] ^= 1;
  const bad = (e: unknown) => e instanceof StorageKeyError && e.code === 'BAD_STORAGE_KEY';
  assert.throws(() => unhashStorageKey('Blake2_128Concat', forged, 32), bad);
  assert.throws(() => unhashStorageKey('Blake2_128Concat', hashed.subarray(0, 40), 32), bad);
  assert.throws(() => unhashStorageKey('Blake2_128', blake2AsU8a(alice, 128), 0), bad);
});
