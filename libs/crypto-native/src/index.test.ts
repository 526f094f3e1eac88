import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sr25519_keypair_from_seed, sr25519_sign, sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { ADDON_PATH, cryptoNativeStatus, loadCryptoNative, packBatch } from './index.js';

const addon = loadCryptoNative();
const skip = addon ? false : `the addon is not built (${cryptoNativeStatus()}): run node libs/crypto-native/scripts/build-addon.mjs (needs cargo)`;
if (skip) console.log(`# crypto-native tests skipped: ${skip}`);

function signer(seed: number): { publicKey: Uint8Array; sign: (m: Uint8Array) => Uint8Array } {
  const keypair = sr25519_keypair_from_seed(new Uint8Array(32).fill(seed));
  return { publicKey: keypair.slice(64, 96), sign: (m) => sr25519_sign(keypair.slice(64, 96), keypair.slice(0, 64), m) };
}

describe('crypto-native sr25519 (schnorrkel 0.11.4 through N-API)', () => {
  const alice = signer(1);
  const message = new TextEncoder().encode('transfer 10 BAI');
  const signature = alice.sign(message);

  it('verifies what schnorrkel-wasm signs, and nothing else', { skip }, () => {
    assert.equal(addon!.sr25519Verify(alice.publicKey, message, signature), true);
    assert.equal(addon!.sr25519Verify(alice.publicKey, new Uint8Array([1]), signature), false);
    assert.equal(addon!.sr25519Verify(signer(2).publicKey, message, signature), false);
    const flipped = signature.slice();
    flipped[5]! ^= 1;
    assert.equal(addon!.sr25519Verify(alice.publicKey, message, flipped), false);
  });

  it('answers false, never throws, for malformed keys and signatures of any length', { skip }, () => {
    const unmarked = signature.slice();
    unmarked[63]! &= 0x7f; // schnorrkel's marker bit cleared: an ed25519-style signature
    const bigS = signature.slice();
    bigS.fill(0xff, 32, 63); // s ≥ ℓ (non-canonical scalar), marker kept
    const notAPoint = new Uint8Array(32).fill(0xff);
    for (const [key, sig] of [
      [notAPoint, signature],
      [alice.publicKey, unmarked],
      [alice.publicKey, bigS],
      [alice.publicKey.subarray(1), signature],
      [alice.publicKey, signature.subarray(1)],
      [new Uint8Array(0), new Uint8Array(0)],
      [new Uint8Array(33), new Uint8Array(65)],
    ] as const) {
      assert.equal(addon!.sr25519Verify(key, message, sig), false);
      assert.deepEqual(addon!.sr25519VerifyBatch([key, alice.publicKey], [message, message], [sig, signature]), [false, true]);
    }
    // The wasm leaks memory on each such input (libs/chain guards it); the addon must keep working.
    for (let i = 0; i < 3_000; i++) addon!.sr25519Verify(notAPoint, message, signature);
    assert.equal(addon!.sr25519Verify(alice.publicKey, message, signature), true);
  });

  it('answers a batch item by item exactly as the single verify and as schnorrkel-wasm, one bad among many', { skip }, async () => {
    const signers = Array.from({ length: 300 }, (_, i) => signer(i + 1));
    const messages: Uint8Array[] = signers.map((_, i) => new Uint8Array(randomBytes(20 + (i % 100))));
    const signatures = signers.map((s, i) => s.sign(messages[i]!));
    const keys = signers.map((s) => s.publicKey);
    assert.deepEqual(addon!.sr25519VerifyBatch(keys, messages, signatures), keys.map(() => true));
    const badMessages = messages.slice();
    badMessages[137] = new Uint8Array([0]);
    const expected = keys.map((k, i) => sr25519_verify(k, badMessages[i]!, signatures[i]!));
    assert.equal(expected.filter((v) => !v).length, 1);
    assert.deepEqual(addon!.sr25519VerifyBatch(keys, badMessages, signatures), expected);
    const packed = packBatch(keys.map((publicKey, i) => ({ publicKey, message: badMessages[i]!, signature: signatures[i]! })));
    const bytes = (answers: Uint8Array) => [...answers].map((b) => b === 1);
    assert.deepEqual(bytes(addon!.sr25519VerifyPacked(packed.publicKeys, packed.signatures, packed.messages, packed.messageEnds)), expected);
    assert.deepEqual(bytes(await addon!.sr25519VerifyPackedAsync(packed.publicKeys, packed.signatures, packed.messages, packed.messageEnds)), expected);
    assert.deepEqual(keys.map((k, i) => addon!.sr25519Verify(k, badMessages[i]!, signatures[i]!)), expected);
    assert.deepEqual(addon!.sr25519VerifyBatch([], [], []), []);
  });

  it('refuses arrays of different lengths and inconsistent packed batches', { skip }, async () => {
    assert.throws(() => addon!.sr25519VerifyBatch([alice.publicKey], [], [signature]), /same length/);
    const p = packBatch([{ publicKey: alice.publicKey, message, signature }]);
    assert.throws(() => addon!.sr25519VerifyPacked(p.publicKeys, p.signatures.subarray(1), p.messages, p.messageEnds), /packed batch/);
    assert.throws(() => addon!.sr25519VerifyPacked(p.publicKeys, p.signatures, p.messages.subarray(1), p.messageEnds), /packed batch/);
    await assert.rejects(async () => addon!.sr25519VerifyPackedAsync(p.publicKeys, p.signatures, p.messages, new Uint32Array([1, 0])), /packed batch/);
    assert.throws(() => packBatch([{ publicKey: alice.publicKey.subarray(1), message, signature }]), RangeError);
  });

  it('is loaded from dist/ beside the loader', { skip }, () => {
    assert.match(ADDON_PATH, /crypto-native\.[a-z0-9]+-[a-z0-9]+\.node$/);
  });
});
