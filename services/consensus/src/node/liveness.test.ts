import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoReady, keyFromUri, type KeyPair } from '@balanceai/chain';
import { Liveness, encodeStatus, statusSignBytes } from './liveness.js';

const GH = new Uint8Array(32).fill(9);
let validator: KeyPair;
let stranger: KeyPair;

function status(key: KeyPair, height: number, timeMs: number, signer = key): Uint8Array {
  const s = { key: key.publicKey, height, round: 0, timeMs };
  return encodeStatus({ ...s, signature: signer.sign(statusSignBytes(GH, s)) });
}

describe('liveness', () => {
  before(async () => {
    await cryptoReady();
    validator = keyFromUri('//validator//1', 'ed25519');
    stranger = keyFromUri('//stranger', 'ed25519');
  });

  it('counts a validator online only from a status it signed, fresh and not replayed', () => {
    let now = 1_000_000;
    const live = new Liveness(GH, () => now);
    const isValidator = (k: Uint8Array) => Buffer.from(k).equals(Buffer.from(validator.publicKey));
    assert.equal(live.acceptStatus(status(validator, 99_999_999, now, stranger), isValidator), null, 'forged signature');
    assert.equal(live.acceptStatus(status(stranger, 99_999_999, now), isValidator), null, 'a key in no set');
    assert.equal(live.acceptStatus(new TextEncoder().encode('{"v":1,"h":99999999}'), isValidator), null, 'the old unsigned JSON form');
    assert.equal(live.acceptStatus(status(validator, 5, now - 60_000), isValidator), null, 'stale');
    assert.equal(live.status(validator.publicKey).online, false);
    const fresh = status(validator, 5, now);
    assert.equal(live.acceptStatus(fresh, isValidator)?.height, 5);
    assert.equal(live.status(validator.publicKey).online, true);
    now += 10_000;
    assert.equal(live.acceptStatus(fresh, isValidator), null, 'a replayed status does not keep a dead validator online');
    assert.equal(live.status(validator.publicKey).online, false);
  });

  it('counts validators seen ahead by the highest verified height of each (one liar is one vote)', () => {
    const live = new Liveness(GH, () => 0);
    const keys = [1, 2, 3, 4].map((i) => keyFromUri(`//validator//${i}`, 'ed25519').publicKey);
    live.seen(keys[0]!, 99_999_999);
    live.seen(keys[1]!, 11);
    live.seen(keys[1]!, 9); // a late message does not lower what was seen
    assert.equal(live.countAhead(keys, 10), 2);
    assert.equal(live.countAhead(keys, 11), 1, 'only the liar claims more: below f+1 = 2 of 4, no sync');
  });
});
