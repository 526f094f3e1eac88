import { ScaleReader, toHex } from '@balanceai/chain';
import { MetadataReadError, type Field, type RuntimeMetadata, type TypeDef } from './portable.js';

/**
 * A decoded SCALE value. Variants are `{ variant, fields }`; named composites are objects; a composite or
 * variant with exactly one unnamed field is that field's value (newtypes like AccountId32 read as hex);
 * byte arrays and byte vectors are 0x hex.
 */
export type Value = null | boolean | number | bigint | string | Value[] | VariantValue | { [name: string]: Value };
export interface VariantValue {
  variant: string;
  fields: Value;
}

export function isVariant(v: Value): v is VariantValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as VariantValue).variant === 'string' && 'fields' in v;
}

const MAX_DEPTH = 64;

/** Decodes values of the metadata's types from SCALE bytes. */
export class ScaleDecoder {
  constructor(private readonly meta: RuntimeMetadata) {}

  decode(type: number, r: ScaleReader, depth = 0): Value {
    if (depth > MAX_DEPTH) throw new MetadataReadError(`type ${type} nests deeper than ${MAX_DEPTH}`);
    const def = this.def(type);
    switch (def.tag) {
      case 'primitive':
        return readPrimitive(def.primitive, r);
      case 'compact': {
        const v = r.compactBig();
        return v <= BigInt(Number.MAX_SAFE_INTEGER) && this.isSmall(def.type) ? Number(v) : v;
      }
      case 'composite':
        return this.fields(def.fields, r, depth);
      case 'variant': {
        const index = r.u8();
        const variant = def.variants.find((v) => v.index === index);
        if (!variant) throw new MetadataReadError(`type ${type}: no variant with index ${index}`);
        return { variant: variant.name, fields: this.fields(variant.fields, r, depth) };
      }
      case 'sequence': {
        const n = r.compactU32();
        if (this.isByte(def.type)) return toHex(r.raw(n));
        if (n > r.remaining) throw new MetadataReadError(`a sequence of ${n} items exceeds the input`);
        return Array.from({ length: n }, () => this.decode(def.type, r, depth + 1));
      }
      case 'array':
        if (this.isByte(def.type)) return toHex(r.raw(def.len));
        return Array.from({ length: def.len }, () => this.decode(def.type, r, depth + 1));
      case 'tuple':
        return def.types.map((t) => this.decode(t, r, depth + 1));
      case 'bitSequence':
        throw new MetadataReadError('bit sequences are not supported');
    }
  }

  private fields(fields: Field[], r: ScaleReader, depth: number): Value {
    if (fields.length === 0) return null;
    if (fields.length === 1 && fields[0]!.name === undefined) return this.decode(fields[0]!.type, r, depth + 1);
    if (fields.every((f) => f.name !== undefined)) {
      const out: { [name: string]: Value } = {};
      for (const f of fields) out[f.name!] = this.decode(f.type, r, depth + 1);
      return out;
    }
    return fields.map((f) => this.decode(f.type, r, depth + 1));
  }

  def(type: number): TypeDef {
    const t = this.meta.types.get(type);
    if (!t) throw new MetadataReadError(`type ${type} is not in the metadata's registry`);
    return t.def;
  }

  private isByte(type: number): boolean {
    const d = this.def(type);
    return d.tag === 'primitive' && d.primitive === 'u8';
  }

  /** Compacts of u8..u32 (nonces, indices) read as numbers; balances (u64, u128) stay bigint. */
  private isSmall(type: number): boolean {
    const d = this.def(type);
    return d.tag === 'primitive' && (d.primitive === 'u8' || d.primitive === 'u16' || d.primitive === 'u32');
  }
}

function readPrimitive(p: string, r: ScaleReader): Value {
  switch (p) {
    case 'bool':
      return r.bool();
    case 'str':
      return r.str();
    case 'char':
      return String.fromCodePoint(r.u32());
    case 'u8':
      return r.u8();
    case 'u16':
      return r.u16();
    case 'u32':
      return r.u32();
    case 'u64':
      return r.u64();
    case 'u128':
      return r.u128();
    case 'u256':
      return r.u128() | (r.u128() << 128n);
    case 'i8':
    case 'i16':
    case 'i32':
    case 'i64':
    case 'i128':
    case 'i256': {
      const bytes = Number(p.slice(1)) / 8;
      let v = 0n;
      const b = r.raw(bytes);
      for (let i = bytes - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
      const bits = BigInt(bytes * 8);
      return v >= 1n << (bits - 1n) ? v - (1n << bits) : v;
    }
    default:
      throw new MetadataReadError(`unknown primitive ${p}`);
  }
}
