import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { ScaleError } from './errors.js';
import { blake2_256 } from './hash.js';
import { toHex, utf8 } from './hex.js';
import { type Header, decodeHeader, decodeVecBytes, encodeHeader, encodeVecBytes, extrinsicsRoot, headerHash } from './header.js';

const header: Header = {
  parentHash: blake2_256(utf8('parent')),
  number: 1_234_567,
  stateRoot: blake2_256(utf8('state')),
  extrinsicsRoot: blake2_256(utf8('extrinsics')),
  digest: [
    { type: 'PreRuntime', engine: 'BAIC', data: Uint8Array.of(1, 2, 3) },
    { type: 'Consensus', engine: 'BFTc', data: new Uint8Array(300).fill(7) },
    { type: 'Other', data: Uint8Array.of(9) },
    { type: 'RuntimeEnvironmentUpdated' },
    { type: 'Seal', engine: 'BAIS', data: new Uint8Array(64).fill(1) },
  ],
};

test('header hash equals @polkadot/types Header.hash for a header with every digest kind', () => {
  const registry = new TypeRegistry();
  const polkadotHeader = registry.createType('Header', {
    parentHash: header.parentHash,
    number: header.number,
    stateRoot: header.stateRoot,
    extrinsicsRoot: header.extrinsicsRoot,
    digest: {
      logs: [
        // Hex strings: polkadot reads a bare Uint8Array given for Bytes as already length-prefixed.
        { PreRuntime: ['BAIC', u8aToHex(Uint8Array.of(1, 2, 3))] },
        { Consensus: ['BFTc', u8aToHex(new Uint8Array(300).fill(7))] },
        { Other: u8aToHex(Uint8Array.of(9)) },
        { RuntimeEnvironmentUpdated: null },
        { Seal: ['BAIS', u8aToHex(new Uint8Array(64).fill(1))] },
      ],
    },
  });
  assert.equal(toHex(encodeHeader(header)), u8aToHex(polkadotHeader.toU8a()));
  assert.equal(toHex(headerHash(header)), polkadotHeader.hash.toHex());
});

test('decodeHeader inverts encodeHeader and refuses trailing bytes and unknown digest items', () => {
  const bytes = encodeHeader(header);
  assert.deepEqual(decodeHeader(bytes), header);
  assert.throws(() => decodeHeader(Uint8Array.of(...bytes, 0)), ScaleError);
  const badDigest = encodeHeader({ ...header, digest: [{ type: 'Other', data: new Uint8Array(0) }] });
  badDigest[badDigest.length - 2] = 3; // the Other tag becomes the obsolete SealV0
  assert.throws(() => decodeHeader(badDigest), ScaleError);
  assert.throws(() => encodeHeader({ ...header, digest: [{ type: 'Seal', engine: 'TOOLONG', data: new Uint8Array(0) }] }), ScaleError);
  assert.throws(() => encodeHeader({ ...header, parentHash: new Uint8Array(31) }), ScaleError);
});

test('extrinsicsRoot commits to the order and content of extrinsics', () => {
  const a = Uint8Array.of(1, 2);
  const b = Uint8Array.of(3);
  assert.deepEqual(decodeVecBytes(encodeVecBytes([a, b])), [a, b]);
  assert.equal(toHex(extrinsicsRoot([a, b])), toHex(blake2_256(Uint8Array.of(8, 8, 1, 2, 4, 3))));
  assert.notDeepEqual(extrinsicsRoot([a, b]), extrinsicsRoot([b, a]));
  assert.equal(toHex(extrinsicsRoot([])), toHex(blake2_256(Uint8Array.of(0))));
});
