import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoReady, decodeExtrinsic, keyFromUri } from '@balanceai/chain';
import { TX_MORTALITY_BLOCKS, signTransfer } from './commands.js';

describe('what the CLI signs', () => {
  it('signs transfers with a mortal era of 64 blocks from the latest block, never immortal', async () => {
    await cryptoReady();
    const xt = signTransfer(
      keyFromUri('//Alice', 'sr25519'),
      { dest: keyFromUri('//Bob', 'sr25519').publicKey, value: 10n ** 18n, keepAlive: false },
      { nonce: 0, tip: 0n, birth: { number: 1_000, hash: new Uint8Array(32).fill(7) }, runtime: { specVersion: 1, transactionVersion: 1, genesisHash: new Uint8Array(32).fill(1) } },
    );
    const era = decodeExtrinsic(xt).extra.era;
    assert.equal(TX_MORTALITY_BLOCKS, 64);
    assert.deepEqual(era, { kind: 'mortal', period: 64, phase: 1_000 % 64 });
  });
});
