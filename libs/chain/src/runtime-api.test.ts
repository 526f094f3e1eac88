import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeRegistry } from '@polkadot/types';
import type { RuntimeDispatchInfoV2, RuntimeVersion as PjsRuntimeVersion, TransactionValidity as PjsTransactionValidity } from '@polkadot/types/interfaces';
import { u8aConcat } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady } from '@polkadot/util-crypto';
import { ONE_BAI } from './amount.js';
import { ScaleWriter } from './scale.js';
import { IMMORTAL, encodeTransfer, signExtrinsic } from './extrinsic.js';
import { blake2_256 } from './hash.js';
import { toHex, utf8 } from './hex.js';
import { cryptoReady, keyFromUri } from './keys.js';
import {
  INVALID_TRANSACTION,
  RUNTIME_APIS,
  RUNTIME_CALL_METHODS,
  RuntimeApiError,
  type TransactionValidity,
  decodeRuntimeCallArgs,
  encodeAccountNonce,
  encodeFeeDetails,
  encodeMetadataAtVersion,
  encodeMetadataVersions,
  encodeOpaqueMetadata,
  encodeRuntimeDispatchInfo,
  encodeRuntimeVersion,
  encodeTransactionValidity,
  feeDetailsJson,
  runtimeDispatchInfoJson,
  runtimeVersion,
  runtimeVersionJson,
} from './runtime-api.js';

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
});

const registry = new TypeRegistry();

function signedTransfer(): Uint8Array {
  const genesisHash = blake2_256(utf8('genesis'));
  const bob = keyFromUri('//Bob', 'sr25519').publicKey;
  return signExtrinsic(keyFromUri('//Alice', 'ed25519'), encodeTransfer('keep_alive', bob, ONE_BAI), { era: IMMORTAL, nonce: 4, tip: 0n }, {
    specVersion: 1,
    transactionVersion: 1,
    genesisHash,
    birthHash: genesisHash,
  });
}

test('API ids are blake2_64 of the trait names, with the polkadot-sdk versions; only served methods are listed', () => {
  for (const [name, id] of RUNTIME_APIS) assert.equal(id, blake2AsHex(name, 64), name);
  assert.deepEqual(RUNTIME_APIS, [
    ['Core', '0xdf6acb689907609b', 5],
    ['Metadata', '0x37e397fc7c91f5e4', 2],
    ['TaggedTransactionQueue', '0xd2bc9897eed08f15', 3],
    ['AccountNonceApi', '0xbc9d89904f5b923f', 1],
    ['TransactionPaymentApi', '0x37c8bb1350a9a2a8', 4],
  ]);
  assert.deepEqual(RUNTIME_CALL_METHODS, [
    'Core_version',
    'Metadata_metadata',
    'Metadata_metadata_at_version',
    'Metadata_metadata_versions',
    'TaggedTransactionQueue_validate_transaction',
    'AccountNonceApi_account_nonce',
    'TransactionPaymentApi_query_info',
    'TransactionPaymentApi_query_fee_details',
  ]);
});

test('Core_version: our SCALE RuntimeVersion decodes in @polkadot/types; the JSON has the fields sp_version serializes', () => {
  const v = runtimeVersion({ specVersion: 7, transactionVersion: 3 });
  const decoded = registry.createType<PjsRuntimeVersion>('RuntimeVersion', encodeRuntimeVersion(v));
  assert.equal(decoded.specName.toString(), 'balanceai');
  assert.equal(decoded.implName.toString(), 'balanceai-node');
  assert.equal(decoded.specVersion.toNumber(), 7);
  assert.equal(decoded.transactionVersion.toNumber(), 3);
  assert.equal(decoded.stateVersion.toNumber(), 1);
  assert.deepEqual(decoded.apis.map(([id, ver]) => [id.toHex(), ver.toNumber()]), RUNTIME_APIS.map(([, id, ver]) => [id, ver]));
  // polkadot.js builds the same bytes from the fields: nothing left over, nothing missing.
  assert.equal(toHex(encodeRuntimeVersion(v)), registry.createType('RuntimeVersion', decoded.toJSON()).toHex());
  assert.deepEqual(Object.keys(runtimeVersionJson(v)), [
    'specName', 'implName', 'authoringVersion', 'specVersion', 'implVersion', 'apis', 'transactionVersion', 'systemVersion', 'stateVersion',
  ]);
  assert.deepEqual(runtimeVersionJson(v).apis[0], ['0xdf6acb689907609b', 5]);
  assert.equal(registry.createType('RuntimeVersion', runtimeVersionJson(v)).toHex(), toHex(encodeRuntimeVersion(v)));
});

test('Metadata results: OpaqueMetadata, Option<OpaqueMetadata>, Vec<u32>; AccountNonceApi: u32', () => {
  const meta = Uint8Array.of(0x6d, 0x65, 0x74, 0x61, 15, 1, 2);
  // polkadot.js reads a Uint8Array as the encoded form (length prefix included).
  assert.equal(toHex(registry.createType('OpaqueMetadata', encodeOpaqueMetadata(meta)).toU8a(true)), toHex(meta));
  const some = registry.createType('Option<OpaqueMetadata>', encodeMetadataAtVersion(meta));
  assert.equal(toHex(some.unwrap().toU8a(true)), toHex(meta));
  assert.equal(toHex(encodeMetadataAtVersion(undefined)), '0x00');
  assert.deepEqual(registry.createType('Vec<u32>', encodeMetadataVersions()).toJSON(), [14, 15]);
  assert.equal(toHex(encodeAccountNonce(258)), '0x02010000');
});

test('TransactionPaymentApi results match @polkadot/types: RuntimeDispatchInfo (weight v2), FeeDetails (with the SCALE tip)', () => {
  const info = { weight: { refTime: 123_456_789n, proofSize: 0n }, class: 'Operational' as const, partialFee: 2n ** 100n + 1n };
  const decoded = registry.createType<RuntimeDispatchInfoV2>('RuntimeDispatchInfoV2', encodeRuntimeDispatchInfo(info));
  assert.deepEqual(decoded.weight.toJSON(), { refTime: 123_456_789, proofSize: 0 });
  assert.equal(decoded.class.type, 'Operational');
  assert.equal(decoded.partialFee.toBigInt(), info.partialFee);
  assert.equal(toHex(encodeRuntimeDispatchInfo(info)), registry.createType('RuntimeDispatchInfoV2', { weight: { refTime: 123_456_789, proofSize: 0 }, class: 'Operational', partialFee: info.partialFee }).toHex());
  assert.deepEqual(runtimeDispatchInfoJson(info), { weight: { ref_time: 123_456_789, proof_size: 0 }, class: 'operational', partialFee: (2n ** 100n + 1n).toString() });

  const details = { inclusionFee: { baseFee: ONE_BAI / 1000n, lenFee: 1_000_000n, adjustedWeightFee: 0n }, tip: 5n };
  const [inclusion, tip] = registry.createType('(Option<InclusionFee>, Balance)', encodeFeeDetails(details));
  assert.deepEqual(inclusion.toJSON(), { baseFee: Number(ONE_BAI / 1000n), lenFee: 1_000_000, adjustedWeightFee: 0 });
  assert.equal(tip.toString(), '5');
  assert.equal(toHex(encodeFeeDetails({ tip: 0n })), toHex(new Uint8Array(17)));
  assert.deepEqual(feeDetailsJson(details), { inclusionFee: { baseFee: '0x38d7ea4c68000', lenFee: '0xf4240', adjustedWeightFee: '0x0' } });
  assert.deepEqual(feeDetailsJson({ tip: 0n }), { inclusionFee: null });
});

test('TransactionValidity: Ok(ValidTransaction) and every Invalid/Unknown variant at sp_runtime\'s index', () => {
  const ok: TransactionValidity = {
    ok: { priority: 10n, requires: [Uint8Array.of(1, 2)], provides: [Uint8Array.of(3), Uint8Array.of(4, 5)], longevity: 2n ** 64n - 1n, propagate: true },
  };
  const decoded = registry.createType<PjsTransactionValidity>('TransactionValidity', encodeTransactionValidity(ok));
  assert.equal(decoded.isOk, true);
  assert.deepEqual(decoded.asOk.toJSON(), { priority: 10, requires: ['0x0102'], provides: ['0x03', '0x0405'], longevity: '0xffffffffffffffff', propagate: true });
  assert.equal(registry.createType('TransactionValidity', { Ok: decoded.asOk.toJSON() }).toHex(), toHex(encodeTransactionValidity(ok)));

  // polkadot.js knows the variants up to BadSigner (10); the two newer ones follow in sp_runtime's order.
  const known = ['Call', 'Payment', 'Future', 'Stale', 'BadProof', 'AncientBirthBlock', 'ExhaustsResources', 'BadMandatory', 'MandatoryDispatch', 'BadSigner'];
  for (const name of INVALID_TRANSACTION.filter((n) => n !== 'Custom')) {
    const bytes = encodeTransactionValidity({ invalid: name });
    assert.equal(bytes[2], INVALID_TRANSACTION.indexOf(name));
    if (bytes[2]! <= 10) {
      const err = registry.createType<PjsTransactionValidity>('TransactionValidity', bytes).asErr;
      assert.equal(err.asInvalid.type, known[bytes[2]! < 7 ? bytes[2]! : bytes[2]! - 1], name);
    }
  }
  assert.equal(INVALID_TRANSACTION.indexOf('IndeterminateImplicit'), 11);
  assert.equal(INVALID_TRANSACTION.indexOf('UnknownOrigin'), 12);
  const custom = registry.createType<PjsTransactionValidity>('TransactionValidity', encodeTransactionValidity({ invalid: { Custom: 42 } })).asErr.asInvalid;
  assert.equal(custom.isCustom, true);
  assert.equal(custom.asCustom.toNumber(), 42);
  const unknown = registry.createType<PjsTransactionValidity>('TransactionValidity', encodeTransactionValidity({ unknown: 'NoUnsignedValidator' })).asErr;
  assert.equal(unknown.asUnknown.type, 'NoUnsignedValidator');
  assert.equal(toHex(encodeTransactionValidity({ unknown: { Custom: 9 } })), '0x010102' + '09');
  assert.throws(() => encodeTransactionValidity({ invalid: 'Nope' as 'Call' }), RuntimeApiError);
});

test('decodeRuntimeCallArgs reads the arguments as @polkadot/api encodes them for state_call', () => {
  const xt = signedTransfer();
  const len = registry.createType('u32', xt.length).toU8a();
  assert.deepEqual(decodeRuntimeCallArgs('TransactionPaymentApi_query_info', u8aConcat(xt, len)), { method: 'TransactionPaymentApi_query_info', extrinsic: xt, len: xt.length });
  assert.deepEqual(decodeRuntimeCallArgs('TransactionPaymentApi_query_fee_details', u8aConcat(xt, len)), {
    method: 'TransactionPaymentApi_query_fee_details',
    extrinsic: xt,
    len: xt.length,
  });
  const blockHash = blake2_256(utf8('block'));
  const source = registry.createType('TransactionSource', 'External').toU8a();
  assert.deepEqual(decodeRuntimeCallArgs('TaggedTransactionQueue_validate_transaction', u8aConcat(source, xt, blockHash)), {
    method: 'TaggedTransactionQueue_validate_transaction',
    source: 'External',
    extrinsic: xt,
    blockHash,
  });
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  assert.deepEqual(decodeRuntimeCallArgs('AccountNonceApi_account_nonce', registry.createType('AccountId', alice).toU8a()), { method: 'AccountNonceApi_account_nonce', accountId: alice });
  assert.deepEqual(decodeRuntimeCallArgs('Metadata_metadata_at_version', registry.createType('u32', 15).toU8a()), { method: 'Metadata_metadata_at_version', version: 15 });
  assert.deepEqual(decodeRuntimeCallArgs('Core_version', new Uint8Array(0)), { method: 'Core_version' });
});

test('decodeRuntimeCallArgs refuses unknown methods and arguments that do not decode exactly', () => {
  const is = (code: string) => (e: unknown) => e instanceof RuntimeApiError && e.code === code;
  assert.throws(() => decodeRuntimeCallArgs('BlockBuilder_apply_extrinsic', new Uint8Array(0)), is('UNKNOWN_RUNTIME_API'));
  assert.throws(() => decodeRuntimeCallArgs('Core_execute_block', new Uint8Array(0)), is('UNKNOWN_RUNTIME_API'));
  assert.throws(() => decodeRuntimeCallArgs('Core_version', Uint8Array.of(0)), is('BAD_RUNTIME_CALL_ARGS'));
  assert.throws(() => decodeRuntimeCallArgs('AccountNonceApi_account_nonce', new Uint8Array(31)), is('BAD_RUNTIME_CALL_ARGS'));
  assert.throws(() => decodeRuntimeCallArgs('Metadata_metadata_at_version', Uint8Array.of(15)), is('BAD_RUNTIME_CALL_ARGS'));
  const xt = signedTransfer();
  assert.throws(() => decodeRuntimeCallArgs('TransactionPaymentApi_query_info', xt), is('BAD_RUNTIME_CALL_ARGS'), 'missing len');
  assert.throws(() => decodeRuntimeCallArgs('TransactionPaymentApi_query_info', xt.subarray(0, 20)), is('BAD_RUNTIME_CALL_ARGS'), 'truncated');
  assert.throws(() => decodeRuntimeCallArgs('TaggedTransactionQueue_validate_transaction', u8aConcat(Uint8Array.of(3), xt, new Uint8Array(32))), is('BAD_RUNTIME_CALL_ARGS'));
  // A length prefix claiming more than the input holds.
  assert.throws(() => decodeRuntimeCallArgs('TransactionPaymentApi_query_info', new ScaleWriter().compact(1_000_000).u32(0).finish()), is('BAD_RUNTIME_CALL_ARGS'));
});
