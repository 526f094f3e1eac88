import { AmountError } from './errors.js';

export const BAI_DECIMALS = 18;
export const ONE_BAI = 10n ** 18n;
export const MAX_U128 = (1n << 128n) - 1n;

const BAI_TEXT = /^(\d+)(?:\.(\d+))?$/;
const DIGITS = /^\d+$/;
// u128 has 39 decimal digits; anything much longer is junk, refused before BigInt() does the work.
const MAX_TEXT_LENGTH = 80;

/** "1.5" → 1_500_000_000_000_000_000n. Plain decimal only: no sign, exponent, spaces or separators. */
export function parseBai(text: string): bigint {
  if (typeof text !== 'string' || text.length === 0) throw new AmountError('amount is empty');
  if (text.length > MAX_TEXT_LENGTH) throw new AmountError('amount is too long');
  const m = BAI_TEXT.exec(text);
  if (!m) throw new AmountError(`"${text}" is not a decimal BAI amount (digits with an optional . and up to 18 decimals)`);
  const whole = m[1]!;
  const fraction = m[2] ?? '';
  if (fraction.length > BAI_DECIMALS) throw new AmountError(`"${text}" has more than ${BAI_DECIMALS} decimals`);
  const value = BigInt(whole) * ONE_BAI + BigInt(fraction.padEnd(BAI_DECIMALS, '0') || '0');
  if (value > MAX_U128) throw new AmountError(`"${text}" exceeds the largest amount (u128)`);
  return value;
}

/** A decimal string of base units, as amounts travel on the wire. */
export function parseBaseUnits(text: string): bigint {
  if (typeof text !== 'string' || text.length === 0) throw new AmountError('amount is empty');
  if (text.length > MAX_TEXT_LENGTH) throw new AmountError('amount is too long');
  if (!DIGITS.test(text)) throw new AmountError(`"${text}" is not a decimal integer of base units`);
  const value = BigInt(text);
  if (value > MAX_U128) throw new AmountError(`"${text}" exceeds the largest amount (u128)`);
  return value;
}

/**
 * Formats base units as BAI, exactly, without trailing zeros ("1.5", "0.000000000000000001", "3").
 * `decimals` caps the fraction digits shown (default 18 = exact); the cut truncates toward zero,
 * because a displayed balance must never exceed the real one.
 */
export function formatBai(value: bigint, opts?: { decimals?: number }): string {
  const decimals = opts?.decimals ?? BAI_DECIMALS;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > BAI_DECIMALS) {
    throw new AmountError(`decimals must be an integer from 0 to ${BAI_DECIMALS}`);
  }
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / ONE_BAI;
  const fraction = (abs % ONE_BAI).toString().padStart(BAI_DECIMALS, '0').slice(0, decimals).replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative && text !== '0' ? `-${text}` : text;
}
