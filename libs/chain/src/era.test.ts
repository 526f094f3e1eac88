import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { toHex } from './hex.js';
import { IMMORTAL, encodeEra, eraBirth, eraDeath, mortalEra } from './extrinsic.js';

const registry = new TypeRegistry();

test('mortalEra rounds the period and quantises the phase exactly as @polkadot/types ExtrinsicEra', () => {
  for (const [current, period] of [
    [0, 64],
    [1_000, 64],
    [12_345, 100],
    [1_000_000, 3],
    [9_999_999, 70_000],
    [123_456, 8192],
    [77, 4],
  ] as const) {
    const ours = mortalEra(current, period);
    const built = registry.createType('ExtrinsicEra', { current, period });
    assert.equal(toHex(encodeEra(ours)), u8aToHex(built.toU8a()), `${current}/${period}`);
    // polkadot.js keeps an unquantised phase in memory for periods > 4096 (float division) but encodes
    // the quantised one, as Substrate's integer division does; compare with the era as decoded.
    const theirs = registry.createType('ExtrinsicEra', built.toU8a());
    assert.equal(ours.kind === 'mortal' && ours.period, theirs.asMortalEra.period.toNumber());
    assert.equal(ours.kind === 'mortal' && ours.phase, theirs.asMortalEra.phase.toNumber());
    assert.equal(eraBirth(ours, current), theirs.asMortalEra.birth(current));
    assert.equal(eraDeath(ours, current), theirs.asMortalEra.death(current));
  }
});

test('a mortal era is born at or before the current block and dies one period after birth', () => {
  const era = mortalEra(1_000, 64);
  assert.ok(eraBirth(era, 1_000) <= 1_000);
  assert.equal(eraDeath(era, 1_000) - eraBirth(era, 1_000), 64);
  assert.equal(eraBirth(era, 1_063), eraBirth(era, 1_000));
});

test('the immortal era encodes as a single zero byte and never dies', () => {
  assert.deepEqual(encodeEra(IMMORTAL), Uint8Array.of(0));
  assert.equal(eraBirth(IMMORTAL, 500), 0);
  assert.equal(eraDeath(IMMORTAL, 500), Number.MAX_SAFE_INTEGER);
});
