import {
  sr25519_derive_keypair_hard,
  sr25519_derive_keypair_soft,
  sr25519_keypair_from_seed,
  sr25519_sign,
} from '@polkadot-labs/schnorrkel-wasm';
import { waitReady } from '@polkadot/wasm-crypto';
import { generateMnemonic as bip39Generate, mnemonicToEntropy, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { createPrivateKey, createPublicKey, pbkdf2Sync, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { KeyError } from './errors.js';
import { blake2_256 } from './hash.js';
import { concatBytes, fromHex, utf8 } from './hex.js';
import { encodeCompact } from './scale.js';
import { sr25519Verify, sr25519VerifyMany } from './sr25519.js';

export type KeyType = 'sr25519' | 'ed25519';

export interface KeyPair {
  type: KeyType;
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** Substrate's well-known development phrase; `//Alice` etc. derive from it. */
export const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
export const DEV_ACCOUNT_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;

/**
 * Initialises the wasm used for hashing (schnorrkel's wasm loads synchronously on import).
 * Call once at start-up; everything else in this package is synchronous.
 */
export async function cryptoReady(): Promise<void> {
  await waitReady();
}

// --- secret URIs -----------------------------------------------------------------------------------

interface Junction {
  hard: boolean;
  chainCode: Uint8Array;
}

// Same grammar as @polkadot/util-crypto keyExtractSuri: `<phrase|0xseed>(/soft|//hard)*(///password)?`.
const SURI = /^((0x[a-fA-F0-9]+|[\p{L}\d]+(?: [\p{L}\d]+)*))((\/\/?[^/]+)*)(\/\/\/(.*))?$/u;
const JUNCTION = /\/(\/?)([^/]+)/g;
const NUMERIC = /^\d+$/;
const HEX_JUNCTION = /^0x([0-9a-fA-F]{2})*$/;

/** Substrate's DeriveJunction: numbers as u64-in-32-bytes LE, hex as bytes, text as SCALE string; >32 bytes hashed. */
function chainCodeOf(code: string): Uint8Array {
  let bytes: Uint8Array;
  if (NUMERIC.test(code)) {
    let n = BigInt(code);
    bytes = new Uint8Array(32);
    for (let i = 0; i < 32 && n > 0n; i++) {
      bytes[i] = Number(n & 0xffn);
      n >>= 8n;
    }
  } else if (HEX_JUNCTION.test(code)) {
    bytes = fromHex(code);
  } else {
    const text = utf8(code);
    bytes = concatBytes(encodeCompact(text.length), text);
  }
  if (bytes.length > 32) bytes = blake2_256(bytes);
  const chainCode = new Uint8Array(32);
  chainCode.set(bytes);
  return chainCode;
}

function parseSuri(uri: string): { phrase: string; junctions: Junction[]; password: string } {
  const m = SURI.exec(uri.normalize('NFC'));
  if (!m) throw new KeyError('not a secret URI (expected a mnemonic, 0x seed, or //derivation path)');
  const phrase = m[1]!;
  const derivePath = m[3] ?? '';
  const password = m[6] ?? '';
  const junctions: Junction[] = [];
  for (const part of derivePath.match(JUNCTION) ?? []) {
    const hard = part.startsWith('//');
    junctions.push({ hard, chainCode: chainCodeOf(part.slice(hard ? 2 : 1)) });
  }
  return { phrase, junctions, password };
}

const miniSecretCache = new Map<string, Uint8Array>();

/** substrate-bip39: the 32-byte mini secret is PBKDF2-SHA512(entropy, "mnemonic" + password) (not the BIP-39 seed). */
function miniSecretFromPhrase(phrase: string, password: string): Uint8Array {
  const key = `${password}\u0000${phrase}`;
  const cached = miniSecretCache.get(key);
  if (cached) return cached;
  if (!validateMnemonic(phrase, wordlist)) throw new KeyError('invalid BIP-39 mnemonic (unknown word or bad checksum)');
  const entropy = mnemonicToEntropy(phrase, wordlist);
  const seed = new Uint8Array(pbkdf2Sync(entropy, `mnemonic${password}`.normalize('NFKD'), 2048, 64, 'sha512').subarray(0, 32));
  // Only the dev phrase is worth keeping: it is derived over and over (//Alice, //validator/0, …).
  if (phrase === DEV_PHRASE) miniSecretCache.set(key, seed);
  return seed;
}

// --- ed25519 through node:crypto ---------------------------------------------------------------------

const ED25519_PKCS8_PREFIX = fromHex('0x302e020100300506032b657004220420');
const ED25519_SPKI_PREFIX = fromHex('0x302a300506032b6570032100');
const ED25519_HDKD = concatBytes(encodeCompact(11), utf8('Ed25519HDKD'));

function ed25519FromSeed(seed: Uint8Array): KeyPair {
  const privateKey = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, seed)), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  return {
    type: 'ed25519',
    publicKey,
    sign: (message) => new Uint8Array(nodeSign(null, message, privateKey)),
  };
}

// Verifying with a KeyObject built once per validator/account key is what makes node:crypto fast.
const ED25519_KEY_CACHE_LIMIT = 10_000;
const ed25519KeyCache = new Map<string, KeyObject>();
function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString('hex');
  let key = ed25519KeyCache.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.from(concatBytes(ED25519_SPKI_PREFIX, publicKey)), format: 'der', type: 'spki' });
    if (ed25519KeyCache.size >= ED25519_KEY_CACHE_LIMIT) ed25519KeyCache.clear();
    ed25519KeyCache.set(id, key);
  }
  return key;
}

// --- sr25519 through schnorrkel-wasm (signing context "substrate", as Substrate) ---------------------

function sr25519FromKeypairBytes(keypair: Uint8Array): KeyPair {
  // schnorrkel keypair bytes: 64-byte secret (key + nonce) followed by the 32-byte public key.
  const secret = keypair.slice(0, 64);
  const publicKey = keypair.slice(64, 96);
  return {
    type: 'sr25519',
    publicKey,
    sign: (message) => sr25519_sign(publicKey, secret, message),
  };
}

/** Error messages may be logged: show a derivation path, never a mnemonic or seed. */
function redact(uri: string): string {
  return uri.startsWith('//') ? uri : `<secret>${uri.slice(uri.indexOf('/'))}`;
}

/**
 * A key pair from a Substrate secret URI, exactly as `subkey` and @polkadot/keyring derive it:
 * `"<mnemonic>"`, `"<mnemonic>//hard/soft"`, `"//Alice"` (dev phrase), `"0x<32-byte seed>"`, each with an
 * optional `///password` (applied to mnemonics only, as Substrate does).
 */
export function keyFromUri(uri: string, type: KeyType): KeyPair {
  if (typeof uri !== 'string' || uri.length === 0) throw new KeyError('secret URI is empty');
  // As @polkadot/keyring: a URI that starts with a hard junction derives from the dev phrase.
  const { phrase, junctions, password } = parseSuri(uri.startsWith('//') ? `${DEV_PHRASE}${uri}` : uri);
  let seed: Uint8Array;
  if (phrase.startsWith('0x')) {
    if (phrase.length !== 66) throw new KeyError('a hex seed must be exactly 32 bytes');
    seed = fromHex(phrase, 32);
  } else {
    seed = miniSecretFromPhrase(phrase, password);
  }
  if (type === 'sr25519') {
    let keypair = sr25519_keypair_from_seed(seed);
    for (const j of junctions) {
      keypair = j.hard ? sr25519_derive_keypair_hard(keypair, j.chainCode) : sr25519_derive_keypair_soft(keypair, j.chainCode);
    }
    return sr25519FromKeypairBytes(keypair);
  }
  if (type === 'ed25519') {
    for (const j of junctions) {
      if (!j.hard) {
        const hardened = uri.replace(/(^|[^/])\/(?=[^/])/g, '$1//');
        throw new KeyError(`ed25519 keys support only hard derivation (//), as in Substrate: use "${redact(hardened)}"`);
      }
      seed = blake2_256(concatBytes(ED25519_HDKD, seed, j.chainCode));
    }
    return ed25519FromSeed(seed);
  }
  throw new KeyError(`unknown key type ${String(type)}`);
}

export function generateMnemonic(words: 12 | 24 = 12): string {
  if (words !== 12 && words !== 24) throw new KeyError('a mnemonic has 12 or 24 words');
  return bip39Generate(wordlist, words === 24 ? 256 : 128);
}

/** True only for a valid signature; malformed keys or signatures give false, never an exception. */
export function verifySignature(type: KeyType, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    // Natively when @balanceai/crypto-native is built, else in wasm: the same answers (sr25519.ts).
    if (type === 'sr25519') return sr25519Verify(publicKey, message, signature);
    if (type === 'ed25519') return nodeVerify(null, message, ed25519PublicKeyObject(publicKey), signature);
  } catch {
    return false;
  }
  return false;
}

export interface SignatureItem {
  type: KeyType;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * verifySignature for many items at once, one answer each in order, each exactly verifySignature's: the
 * sr25519 items in one batch verification when the native addon is loaded, ed25519 one by one.
 */
export function verifySignatures(items: readonly SignatureItem[]): boolean[] {
  const ok = new Array<boolean>(items.length).fill(false);
  const sr: SignatureItem[] = [];
  const at: number[] = [];
  items.forEach((it, i) => {
    if (it.type === 'sr25519' && it.publicKey.length === 32 && it.signature.length === 64) {
      sr.push(it);
      at.push(i);
    } else {
      ok[i] = verifySignature(it.type, it.publicKey, it.message, it.signature);
    }
  });
  if (sr.length > 0) sr25519VerifyMany(sr).forEach((valid, j) => (ok[at[j]!] = valid));
  return ok;
}

export interface DevAccount {
  name: (typeof DEV_ACCOUNT_NAMES)[number];
  uri: string;
  pair: KeyPair;
}

/** Alice, Bob, Charlie, Dave, Eve, Ferdie — the accounts every Substrate tool knows. */
export function devAccounts(type: KeyType = 'sr25519'): DevAccount[] {
  return DEV_ACCOUNT_NAMES.map((name) => ({ name, uri: `//${name}`, pair: keyFromUri(`//${name}`, type) }));
}
