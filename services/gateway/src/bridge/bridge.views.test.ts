import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BALANCES_PALLET, SYSTEM_PALLET, bridgeIdOfKey, bridgeMapPrefix, bridgePallet, buildMetadata, fromHex, toHex, DEFAULT_BRIDGE_GENESIS } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { bridgeConstants, bridgeKeys, burnView, decodeBurnInfo, decodeLockInfo, lockView, parseBridgeId, releaseAllowanceAt } from './bridge.views.js';
import { encodeBurn, encodeLock } from './bridge.fixtures.js';

const A = '0x' + '0a'.repeat(32);
const B = '0x' + '0b'.repeat(32);
const C = '0x' + '0c'.repeat(32);
const BOB = '0x' + 'b0'.repeat(32);
const EVE = '0x' + 'e0'.repeat(32);
const ID = '0x' + '12'.repeat(32);

const metadata = (version: 14 | 15, bridge = true) =>
  toHex(
    buildMetadata(
      [
        SYSTEM_PALLET,
        BALANCES_PALLET,
        ...(bridge ? [bridgePallet({ params: { ...DEFAULT_BRIDGE_GENESIS, relayers: [A, B, C], threshold: 2, lockTtlSecs: 40, releaseLimit: 500n }, releaseWindow: 14_400 })] : []),
      ],
      { version },
    ),
  );

describe('bridge views', () => {
  it('reads the Bridge constants from V14 and V15 metadata', () => {
    for (const v of [14, 15] as const) {
      assert.deepEqual(bridgeConstants(metadata(v)), { threshold: 2, lockTtlSecs: 40n, minLock: DEFAULT_BRIDGE_GENESIS.minLock, releaseLimit: 500n, releaseWindow: 14_400 });
    }
  });

  it('answers BRIDGE_NOT_ENABLED for a runtime without the Bridge pallet, BAD_METADATA for garbage', () => {
    assert.throws(() => bridgeConstants(metadata(14, false)), (e: unknown) => e instanceof DomainError && e.code === 'BRIDGE_NOT_ENABLED' && e.kind === 'not_found');
    assert.throws(() => bridgeConstants('0x6d6574610e'), (e: unknown) => e instanceof DomainError && e.code === 'BAD_METADATA');
    assert.throws(() => bridgeConstants('0x00'), (e: unknown) => e instanceof DomainError && e.code === 'BAD_METADATA');
  });

  it('keys Locks and Burns by Blake2_128Concat of the id under the pallet prefix', () => {
    const key = fromHex(bridgeKeys.lock(ID));
    assert.equal(bridgeIdOfKey(key), ID);
    assert.equal(toHex(key.subarray(0, 32)), toHex(bridgeMapPrefix('Locks')));
    assert.equal(toHex(fromHex(bridgeKeys.burn(ID)).subarray(0, 32)), toHex(bridgeMapPrefix('Burns')));
    assert.notEqual(bridgeKeys.lock(ID), bridgeKeys.lock('0x' + '13'.repeat(32)));
  });

  it('parses ids: 32 bytes of 0x hex, lowercased', () => {
    assert.equal(parseBridgeId(ID.toUpperCase().replace('0X', '0x'), 'lock'), ID);
    for (const bad of ['12', '0x12', ID + '00', '0x' + 'zz'.repeat(32)]) {
      assert.throws(() => parseBridgeId(bad, 'lock'), (e: unknown) => e instanceof DomainError && e.code === 'BAD_LOCK_ID');
      assert.throws(() => parseBridgeId(bad, 'burn'), (e: unknown) => e instanceof DomainError && e.code === 'BAD_BURN_ID');
    }
  });

  it('shows a lock locked, minted or refunded with its deadline and reports', () => {
    const base = { nonce: 3n, owner: A, ethRecipient: '0x' + '99'.repeat(20), amount: 7n, deadline: 1_700_000_040n, lockedAt: 5n };
    const locked = lockView('0xat', ID, decodeLockInfo(fromHex(encodeLock({ ...base, status: 'Locked', mint: [B] }))), 2);
    assert.equal(locked.status, 'locked');
    assert.equal(locked.finalAt, null);
    assert.deepEqual(locked.mintAttestations, [B]);
    assert.equal(locked.deadline, '1700000040');
    assert.equal(locked.ethRecipient, '0x' + '99'.repeat(20));
    const minted = lockView('0xat', ID, decodeLockInfo(fromHex(encodeLock({ ...base, status: 'Minted', finalAt: 9n, mint: [A, B] }))), 2);
    assert.equal(minted.status, 'minted');
    assert.equal(minted.finalAt, '9');
    const refunded = lockView('0xat', ID, decodeLockInfo(fromHex(encodeLock({ ...base, status: 'Refunded', finalAt: 60n, refund: [A, C] }))), 2);
    assert.equal(refunded.status, 'refunded');
    assert.deepEqual(refunded.refundAttestations, [A, C]);
    // locked → signed k/M: the checked signatures collected from the relayers' boards, shown with the message.
    const sig = (n: string) => ({ signer: `0x${n.repeat(20)}`, signature: `0x${n.repeat(65)}` });
    const info = decodeLockInfo(fromHex(encodeLock({ ...base, status: 'Locked', mint: [] })));
    const one = lockView('0xat', ID, info, 2, { signatures: [sig('01')], refused: [{ url: 'http://r', signer: '0x02', reason: 'MESSAGE_MISMATCH: …' }], missing: [] });
    assert.equal(one.status, 'signed 1/2');
    assert.deepEqual(one.mint, { lockId: ID, recipient: '0x' + '99'.repeat(20), amount: '7', deadline: '1700000040' });
    assert.equal(one.refusedSignatures.length, 1);
    const three = lockView('0xat', ID, info, 2, { signatures: [sig('01'), sig('02'), sig('03')], refused: [], missing: [] });
    assert.equal(three.status, 'signed 2/2');
    assert.equal(three.signatures.length, 3);
    const none = lockView('0xat', ID, info, 2, null, 'no relayer boards configured (BAI_BRIDGE_RELAYER_URLS)');
    assert.deepEqual([none.status, none.signatures, none.signaturesNote], ['locked', [], 'no relayer boards configured (BAI_BRIDGE_RELAYER_URLS)']);
    // Once minted the signatures are history: not shown, not counted.
    const done = lockView('0xat', ID, decodeLockInfo(fromHex(encodeLock({ ...base, status: 'Minted', finalAt: 9n, mint: [A, B] }))), 2, { signatures: [sig('01'), sig('02')], refused: [], missing: [] });
    assert.deepEqual([done.status, done.signatures], ['minted', []]);
  });

  it('shows a burn burned, then confirmed, from the Ethereum event before any relayer attested it', () => {
    const eth = { burnId: ID, nonce: 4n, from: '0x' + '11'.repeat(20), baiRecipient: A, amount: 9n, blockNumber: 50n, confirmations: 2n, confirmed: false };
    const burned = burnView('0xat', ID, null, 2, eth, 4);
    assert.deepEqual([burned.status, burned.attestations, burned.ethereum?.confirmations, burned.ethereum?.required], ['burned', [], '2', 4]);
    assert.equal(burnView('0xat', ID, null, 2, { ...eth, confirmations: 4n, confirmed: true }, 4).status, 'confirmed');
    assert.throws(() => burnView('0xat', ID, null, 2, null), RangeError);
  });

  it('shows a burn attested k/M by its largest matching group, then queued and released', () => {
    const one = decodeBurnInfo(fromHex(encodeBurn({ status: 'Attesting', attestations: [{ relayer: A, recipient: BOB, amount: 40n }] })));
    assert.equal(burnView('0xat', ID, one, 2).status, 'attested 1/2');
    // A relayer claiming another recipient does not add to the honest one's count, nor make it 2/2.
    const split = decodeBurnInfo(
      fromHex(
        encodeBurn({
          status: 'Attesting',
          attestations: [
            { relayer: A, recipient: EVE, amount: 40n },
            { relayer: B, recipient: BOB, amount: 40n },
            { relayer: C, recipient: BOB, amount: 40n },
          ],
        }),
      ),
    );
    assert.equal(burnView('0xat', ID, split, 3).status, 'attested 2/3');
    const mixed = decodeBurnInfo(fromHex(encodeBurn({ status: 'Attesting', attestations: [{ relayer: A, recipient: EVE, amount: 40n }, { relayer: B, recipient: BOB, amount: 41n }] })));
    assert.equal(burnView('0xat', ID, mixed, 2).status, 'attested 1/2');
    const queued = burnView('0xat', ID, decodeBurnInfo(fromHex(encodeBurn({ status: 'Queued', recipient: BOB, amount: 40n, at: 8n, attestations: [] }))), 2);
    assert.deepEqual([queued.status, queued.recipient, queued.amount, queued.statusAt], ['queued', BOB, '40', '8']);
    const released = burnView('0xat', ID, decodeBurnInfo(fromHex(encodeBurn({ status: 'Released', recipient: BOB, amount: 40n, at: 9n, attestations: [{ relayer: A, recipient: BOB, amount: 40n }] }))), 2);
    assert.deepEqual([released.status, released.statusAt, released.attestations.length], ['released', '9', 1]);
  });

  it('refills the 24 h allowance like the pallet: min(limit, left + elapsed × limit / window)', () => {
    const c = { releaseLimit: 1_000n, releaseWindow: 100 };
    assert.equal(releaseAllowanceAt({ left: 0n, updatedAt: 10n }, 10n, c), 0n);
    assert.equal(releaseAllowanceAt({ left: 0n, updatedAt: 10n }, 35n, c), 250n);
    assert.equal(releaseAllowanceAt({ left: 900n, updatedAt: 10n }, 35n, c), 1_000n);
    assert.equal(releaseAllowanceAt({ left: 5n, updatedAt: 10n }, 3n, c), 5n);
    assert.equal(releaseAllowanceAt({ left: 5n, updatedAt: 10n }, 99n, { releaseLimit: 0n, releaseWindow: 100 }), null);
  });
});
