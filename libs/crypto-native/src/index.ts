import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exports (src/lib.rs): schnorrkel 0.11.4, signing context "substrate". */
export interface CryptoNative {
  /** True only for a valid signature; malformed keys or signatures give false, never a throw. */
  sr25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** One answer per item, each equal to sr25519Verify's (batch equations, re-checked one by one on failure). */
  sr25519VerifyBatch(publicKeys: Uint8Array[], messages: Uint8Array[], signatures: Uint8Array[]): boolean[];
  /** The packed form (packBatch): one byte per item, 1 for a valid signature. Cheapest for the calling thread. */
  sr25519VerifyPacked(publicKeys: Uint8Array, signatures: Uint8Array, messages: Uint8Array, messageEnds: Uint32Array): Uint8Array;
  /** As sr25519VerifyPacked, computed on libuv's thread pool (the inputs are copied first). */
  sr25519VerifyPackedAsync(publicKeys: Uint8Array, signatures: Uint8Array, messages: Uint8Array, messageEnds: Uint32Array): Promise<Uint8Array>;
}

export interface PackedBatch {
  publicKeys: Uint8Array;
  signatures: Uint8Array;
  messages: Uint8Array;
  messageEnds: Uint32Array;
}

/**
 * Packs items for sr25519VerifyPacked(Async): keys and signatures end to end, the messages end to end
 * with each one's end offset. Every key must be 32 bytes and every signature 64 (RangeError otherwise).
 */
export function packBatch(items: ReadonlyArray<{ publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }>): PackedBatch {
  const n = items.length;
  const publicKeys = new Uint8Array(32 * n);
  const signatures = new Uint8Array(64 * n);
  const messageEnds = new Uint32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    if (it.publicKey.length !== 32 || it.signature.length !== 64) throw new RangeError(`item ${i}: an sr25519 key is 32 bytes and a signature 64`);
    publicKeys.set(it.publicKey, 32 * i);
    signatures.set(it.signature, 64 * i);
    total += it.message.length;
    messageEnds[i] = total;
  }
  const messages = new Uint8Array(total);
  for (let i = 0, at = 0; i < n; i++) {
    messages.set(items[i]!.message, at);
    at = messageEnds[i]!;
  }
  return { publicKeys, signatures, messages, messageEnds };
}

/** Where scripts/build-addon.mjs puts the addon for this platform. */
export const ADDON_PATH = fileURLToPath(new URL(`../crypto-native.${process.platform}-${process.arch}.node`, import.meta.url));

let loaded: { addon: CryptoNative | null; reason: string } | undefined;

/**
 * The native addon, or null when it is not built for this platform, fails to load, or is turned off
 * with BAI_CRYPTO_NATIVE=0 (callers then use the wasm build of the same schnorrkel). Loaded once.
 */
export function loadCryptoNative(): CryptoNative | null {
  return load().addon;
}

/** Why loadCryptoNative() answers what it does, for a start-up log line. */
export function cryptoNativeStatus(): string {
  return load().reason;
}

function load(): { addon: CryptoNative | null; reason: string } {
  if (loaded) return loaded;
  if (process.env.BAI_CRYPTO_NATIVE === '0') {
    loaded = { addon: null, reason: 'native addon turned off (BAI_CRYPTO_NATIVE=0)' };
  } else if (!existsSync(ADDON_PATH)) {
    loaded = { addon: null, reason: `native addon not built (${ADDON_PATH})` };
  } else {
    try {
      const addon = createRequire(import.meta.url)(ADDON_PATH) as CryptoNative;
      loaded = { addon, reason: `native addon ${ADDON_PATH}` };
    } catch (err) {
      loaded = { addon: null, reason: `native addon failed to load: ${(err as Error).message}` };
    }
  }
  return loaded;
}
