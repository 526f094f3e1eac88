import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ONE_BAI, cryptoReady, encodeTransfer, keyFromUri, signExtrinsic, toHex, type KeyPair } from '@balanceai/chain';
import { decodeOnce, decodedOf } from './decoded.js';
import { executeExtrinsics, type ExecutionContext } from './executor.js';
import { Ledger } from './ledger.js';
import { GENESIS_HASH, params, ctx } from './params.testkit.js';


describe('decoding an extrinsic once per validator', () => {
  let alice: KeyPair;
  let bob: KeyPair;
  const transfer = (nonce: number) =>
    signExtrinsic(alice, encodeTransfer('keep_alive', bob.publicKey, ONE_BAI), { era: { kind: 'immortal' }, nonce, tip: 0n }, {
      specVersion: 1,
      transactionVersion: 1,
      genesisHash: GENESIS_HASH,
      birthHash: GENESIS_HASH,
    });

  before(async () => {
    await cryptoReady();
    alice = keyFromUri('//Alice', 'sr25519');
    bob = keyFromUri('//Bob', 'sr25519');
  });

  it('remembers the decoded form by byte array, frozen; an equal copy of the bytes is decoded anew', () => {
    const bytes = transfer(0);
    assert.equal(decodedOf(bytes), undefined);
    const xt = decodeOnce(bytes);
    assert.equal(decodeOnce(bytes), xt);
    assert.equal(decodedOf(bytes), xt);
    assert.ok(Object.isFrozen(xt) && Object.isFrozen(xt.extra) && Object.isFrozen(xt.extra.era) && Object.isFrozen(xt.call));
    assert.throws(() => {
      (xt.extra as { nonce: number }).nonce = 5;
    }, TypeError);
    const copy = bytes.slice();
    assert.notEqual(decodeOnce(copy), xt);
    assert.deepEqual(decodeOnce(copy), xt);
  });

  it('execution takes the form decoded at the proposal instead of decoding again', () => {
    const bytes = transfer(0);
    const xt = decodeOnce(bytes);
    // Bytes are never written; here they are, so a fresh decode would fail: only the remembered form executes.
    bytes[0] = 0xff;
    const ledger = Ledger.fromBalances([{ id: toHex(alice.publicKey), free: 100n * ONE_BAI }], params.existentialDeposit).draft();
    const [o] = executeExtrinsics(ledger, params, ctx, [bytes]);
    assert.equal(o!.success, true, `${o!.errorCode}: ${o!.errorMessage}`);
    assert.equal(o!.hash, toHex(xt.hash));
    assert.equal(o!.call, 'Balances.transfer_keep_alive');
    assert.deepEqual(o!.args, { dest: toHex(bob.publicKey), value: ONE_BAI.toString() });
    assert.equal(executeExtrinsics(ledger, params, ctx, [bytes.slice()])[0]!.errorCode, 'MALFORMED_EXTRINSIC');
  });
});
