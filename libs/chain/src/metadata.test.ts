import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { RuntimeVersion } from '@polkadot/types/interfaces';
import { u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, signatureVerify } from '@polkadot/util-crypto';
import { ONE_BAI } from './amount.js';
import { blake2_256 } from './hash.js';
import { toHex, utf8 } from './hex.js';
import { type KeyType, cryptoReady, keyFromUri } from './keys.js';
import { ScaleWriter } from './scale.js';
import { storageMapKey } from './storage-keys.js';
import {
  type AdditionalSigned,
  type Era,
  IMMORTAL,
  PALLET,
  decodeBalancesCall,
  decodeExtrinsic,
  eraBirth,
  encodeTransfer,
  mortalEra,
  signExtrinsic,
  verifyExtrinsic,
} from './extrinsic.js';
import { MetaType, MetadataError, balancesPallet, buildMetadata, systemPallet } from './metadata.js';

const genesisHash = blake2_256(utf8('balanceai-devnet genesis'));
const currentBlock = 1_000;
const currentHash = blake2_256(utf8('block at birth'));
const runtimeVersion = { specVersion: 3, transactionVersion: 2 };

function polkadotRegistry(metadataBytes = buildMetadata()): { registry: TypeRegistry; metadata: Metadata } {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, metadataBytes);
  registry.setMetadata(metadata);
  return { registry, metadata };
}

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
});

test('@polkadot/types reads the metadata: pallets, call names and arguments, constants, storage and events', () => {
  const { registry, metadata } = polkadotRegistry(buildMetadata([systemPallet({ ss58Prefix: 42 }), balancesPallet({ existentialDeposit: 7n })]));
  const latest = metadata.asLatest;
  assert.equal(metadata.version, 14);
  assert.deepEqual(latest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]), [['System', 0], ['Balances', 5]]);
  const decorated = expandMetadata(registry, metadata);
  const keepAlive = decorated.tx['balances']!['transferKeepAlive']!;
  assert.deepEqual(keepAlive.meta.args.map((a) => a.name.toString()), ['dest', 'value']);
  assert.deepEqual([...keepAlive.callIndex], [5, 3]);
  assert.deepEqual([...decorated.tx['balances']!['transferAllowDeath']!.callIndex], [5, 0]);
  assert.equal(decorated.consts['balances']!['existentialDeposit']!.toString(), '7');
  assert.equal(decorated.consts['system']!['ss58Prefix']!.toString(), '42');
  assert.deepEqual(registry.signedExtensions, [
    'CheckNonZeroSender', 'CheckSpecVersion', 'CheckTxVersion', 'CheckGenesis', 'CheckMortality', 'CheckNonce', 'CheckWeight', 'ChargeTransactionPayment',
  ]);
  // System.Account decodes AccountInfo { nonce, consumers, providers, sufficients, data: { free, reserved, frozen, flags } }.
  const accountQuery = decorated.query['system']!['account']!;
  const accountInfoBytes = new ScaleWriter().u32(9).u32(0).u32(1).u32(0).u128(5n * ONE_BAI).u128(0n).u128(0n).u128(0n).finish();
  const info = registry.createType(registry.lookup.getTypeDef(accountQuery.meta.type.asMap.value).type, accountInfoBytes);
  const json = info.toJSON() as { nonce: number; data: { free: string | number } };
  assert.equal(json.nonce, 9);
  assert.equal(BigInt(json.data.free), 5n * ONE_BAI);
  // A Balances.Transfer event as it sits in System.Events decodes with its named fields.
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  const bob = keyFromUri('//Bob', 'sr25519').publicKey;
  const events = new ScaleWriter().compact(1).u8(0).u32(1).u8(5).u8(2).raw(alice).raw(bob).u128(42n).compact(0).finish();
  const decodedEvents = registry.createType(registry.lookup.getTypeDef(decorated.query['system']!['events']!.meta.type.asPlain).type, events);
  const record = (decodedEvents as unknown as Array<{ event: { section: string; method: string; data: { toJSON(): unknown } } }>)[0]!;
  assert.equal(record.event.section, 'balances');
  assert.equal(record.event.method, 'Transfer');
  assert.deepEqual(record.event.data.toJSON(), [registry.createType('AccountId', alice).toJSON(), registry.createType('AccountId', bob).toJSON(), 42]);
});

test('a later pallet adds its calls and events from a plain descriptor', () => {
  const emissions = {
    name: 'Emissions',
    index: PALLET.Emissions,
    crate: 'pallet_emissions',
    calls: [{ name: 'set_split', index: 0, fields: [{ name: 'models_percent', type: MetaType.u8, typeName: 'u8' }] }],
    events: [{ name: 'Minted', index: 0, fields: [{ name: 'to', type: MetaType.AccountId32 }, { name: 'amount', type: MetaType.u128 }] }],
  };
  const { registry, metadata } = polkadotRegistry(buildMetadata([systemPallet(), balancesPallet(), emissions]));
  const decorated = expandMetadata(registry, metadata);
  assert.deepEqual([...decorated.tx['emissions']!['setSplit']!.callIndex], [10, 0]);
  assert.equal(decorated.events['emissions']!['Minted']!.meta.index.toNumber(), 0);
  assert.throws(() => buildMetadata([systemPallet(), { ...emissions, index: 0 }]), MetadataError);
});

function polkadotPair(type: KeyType): KeyringPair {
  return new Keyring({ type, ss58Format: 42 }).addFromUri('//Alice');
}

const eras: Array<[string, Era]> = [
  ['immortal', IMMORTAL],
  ['mortal', mortalEra(currentBlock, 64)],
];

function additionalFor(era: Era): AdditionalSigned {
  return { ...runtimeVersion, genesisHash, birthHash: era.kind === 'immortal' ? genesisHash : currentHash };
}

function polkadotSigned(registry: TypeRegistry, pair: KeyringPair, era: Era, nonce: number, tip: bigint, dest: Uint8Array, value: bigint) {
  const method = registry.createType('Call', { callIndex: [PALLET.Balances, 3], args: { dest: { Id: dest }, value } });
  const tx = registry.createType('Extrinsic', { method: method.toHex() }, { version: 4 });
  tx.sign(pair, {
    blockHash: u8aToHex(additionalFor(era).birthHash),
    genesisHash: u8aToHex(genesisHash),
    era: era.kind === 'immortal' ? registry.createType('ExtrinsicEra', '0x00') : registry.createType('ExtrinsicEra', { current: currentBlock, period: era.period }),
    nonce,
    tip,
    runtimeVersion: registry.createType('RuntimeVersion', runtimeVersion) as unknown as RuntimeVersion,
    signedExtensions: registry.signedExtensions,
  });
  return tx;
}

for (const type of ['sr25519', 'ed25519'] as const) {
  for (const [eraName, era] of eras) {
    test(`THE KEY TEST (${type}, ${eraName}): a transfer signed by @polkadot/types decodes and verifies here`, () => {
      const { registry } = polkadotRegistry();
      const bob = keyFromUri('//Bob', 'sr25519').publicKey;
      const value = 12_500_000_000_000_000_000n;
      const tx = polkadotSigned(registry, polkadotPair(type), era, 17, 3n, bob, value);
      const xt = decodeExtrinsic(tx.toU8a());
      assert.equal(toHex(xt.signer), u8aToHex(polkadotPair(type).publicKey));
      assert.equal(xt.signatureType, type);
      assert.deepEqual(xt.extra, { era, nonce: 17, tip: 3n });
      assert.equal(toHex(xt.hash), tx.hash.toHex());
      assert.deepEqual(decodeBalancesCall(xt.call), { name: 'transfer_keep_alive', dest: bob, value });
      assert.equal(verifyExtrinsic(xt, additionalFor(era)), true);
      assert.equal(verifyExtrinsic(xt, { ...additionalFor(era), transactionVersion: 9 }), false);
      if (era.kind === 'mortal') assert.equal(eraBirth(era, currentBlock), currentBlock); // 1000 % 64 = 40 = the phase
    });

    test(`THE KEY TEST (${type}, ${eraName}): our signed transfer decodes in @polkadot/types and matches its bytes`, () => {
      const { registry } = polkadotRegistry();
      const bob = keyFromUri('//Bob', 'sr25519').publicKey;
      const value = 1n;
      const ours = signExtrinsic(keyFromUri('//Alice', type), encodeTransfer('keep_alive', bob, value), { era, nonce: 300, tip: 10n ** 20n }, additionalFor(era));
      const decoded = registry.createType('Extrinsic', ours);
      assert.equal(decoded.isSigned, true);
      assert.equal(decoded.method.section, 'balances');
      assert.equal(decoded.method.method, 'transferKeepAlive');
      assert.equal(decoded.nonce.toNumber(), 300);
      assert.equal(decoded.tip.toBigInt(), 10n ** 20n);
      assert.equal(decoded.signer.toString(), polkadotPair(type).address);
      assert.equal(decoded.era.toHex(), registry.createType('ExtrinsicEra', era.kind === 'immortal' ? '0x00' : { current: currentBlock, period: era.period }).toHex());
      const theirs = polkadotSigned(registry, polkadotPair(type), era, 300, 10n ** 20n, bob, value);
      if (type === 'ed25519') {
        assert.equal(toHex(ours), theirs.toHex(), 'ed25519 is deterministic: identical bytes');
      } else {
        // sr25519 signatures are randomized: identical except the 64 signature bytes, which polkadot verifies.
        const signatureStart = 2 + 1 + 33 + 1; // length prefix, version, MultiAddress::Id, signature type
        const mask = (b: Uint8Array) => toHex(Uint8Array.from(b).fill(0, signatureStart, signatureStart + 64));
        assert.equal(mask(ours), mask(theirs.toU8a()));
      }
      const payload = registry.createType('ExtrinsicPayload', {
        method: decoded.method.toHex(),
        era: decoded.era,
        nonce: 300,
        tip: 10n ** 20n,
        specVersion: runtimeVersion.specVersion,
        transactionVersion: runtimeVersion.transactionVersion,
        genesisHash: u8aToHex(genesisHash),
        blockHash: u8aToHex(additionalFor(era).birthHash),
      }, { version: 4 });
      let message = payload.toU8a({ method: true });
      if (message.length > 256) message = blake2AsU8a(message);
      assert.equal(signatureVerify(message, decoded.signature.toU8a(), polkadotPair(type).publicKey).isValid, true);
    });
  }
}

test('wallets find System.ParentHash and the Balances account lists (Locks, Reserves, Holds, Freezes); their empty default decodes as an empty list', () => {
  const { registry, metadata } = polkadotRegistry(buildMetadata([systemPallet(), balancesPallet()]));
  const decorated = expandMetadata(registry, metadata);
  assert.ok(decorated.query['system']!['parentHash']);
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  for (const item of ['locks', 'reserves', 'holds', 'freezes']) {
    const entry = decorated.query['balances']![item]!;
    assert.ok(entry, `balances.${item} declared`);
    // The key polkadot.js builds is the one our storage answers under (Blake2_128Concat of the account).
    const ours = toHex(storageMapKey('Balances', item[0]!.toUpperCase() + item.slice(1), ['Blake2_128Concat', alice]));
    assert.ok(u8aToHex(entry(alice)).endsWith(ours.slice(2)), item);
    const value = registry.createType(registry.lookup.getTypeDef(entry.meta.type.asMap.value).type, entry.meta.fallback.toU8a(true));
    assert.deepEqual(value.toJSON(), [], item);
  }
  // A lock, were one ever stored, decodes with its id, amount and reasons.
  const locks = decorated.query['balances']!['locks']!;
  const lockBytes = new ScaleWriter().compact(1).raw(utf8('staking ')).u128(5n).u8(2).finish();
  const decoded = registry.createType(registry.lookup.getTypeDef(locks.meta.type.asMap.value).type, lockBytes).toJSON() as Array<{ amount: number; reasons: string }>;
  assert.equal(decoded[0]!.amount, 5);
  assert.equal(decoded[0]!.reasons, 'All');
});
