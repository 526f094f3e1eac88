import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ONE_BAI,
  cryptoReady,
  decodeExtrinsic,
  encodeTransfer,
  keyFromUri,
  signExtrinsic,
  toHex,
  type KeyPair,
} from '@balanceai/chain';
import { Ledger } from './ledger.js';
import { executeExtrinsics, type ExecutionContext } from './executor.js';
import { feeOf } from './params.js';
import { Mempool, MempoolRejection } from '../mempool/mempool.js';
import { GENESIS_HASH, POT, params, ctx } from './params.testkit.js';


let alice: KeyPair;
let bob: KeyPair;
const id = (k: KeyPair) => toHex(k.publicKey);

function ledgerWith(aliceFree: bigint): Ledger {
  return Ledger.fromBalances([{ id: id(alice), free: aliceFree }, { id: POT, free: 0n }], params.existentialDeposit);
}

function transferXt(from: KeyPair, to: KeyPair, value: bigint, opts: { nonce?: number; keepAlive?: boolean; genesisHash?: Uint8Array } = {}) {
  return signExtrinsic(
    from,
    encodeTransfer(opts.keepAlive ? 'keep_alive' : 'allow_death', to.publicKey, value),
    { era: { kind: 'immortal' }, nonce: opts.nonce ?? 0, tip: 0n },
    { specVersion: 1, transactionVersion: 1, genesisHash: opts.genesisHash ?? GENESIS_HASH, birthHash: opts.genesisHash ?? GENESIS_HASH },
  );
}

describe('block execution on the ledger', () => {
  before(async () => {
    await cryptoReady();
    alice = keyFromUri('//Alice', 'sr25519');
    bob = keyFromUri('//Bob', 'ed25519');
  });

  it('moves exactly the amount, charges base + per-byte fee into the pot and keeps sum(balances) == issuance', () => {
    const ledger = ledgerWith(100n * ONE_BAI);
    const xt = transferXt(alice, bob, 5n * ONE_BAI);
    const [o] = executeExtrinsics(ledger, params, ctx, [xt]);
    const fee = feeOf(params, xt.length, 0n);
    assert.equal(o!.success, true);
    assert.equal(o!.fee, fee);
    assert.equal(ledger.get(id(bob)).free, 5n * ONE_BAI);
    assert.equal(ledger.get(id(alice)).free, 95n * ONE_BAI - fee);
    assert.equal(ledger.get(id(alice)).nonce, 1);
    assert.equal(ledger.get(POT).free, fee);
    assert.equal(ledger.sumOfBalances(), ledger.totalIssuance);
  });

  it('records a call that fails at execution as failed and charges only the fee', () => {
    const ledger = ledgerWith(10n * ONE_BAI);
    const xt = transferXt(alice, bob, 50n * ONE_BAI);
    const [o] = executeExtrinsics(ledger, params, ctx, [xt]);
    const fee = feeOf(params, xt.length, 0n);
    assert.equal(o!.applied, true);
    assert.equal(o!.success, false);
    assert.equal(o!.errorCode, 'Balances.InsufficientBalance');
    assert.equal(ledger.get(id(alice)).free, 10n * ONE_BAI - fee);
    assert.equal(ledger.get(id(alice)).nonce, 1);
    assert.equal(ledger.get(id(bob)).free, 0n);
    assert.equal(ledger.sumOfBalances(), ledger.totalIssuance);
  });

  it('refuses transfer_keep_alive below the existential deposit with Balances.Expendability', () => {
    const ledger = ledgerWith(10n * ONE_BAI);
    const fee = feeOf(params, transferXt(alice, bob, 9n * ONE_BAI, { keepAlive: true }).length, 0n); // same compact width as the real value
    const xt = transferXt(alice, bob, 10n * ONE_BAI - fee - 1n, { keepAlive: true });
    const [o] = executeExtrinsics(ledger, params, ctx, [xt]);
    assert.equal(o!.errorCode, 'Balances.Expendability');
    assert.equal(ledger.get(id(bob)).free, 0n);
  });

  it('reaps a sender that falls below the existential deposit and moves its dust to the pot', () => {
    const ledger = ledgerWith(10n * ONE_BAI);
    const fee = feeOf(params, transferXt(alice, bob, 9n * ONE_BAI).length, 0n); // same compact width as the real value
    const value = 10n * ONE_BAI - fee - 1000n; // leaves 1000 base units of dust
    const xt = transferXt(alice, bob, value);
    assert.equal(feeOf(params, xt.length, 0n), fee);
    const [o] = executeExtrinsics(ledger, params, ctx, [xt]);
    assert.equal(o!.success, true, o!.errorMessage ?? '');
    assert.equal(ledger.exists(id(alice)), false);
    assert.equal(ledger.get(POT).free, fee + 1000n, 'fee plus the dust');
    assert.equal(ledger.sumOfBalances(), ledger.totalIssuance);
  });

  it('skips invalid extrinsics without charging anything: bad proof, other genesis, stale nonce, malformed', () => {
    const ledger = ledgerWith(100n * ONE_BAI);
    const good = transferXt(alice, bob, ONE_BAI);
    const badSig = good.slice();
    badSig[40] = badSig[40]! ^ 0xff; // inside the signature
    const otherChain = transferXt(alice, bob, ONE_BAI, { genesisHash: new Uint8Array(32).fill(8) });
    const outcomes = executeExtrinsics(ledger, params, ctx, [badSig, otherChain, good, transferXt(alice, bob, ONE_BAI, { nonce: 0 }), new Uint8Array([1, 2, 3])]);
    assert.deepEqual(
      outcomes.map((o) => o.errorCode),
      ['BAD_PROOF', 'BAD_PROOF', null, 'STALE_NONCE', 'MALFORMED_EXTRINSIC'],
    );
    assert.deepEqual(outcomes.map((o) => o.applied), [false, false, true, false, false]);
    assert.equal(ledger.get(id(alice)).nonce, 1);
    assert.equal(ledger.get(POT).free, feeOf(params, good.length, 0n));
  });

  it('refuses an extrinsic whose fee would take the signer below the existential deposit (PAYMENT)', () => {
    const ledger = ledgerWith(params.existentialDeposit);
    const [o] = executeExtrinsics(ledger, params, ctx, [transferXt(alice, bob, 1n)]);
    assert.equal(o!.errorCode, 'PAYMENT');
    assert.equal(o!.applied, false);
    assert.equal(ledger.get(id(alice)).free, params.existentialDeposit);
  });

  it('changes the ledger root with any balance change and not otherwise', () => {
    const a = ledgerWith(100n * ONE_BAI);
    const b = ledgerWith(100n * ONE_BAI);
    assert.equal(toHex(a.root()), toHex(b.root()));
    executeExtrinsics(b, params, ctx, [transferXt(alice, bob, 1n)]);
    assert.notEqual(toHex(a.root()), toHex(b.root()));
  });
});

describe('mempool', () => {
  before(async () => {
    await cryptoReady();
    alice = keyFromUri('//Alice', 'sr25519');
    bob = keyFromUri('//Bob', 'ed25519');
  });

  it('holds a future nonce until the gap is filled, then offers both in nonce order', () => {
    const ledger = ledgerWith(100n * ONE_BAI);
    const pool = new Mempool(100);
    const x1 = transferXt(alice, bob, 2n * ONE_BAI, { nonce: 1 });
    const x0 = transferXt(alice, bob, 1n * ONE_BAI, { nonce: 0 });
    pool.add(decodeExtrinsic(x1), ledger, params, ctx);
    assert.equal(pool.ready(ledger, 10, 1 << 20).length, 0);
    pool.add(decodeExtrinsic(x0), ledger, params, ctx);
    assert.deepEqual(pool.ready(ledger, 10, 1 << 20).map(toHex), [toHex(x0), toHex(x1)]);
    assert.equal(pool.nextNonce(id(alice), 0), 2);
  });

  it('names the cause of a refusal and keeps nothing: duplicate, stale nonce, bad proof, full', () => {
    const ledger = ledgerWith(100n * ONE_BAI);
    ledger.set(id(alice), { ...ledger.get(id(alice)), nonce: 3 });
    const pool = new Mempool(1);
    const code = (f: () => void) => {
      try {
        f();
        return 'accepted';
      } catch (err) {
        return err instanceof MempoolRejection ? err.code : String(err);
      }
    };
    assert.equal(code(() => pool.add(decodeExtrinsic(transferXt(alice, bob, 1n, { nonce: 2 })), ledger, params, ctx)), 'STALE_NONCE');
    const bad = transferXt(alice, bob, 1n, { nonce: 3 });
    bad[40] = bad[40]! ^ 1;
    assert.equal(code(() => pool.add(decodeExtrinsic(bad), ledger, params, ctx)), 'BAD_PROOF');
    const ok = transferXt(alice, bob, 1n, { nonce: 3 });
    assert.equal(code(() => pool.add(decodeExtrinsic(ok), ledger, params, ctx)), 'accepted');
    assert.equal(code(() => pool.add(decodeExtrinsic(ok), ledger, params, ctx)), 'ALREADY_IMPORTED');
    assert.equal(code(() => pool.add(decodeExtrinsic(transferXt(alice, bob, 1n, { nonce: 4 })), ledger, params, ctx)), 'MEMPOOL_FULL');
    assert.equal(pool.size, 1);
  });

  it('drops included and now-stale extrinsics after a block', () => {
    const ledger = ledgerWith(100n * ONE_BAI);
    const pool = new Mempool(100);
    const x0 = transferXt(alice, bob, 1n, { nonce: 0 });
    const h = pool.add(decodeExtrinsic(x0), ledger, params, ctx);
    executeExtrinsics(ledger, params, ctx, [x0]);
    pool.prune(ledger, [h], 11);
    assert.equal(pool.size, 0);
  });
});
