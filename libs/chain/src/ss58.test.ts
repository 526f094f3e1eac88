import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { AddressError } from './errors.js';
import { toHex } from './hex.js';
import { keyFromUri } from './keys.js';
import { parseAccountId, ss58Decode, ss58Encode } from './ss58.js';

const alice = keyFromUri('//Alice', 'sr25519').publicKey;

test('ss58Encode equals @polkadot/util-crypto encodeAddress for one- and two-byte prefixes', () => {
  for (const prefix of [0, 2, 42, 63, 64, 255, 1284, 16383]) {
    const ours = ss58Encode(alice, prefix);
    assert.equal(ours, encodeAddress(alice, prefix), `prefix ${prefix}`);
    const decoded = ss58Decode(ours);
    assert.equal(decoded.prefix, prefix);
    assert.deepEqual(decoded.publicKey, decodeAddress(ours));
  }
  assert.equal(ss58Encode(alice, 42), '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
});

test('ss58Decode names the cause: bad checksum, bad characters, wrong length', () => {
  const good = ss58Encode(alice, 42);
  const lastChar = good.at(-1) === 'Y' ? 'Z' : 'Y';
  const cases: Array<[string, RegExp]> = [
    [good.slice(0, -1) + lastChar, /checksum/],
    ['5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ0', /base58/],
    [encodeAddress(new Uint8Array(33), 42), /32-byte/],
    ['', /empty/],
  ];
  for (const [address, cause] of cases) {
    assert.throws(() => ss58Decode(address), (e: unknown) => e instanceof AddressError && e.code === 'BAD_ADDRESS' && cause.test(e.message), address);
  }
});

test('parseAccountId accepts SS58 of any prefix or 0x-hex of 32 bytes', () => {
  assert.deepEqual(parseAccountId(ss58Encode(alice, 0)), alice);
  assert.deepEqual(parseAccountId(ss58Encode(alice, 42)), alice);
  assert.deepEqual(parseAccountId(toHex(alice)), alice);
  assert.throws(() => parseAccountId('0x1234'), AddressError);
  assert.throws(() => parseAccountId('not-an-address'), AddressError);
});

test('ss58Encode refuses reserved prefixes and non-32-byte keys', () => {
  assert.throws(() => ss58Encode(alice, 46), AddressError);
  assert.throws(() => ss58Encode(alice, 16384), AddressError);
  assert.throws(() => ss58Encode(new Uint8Array(31), 42), AddressError);
});
