import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactToU8a, u8aToHex } from '@polkadot/util';
import { ScaleError } from './errors.js';
import { toHex } from './hex.js';
import { ScaleReader, ScaleWriter, encodeCompact } from './scale.js';

test('compact encoding matches @polkadot/util at every mode boundary', () => {
  const values = [0n, 1n, 63n, 64n, 16383n, 16384n, (1n << 30n) - 1n, 1n << 30n, (1n << 32n) - 1n, 1n << 32n, (1n << 64n) - 1n, (1n << 128n) - 1n];
  for (const v of values) {
    const ours = encodeCompact(v);
    assert.equal(toHex(ours), u8aToHex(compactToU8a(v)), v.toString());
    const r = new ScaleReader(ours);
    assert.equal(r.compactBig(), v);
    r.assertEnd();
  }
});

test('compact decoding rejects non-canonical encodings (one value, one encoding)', () => {
  assert.throws(() => new ScaleReader(Uint8Array.of(0b01, 0)).compactBig(), ScaleError); // 0 in two-byte mode
  assert.throws(() => new ScaleReader(Uint8Array.of(0b10, 0, 0, 0)).compactBig(), ScaleError); // 0 in four-byte mode
  assert.throws(() => new ScaleReader(Uint8Array.of(0b11, 1, 0, 0, 0)).compactBig(), ScaleError); // 1 in big mode
  assert.throws(() => new ScaleReader(Uint8Array.of(0b111, 0, 0, 0, 0x40, 0)).compactBig(), ScaleError); // trailing zero byte
});

test('writer and reader round-trip fixed-width integers, bool, option, vec and strings', () => {
  const bytes = new ScaleWriter()
    .u8(7)
    .u16(0xbeef)
    .u32(0xdeadbeef)
    .u64(1n << 63n)
    .u128((1n << 127n) + 5n)
    .bool(true)
    .option<number>(42, (w, v) => w.u32(v))
    .option<number>(undefined, (w, v) => w.u32(v))
    .vec([1, 2, 3], (w, v) => w.u16(v))
    .str('héllo')
    .bytes(Uint8Array.of(9, 9))
    .finish();
  const r = new ScaleReader(bytes);
  assert.equal(r.u8(), 7);
  assert.equal(r.u16(), 0xbeef);
  assert.equal(r.u32(), 0xdeadbeef);
  assert.equal(r.u64(), 1n << 63n);
  assert.equal(r.u128(), (1n << 127n) + 5n);
  assert.equal(r.bool(), true);
  assert.equal(r.option((x) => x.u32()), 42);
  assert.equal(r.option((x) => x.u32()), undefined);
  assert.deepEqual(r.vec((x) => x.u16()), [1, 2, 3]);
  assert.equal(r.str(), 'héllo');
  assert.deepEqual(r.bytes(), Uint8Array.of(9, 9));
  r.assertEnd();
});

test('reader reports truncation, bad tags, oversized vectors and trailing bytes', () => {
  assert.throws(() => new ScaleReader(Uint8Array.of(1, 2)).u32(), ScaleError);
  assert.throws(() => new ScaleReader(Uint8Array.of(2)).bool(), ScaleError);
  assert.throws(() => new ScaleReader(Uint8Array.of(2)).option((r) => r.u8()), ScaleError);
  assert.throws(() => new ScaleReader(Uint8Array.of(0xfd, 0xff, 0xff, 0x7f)).vec((r) => r.u8()), ScaleError);
  assert.throws(() => new ScaleReader(Uint8Array.of(1, 2)).assertEnd(), ScaleError);
  assert.throws(() => new ScaleWriter().u32(2 ** 32), ScaleError);
});
