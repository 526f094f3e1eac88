import { base58Decode, base58Encode } from '@polkadot/util-crypto';
import { AddressError, HexError } from './errors.js';
import { blake2b } from './hash.js';
import { concatBytes, fromHex, utf8 } from './hex.js';

const SS58_PREFIX_BYTES = utf8('SS58PRE');
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

function checksum(data: Uint8Array): Uint8Array {
  return blake2b(concatBytes(SS58_PREFIX_BYTES, data), 64).subarray(0, 2);
}

function prefixBytes(prefix: number): Uint8Array {
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 16383 || prefix === 46 || prefix === 47) {
    throw new AddressError(`invalid SS58 prefix ${prefix} (0-16383, except the reserved 46 and 47)`);
  }
  if (prefix < 64) return Uint8Array.of(prefix);
  // Two-byte form from the SS58 spec: 14 bits split so the first byte lands in 64..127.
  return Uint8Array.of(((prefix & 0b1111_1100) >> 2) | 0b0100_0000, (prefix >> 8) | ((prefix & 0b11) << 6));
}

/** SS58 address of a 32-byte account id (public key). */
export function ss58Encode(publicKey: Uint8Array, prefix: number): string {
  if (publicKey.length !== 32) throw new AddressError(`an account id is 32 bytes, got ${publicKey.length}`);
  const data = concatBytes(prefixBytes(prefix), publicKey);
  return base58Encode(concatBytes(data, checksum(data)));
}

/** Decodes an SS58 address of a 32-byte account id, any network prefix; the checksum must match. */
export function ss58Decode(address: string): { publicKey: Uint8Array; prefix: number } {
  if (typeof address !== 'string' || address.length === 0) throw new AddressError('address is empty');
  if (address.length > 64 || !BASE58.test(address)) throw new AddressError('address is not base58');
  const raw = base58Decode(address);
  if (raw.length === 0) throw new AddressError('address is empty');
  const first = raw[0]!;
  let prefix: number;
  let prefixLength: number;
  if (first < 64) {
    prefix = first;
    prefixLength = 1;
  } else if (first < 128) {
    if (raw.length < 2) throw new AddressError('address is truncated');
    const second = raw[1]!;
    prefix = ((first & 0b0011_1111) << 2) | (second >> 6) | ((second & 0b0011_1111) << 8);
    prefixLength = 2;
  } else {
    throw new AddressError('address has an invalid network prefix byte');
  }
  if (raw.length !== prefixLength + 32 + 2) {
    throw new AddressError(`address does not hold a 32-byte account id (decoded ${raw.length} bytes)`);
  }
  const data = raw.subarray(0, prefixLength + 32);
  const sum = checksum(data);
  if (sum[0] !== raw[prefixLength + 32] || sum[1] !== raw[prefixLength + 33]) throw new AddressError('address checksum does not match');
  return { publicKey: raw.slice(prefixLength, prefixLength + 32), prefix };
}

/** An account id given as an SS58 address (any prefix) or as 0x-hex of 32 bytes. */
export function parseAccountId(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length === 0) throw new AddressError('account id is empty');
  if (text.startsWith('0x')) {
    try {
      return fromHex(text, 32);
    } catch (err) {
      if (err instanceof HexError) throw new AddressError(`hex account id: ${err.message}`);
      throw err;
    }
  }
  return ss58Decode(text).publicKey;
}
