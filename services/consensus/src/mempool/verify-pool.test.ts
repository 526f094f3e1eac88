import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoReady, keyFromUri, sr25519Backend, type KeyPair } from '@balanceai/chain';
import { VerifyPool, type VerifyItem } from './verify-pool.js';

describe('verify pool (worker threads)', () => {
  let sr: KeyPair;
  let ed: KeyPair;
  let pool: VerifyPool;
  before(async () => {
    await cryptoReady();
    sr = keyFromUri('//Alice', 'sr25519');
    ed = keyFromUri('//Bob', 'ed25519');
    pool = new VerifyPool(2);
  });
  after(() => pool.close());

  it('answers each item in order, sr25519 and ed25519, good and bad, across workers', async () => {
    const msg = new Uint8Array([1, 2, 3]);
    const good = (k: KeyPair): VerifyItem => ({ type: k.type, publicKey: k.publicKey, message: msg, signature: k.sign(msg) });
    const bad = (k: KeyPair): VerifyItem => ({ ...good(k), message: new Uint8Array([9]) });
    const batches = await Promise.all([
      pool.verify([good(sr), bad(sr), good(ed)]),
      pool.verify([bad(ed), good(sr)]),
      pool.verify([{ ...good(sr), type: 'ed25519' }]),
    ]);
    assert.deepEqual(batches, [[true, false, true], [false, true], [false]]);
    assert.deepEqual(await pool.verify([]), []);
  });

  it('verifies sr25519 natively without threads when the addon is built, merging concurrent batches, one bad among many', { skip: sr25519Backend().name === 'native' ? false : 'native addon not built' }, async () => {
    const p = new VerifyPool(1);
    try {
      const signers = Array.from({ length: 8 }, (_, i) => keyFromUri(`//pool//${i}`, 'sr25519'));
      const batches = Array.from({ length: 40 }, (_, b) =>
        Array.from({ length: 1 + (b % 7) }, (_, i): VerifyItem => {
          const k = signers[(b + i) % signers.length]!;
          const message = new Uint8Array([b, i]);
          return { type: 'sr25519', publicKey: k.publicKey, message: b === 17 && i === 3 ? new Uint8Array([0]) : message, signature: k.sign(message) };
        }),
      );
      const results = await Promise.all(batches.map((items) => p.verify(items)));
      assert.deepEqual(results, batches.map((items, b) => items.map((_, i) => !(b === 17 && i === 3))));
      assert.equal(p.threads, 0);
    } finally {
      await p.close();
    }
  });

  it('refuses work once closed', async () => {
    const p = new VerifyPool(1);
    await p.close();
    await assert.rejects(p.verify([{ type: 'sr25519', publicKey: sr.publicKey, message: new Uint8Array(1), signature: new Uint8Array(64) }]), /closed/);
  });
});
