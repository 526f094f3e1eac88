import { ChainError } from './errors.js';
import { fromHex } from './hex.js';
import type { FieldSpec, Primitive, RuntimeTypeName, TypeSpec, VariantSpec } from './meta-types.js';
import { ScaleWriter } from './scale.js';
import { parseAccountId } from './ss58.js';

/*
 * JSON → SCALE by a metadata type description: how the events the ledger and the modules report as JSON
 * become the bytes of System.Events that wallets decode with our metadata. The JSON is what services
 * write naturally: amounts as decimal strings (or bigint/number), account ids as 0x hex or SS58, struct
 * fields by their snake_case name or its camelCase, enums as "Name" or { "Name": fields }, Option as
 * null/absent or the value. Anything that does not fit its type is a JsonValueError naming the path:
 * a value is never guessed, truncated or dropped. Only keys the type does not have are ignored (events
 * carry extra context, e.g. the era of an unbond, that the Substrate event has no field for).
 */

export class JsonValueError extends ChainError {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super('BAD_JSON_VALUE', `${path || 'value'}: ${message}`);
  }
}

export interface EncodeJsonOptions {
  /** Resolves the runtime-wide types (RuntimeEvent, RuntimeCall…), which only the pallet list defines. */
  runtime?: (name: RuntimeTypeName) => TypeSpec;
  /** A value for a missing field of this type, or undefined when it has none (then the field is required). */
  defaultFor?: (spec: TypeSpec) => unknown;
}

/** SCALE bytes of `json` read as a value of type `spec`. */
export function encodeJsonValue(spec: TypeSpec, json: unknown, opts: EncodeJsonOptions = {}): Uint8Array {
  const w = new ScaleWriter();
  new JsonEncoder(w, opts).write(spec, json, '');
  return w.finish();
}

const INT_BITS: Record<Exclude<Primitive, 'bool' | 'char' | 'str'>, { bits: number; signed: boolean }> = {
  u8: { bits: 8, signed: false },
  u16: { bits: 16, signed: false },
  u32: { bits: 32, signed: false },
  u64: { bits: 64, signed: false },
  u128: { bits: 128, signed: false },
  u256: { bits: 256, signed: false },
  i8: { bits: 8, signed: true },
  i16: { bits: 16, signed: true },
  i32: { bits: 32, signed: true },
  i64: { bits: 64, signed: true },
  i128: { bits: 128, signed: true },
  i256: { bits: 256, signed: true },
};

export const snakeToCamel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const pathOf = (spec: TypeSpec): string => (spec.kind === 'composite' || spec.kind === 'variant' ? spec.path.join('::') : '');
const ACCOUNT_ID_PATH = 'sp_core::crypto::AccountId32';

/** An integer from a bigint, a safe-integer number, or a decimal (or 0x hex) string. */
function integerOf(json: unknown, path: string): bigint {
  if (typeof json === 'bigint') return json;
  if (typeof json === 'number') {
    if (!Number.isSafeInteger(json)) throw new JsonValueError(path, `${json} is not an exact integer (send large amounts as decimal strings)`);
    return BigInt(json);
  }
  if (typeof json === 'string') {
    if (/^-?[0-9]+$/.test(json)) return BigInt(json);
    if (/^0x[0-9a-fA-F]+$/.test(json)) return BigInt(json);
  }
  throw new JsonValueError(path, `expected an integer, got ${describe(json)}`);
}

function describe(json: unknown): string {
  if (json === undefined) return 'nothing';
  if (typeof json === 'bigint') return `${json}n`;
  if (json instanceof Uint8Array) return `${json.length} bytes`;
  const text = JSON.stringify(json) ?? String(json);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Bytes from 0x hex, a Uint8Array or an array of byte numbers. */
function bytesOf(json: unknown, path: string, length?: number): Uint8Array {
  let out: Uint8Array;
  if (json instanceof Uint8Array) out = json;
  else if (typeof json === 'string' && json.startsWith('0x')) {
    try {
      out = fromHex(json);
    } catch (err) {
      throw new JsonValueError(path, (err as Error).message);
    }
  } else if (Array.isArray(json) && json.every((b) => typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255)) {
    out = Uint8Array.from(json as number[]);
  } else throw new JsonValueError(path, `expected 0x hex bytes, got ${describe(json)}`);
  if (length !== undefined && out.length !== length) throw new JsonValueError(path, `expected ${length} bytes, got ${out.length}`);
  return out;
}

const isU8 = (spec: TypeSpec) => spec.kind === 'primitive' && spec.primitive === 'u8';

class JsonEncoder {
  constructor(
    private readonly w: ScaleWriter,
    private readonly opts: EncodeJsonOptions,
  ) {}

  write(spec: TypeSpec, json: unknown, path: string): void {
    switch (spec.kind) {
      case 'primitive':
        return this.primitive(spec.primitive, json, path);
      case 'compact':
        return this.compact(spec.of, json, path);
      case 'sequence':
        if (isU8(spec.of) && !Array.isArray(json)) {
          this.w.bytes(bytesOf(json, path));
          return;
        }
        if (!Array.isArray(json)) throw new JsonValueError(path, `expected a list, got ${describe(json)}`);
        this.w.compact(json.length);
        json.forEach((item, i) => this.write(spec.of, item, `${path}[${i}]`));
        return;
      case 'array':
        if (isU8(spec.of)) {
          this.w.raw(bytesOf(json, path, spec.len));
          return;
        }
        if (!Array.isArray(json) || json.length !== spec.len) throw new JsonValueError(path, `expected a list of ${spec.len}, got ${describe(json)}`);
        json.forEach((item, i) => this.write(spec.of, item, `${path}[${i}]`));
        return;
      case 'tuple':
        if (spec.items.length === 0) {
          if (json === undefined || json === null || (Array.isArray(json) && json.length === 0) || (isObject(json) && Object.keys(json).length === 0)) return;
          throw new JsonValueError(path, `expected nothing (unit), got ${describe(json)}`);
        }
        if (!Array.isArray(json) || json.length !== spec.items.length) throw new JsonValueError(path, `expected a tuple of ${spec.items.length}, got ${describe(json)}`);
        spec.items.forEach((item, i) => this.write(item, json[i], `${path}[${i}]`));
        return;
      case 'composite':
        return this.composite(spec, json, path);
      case 'variant':
        return this.variant(spec, json, path);
      case 'runtime': {
        const resolved = this.opts.runtime?.(spec.name);
        if (!resolved) throw new JsonValueError(path, `${spec.name} needs the runtime's pallets to encode`);
        return this.write(resolved, json, path);
      }
    }
  }

  private primitive(p: Primitive, json: unknown, path: string): void {
    if (p === 'bool') {
      if (typeof json !== 'boolean') throw new JsonValueError(path, `expected true or false, got ${describe(json)}`);
      this.w.bool(json);
      return;
    }
    if (p === 'str') {
      if (typeof json !== 'string') throw new JsonValueError(path, `expected a string, got ${describe(json)}`);
      this.w.str(json);
      return;
    }
    if (p === 'char') {
      const chars = typeof json === 'string' ? [...json] : [];
      if (chars.length !== 1) throw new JsonValueError(path, `expected one character, got ${describe(json)}`);
      this.w.u32(chars[0]!.codePointAt(0)!);
      return;
    }
    const { bits, signed } = INT_BITS[p];
    const v = integerOf(json, path);
    const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
    const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
    if (v < min || v > max) throw new JsonValueError(path, `${v} does not fit a ${p}`);
    // Two's complement little-endian, which is also the unsigned encoding for v >= 0.
    let rest = v < 0n ? v + (1n << BigInt(bits)) : v;
    const out = new Uint8Array(bits / 8);
    for (let i = 0; i < out.length; i++, rest >>= 8n) out[i] = Number(rest & 0xffn);
    this.w.raw(out);
  }

  /** Compact<T>: T an unsigned integer, or a one-field wrapper of one (Compact<Perbill>), or unit. */
  private compact(of: TypeSpec, json: unknown, path: string): void {
    if (of.kind === 'primitive' && of.primitive.startsWith('u')) {
      const v = integerOf(json, path);
      const bits = INT_BITS[of.primitive as 'u8'].bits;
      if (v < 0n || v >= 1n << BigInt(bits)) throw new JsonValueError(path, `${v} does not fit a Compact<${of.primitive}>`);
      this.w.compact(v);
      return;
    }
    if (of.kind === 'composite' && of.fields.length === 1) return this.compact(of.fields[0]!.type, json, path);
    if (of.kind === 'tuple' && of.items.length === 0) return this.write(of, json, path);
    throw new JsonValueError(path, `Compact of this type is not supported`);
  }

  private composite(spec: Extract<TypeSpec, { kind: 'composite' }>, json: unknown, path: string): void {
    const fields = spec.fields;
    if (pathOf(spec) === ACCOUNT_ID_PATH && typeof json === 'string' && !json.startsWith('0x')) {
      try {
        this.w.raw(parseAccountId(json));
      } catch (err) {
        throw new JsonValueError(path, (err as Error).message);
      }
      return;
    }
    if (fields.length === 0) {
      // A unit struct (or a field-less event) carries nothing; an object's keys are extra context, ignored.
      if (json === undefined || json === null || isObject(json) || (Array.isArray(json) && json.length === 0)) return;
      throw new JsonValueError(path, `expected nothing (a unit struct), got ${describe(json)}`);
    }
    if (fields.every((f) => f.name === undefined)) {
      // A newtype (AccountId32, H256, Perbill, BoundedVec…) is its inner value; a tuple struct is a list.
      if (fields.length === 1) return this.write(fields[0]!.type, json, path);
      if (!Array.isArray(json) || json.length !== fields.length) throw new JsonValueError(path, `expected a list of ${fields.length}, got ${describe(json)}`);
      fields.forEach((f, i) => this.write(f.type, json[i], `${path}[${i}]`));
      return;
    }
    this.namedFields(fields, json, path);
  }

  /** Named fields from an object, each by its snake_case name, camelCase name or a declared JSON alias. */
  namedFields(fields: FieldSpec[], json: unknown, path: string): void {
    const obj = json === undefined || json === null ? {} : json;
    if (!isObject(obj)) throw new JsonValueError(path, `expected an object, got ${describe(json)}`);
    for (const f of fields) {
      const name = f.name ?? '';
      const keys = [name, snakeToCamel(name), ...(f.jsonAliases ?? [])];
      const key = keys.find((k) => obj[k] !== undefined);
      const fieldPath = path ? `${path}.${name}` : name;
      if (key !== undefined) {
        this.write(f.type, obj[key], fieldPath);
        continue;
      }
      const fallback = this.opts.defaultFor?.(f.type);
      if (fallback !== undefined) this.write(f.type, fallback, fieldPath);
      else if (f.type.kind === 'variant' && pathOf(f.type) === 'Option') this.w.u8(0);
      else throw new JsonValueError(fieldPath, 'is missing');
    }
  }

  private variant(spec: Extract<TypeSpec, { kind: 'variant' }>, json: unknown, path: string): void {
    if (pathOf(spec) === 'Option' && spec.variants.length === 2) {
      if (json === null || json === undefined) {
        this.w.u8(0);
        return;
      }
      this.w.u8(1);
      return this.write(spec.variants[1]!.fields![0]!.type, json, path);
    }
    let name: string;
    let value: unknown;
    if (typeof json === 'string') name = json;
    else if (isObject(json) && Object.keys(json).length === 1) {
      name = Object.keys(json)[0]!;
      value = json[name];
    } else throw new JsonValueError(path, `expected "Variant" or { "Variant": value } of ${pathOf(spec)}, got ${describe(json)}`);
    // "Normal" or "normal": polkadot-style JSON lowercases the first letter of enum variants.
    const v: VariantSpec | undefined = spec.variants.find((x) => x.name === name) ?? spec.variants.find((x) => lowerFirst(x.name) === name);
    if (!v) throw new JsonValueError(path, `${pathOf(spec)} has no variant ${name}`);
    this.w.u8(v.index);
    const fields = v.fields ?? [];
    const at = `${path}.${v.name}`;
    if (fields.length === 0) {
      if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) throw new JsonValueError(at, `has no fields, got ${describe(value)}`);
      return;
    }
    if (fields.every((f) => f.name === undefined)) {
      if (fields.length === 1) return this.write(fields[0]!.type, value, at);
      if (!Array.isArray(value) || value.length !== fields.length) throw new JsonValueError(at, `expected a list of ${fields.length}, got ${describe(value)}`);
      fields.forEach((f, i) => this.write(f.type, value[i], `${at}[${i}]`));
      return;
    }
    this.namedFields(fields, value, at);
  }
}
