import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake2_256, encodeHeader, encodeRuntimeVersion, fromHex, runtimeVersion, runtimeVersionJson, ScaleError, toHex, type DigestItem } from '@balanceai/chain';
import { decodeHeader, decodeRuntimeVersion, parseBlockNumber } from './substrate-json.js';

const h = (byte: string) => fromHex(`0x${byte.repeat(32)}`);

describe('decodeHeader', () => {
  it('writes the header as Substrate does: number as 0x hex, each digest item as its exact SCALE bytes', () => {
    const digest: DigestItem[] = [
      { type: 'PreRuntime', engine: 'BAI0', data: Uint8Array.of(1, 2, 3) },
      { type: 'Consensus', engine: 'BFTC', data: Uint8Array.of(9) },
      { type: 'Seal', engine: 'BFT1', data: new Uint8Array(0) },
      { type: 'Other', data: Uint8Array.of(7, 7) },
    ];
    const bytes = encodeHeader({ parentHash: h('11'), number: 300, stateRoot: h('22'), extrinsicsRoot: h('33'), digest });
    const decoded = decodeHeader(toHex(bytes));
    assert.deepEqual(decoded.json, {
      parentHash: toHex(h('11')),
      number: '0x12c',
      stateRoot: toHex(h('22')),
      extrinsicsRoot: toHex(h('33')),
      digest: {
        logs: digest.map((item) => {
          // Each log re-encodes to the bytes of a one-item digest, minus the header fields and the count.
          const one = encodeHeader({ parentHash: h('00'), number: 0, stateRoot: h('00'), extrinsicsRoot: h('00'), digest: [item] });
          return toHex(one.subarray(32 + 1 + 32 + 32 + 1));
        }),
      },
    });
    assert.equal(decoded.number, 300);
    assert.equal(decoded.runtimeUpdated, false);
  });

  it('notices a runtime change (RuntimeEnvironmentUpdated)', () => {
    const bytes = encodeHeader({ parentHash: h('11'), number: 1, stateRoot: h('22'), extrinsicsRoot: h('33'), digest: [{ type: 'RuntimeEnvironmentUpdated' }] });
    const decoded = decodeHeader(toHex(bytes));
    assert.equal(decoded.runtimeUpdated, true);
    assert.deepEqual(decoded.json.digest.logs, ['0x08']);
  });

  it('refuses bytes that are not one header', () => {
    const bytes = encodeHeader({ parentHash: h('11'), number: 1, stateRoot: h('22'), extrinsicsRoot: h('33'), digest: [] });
    assert.throws(() => decodeHeader(toHex(bytes.subarray(0, 50))), ScaleError);
    assert.throws(() => decodeHeader(`${toHex(bytes)}00`), ScaleError);
    assert.throws(() => decodeHeader(`${toHex(bytes.subarray(0, bytes.length - 1))}0163`), ScaleError);
    // Unchanged bytes hash to the same block.
    assert.equal(toHex(blake2_256(bytes)), toHex(blake2_256(fromHex(toHex(bytes)))));
  });
});

describe('decodeRuntimeVersion', () => {
  it("reads Core_version's RuntimeVersion into the JSON libs/chain defines for it", () => {
    const version = runtimeVersion({ specVersion: 7, transactionVersion: 3 });
    assert.deepEqual(decodeRuntimeVersion(toHex(encodeRuntimeVersion(version))), runtimeVersionJson(version));
  });
});

describe('parseBlockNumber', () => {
  it("accepts Substrate's NumberOrHex and nothing else", () => {
    assert.equal(parseBlockNumber(0), 0);
    assert.equal(parseBlockNumber(42), 42);
    assert.equal(parseBlockNumber('0x2a'), 42);
    for (const bad of [-1, 1.5, '42', '0x', '0xzz', null, {}, Number.MAX_SAFE_INTEGER + 2]) assert.equal(parseBlockNumber(bad), undefined, String(bad));
  });
});
