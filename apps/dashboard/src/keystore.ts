// Accounts kept in the browser: each one the Polkadot keystore JSON (`KeyringPair.toJson(password)`: the
// secret key as PKCS#8, encrypted with scrypt + xsalsa20-poly1305), in localStorage. The password is never
// stored; signing decrypts the pair for one transaction and locks it again.
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair, KeyringPair$Json } from '@polkadot/keyring/types';
import { cryptoWaitReady, mnemonicGenerate, mnemonicValidate } from '@polkadot/util-crypto';

export const STORAGE_KEY = 'bai.keystore.v1';
export const SS58_PREFIX = 42;

let keyring: Keyring | undefined;
async function ring(): Promise<Keyring> {
  await cryptoWaitReady();
  keyring ??= new Keyring({ type: 'sr25519', ss58Format: SS58_PREFIX });
  return keyring;
}

export function storedAccounts(): KeyringPair$Json[] {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    return Array.isArray(v) ? (v as KeyringPair$Json[]) : [];
  } catch {
    return [];
  }
}

function save(list: KeyringPair$Json[]): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(list));
}

export async function newMnemonic(): Promise<string> {
  await cryptoWaitReady();
  return mnemonicGenerate(12);
}

/** Adds an account from a mnemonic or a secret URI (`//Alice`, `<mnemonic>//hard/soft`), encrypted with `password`. */
export async function addAccount(secret: string, name: string, password: string): Promise<KeyringPair$Json> {
  const s = secret.trim().replace(/\s+/g, ' ');
  if (!s) throw new Error('Enter a mnemonic (12 or 24 words) or a secret URI such as //Alice.');
  if (password.length < 6) throw new Error('Choose a password of at least 6 characters: it encrypts the key in this browser.');
  const phrase = s.split('//')[0]!.trim();
  if (phrase && !s.startsWith('0x') && !mnemonicValidate(phrase)) throw new Error('That is not a valid BIP-39 mnemonic (check the words and their order).');
  const r = await ring();
  let pair: KeyringPair;
  try {
    pair = r.createFromUri(s, { name: name.trim() || 'account' }, 'sr25519');
  } catch (err) {
    throw new Error(`Cannot derive a key from that secret: ${err instanceof Error ? err.message : String(err)}`);
  }
  const json = pair.toJson(password);
  const list = storedAccounts().filter((a) => a.address !== json.address);
  list.push(json);
  save(list);
  return json;
}

export function removeAccount(address: string): void {
  save(storedAccounts().filter((a) => a.address !== address));
}

/** The pair of a stored account, decrypted with `password` (throws "Wrong password…" otherwise). */
export async function unlock(address: string, password: string): Promise<KeyringPair> {
  const json = storedAccounts().find((a) => a.address === address);
  if (!json) throw new Error('That account is not stored in this browser.');
  const pair = (await ring()).createFromJson(json);
  try {
    pair.decodePkcs8(password);
  } catch {
    throw new Error('Wrong password for this account.');
  }
  return pair;
}
