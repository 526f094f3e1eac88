import { type KeyPair, type KeyType, type Payee, cryptoReady, keyFromUri, parseAccountId, parseBai } from '@balanceai/chain';
import { UsageError } from '../usage.js';

export function keyType(v: string | undefined, fallback: KeyType): KeyType {
  const t = v ?? fallback;
  if (t !== 'sr25519' && t !== 'ed25519') throw new UsageError(`--type must be sr25519 or ed25519, got "${t}"`);
  return t;
}

export async function signerFrom(opts: { from?: string; type?: string }, usage: string): Promise<KeyPair> {
  if (!opts.from) throw new UsageError(usage);
  await cryptoReady();
  return keyFromUri(opts.from, keyType(opts.type, 'sr25519'));
}

export function amountArg(text: string | undefined, usage: string): bigint {
  if (text === undefined) throw new UsageError(usage);
  return parseBai(text);
}

export function payeeArg(text: string | undefined): Payee {
  const p = text ?? 'Staked';
  if (p !== 'Staked' && p !== 'Stash') throw new UsageError(`--payee must be Staked or Stash, got "${p}"`);
  return p;
}

/** `--targets a,b,c`: SS58 addresses or 0x account ids; duplicates are a mistake the pallet would refuse. */
export function targetsArg(text: string | undefined, usage: string): Uint8Array[] {
  if (!text) throw new UsageError(usage);
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(usage);
  if (new Set(parts).size !== parts.length) throw new UsageError('--targets lists an address twice');
  return parts.map((p) => parseAccountId(p));
}

const PERCENT = /^(\d{1,3})(?:\.(\d{1,7}))?$/;

/** `--commission 5` or `5.25` (percent, up to 7 decimals) → Perbill parts (5% = 50_000_000). */
export function commissionArg(text: string | undefined): bigint {
  if (text === undefined) return 0n;
  const m = PERCENT.exec(text.replace(/%$/, ''));
  if (!m) throw new UsageError(`--commission "${text}" is not a percentage (e.g. 5 or 2.5)`);
  const parts = BigInt(m[1]!) * 10_000_000n + BigInt((m[2] ?? '').padEnd(7, '0'));
  if (parts > 1_000_000_000n) throw new UsageError('--commission is at most 100');
  return parts;
}

/** Seconds to wait for finality (and for a watch's blocks): 60 s unless `--timeout` says otherwise. */
export function timeoutArg(text: string | undefined, fallbackSeconds = 60): number {
  if (text === undefined) return fallbackSeconds * 1000;
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0 || s > 86_400) throw new UsageError(`--timeout "${text}" must be seconds (0 < s ≤ 86400)`);
  return s * 1000;
}
