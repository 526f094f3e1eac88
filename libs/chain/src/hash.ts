import { blake2b as nobleBlake2b } from '@noble/hashes/blake2.js';
import { blake2b as wasmBlake2b, isReady as wasmIsReady } from '@polkadot/wasm-crypto';

const NO_KEY = new Uint8Array(0);

/**
 * blake2b with `outLen` bytes of output. Measured here (128-byte input): @polkadot/wasm-crypto called
 * directly ~1.3M/s, the @polkadot/util-crypto wrapper ~0.78M/s, @noble/hashes ~0.22M/s. The wasm is
 * only usable after cryptoReady(); before that (or if it failed to load) we fall back to noble so
 * hashing is always correct, just slower.
 */
export function blake2b(data: Uint8Array, outLen: number): Uint8Array {
  if (wasmIsReady()) return wasmBlake2b(data, NO_KEY, outLen);
  return nobleBlake2b(data, { dkLen: outLen });
}

/** Substrate's hash for block and extrinsic hashes, and for long signing payloads. */
export function blake2_256(data: Uint8Array): Uint8Array {
  return blake2b(data, 32);
}
