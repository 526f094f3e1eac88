import { invalidParams } from './errors.js';

// Param checks shared by the method modules. Each throws "Invalid params" naming what was wrong, before
// anything reaches a validator.

const HEX = /^0x(?:[0-9a-fA-F]{2})*$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;

/** 0x-prefixed hex of whole bytes, lower-cased. */
export function hexParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || !HEX.test(value)) throw invalidParams(`${what} must be 0x-prefixed hex bytes`);
  return value.toLowerCase();
}

/** A 32-byte block hash, or undefined when absent/null (Substrate's `Option<Hash>`: the head). */
export function optionalHash(value: unknown, what = 'block hash'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !HASH.test(value)) throw invalidParams(`${what} must be a 32-byte 0x hex hash`);
  return value.toLowerCase();
}

export function stringParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidParams(`${what} must be a non-empty string`);
  return value;
}

/** A non-negative integer no larger than `max`. */
export function countParam(value: unknown, what: string, max = 0xffff_ffff): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw invalidParams(`${what} must be an integer from 0 to ${max}`);
  return value;
}

/** A list of storage keys (0x hex), at least one. */
export function keyListParam(value: unknown, what = 'keys'): string[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidParams(`${what} must be a non-empty array of 0x hex storage keys`);
  return value.map((k, i) => hexParam(k, `${what}[${i}]`));
}
