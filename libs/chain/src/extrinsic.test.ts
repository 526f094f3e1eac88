import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CallDecodeError, ExtrinsicDecodeError } from './errors.js';
import { blake2_256 } from './hash.js';
import { concatBytes, utf8 } from './hex.js';
import { cryptoReady, keyFromUri } from './keys.js';
import { encodeCompact } from './scale.js';
import {
  type AdditionalSigned,
  type SignedExtra,
  IMMORTAL,
  PALLET,
  decodeBalancesCall,
  decodeExtrinsic,
  encodeCall,
  encodeTransfer,
  mortalEra,
  signExtrinsic,
  signingPayload,
  verifyExtrinsic,
} from './extrinsic.js';

const genesisHash = blake2_256(utf8('genesis'));
const additional: AdditionalSigned = { specVersion: 1, transactionVersion: 1, genesisHash, birthHash: genesisHash };
const bob = keyFromUri('//Bob', 'sr25519').publicKey;

before(() => cryptoReady());

for (const type of ['sr25519', 'ed25519'] as const) {
  test(`a signed ${type} transfer decodes to its fields and verifies only for the same chain`, () => {
    const alice = keyFromUri('//Alice', type);
    const call = encodeTransfer('keep_alive', bob, 12_345_000_000_000_000_000n);
    const extra: SignedExtra = { era: mortalEra(100, 64), nonce: 7, tip: 5n };
    const birthHash = blake2_256(utf8('block 64'));
    const bytes = signExtrinsic(alice, call, extra, { ...additional, birthHash });
    const xt = decodeExtrinsic(bytes);
    assert.deepEqual(xt.signer, alice.publicKey);
    assert.equal(xt.signatureType, type);
    assert.deepEqual(xt.extra, extra);
    assert.deepEqual(xt.call, call);
    assert.deepEqual(xt.callBytes, encodeCall(call));
    assert.deepEqual(xt.hash, blake2_256(bytes));
    assert.deepEqual(decodeBalancesCall(xt.call), { name: 'transfer_keep_alive', dest: bob, value: 12_345_000_000_000_000_000n });
    assert.equal(verifyExtrinsic(xt, { ...additional, birthHash }), true);
    assert.equal(verifyExtrinsic(xt, additional), false, 'signed for another birth block');
    assert.equal(verifyExtrinsic(xt, { ...additional, birthHash, genesisHash: birthHash }), false, 'signed for another chain');
    assert.equal(verifyExtrinsic(xt, { ...additional, birthHash, specVersion: 2 }), false, 'signed for another spec');
  });
}

test('a tampered extrinsic no longer verifies', () => {
  const alice = keyFromUri('//Alice', 'ed25519');
  const bytes = signExtrinsic(alice, encodeTransfer('allow_death', bob, 1n), { era: IMMORTAL, nonce: 0, tip: 0n }, additional);
  const tampered = Uint8Array.from(bytes);
  tampered[tampered.length - 1] = 8; // compact 1 → compact 2: the amount changes
  assert.equal(verifyExtrinsic(decodeExtrinsic(bytes), additional), true);
  assert.equal(verifyExtrinsic(decodeExtrinsic(tampered), additional), false);
});

test('signingPayload hashes payloads longer than 256 bytes, as Substrate', () => {
  const extra: SignedExtra = { era: IMMORTAL, nonce: 0, tip: 0n };
  const short = encodeCall({ palletIndex: 0, callIndex: 0, args: new Uint8Array(10) });
  const long = encodeCall({ palletIndex: 0, callIndex: 0, args: new Uint8Array(300) });
  assert.equal(signingPayload(short, extra, additional).length, short.length + 3 + 8 + 64);
  const raw = concatBytes(long, Uint8Array.of(0, 0, 0), Uint8Array.of(1, 0, 0, 0, 1, 0, 0, 0), genesisHash, genesisHash);
  assert.deepEqual(signingPayload(long, extra, additional), blake2_256(raw));
  const alice = keyFromUri('//Alice', 'sr25519');
  const bytes = signExtrinsic(alice, { palletIndex: PALLET.Models, callIndex: 1, args: new Uint8Array(300) }, extra, additional);
  assert.equal(verifyExtrinsic(decodeExtrinsic(bytes), additional), true);
});

test('decodeExtrinsic names the cause with a stable code', () => {
  const alice = keyFromUri('//Alice', 'sr25519');
  const good = signExtrinsic(alice, encodeTransfer('allow_death', bob, 1n), { era: IMMORTAL, nonce: 0, tip: 0n }, additional);
  const body = good.subarray(encodeCompact(good.length - 2).length);
  const withBody = (mutate: (b: Uint8Array) => void): Uint8Array => {
    const b = Uint8Array.from(body);
    mutate(b);
    return concatBytes(encodeCompact(b.length), b);
  };
  const cases: Array<[Uint8Array, string]> = [
    [withBody((b) => (b[0] = 0x04)), 'UNSIGNED_EXTRINSIC'],
    [withBody((b) => (b[0] = 0x85)), 'UNSUPPORTED_VERSION'],
    [withBody((b) => (b[1] = 1)), 'UNSUPPORTED_ADDRESS'],
    [withBody((b) => (b[34] = 2)), 'UNSUPPORTED_SIGNATURE'],
    [withBody((b) => (b[34] = 9)), 'UNSUPPORTED_SIGNATURE'],
    [Uint8Array.of(...good, 0), 'MALFORMED_EXTRINSIC'], // trailing byte after the length-prefixed body
    [good.subarray(0, 50), 'MALFORMED_EXTRINSIC'],
    [new Uint8Array(0), 'MALFORMED_EXTRINSIC'],
  ];
  for (const [bytes, code] of cases) {
    assert.throws(() => decodeExtrinsic(bytes), (e: unknown) => e instanceof ExtrinsicDecodeError && e.code === code, code);
  }
});

test('decodeExtrinsic refuses a non-canonical nonce encoding (no malleable transaction hashes)', () => {
  const alice = keyFromUri('//Alice', 'sr25519');
  const good = signExtrinsic(alice, encodeTransfer('allow_death', bob, 1n), { era: IMMORTAL, nonce: 0, tip: 0n }, additional);
  const body = good.subarray(2);
  // body: version(1) address(33) sigtag(1) sig(64) era(1) nonce(1): re-encode nonce 0 in two-byte mode
  const nonceAt = 1 + 33 + 1 + 64 + 1;
  const stretched = concatBytes(body.subarray(0, nonceAt), Uint8Array.of(0b01, 0), body.subarray(nonceAt + 1));
  assert.throws(() => decodeExtrinsic(concatBytes(encodeCompact(stretched.length), stretched)), ExtrinsicDecodeError);
});

test('decodeBalancesCall refuses other pallets, unknown calls and bad arguments with BAD_CALL', () => {
  const transfer = encodeTransfer('allow_death', bob, 10n);
  const isBadCall = (e: unknown) => e instanceof CallDecodeError && e.code === 'BAD_CALL';
  assert.throws(() => decodeBalancesCall({ ...transfer, palletIndex: PALLET.Staking }), isBadCall);
  assert.throws(() => decodeBalancesCall({ ...transfer, callIndex: 2 }), isBadCall);
  assert.throws(() => decodeBalancesCall({ ...transfer, args: transfer.args.subarray(0, 20) }), isBadCall);
  assert.throws(() => decodeBalancesCall({ ...transfer, args: Uint8Array.of(...transfer.args, 0) }), isBadCall);
  assert.throws(() => decodeBalancesCall({ ...transfer, args: Uint8Array.of(2, ...transfer.args.subarray(1)) }), isBadCall);
  assert.equal(decodeBalancesCall(transfer).name, 'transfer_allow_death');
});
