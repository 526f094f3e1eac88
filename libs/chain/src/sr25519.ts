import { sr25519_verify } from '@polkadot-labs/schnorrkel-wasm';
import { cryptoNativeStatus, loadCryptoNative, packBatch } from '@balanceai/crypto-native';
import { RistrettoPoint } from '@noble/curves/ed25519.js';

// sr25519 verification, signing context "substrate" as Substrate: natively (@balanceai/crypto-native,
// schnorrkel 0.11.4 with batch verification) when the addon is built, else schnorrkel-wasm (the same
// schnorrkel version). Both answer exactly the same for every input, so validators on either agree.

export interface Sr25519Item {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

const native = loadCryptoNative();

/** Which implementation verifies sr25519 in this process, and why (for one start-up log line). */
export function sr25519Backend(): { name: 'native' | 'wasm'; detail: string } {
  return { name: native ? 'native' : 'wasm', detail: cryptoNativeStatus() };
}

// The schnorrkel wasm panics on a public key that is not a ristretto point or a signature that
// schnorrkel cannot parse; each panic leaks wasm memory and after ~1,000 of them valid signatures stop
// verifying (measured). Anyone can send such bytes, so they are refused here before reaching the wasm.
// The native addon parses with schnorrkel's Result-returning decoders and needs no such guard.
const SCALAR_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;
const SR25519_KEY_CACHE_LIMIT = 100_000;
const validSr25519Keys = new Set<string>();

function isSr25519PublicKey(publicKey: Uint8Array): boolean {
  const id = Buffer.from(publicKey).toString('hex');
  if (validSr25519Keys.has(id)) return true;
  try {
    RistrettoPoint.fromBytes(publicKey);
  } catch {
    return false;
  }
  if (validSr25519Keys.size >= SR25519_KEY_CACHE_LIMIT) validSr25519Keys.clear();
  validSr25519Keys.add(id);
  return true;
}

/** schnorrkel's Signature::from_bytes: the marker bit 0x80 of the last byte set, and s < ℓ once it is cleared. */
function isSr25519Signature(signature: Uint8Array): boolean {
  if ((signature[63]! & 0x80) === 0) return false;
  let s = BigInt(signature[63]! & 0x7f);
  for (let i = 62; i >= 32; i--) s = (s << 8n) | BigInt(signature[i]!);
  return s < SCALAR_ORDER;
}

/** The wasm path (also the reference the native path is tested against). Never throws. */
export function sr25519VerifyWasm(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    return isSr25519Signature(signature) && isSr25519PublicKey(publicKey) && sr25519_verify(publicKey, message, signature);
  } catch {
    return false;
  }
}

/** True only for a valid signature; malformed keys or signatures give false, never an exception. */
export function sr25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!native) return sr25519VerifyWasm(publicKey, message, signature);
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  return native.sr25519Verify(publicKey, message, signature);
}

/** One answer per item, each equal to sr25519Verify's: a batch verification natively, one by one in wasm. */
export function sr25519VerifyMany(items: readonly Sr25519Item[]): boolean[] {
  if (!native) return items.map((it) => sr25519VerifyWasm(it.publicKey, it.message, it.signature));
  if (items.length === 1) return [sr25519Verify(items[0]!.publicKey, items[0]!.message, items[0]!.signature)];
  const { fits, at } = wellSized(items);
  const p = packBatch(fits);
  return answersAt(items.length, at, native.sr25519VerifyPacked(p.publicKeys, p.signatures, p.messages, p.messageEnds));
}

/**
 * As sr25519VerifyMany, computed on libuv's thread pool so the calling thread only packs the inputs;
 * null when the addon is not loaded (the wasm has no thread of its own: use worker threads instead).
 */
export function sr25519VerifyManyAsync(items: readonly Sr25519Item[]): Promise<boolean[]> | null {
  if (!native) return null;
  const { fits, at } = wellSized(items);
  if (fits.length === 0) return Promise.resolve(items.map(() => false));
  const p = packBatch(fits);
  return native.sr25519VerifyPackedAsync(p.publicKeys, p.signatures, p.messages, p.messageEnds).then((answers) => answersAt(items.length, at, answers));
}

/** The items with a 32-byte key and a 64-byte signature (the others are invalid), and their indices. */
function wellSized(items: readonly Sr25519Item[]): { fits: Sr25519Item[]; at: number[] } {
  if (items.every((it) => it.publicKey.length === 32 && it.signature.length === 64)) return { fits: items as Sr25519Item[], at: [] };
  const fits: Sr25519Item[] = [];
  const at: number[] = [];
  items.forEach((it, i) => {
    if (it.publicKey.length !== 32 || it.signature.length !== 64) return;
    fits.push(it);
    at.push(i);
  });
  return { fits, at };
}

/** The native answers (1 = valid) spread back over `n` items; `at` empty: they are the items, in order. */
function answersAt(n: number, at: number[], answers: Uint8Array): boolean[] {
  if (at.length === 0 && answers.length === n) return Array.from(answers, (b) => b === 1);
  const ok = new Array<boolean>(n).fill(false);
  at.forEach((i, j) => (ok[i] = answers[j] === 1));
  return ok;
}
