import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoReady, decodeExtrinsic, encodeTransfer, keyFromUri } from '@balanceai/chain';
import { TX_MORTALITY_BLOCKS, signCall } from './sign.js';

describe('what the CLI signs', () => {
  it('signs with a mortal era of 64 blocks from the birth block, never immortal', async () => {
    await cryptoReady();
    const xt = signCall(keyFromUri('//Alice', 'sr25519'), encodeTransfer('allow_death', keyFromUri('//Bob', 'sr25519').publicKey, 10n ** 18n), {
      nonce: 0,
      tip: 0n,
      birth: { number: 1_000, hash: new Uint8Array(32).fill(7) },
      runtime: { specVersion: 1, transactionVersion: 1, genesisHash: new Uint8Array(32).fill(1) },
    });
    const era = decodeExtrinsic(xt).extra.era;
    assert.equal(TX_MORTALITY_BLOCKS, 64);
    assert.deepEqual(era, { kind: 'mortal', period: 64, phase: 1_000 % 64 });
  });
});
