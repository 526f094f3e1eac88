import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The addon's exports (src/lib.rs): schnorrkel 0.11.4, signing context "substrate". */
export interface CryptoNative {
  /** True only for a valid signature; malformed keys or signatures give false, never a throw. */
  sr25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** One answer per item, each equal to sr25519Verify's (batch equations, re-checked one by one on failure). */
  sr25519VerifyBatch(publicKeys: Uint8Array[], messages: Uint8Array[], signatures: Uint8Array[]): boolean[];
  /** As sr25519VerifyBatch, computed on libuv's thread pool (the inputs are copied first). */
  sr25519VerifyBatchAsync(publicKeys: Uint8Array[], messages: Uint8Array[], signatures: Uint8Array[]): Promise<boolean[]>;
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
