// The runtime API (state_call) against the real ledger, executor and mempool; results decoded with
// @polkadot/types as the oracle.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { ScaleWriter, concatBytes, cryptoReady, decodeExtrinsic, genesisMetadata, keyFromUri, toHex, type KeyPair } from '@balanceai/chain';
import type { DomainError } from '@balanceai/platform';
import { ALICE, BOB, ONE_BAI, TestChain, id } from '../state/state.testkit.js';
import { RuntimeCalls } from './runtime-calls.js';

let t: TestChain;
let calls: RuntimeCalls;
let registry: TypeRegistry;
let alice: KeyPair;
let bob: KeyPair;

const head = () => ({ height: t.height, hash: t.hashAt(t.height) });
const call = (method: string, data: Uint8Array = new Uint8Array(), at = head()) => calls.call(method, data, at);
const u32 = (n: number) => new ScaleWriter().u32(n).finish();
/** validate_transaction's arguments: TransactionSource::External, the extrinsic, a block hash. */
const validateArgs = (xt: Uint8Array) => concatBytes(Uint8Array.of(2), xt, new Uint8Array(32));
function validity(xt: Uint8Array): Record<string, unknown> {
  return registry.createType('TransactionValidity', call('TaggedTransactionQueue_validate_transaction', validateArgs(xt))).toJSON() as Record<string, unknown>;
}

describe('runtime API calls', () => {
  before(async () => {
    await cryptoReady();
    alice = ALICE();
    bob = BOB();
    t = new TestChain();
    calls = new RuntimeCalls({
      params: t.params,
      chain: () => t.chain,
      nextNonce: (a, n) => t.mempool.nextNonce(a, n),
      executionContext: (h) => t.executionContext(h),
      metadata: (v) => (v === 14 || v === 15 ? genesisMetadata(t.genesis, v) : undefined),
    });
    registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, genesisMetadata(t.genesis)));
    t.block([t.transfer(alice, bob.publicKey, ONE_BAI, 0)]);
  });

  it('Core_version names this runtime, its spec and tx versions and the APIs served', () => {
    const v = registry.createType('RuntimeVersion', call('Core_version')).toJSON() as { specName: string; specVersion: number; transactionVersion: number; apis: Array<[string, number]> };
    assert.equal(v.specName, 'balanceai');
    assert.equal(v.specVersion, t.params.specVersion);
    assert.equal(v.transactionVersion, t.params.transactionVersion);
    assert.ok(v.apis.some(([api, version]) => api === '0x37c8bb1350a9a2a8' && version === 4), 'TransactionPaymentApi v4');
  });

  it('Metadata: versions [14, 15], the V14 bytes, V15 at version 15, None for a version not served', () => {
    assert.deepEqual(registry.createType('Vec<u32>', call('Metadata_metadata_versions')).toJSON(), [14, 15]);
    assert.equal(toHex(registry.createType('OpaqueMetadata', call('Metadata_metadata')).toU8a(true)), toHex(genesisMetadata(t.genesis)));
    const v14 = registry.createType('Option<OpaqueMetadata>', call('Metadata_metadata_at_version', u32(14)));
    assert.equal(toHex(v14.unwrap().toU8a(true)), toHex(genesisMetadata(t.genesis)));
    const v15 = registry.createType('Option<OpaqueMetadata>', call('Metadata_metadata_at_version', u32(15)));
    assert.equal(new Metadata(new TypeRegistry(), v15.unwrap().toU8a(true)).version, 15);
    assert.ok(registry.createType('Option<OpaqueMetadata>', call('Metadata_metadata_at_version', u32(16))).isNone);
  });

  it('TransactionPaymentApi_query_info reports the fee the ledger then charges (without the tip)', () => {
    const tip = 12_345n;
    const xt = t.transfer(alice, bob.publicKey, ONE_BAI, 1, { tip });
    type Amount = { toBigInt(): bigint };
    const info = registry.createType('RuntimeDispatchInfoV2', call('TransactionPaymentApi_query_info', concatBytes(xt, u32(xt.length)))) as unknown as { partialFee: Amount };
    const details = registry.createType('(Option<InclusionFee>, Balance)', call('TransactionPaymentApi_query_fee_details', concatBytes(xt, u32(xt.length)))) as unknown as [
      { unwrap(): { baseFee: Amount; lenFee: Amount; adjustedWeightFee: Amount } },
      Amount,
    ];
    const [outcome] = t.block([xt]);
    assert.ok(outcome!.applied);
    assert.equal(info.partialFee.toBigInt(), outcome!.fee - tip);
    const inclusion = details[0].unwrap();
    assert.equal(inclusion.baseFee.toBigInt() + inclusion.lenFee.toBigInt() + inclusion.adjustedWeightFee.toBigInt(), outcome!.fee - tip);
    assert.equal(inclusion.baseFee.toBigInt(), t.params.baseFee);
  });

  it('AccountNonceApi_account_nonce counts the pending txs at the head, and is the nonce of the time at an older block', () => {
    const before = t.height;
    const nonce = t.chain.ledger.get(id(alice)).nonce;
    t.mempool.add(decodeExtrinsic(t.transfer(alice, bob.publicKey, ONE_BAI, nonce)), t.chain.ledger, t.params, t.executionContext(before + 1));
    t.mempool.add(decodeExtrinsic(t.transfer(alice, bob.publicKey, ONE_BAI, nonce + 1)), t.chain.ledger, t.params, t.executionContext(before + 1));
    const n = (at = head()) => registry.createType('u32', call('AccountNonceApi_account_nonce', alice.publicKey, at)).toNumber();
    assert.equal(n(), nonce + 2);
    assert.equal(n({ height: 0, hash: t.hashAt(0) }), 0);
    t.block(t.mempool.ready(t.chain.ledger, 10, 1 << 20));
    assert.equal(n(), nonce + 2, 'included now');
    assert.equal(n({ height: before, hash: t.hashAt(before) }), nonce);
  });

  it('TaggedTransactionQueue_validate_transaction says what the mempool would: Ok with nonce tags, BadProof, Stale, Future, Payment', () => {
    const nonce = t.chain.ledger.get(id(alice)).nonce;
    const ok = validity(t.transfer(alice, bob.publicKey, ONE_BAI, nonce + 1)) as { ok: { provides: string[]; requires: string[]; longevity: number | string } };
    const tag = (n: number) => toHex(concatBytes(alice.publicKey, u32(n)));
    assert.deepEqual(ok.ok.provides, [tag(nonce + 1)]);
    assert.deepEqual(ok.ok.requires, [tag(nonce)], 'a future nonce requires its predecessor');
    const tampered = t.transfer(alice, bob.publicKey, ONE_BAI, nonce);
    tampered[tampered.length - 1] ^= 1;
    assert.deepEqual(validity(tampered), { err: { invalid: { badProof: null } } });
    assert.deepEqual(validity(t.transfer(alice, bob.publicKey, ONE_BAI, nonce - 1)), { err: { invalid: { stale: null } } });
    assert.deepEqual(validity(t.transfer(alice, bob.publicKey, ONE_BAI, nonce + 65)), { err: { invalid: { future: null } } });
    const poor = keyFromUri('//Poor', 'sr25519');
    t.block([t.transfer(alice, poor.publicKey, t.params.existentialDeposit + 1n, nonce)]);
    assert.deepEqual(validity(t.transfer(poor, bob.publicKey, 1n, 0)), { err: { invalid: { payment: null } } });
    const unsigned = new ScaleWriter().bytes(concatBytes(Uint8Array.of(4), Uint8Array.of(5, 0))).finish();
    assert.deepEqual(validity(unsigned), { err: { unknown: { noUnsignedValidator: null } } });
    assert.equal(t.mempool.size, 0, 'validating adds nothing to the pool');
  });

  it('UNKNOWN_RUNTIME_API for a method not served, BAD_RUNTIME_CALL_ARGS for arguments that do not decode', () => {
    const code = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (err) {
        return (err as DomainError).code;
      }
    };
    assert.equal(code(() => call('BabeApi_configuration')), 'UNKNOWN_RUNTIME_API');
    assert.equal(code(() => call('Metadata_metadata_at_version', Uint8Array.of(14))), 'BAD_RUNTIME_CALL_ARGS');
    assert.equal(code(() => call('Core_version', Uint8Array.of(0))), 'BAD_RUNTIME_CALL_ARGS', 'trailing bytes');
    const junk = new ScaleWriter().bytes(Uint8Array.of(0x84, 9, 9)).finish();
    assert.equal(code(() => call('TransactionPaymentApi_query_info', concatBytes(junk, u32(junk.length)))), 'BAD_RUNTIME_CALL_ARGS');
  });
});
