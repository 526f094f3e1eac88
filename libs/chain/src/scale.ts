import { ScaleError } from './errors.js';
import { concatBytes, fromUtf8, utf8 } from './hex.js';

const MAX_U32 = 0xffff_ffffn;
const MAX_U64 = (1n << 64n) - 1n;
const MAX_U128_ = (1n << 128n) - 1n;

/** SCALE compact encoding of a non-negative integer (parity-scale-codec's canonical form). */
export function encodeCompact(value: number | bigint): Uint8Array {
  const v = BigInt(value);
  if (v < 0n) throw new ScaleError('compact value must not be negative');
  if (v < 1n << 6n) return Uint8Array.of(Number(v) << 2);
  if (v < 1n << 14n) {
    const n = (Number(v) << 2) | 0b01;
    return Uint8Array.of(n & 0xff, n >> 8);
  }
  if (v < 1n << 30n) {
    const n = Number(v) * 4 + 0b10;
    return Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  // Big-integer mode: a length byte ((bytes - 4) << 2 | 0b11) then the minimal little-endian bytes.
  const bytes: number[] = [];
  let rest = v;
  while (rest > 0n) {
    bytes.push(Number(rest & 0xffn));
    rest >>= 8n;
  }
  if (bytes.length > 67) throw new ScaleError('compact value too large');
  return Uint8Array.of(((bytes.length - 4) << 2) | 0b11, ...bytes);
}

/** Appends SCALE values to a growing buffer. */
export class ScaleWriter {
  private readonly parts: Uint8Array[] = [];

  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }
  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new ScaleError(`u8 out of range: ${v}`);
    return this.raw(Uint8Array.of(v));
  }
  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new ScaleError(`u16 out of range: ${v}`);
    return this.raw(Uint8Array.of(v & 0xff, v >> 8));
  }
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new ScaleError(`u32 out of range: ${v}`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.raw(b);
  }
  u64(v: bigint): this {
    if (v < 0n || v > MAX_U64) throw new ScaleError(`u64 out of range: ${v}`);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.raw(b);
  }
  u128(v: bigint): this {
    if (v < 0n || v > MAX_U128_) throw new ScaleError(`u128 out of range: ${v}`);
    const b = new Uint8Array(16);
    const view = new DataView(b.buffer);
    view.setBigUint64(0, v & MAX_U64, true);
    view.setBigUint64(8, v >> 64n, true);
    return this.raw(b);
  }
  bool(v: boolean): this {
    return this.raw(Uint8Array.of(v ? 1 : 0));
  }
  compact(v: number | bigint): this {
    return this.raw(encodeCompact(v));
  }
  /** `Vec<u8>`: compact length then the bytes. */
  bytes(v: Uint8Array): this {
    return this.compact(v.length).raw(v);
  }
  str(v: string): this {
    return this.bytes(utf8(v));
  }
  option<T>(v: T | undefined | null, write: (w: this, value: T) => void): this {
    if (v === undefined || v === null) return this.u8(0);
    this.u8(1);
    write(this, v);
    return this;
  }
  vec<T>(items: readonly T[], write: (w: this, item: T) => void): this {
    this.compact(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  finish(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

/** Reads SCALE values from a byte string; every read checks bounds and throws ScaleError. */
export class ScaleReader {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}

  get offset(): number {
    return this.pos;
  }
  get remaining(): number {
    return this.data.length - this.pos;
  }
  raw(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.data.length) {
      throw new ScaleError(`unexpected end of input: need ${length} bytes at offset ${this.pos}, have ${this.remaining}`);
    }
    const out = this.data.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }
  u8(): number {
    return this.raw(1)[0]!;
  }
  u16(): number {
    const b = this.raw(2);
    return b[0]! | (b[1]! << 8);
  }
  u32(): number {
    const b = this.raw(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }
  u64(): bigint {
    const b = this.raw(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }
  u128(): bigint {
    const b = this.raw(16);
    const view = new DataView(b.buffer, b.byteOffset, 16);
    return view.getBigUint64(0, true) | (view.getBigUint64(8, true) << 64n);
  }
  bool(): boolean {
    const b = this.u8();
    if (b > 1) throw new ScaleError(`invalid bool byte ${b}`);
    return b === 1;
  }
  /**
   * Compact integer. Non-canonical encodings (a value in a longer mode than needed) are rejected, as
   * parity-scale-codec does, so that one value has exactly one encoding (and one extrinsic hash).
   */
  compactBig(): bigint {
    const first = this.u8();
    const mode = first & 0b11;
    if (mode === 0) return BigInt(first >> 2);
    if (mode === 1) {
      const v = (first | (this.u8() << 8)) >> 2;
      if (v < 1 << 6) throw new ScaleError('non-canonical compact encoding');
      return BigInt(v);
    }
    if (mode === 2) {
      const b = this.raw(3);
      const v = Math.floor((first + b[0]! * 0x100 + b[1]! * 0x10000 + b[2]! * 0x1000000) / 4);
      if (v < 1 << 14) throw new ScaleError('non-canonical compact encoding');
      return BigInt(v);
    }
    const length = (first >> 2) + 4;
    const b = this.raw(length);
    if (b[length - 1] === 0) throw new ScaleError('non-canonical compact encoding');
    let v = 0n;
    for (let i = length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    if (v < 1n << 30n) throw new ScaleError('non-canonical compact encoding');
    return v;
  }
  /** Compact integer that must fit a u32 (lengths, nonces, block numbers). */
  compactU32(): number {
    const v = this.compactBig();
    if (v > MAX_U32) throw new ScaleError(`compact value ${v} exceeds u32`);
    return Number(v);
  }
  compactU128(): bigint {
    const v = this.compactBig();
    if (v > MAX_U128_) throw new ScaleError(`compact value exceeds u128`);
    return v;
  }
  bytes(): Uint8Array {
    const length = this.compactU32();
    return this.raw(length);
  }
  str(): string {
    try {
      return fromUtf8(this.bytes());
    } catch (err) {
      if (err instanceof ScaleError) throw err;
      throw new ScaleError('string is not valid UTF-8');
    }
  }
  option<T>(read: (r: this) => T): T | undefined {
    const tag = this.u8();
    if (tag === 0) return undefined;
    if (tag === 1) return read(this);
    throw new ScaleError(`invalid Option tag ${tag}`);
  }
  vec<T>(read: (r: this) => T): T[] {
    const n = this.compactU32();
    // Each item takes at least one byte: refuse lengths the input cannot hold before allocating.
    if (n > this.remaining) throw new ScaleError(`vector length ${n} exceeds the remaining ${this.remaining} bytes`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }
  /** Trailing bytes mean the encoding is not what the sender meant: an error, never ignored. */
  assertEnd(what = 'input'): void {
    if (this.remaining !== 0) throw new ScaleError(`${this.remaining} trailing bytes after ${what}`);
  }
}
