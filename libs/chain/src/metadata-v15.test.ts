import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import type { RuntimeVersion } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { u8aConcat } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { ONE_BAI } from './amount.js';
import { encodeEventRecords } from './event-records.js';
import { IMMORTAL, PALLET, encodeTransfer, signExtrinsic } from './extrinsic.js';
import { devGenesis, genesisHash, genesisMetadata, genesisRuntimeVersion, runtimePallets } from './genesis.js';
import { toHex } from './hex.js';
import { cryptoReady, keyFromUri } from './keys.js';
import { buildMetadata } from './metadata.js';
import {
  RUNTIME_API_DESCRIPTORS,
  decodeRuntimeCallArgs,
  encodeAccountNonce,
  encodeFeeDetails,
  encodeMetadataAtVersion,
  encodeRuntimeDispatchInfo,
  encodeRuntimeVersion,
  encodeTransactionValidity,
} from './runtime-api.js';

/*
 * Metadata V15 read by the two client stacks wallets use: @polkadot/types (polkadot.js, which builds
 * `api.call.*` from the V15 runtime APIs) and polkadot-api's own decoder and dynamic codecs (the version
 * polkadot-api 2 ships, loaded from its install since the root has an older one).
 */

interface Papi {
  decAnyMetadata(bytes: Uint8Array): { metadata: { tag: string; value: PapiV15 } };
  unifyMetadata(m: unknown): unknown;
}
interface PapiV15 {
  pallets: Array<{ name: string; index: number; docs: string[] }>;
  apis: Array<{ name: string; methods: Array<{ name: string; inputs: Array<{ name: string }> }> }>;
  outerEnums: { call: number; event: number; error: number };
  extrinsic: { signedExtensions: Array<{ identifier: string }> };
}
interface PapiCodec {
  enc(v: unknown): Uint8Array;
  dec(b: Uint8Array): unknown;
}
interface PapiBuilder {
  buildRuntimeCall(api: string, method: string): { args: PapiCodec; value: PapiCodec };
  buildStorage(pallet: string, entry: string): { value: PapiCodec };
  buildConstant(pallet: string, name: string): PapiCodec;
}

let papi: Papi;
let dynamicBuilder: (metadataBytes: Uint8Array) => PapiBuilder;

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
  const fromPapi = createRequire(createRequire(import.meta.url).resolve('polkadot-api'));
  const load = async <M>(name: string) => (await import(pathToFileURL(fromPapi.resolve(name)).href)) as M;
  papi = await load<Papi>('@polkadot-api/substrate-bindings');
  const builders = await load<{ getLookupFn(m: unknown): unknown; getDynamicBuilder(l: unknown): PapiBuilder }>('@polkadot-api/metadata-builders');
  dynamicBuilder = (bytes) => builders.getDynamicBuilder(builders.getLookupFn(papi.unifyMetadata(papi.decAnyMetadata(bytes))));
});

const { genesis } = devGenesis({ validators: 2, genesisTimeMs: 1_700_000_000_000, stakingBond: 10_000n * ONE_BAI });
const alice = keyFromUri('//Alice', 'sr25519').publicKey;
const bob = keyFromUri('//Bob', 'sr25519').publicKey;

function transfer(): Uint8Array {
  const hash = genesisHash(genesis);
  const additional = { specVersion: genesis.params.specVersion, transactionVersion: genesis.params.transactionVersion, genesisHash: hash, birthHash: hash };
  return signExtrinsic(keyFromUri('//Alice', 'sr25519'), encodeTransfer('keep_alive', bob, ONE_BAI), { era: IMMORTAL, nonce: 0, tip: 0n }, additional);
}

function polkadotRegistry(bytes: Uint8Array) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, bytes);
  registry.setMetadata(metadata);
  return { registry, metadata };
}

/** The param and result type names @polkadot/api gives a V15 runtime API method (its Decorate._getMethods). */
function polkadotCallDef(registry: TypeRegistry, api: string, method: string) {
  const m = registry.metadata.apis.find((a) => a.name.toString() === api)!.methods.find((x) => x.name.toString() === method)!;
  const name = (id: (typeof m)['output']) => registry.lookup.getName(id) || registry.lookup.getTypeDef(id).type;
  return { params: m.inputs.map((i) => name(i.type)), output: name(m.output) };
}

test('V14 stays the default and unchanged; V15 is version 15 with the same pallets, plus docs', () => {
  assert.equal(toHex(genesisMetadata(genesis)), toHex(buildMetadata(runtimePallets(genesis))));
  assert.equal(toHex(genesisMetadata(genesis)), toHex(genesisMetadata(genesis, 14)));
  const v14 = polkadotRegistry(genesisMetadata(genesis, 14)).metadata;
  const v15 = polkadotRegistry(genesisMetadata(genesis, 15)).metadata;
  assert.equal(v14.version, 14);
  assert.equal(v15.version, 15);
  const names = (m: Metadata) => m.asLatest.pallets.map((p) => `${p.name.toString()}:${p.index.toNumber()}`);
  assert.deepEqual(names(v15), ['System:0', 'Timestamp:2', 'Balances:5', 'TransactionPayment:6', 'Staking:7', 'Session:9', 'Emissions:10']);
  assert.deepEqual(names(v14), names(v15));
  assert.equal(v15.asV15.pallets.find((p) => p.name.toString() === 'TransactionPayment')!.docs.length, 1);
  assert.throws(() => buildMetadata(runtimePallets(genesis), { version: 16 as 15 }), /not supported/);
});

test('@polkadot/types: V15 decorates tx/query/consts as V14 does, and the extrinsic section names its parts', () => {
  const { registry, metadata } = polkadotRegistry(genesisMetadata(genesis, 15));
  const decorated = expandMetadata(registry, metadata);
  assert.deepEqual([...decorated.tx['balances']!['transferKeepAlive']!.callIndex], [PALLET.Balances, 3]);
  assert.equal(decorated.consts['balances']!['existentialDeposit']!.toString(), genesis.params.existentialDeposit.toString());
  assert.deepEqual(registry.signedExtensions, [
    'CheckNonZeroSender', 'CheckSpecVersion', 'CheckTxVersion', 'CheckGenesis', 'CheckMortality', 'CheckNonce', 'CheckWeight', 'ChargeTransactionPayment',
  ]);
  const ex = metadata.asV15.extrinsic;
  assert.equal(ex.version.toNumber(), 4);
  assert.equal(registry.lookup.getSiType(ex.addressType).path.join('::'), 'sp_runtime::multiaddress::MultiAddress');
  assert.equal(registry.lookup.getSiType(ex.signatureType).path.join('::'), 'sp_runtime::MultiSignature');
  assert.equal(registry.lookup.getSiType(ex.callType).path.join('::'), 'balanceai_runtime::RuntimeCall');
  assert.equal(registry.lookup.getSiType(ex.extraType).def.asTuple.length, 8);
  const outer = metadata.asV15.outerEnums;
  assert.equal(registry.lookup.getSiType(outer.eventType).path.join('::'), 'balanceai_runtime::RuntimeEvent');
  const errorEnum = registry.lookup.getSiType(outer.errorType);
  assert.equal(errorEnum.path.join('::'), 'balanceai_runtime::RuntimeError');
  assert.deepEqual(errorEnum.def.asVariant.variants.map((v) => `${v.name.toString()}:${v.index.toNumber()}`), ['System:0', 'Balances:5', 'Staking:7', 'Emissions:10']);
  // Our extrinsic decodes with the V15 registry, and polkadot.js signs the same bytes with it (ed25519 is
  // deterministic): @polkadot/api takes the extrinsic version from V15's (4) and the extensions from it.
  const xt = registry.createType('Extrinsic', transfer());
  assert.equal(xt.method.method, 'transferKeepAlive');
  assert.deepEqual([...metadata.asLatest.extrinsic.versions].map(Number), [4]);
  const hash = genesisHash(genesis);
  const ours = signExtrinsic(keyFromUri('//Alice', 'ed25519'), encodeTransfer('keep_alive', bob, ONE_BAI), { era: IMMORTAL, nonce: 2, tip: 5n }, {
    specVersion: genesis.params.specVersion,
    transactionVersion: genesis.params.transactionVersion,
    genesisHash: hash,
    birthHash: hash,
  });
  const theirs = registry.createType('Extrinsic', { method: registry.createType('Call', { callIndex: [PALLET.Balances, 3], args: { dest: { Id: bob }, value: ONE_BAI } }).toHex() }, { version: 4 });
  theirs.sign(new Keyring({ type: 'ed25519' }).addFromUri('//Alice'), {
    blockHash: toHex(hash),
    genesisHash: toHex(hash),
    era: registry.createType('ExtrinsicEra', '0x00'),
    nonce: 2,
    tip: 5n,
    runtimeVersion: registry.createType('RuntimeVersion', { specVersion: genesis.params.specVersion, transactionVersion: genesis.params.transactionVersion }) as unknown as RuntimeVersion,
    signedExtensions: registry.signedExtensions,
  });
  assert.equal(theirs.toHex(), toHex(ours));
});

test('@polkadot/types: every V15 runtime API round-trips through the types polkadot.js builds api.call.* from', () => {
  const { registry } = polkadotRegistry(genesisMetadata(genesis, 15));
  assert.deepEqual(
    registry.metadata.apis.map((a) => [a.name.toString(), a.methods.map((m) => m.name.toString())]),
    RUNTIME_API_DESCRIPTORS.map((a) => [a.name, a.methods.map((m) => m.name)]),
  );
  const create = (type: string, value: unknown): Codec => registry.createTypeUnsafe(type, [value]);
  // Arguments: what api.call.transactionPaymentApi.queryInfo(u8a, u8a.length) sends is what we decode.
  const xt = transfer();
  const queryInfo = polkadotCallDef(registry, 'TransactionPaymentApi', 'query_info');
  const sent = u8aConcat(...[xt, xt.length].map((a, i) => create(queryInfo.params[i]!, a).toU8a()));
  assert.deepEqual(decodeRuntimeCallArgs('TransactionPaymentApi_query_info', sent), { method: 'TransactionPaymentApi_query_info', extrinsic: xt, len: xt.length });
  const validate = polkadotCallDef(registry, 'TaggedTransactionQueue', 'validate_transaction');
  const blockHash = genesisHash(genesis);
  const sentValidate = u8aConcat(...['External', xt, blockHash].map((a, i) => create(validate.params[i]!, a).toU8a()));
  assert.equal(decodeRuntimeCallArgs('TaggedTransactionQueue_validate_transaction', sentValidate).method, 'TaggedTransactionQueue_validate_transaction');
  const nonce = polkadotCallDef(registry, 'AccountNonceApi', 'account_nonce');
  assert.deepEqual(decodeRuntimeCallArgs('AccountNonceApi_account_nonce', create(nonce.params[0]!, alice).toU8a()), { method: 'AccountNonceApi_account_nonce', accountId: alice });

  // Results: our bytes decode with the output types.
  const out = (api: string, method: string, bytes: Uint8Array) => create(polkadotCallDef(registry, api, method).output, bytes).toJSON() as Record<string, unknown>;
  const version = out('Core', 'version', encodeRuntimeVersion(genesisRuntimeVersion(genesis)));
  assert.equal(version['specName'], 'balanceai');
  assert.equal(version['transactionVersion'], genesis.params.transactionVersion);
  assert.deepEqual(
    out('TransactionPaymentApi', 'query_info', encodeRuntimeDispatchInfo({ weight: { refTime: 0n, proofSize: 0n }, class: 'Normal', partialFee: 1234n })),
    { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', partialFee: 1234 },
  );
  assert.deepEqual(out('TransactionPaymentApi', 'query_fee_details', encodeFeeDetails({ inclusionFee: { baseFee: 1n, lenFee: 2n, adjustedWeightFee: 0n }, tip: 3n })), {
    inclusionFee: { baseFee: 1, lenFee: 2, adjustedWeightFee: 0 },
    tip: 3,
  });
  assert.deepEqual(out('TaggedTransactionQueue', 'validate_transaction', encodeTransactionValidity({ invalid: 'UnknownOrigin' })), { err: { invalid: { unknownOrigin: null } } });
  assert.equal(create(polkadotCallDef(registry, 'AccountNonceApi', 'account_nonce').output, encodeAccountNonce(7)).toJSON(), 7);
  const meta = genesisMetadata(genesis, 15);
  const atVersion = create(polkadotCallDef(registry, 'Metadata', 'metadata_at_version').output, encodeMetadataAtVersion(meta)) as unknown as { unwrap(): Codec };
  assert.equal(toHex(atVersion.unwrap().toU8a(true)), toHex(meta));
});

test('polkadot-api decodes V14 and V15, and its codecs for the runtime APIs agree with ours', () => {
  assert.equal(papi.decAnyMetadata(genesisMetadata(genesis, 14)).metadata.tag, 'v14');
  const bytes = genesisMetadata(genesis, 15);
  const decoded = papi.decAnyMetadata(bytes).metadata;
  assert.equal(decoded.tag, 'v15');
  assert.deepEqual(decoded.value.pallets.map((p) => p.name), ['System', 'Timestamp', 'Balances', 'TransactionPayment', 'Staking', 'Session', 'Emissions']);
  assert.deepEqual(decoded.value.apis.map((a) => a.name), RUNTIME_API_DESCRIPTORS.map((a) => a.name));
  assert.equal(decoded.value.extrinsic.signedExtensions.length, 8);

  const b = dynamicBuilder(bytes);
  const xt = transfer();
  const queryInfo = b.buildRuntimeCall('TransactionPaymentApi', 'query_info');
  // polkadot-api passes the extrinsic as opaque bytes (its UncheckedExtrinsic codec is Vec<u8>).
  const args = queryInfo.args.enc([xt.subarray(decodeLengthPrefix(xt)), xt.length]);
  assert.deepEqual(decodeRuntimeCallArgs('TransactionPaymentApi_query_info', args), { method: 'TransactionPaymentApi_query_info', extrinsic: xt, len: xt.length });
  const info = queryInfo.value.dec(encodeRuntimeDispatchInfo({ weight: { refTime: 5n, proofSize: 6n }, class: 'Operational', partialFee: ONE_BAI })) as Record<string, unknown>;
  assert.deepEqual(info, { weight: { ref_time: 5n, proof_size: 6n }, class: { type: 'Operational', value: undefined }, partial_fee: ONE_BAI });
  const version = b.buildRuntimeCall('Core', 'version').value.dec(encodeRuntimeVersion(genesisRuntimeVersion(genesis))) as Record<string, unknown>;
  assert.equal(version['spec_name'], 'balanceai');
  assert.equal((version['apis'] as unknown[]).length, RUNTIME_API_DESCRIPTORS.length);
  const validity = b.buildRuntimeCall('TaggedTransactionQueue', 'validate_transaction').value.dec(
    encodeTransactionValidity({ ok: { priority: 1n, requires: [], provides: [Uint8Array.of(9)], longevity: 64n, propagate: true } }),
  ) as { success: boolean; value: Record<string, unknown> };
  assert.equal(validity.success, true);
  assert.equal(validity.value['longevity'], 64n);
  assert.equal(b.buildRuntimeCall('AccountNonceApi', 'account_nonce').value.dec(encodeAccountNonce(3)), 3);
  assert.equal(b.buildConstant('Balances', 'ExistentialDeposit').dec(Uint8Array.from(Buffer.from(genesis.params.existentialDeposit.toString(16).padStart(32, '0'), 'hex').reverse())), genesis.params.existentialDeposit);
});

test('polkadot-api decodes our System.Events with the V15 metadata', () => {
  const pallets = runtimePallets(genesis);
  const events = encodeEventRecords(pallets, [
    { phase: { applyExtrinsic: 1 }, module: 'Balances', name: 'Transfer', data: { from: toHex(alice), to: toHex(bob), amount: '5' } },
    { phase: { applyExtrinsic: 1 }, module: 'System', name: 'ExtrinsicFailed', data: { error: 'Balances.InsufficientBalance' } },
    { phase: 'Finalization', module: 'Emissions', name: 'Minted', data: { height: 3, amount: '10', stakingPot: '4', modelsGrants: '2', agentsGrants: '2', developmentFund: '2' } },
  ]);
  const decoded = dynamicBuilder(genesisMetadata(genesis, 15)).buildStorage('System', 'Events').value.dec(events) as Array<{
    phase: { type: string };
    event: { type: string; value: { type: string; value: Record<string, unknown> } };
  }>;
  assert.deepEqual(decoded.map((e) => [e.phase.type, e.event.type, e.event.value.type]), [
    ['ApplyExtrinsic', 'Balances', 'Transfer'],
    ['ApplyExtrinsic', 'System', 'ExtrinsicFailed'],
    ['Finalization', 'Emissions', 'Minted'],
  ]);
  assert.equal(decoded[0]!.event.value.value['amount'], 5n);
  assert.deepEqual(decoded[1]!.event.value.value['dispatch_error'], { type: 'Module', value: { type: 'Balances', value: { type: 'InsufficientBalance', value: undefined } } });
  assert.equal(decoded[2]!.event.value.value['development_fund'], 2n);
});

/** Bytes of the compact length prefix at the start of an encoded extrinsic. */
function decodeLengthPrefix(bytes: Uint8Array): number {
  const mode = bytes[0]! & 0b11;
  return mode === 0 ? 1 : mode === 1 ? 2 : mode === 2 ? 4 : 5 + (bytes[0]! >> 2);
}
