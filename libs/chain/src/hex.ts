import { HexError } from './errors.js';

const BYTE_TO_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** 0x-prefixed lowercase hex, the form Substrate RPCs and polkadot.js use. */
export function toHex(bytes: Uint8Array): string {
  let out = '0x';
  for (let i = 0; i < bytes.length; i++) out += BYTE_TO_HEX[bytes[i]!];
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Parses 0x-prefixed hex (either case). The prefix is required so that a decimal-looking string is
 * never silently read as bytes. `expectedLength` is in bytes.
 */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (typeof hex !== 'string' || !hex.startsWith('0x')) throw new HexError('hex must start with 0x');
  const digits = hex.length - 2;
  if (digits % 2 !== 0) throw new HexError('hex has an odd number of digits');
  const out = new Uint8Array(digits / 2);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new HexError(`expected ${expectedLength} bytes of hex, got ${out.length}`);
  }
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 + 2 * i));
    const lo = nibble(hex.charCodeAt(3 + 2 * i));
    if (hi < 0 || lo < 0) throw new HexError(`invalid hex digit near position ${2 + 2 * i}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });
export function utf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}
export function fromUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}
