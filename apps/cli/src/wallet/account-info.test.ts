import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScaleWriter, cryptoReady, fromHex, keyFromUri, toHex } from '@balanceai/chain';
import { decodeAccountInfo, systemAccountKey, transferable } from './account-info.js';

describe('System.Account', () => {
  it('keys Alice exactly as every Substrate chain does', async () => {
    await cryptoReady();
    // twox128("System") ‖ twox128("Account") ‖ blake2_128(id) ‖ id, as polkadot.js computes it for //Alice.
    assert.equal(
      toHex(systemAccountKey(keyFromUri('//Alice', 'sr25519').publicKey)),
      '0x26aa394eea5630e07c48ae0c9558cef7b99d880ec681799c0cf30e8886371da9de1e86a9a8c739864cf3cc5ec2bea59fd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d',
    );
  });

  it('decodes AccountInfo { nonce, consumers, providers, sufficients, data { free, reserved, frozen, flags } }', () => {
    // Written out byte by byte (little-endian), not through our own encoder.
    const bytes = fromHex(
      '0x' +
        '05000000' + // nonce 5
        '01000000' + // consumers 1
        '02000000' + // providers 2
        '00000000' + // sufficients 0
        '000064a7b3b6e00d0000000000000000' + // free 10^18
        '00e87648170000000000000000000000' + // reserved 10^11
        '02000000000000000000000000000000' + // frozen 2
        '00000000000000000000000000000080', // flags: the "new logic" bit 2^127
    );
    assert.deepEqual(decodeAccountInfo(bytes), {
      nonce: 5,
      consumers: 1,
      providers: 2,
      sufficients: 0,
      free: 10n ** 18n,
      reserved: 10n ** 11n,
      frozen: 2n,
      flags: 1n << 127n,
    });
  });

  it('reads a missing key as the empty account (the Default modifier), and refuses a value of another layout', () => {
    assert.deepEqual(decodeAccountInfo(null), { nonce: 0, consumers: 0, providers: 0, sufficients: 0, free: 0n, reserved: 0n, frozen: 0n, flags: 0n });
    const w = new ScaleWriter().u32(1).u32(0).u32(1).u32(0).u128(1n).u128(0n).u128(0n).u128(0n);
    assert.throws(() => decodeAccountInfo(new ScaleWriter().raw(w.finish()).u8(0).finish()), /trailing/);
    assert.throws(() => decodeAccountInfo(w.finish().subarray(0, 40)), /unexpected end/);
  });

  it('transferable is free minus frozen, never negative', () => {
    const base = decodeAccountInfo(null);
    assert.equal(transferable({ ...base, free: 100n, frozen: 30n }), 70n);
    assert.equal(transferable({ ...base, free: 10n, frozen: 30n }), 0n);
  });
});
