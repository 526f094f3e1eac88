import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import {
  BRIDGE_CALL,
  BRIDGE_ERRORS,
  DEFAULT_BRIDGE_GENESIS,
  type BridgeCallData,
  bridgeGenesisFromJson,
  bridgeBurnStage,
  bridgeLockId,
  bridgeLockStage,
  bridgePallet,
  bridgeReleaseWindow,
  decodeBridgeCall,
  decodeBridgeCallOf,
  encodeBridgeCall,
} from './bridge-calls.js';
import { CallDecodeError, GenesisError } from './errors.js';
import { PALLET, encodeCall } from './extrinsic.js';
import { devGenesis, genesisFromJson, genesisMetadata, genesisToJson, runtimePallets } from './genesis.js';
import { toHex } from './hex.js';
import { cryptoReady, keyFromUri } from './keys.js';
import { BALANCES_PALLET, SYSTEM_PALLET, buildMetadata } from './metadata.js';

let RELAYERS: string[] = [];

before(async () => {
  await cryptoReady();
  RELAYERS = ['//R1', '//R2', '//R3'].map((u) => toHex(keyFromUri(u, 'sr25519').publicKey)).sort();
});

const params = () => ({ ...DEFAULT_BRIDGE_GENESIS, relayers: RELAYERS, threshold: 2, releaseLimit: 7n });

function registry() {
  const reg = new TypeRegistry();
  const metadata = new Metadata(reg, buildMetadata([SYSTEM_PALLET, BALANCES_PALLET, bridgePallet({ params: params(), releaseWindow: 14_400 })]));
  reg.setMetadata(metadata);
  return { reg, decorated: expandMetadata(reg, metadata) };
}

const ETH = '0x' + '11'.repeat(20);
const ID = '0x' + 'ab'.repeat(32);

describe('bridge call codec', () => {
  it('round-trips every call with pallet 30 and its call index', () => {
    const samples: BridgeCallData[] = [
      { call: 'lock', ethRecipient: ETH, amount: 10n ** 18n },
      { call: 'lock', ethRecipient: '0x' + '00'.repeat(20), amount: (1n << 128n) - 1n },
      { call: 'attest_burn', burnId: ID, recipient: RELAYERS[0]!, amount: 1n },
      { call: 'refund', lockId: ID },
      { call: 'attest_minted', lockId: ID },
    ];
    for (const c of samples) {
      const call = encodeBridgeCall(c);
      assert.equal(call.palletIndex, PALLET.Bridge);
      assert.equal(call.callIndex, BRIDGE_CALL[c.call]);
      assert.deepEqual(decodeBridgeCallOf(call), c);
    }
  });

  it('encodes the exact bytes: 20-byte H160 then a compact balance', () => {
    assert.equal(u8aToHex(encodeBridgeCall({ call: 'lock', ethRecipient: ETH, amount: 64n }).args), '0x' + '11'.repeat(20) + '0101');
  });

  it('refuses unknown indices, truncation and trailing bytes', () => {
    const bad = (index: number, args: Uint8Array, re: RegExp) => assert.throws(() => decodeBridgeCall(index, args), (e: unknown) => e instanceof CallDecodeError && re.test((e as Error).message));
    bad(9, new Uint8Array(0), /unknown Bridge call index 9/);
    bad(0, new Uint8Array(20), /lock/);
    bad(2, new Uint8Array(33), /refund/);
    bad(3, new Uint8Array(31), /attest_minted/);
    assert.throws(() => encodeBridgeCall({ call: 'lock', ethRecipient: '0x11', amount: 1n }), CallDecodeError);
    assert.throws(() => decodeBridgeCallOf({ palletIndex: 20, callIndex: 0, args: new Uint8Array(21) }), /not Bridge/);
  });

  it('lock ids are distinct per nonce and per chain', () => {
    assert.notEqual(bridgeLockId('a', 0n), bridgeLockId('a', 1n));
    assert.notEqual(bridgeLockId('a', 0n), bridgeLockId('b', 0n));
    assert.match(bridgeLockId('a', 0n), /^0x[0-9a-f]{64}$/);
  });
});

describe('bridgePallet() metadata', () => {
  it('lets @polkadot/types build bridge.lock and attest_burn, whose bytes decode here, and ours decode there', () => {
    const { reg, decorated } = registry();
    const lock = decorated.tx['bridge']!['lock']!;
    assert.deepEqual([...lock.callIndex], [30, 0]);
    assert.deepEqual(lock.meta.args.map((x) => x.name.toString()), ['ethRecipient', 'amount']);
    const bytes = reg.createType('Call', { callIndex: [30, 0], args: { eth_recipient: ETH, amount: 5n * 10n ** 18n } }).toU8a();
    assert.deepEqual(decodeBridgeCall(bytes[1]!, bytes.subarray(2)), { call: 'lock', ethRecipient: ETH, amount: 5n * 10n ** 18n });
    const attest = reg.createType('Call', { callIndex: [30, 1], args: { burn_id: ID, recipient: RELAYERS[1], amount: 9 } }).toU8a();
    assert.deepEqual(decodeBridgeCall(attest[1]!, attest.subarray(2)), { call: 'attest_burn', burnId: ID, recipient: RELAYERS[1], amount: 9n });
    const ours = reg.createType('Call', encodeCall(encodeBridgeCall({ call: 'refund', lockId: ID })));
    assert.equal(ours.section, 'bridge');
    assert.equal(ours.method, 'refund');
    assert.equal(ours.args[0]!.toHex(), ID);
    assert.equal(decorated.consts['bridge']!['threshold']!.toString(), '2');
    assert.equal(decorated.consts['bridge']!['releaseLimit']!.toString(), '7');
    assert.equal(decorated.consts['bridge']!['releaseWindow']!.toString(), '14400');
    assert.equal(decorated.errors['bridge']!['DeadlineNotPassed']!.meta.index.toNumber(), BRIDGE_ERRORS.indexOf('DeadlineNotPassed'));
  });
});

describe('bridge genesis section', () => {
  it('is optional: a genesis without it has no Bridge pallet', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1 });
    assert.equal(genesis.bridge, undefined);
    assert.ok(!genesisToJson(genesis).includes('"bridge"'));
    assert.ok(!runtimePallets(genesis).some((p) => p.name === 'Bridge'));
  });

  it('fills left-out fields with the defaults, writes every field and puts Bridge (30) in the metadata', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1 });
    const doc = JSON.parse(genesisToJson(genesis)) as Record<string, unknown>;
    doc['bridge'] = { relayers: RELAYERS, threshold: 2, releaseLimit: '1000' };
    const g = genesisFromJson(JSON.stringify(doc));
    assert.deepEqual(g.bridge, { ...DEFAULT_BRIDGE_GENESIS, relayers: RELAYERS, threshold: 2, releaseLimit: 1000n });
    assert.deepEqual(genesisFromJson(genesisToJson(g)).bridge, g.bridge);
    assert.match(genesisToJson(g), /"lockTtlSecs": 86400,/);
    const reg = new TypeRegistry();
    const metadata = new Metadata(reg, genesisMetadata(g));
    reg.setMetadata(metadata);
    const decorated = expandMetadata(reg, metadata);
    assert.equal(decorated.consts['bridge']!['releaseLimit']!.toString(), '1000');
    assert.equal(decorated.consts['bridge']!['releaseWindow']!.toString(), String(bridgeReleaseWindow(g.params.blockTimeMs)));
    assert.equal(runtimePallets(g).find((p) => p.name === 'Bridge')?.index, 30);
  });

  it('refuses bad values naming the field', () => {
    const bad = (v: unknown, re: RegExp) => assert.throws(() => bridgeGenesisFromJson(v as never), (e: unknown) => e instanceof GenesisError && re.test((e as Error).message));
    bad({ threshold: 1 }, /bridge\.relayers/);
    bad({ relayers: [], threshold: 1 }, /bridge\.relayers/);
    bad({ relayers: ['nope'], threshold: 1 }, /bridge\.relayers\[0\]/);
    bad({ relayers: [RELAYERS[0], RELAYERS[0]], threshold: 2 }, /listed twice/);
    bad({ relayers: RELAYERS, threshold: 1 }, /strict majority/);
    bad({ relayers: RELAYERS, threshold: 4 }, /bridge\.threshold/);
    bad({ relayers: RELAYERS, threshold: 2, lockTtlSecs: 0 }, /lockTtlSecs/);
    bad({ relayers: RELAYERS, threshold: 2, minLock: '0' }, /minLock/);
    bad({ relayers: RELAYERS, threshold: 2, extra: 1 }, /bridge\.extra/);
    assert.equal(bridgeReleaseWindow(6_000), 14_400);
    assert.equal(bridgeReleaseWindow(7_000), 12_343);
  });
});

describe('transfer stages for the API', () => {
  it('names a lock\'s and a burn\'s stage from the pallet storage and what relayers signed or saw', () => {
    assert.equal(bridgeLockStage({ status: 'Locked' }, 0, 2), 'locked');
    assert.equal(bridgeLockStage({ status: 'Locked' }, 1, 2), 'signed 1/2');
    assert.equal(bridgeLockStage({ status: 'Locked' }, 3, 2), 'signed 2/2');
    assert.equal(bridgeLockStage({ status: 'Minted' }, 3, 2), 'minted');
    assert.equal(bridgeLockStage({ status: 'Refunded' }, 3, 2), 'refunded');
    const to = { recipient: RELAYERS[0]!, amount: 5n };
    assert.equal(bridgeBurnStage(null, to, false, 2), 'burned');
    assert.equal(bridgeBurnStage(null, to, true, 2), 'confirmed');
    const attesting = { status: 'Attesting' as const, recipient: null, amount: 0n, at: 0n, attestations: [{ relayer: RELAYERS[1]!, ...to }, { relayer: RELAYERS[2]!, recipient: to.recipient, amount: 6n }] };
    assert.equal(bridgeBurnStage(attesting, to, true, 2), 'attested 1/2', 'a mismatching attestation does not count');
    assert.equal(bridgeBurnStage({ ...attesting, status: 'Queued' }, to, true, 2), 'queued');
    assert.equal(bridgeBurnStage({ ...attesting, status: 'Released' }, to, true, 2), 'released');
  });
});
