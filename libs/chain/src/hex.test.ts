import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { HexError } from './errors.js';
import { blake2_256, blake2b } from './hash.js';
import { bytesEqual, concatBytes, fromHex, toHex } from './hex.js';
import { cryptoReady } from './keys.js';

test('toHex and fromHex round-trip bytes with a lowercase 0x prefix', () => {
  const bytes = Uint8Array.of(0, 1, 0xab, 0xff);
  assert.equal(toHex(bytes), '0x0001abff');
  assert.deepEqual(fromHex('0x0001ABff'), bytes);
  assert.deepEqual(fromHex('0x'), new Uint8Array(0));
});

test('fromHex rejects a missing prefix, odd length, bad digits and the wrong length', () => {
  for (const bad of ['00', '0x0', '0xzz', '0x 1']) assert.throws(() => fromHex(bad), (e: unknown) => e instanceof HexError && e.code === 'BAD_HEX', bad);
  assert.throws(() => fromHex('0x0011', 3), HexError);
  assert.equal(fromHex('0x001122', 3).length, 3);
});

test('bytesEqual and concatBytes', () => {
  assert.equal(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2)), true);
  assert.equal(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3)), false);
  assert.equal(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 2)), false);
  assert.deepEqual(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)), Uint8Array.of(1, 2, 3));
});

test('blake2 gives the same digest before and after the wasm is ready, equal to polkadot', async () => {
  const data = new TextEncoder().encode('balanceai');
  const before = blake2_256(data);
  await cryptoReady();
  assert.deepEqual(blake2_256(data), before);
  assert.deepEqual(blake2_256(data), blake2AsU8a(data, 256));
  assert.deepEqual(blake2b(data, 64), blake2AsU8a(data, 512));
  assert.equal(toHex(blake2_256(new Uint8Array(0))), '0x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
});
