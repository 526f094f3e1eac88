import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ONE_BAI, cryptoReady, decodeExtrinsic, encodeTransfer, keyFromUri, signExtrinsic, toHex, type KeyPair } from '@balanceai/chain';
import { buildBlock } from '../block/block.js';
import { Ledger } from '../ledger/ledger.js';
import { executeExtrinsics, type ExecutionContext } from '../ledger/executor.js';
import type { ChainView } from '../node/chain-view.js';
import { encodeTxBatch } from '../node/wire.js';
import type { GossipChannel, P2PTransport } from '../p2p/transport.js';
import { decodedOf } from '../ledger/decoded.js';
import { GAP_TTL_BLOCKS, Mempool, MempoolRejection } from './mempool.js';
import { MempoolReactor } from './mempool-reactor.js';
import { SignatureCache } from './signature-cache.js';
import type { SignatureVerifier, VerifyItem } from './verify-pool.js';
import { GENESIS_HASH, POT, params, ctx } from '../ledger/params.testkit.js';


let alice: KeyPair;
let bob: KeyPair;
let charlie: KeyPair;
const id = (k: KeyPair) => toHex(k.publicKey);

function ledger(): Ledger {
  return Ledger.fromBalances(
    [
      { id: id(alice), free: 100n * ONE_BAI },
      { id: id(charlie), free: 100n * ONE_BAI },
      { id: POT, free: 0n },
    ],
    params.existentialDeposit,
  );
}

function xt(from: KeyPair, nonce: number, tip = 0n, value = ONE_BAI): Uint8Array {
  return signExtrinsic(
    from,
    encodeTransfer('keep_alive', bob.publicKey, value),
    { era: { kind: 'immortal' }, nonce, tip },
    { specVersion: 1, transactionVersion: 1, genesisHash: GENESIS_HASH, birthHash: GENESIS_HASH },
  );
}

function tampered(bytes: Uint8Array): Uint8Array {
  const bad = bytes.slice();
  bad[40] = bad[40]! ^ 1; // inside the signature
  return bad;
}

/** A context that counts signature checks the cache did not answer. */
function countingCtx(pool: Mempool): { ctx: ExecutionContext; misses: () => number } {
  let misses = 0;
  return {
    ctx: {
      height: 10,
      blockHashAt: () => new Uint8Array(32).fill(9),
      isVerified: (h, birth) => {
        const hit = pool.isVerified(h, birth);
        if (!hit) misses++;
        return hit;
      },
    },
    misses: () => misses,
  };
}


function refusal(f: () => unknown): string {
  try {
    f();
    return 'accepted';
  } catch (err) {
    return err instanceof MempoolRejection ? err.code : String(err);
  }
}

before(async () => {
  await cryptoReady();
  alice = keyFromUri('//Alice', 'sr25519');
  bob = keyFromUri('//Bob', 'ed25519');
  charlie = keyFromUri('//Charlie', 'sr25519');
});

describe('mempool bounds', () => {
  it('refuses a full pool with MEMPOOL_FULL before any signature work (a bad signature is not even looked at)', () => {
    const l = ledger();
    const pool = new Mempool(2);
    pool.add(decodeExtrinsic(xt(alice, 0)), l, params, ctx);
    pool.add(decodeExtrinsic(xt(alice, 1)), l, params, ctx);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(tampered(xt(alice, 2))), l, params, ctx)), 'MEMPOOL_FULL');
    assert.equal(pool.admits(150, 0n), false);
    assert.equal(pool.size, 2);
  });

  it('is bounded by bytes as well as by count', () => {
    const l = ledger();
    const one = xt(alice, 0);
    const pool = new Mempool({ maxTxs: 100, maxBytes: one.length * 2 + 10 });
    pool.add(decodeExtrinsic(one), l, params, ctx);
    pool.add(decodeExtrinsic(xt(alice, 1)), l, params, ctx);
    assert.equal(pool.bytes, one.length * 2);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 2)), l, params, ctx)), 'MEMPOOL_FULL');
    pool.prune(executed(l, [one]), [toHex(decodeExtrinsic(one).hash)], 11);
    assert.equal(pool.bytes, one.length);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 2)), l, params, ctx)), 'accepted');
  });

  it('takes a higher tip into a full pool by dropping the cheapest last-nonce tx; an equal tip is refused', () => {
    const l = ledger();
    const pool = new Mempool(3);
    const a0 = decodeExtrinsic(xt(alice, 0, 5n));
    const a1 = decodeExtrinsic(xt(alice, 1, 5n));
    const c0 = decodeExtrinsic(xt(charlie, 0, 1n));
    for (const x of [a0, a1, c0]) pool.add(x, l, params, ctx);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(charlie, 1, 1n)), l, params, ctx)), 'MEMPOOL_FULL');
    // charlie's own predecessor is the cheapest: dropping it would leave charlie's new tx behind a gap
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(charlie, 1, 9n)), l, params, ctx)), 'MEMPOOL_FULL');
    const c0rich = decodeExtrinsic(xt(charlie, 0, 3n));
    // replacing a nonce needs no room
    assert.equal(refusal(() => pool.add(c0rich, l, params, ctx)), 'accepted');
    assert.equal(pool.has(toHex(c0.hash)), false);
    // now the cheapest evictable is charlie's tip-3 tx; a tip-4 tx of a third account... alice's next nonce
    const a2 = decodeExtrinsic(xt(alice, 2, 4n));
    assert.equal(pool.admits(a2.bytes.length, 4n), true);
    assert.equal(refusal(() => pool.add(a2, l, params, ctx)), 'accepted');
    assert.equal(pool.has(toHex(c0rich.hash)), false);
    assert.equal(pool.size, 3);
    // never a gap: alice's 0 and 1 are still there, in order
    assert.deepEqual(pool.ready(l, 10, 1 << 20).map((b) => toHex(b)), [a0, a1, a2].map((x) => toHex(x.bytes)));
  });

  it("takes the tx that fills an account's nonce gap even when full, so the txs accepted behind it are not stranded", () => {
    const l = ledger();
    const pool = new Mempool(3);
    pool.setCapacity(2);
    pool.add(decodeExtrinsic(xt(alice, 1)), l, params, ctx); // arrived before nonce 0 (parallel connections)
    pool.add(decodeExtrinsic(xt(charlie, 0)), l, params, ctx);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(charlie, 1)), l, params, ctx)), 'MEMPOOL_FULL');
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 0)), l, params, ctx)), 'accepted');
    assert.equal(pool.ready(l, 10, 1 << 20).length, 3);
    // never above limits.maxTxs: charlie's nonce 1 waits behind 0, but the pool is at its ceiling
    const full = new Mempool(2);
    full.add(decodeExtrinsic(xt(charlie, 1)), l, params, ctx);
    full.add(decodeExtrinsic(xt(alice, 0)), l, params, ctx);
    assert.equal(refusal(() => full.add(decodeExtrinsic(xt(charlie, 0)), l, params, ctx)), 'MEMPOOL_FULL');
  });

  it('refuses a tx behind a nonce gap once the pool is half full (it would wait for its resent predecessor); ready txs and gap fillers still get in', () => {
    const l = ledger();
    const pool = new Mempool(4);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 1)), l, params, ctx)), 'accepted', 'an empty pool keeps a gapped tx');
    pool.add(decodeExtrinsic(xt(charlie, 0)), l, params, ctx); // half full now
    const gapped = decodeExtrinsic(xt(charlie, 2));
    assert.equal(pool.hasRoomFor(gapped, l), false);
    assert.equal(pool.hasRoomFor(gapped, l, 0, true), true, 'unless its predecessor is in the same batch');
    assert.equal(refusal(() => pool.add(gapped, l, params, ctx)), 'MEMPOOL_FULL');
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(charlie, 1)), l, params, ctx)), 'accepted', 'the next nonce is no gap');
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 0)), l, params, ctx)), 'accepted', 'the gap filler');
    assert.equal(pool.ready(l, 10, 1 << 20).length, 4, 'everything accepted can run');
  });

  it('while shedding load (a refusal for room within SHEDDING_BLOCKS blocks) refuses a gapped tx even in an emptied pool', () => {
    const l = ledger();
    const pool = new Mempool(2);
    const a0 = decodeExtrinsic(xt(alice, 0));
    pool.add(a0, l, params, ctx);
    pool.add(decodeExtrinsic(xt(charlie, 0)), l, params, ctx);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 1)), l, params, ctx)), 'MEMPOOL_FULL'); // no room
    assert.equal(pool.shedding, false, 'from the next block on');
    pool.prune(l, [toHex(a0.hash)], 11); // a block later the pool is half empty
    assert.equal(pool.shedding, true);
    const gapped = decodeExtrinsic(xt(charlie, 2));
    assert.equal(pool.hasRoomFor(gapped, l), false);
    pool.prune(l, [], 12);
    assert.equal(refusal(() => pool.add(gapped, l, params, ctx)), 'MEMPOOL_FULL');
    pool.prune(l, [], 13); // SHEDDING_BLOCKS quiet blocks later
    assert.equal(pool.shedding, false);
    const empty = new Mempool(8);
    assert.equal(refusal(() => empty.add(decodeExtrinsic(xt(charlie, 2)), l, params, ctx)), 'accepted', 'a quiet pool keeps it');
  });

  it('proposes the oldest ready tx first (nonce order kept), not a round over the accounts: a later nonce does not wait for every other account', () => {
    const l = ledger();
    const pool = new Mempool(10);
    const [a0, a1, c0] = [xt(alice, 0), xt(alice, 1), xt(charlie, 0)];
    for (const x of [a0, a1, c0]) pool.add(decodeExtrinsic(x), l, params, ctx);
    assert.deepEqual(pool.ready(l, 2, 1 << 20).map(toHex), [a0, a1].map(toHex));
    // a gap filler that arrived last is taken when the txs before it have been, then its successor at once
    const late = new Mempool(10);
    const [c1, a2, c0b] = [xt(charlie, 1), xt(alice, 0), xt(charlie, 0)];
    for (const x of [c1, a2, c0b]) late.add(decodeExtrinsic(x), l, params, ctx);
    assert.deepEqual(late.ready(l, 10, 1 << 20).map(toHex), [a2, c0b, c1].map(toHex));
    assert.deepEqual(late.ready(l, 10, a2.length + c0b.length).map(toHex), [a2, c0b].map(toHex), 'within the byte limit');
  });

  it('drops a tx stuck behind a nonce gap after GAP_TTL_BLOCKS blocks, and keeps ready ones', () => {
    const l = ledger();
    const pool = new Mempool(10);
    const ready0 = decodeExtrinsic(xt(charlie, 0));
    pool.add(decodeExtrinsic(xt(alice, 5)), l, params, ctx); // nonces 0-4 never come
    pool.add(ready0, l, params, ctx);
    pool.prune(l, [], ctx.height + GAP_TTL_BLOCKS - 1);
    assert.equal(pool.size, 2);
    pool.prune(l, [], ctx.height + GAP_TTL_BLOCKS);
    assert.equal(pool.size, 1);
    assert.equal(pool.has(toHex(ready0.hash)), true);
  });

  it('capacity can be lowered below maxTxs and restored up to it, never above', () => {
    const pool = new Mempool(10);
    pool.setCapacity(2);
    assert.equal(pool.capacity, 2);
    const l = ledger();
    pool.add(decodeExtrinsic(xt(alice, 0)), l, params, ctx);
    pool.add(decodeExtrinsic(xt(alice, 1)), l, params, ctx);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 2)), l, params, ctx)), 'MEMPOOL_FULL');
    pool.setCapacity(1_000);
    assert.equal(pool.capacity, 10);
    assert.equal(refusal(() => pool.add(decodeExtrinsic(xt(alice, 2)), l, params, ctx)), 'accepted');
  });
});

function executed(l: Ledger, txs: Uint8Array[]): Ledger {
  executeExtrinsics(l, params, ctx, txs);
  return l;
}

describe('signature cache', () => {
  it('is bounded, forgets the oldest first, and remembers the birth block a signature was checked for', () => {
    const c = new SignatureCache(2);
    c.add('a', 0);
    c.add('b', 5);
    assert.equal(c.has('b', 5), true);
    assert.equal(c.has('b', 6), false);
    c.add('c', 0);
    assert.equal(c.has('a', 0), false);
    assert.equal(c.size, 2);
  });

  it('execution does not verify again what admission verified', () => {
    const l = ledger();
    const pool = new Mempool(10);
    const x = xt(alice, 0);
    pool.add(decodeExtrinsic(x), l, params, ctx);
    const { ctx: counted, misses } = countingCtx(pool);
    const [o] = executeExtrinsics(l, params, counted, [x]);
    assert.equal(o!.success, true);
    assert.equal(misses(), 0);
  });
});

class FakeTransport implements P2PTransport {
  readonly handlers = new Map<GossipChannel, (d: Uint8Array) => void>();
  published: Array<{ channel: GossipChannel; data: Uint8Array }> = [];
  publish(channel: GossipChannel, data: Uint8Array): void {
    this.published.push({ channel, data });
  }
  subscribe(channel: GossipChannel, handler: (d: Uint8Array) => void): void {
    this.handlers.set(channel, handler);
  }
  requestBlocks(): Promise<Uint8Array> {
    return Promise.reject(new Error('no peers'));
  }
  serveBlocks(): void {}
  close(): void {}
}

function reactorWith(pool: Mempool, l: Ledger, verifier: SignatureVerifier | null = null, inlineBelow = 0): { reactor: MempoolReactor; transport: FakeTransport } {
  const transport = new FakeTransport();
  const chain = { ledger: l, height: 9 } as unknown as ChainView;
  const reactor = new MempoolReactor(pool, transport, chain, params, () => ({ ...ctx, isVerified: (h, b) => pool.isVerified(h, b) }), (_ms, fn) => fn(), verifier, inlineBelow);
  reactor.start();
  return { reactor, transport };
}

describe('mempool reactor under load', () => {
  it("keeps peers' txs while there is room; when full, verifies them once (cached for the proposal) without keeping them", () => {
    const l = ledger();
    const pool = new Mempool(1);
    const { reactor, transport } = reactorWith(pool, l);
    const first = xt(alice, 0);
    const second = xt(alice, 1);
    const bad = tampered(xt(charlie, 0));
    transport.handlers.get('txs')!(encodeTxBatch([first, second, bad]));
    assert.equal(pool.size, 1);
    assert.equal(pool.has(toHex(decodeExtrinsic(first).hash)), true);
    assert.equal(reactor.peerTxsNotKept, 1);
    assert.equal(pool.isVerified(toHex(decodeExtrinsic(second).hash), 0), true, 'verified and remembered');
    assert.equal(pool.isVerified(toHex(decodeExtrinsic(bad).hash), 0), false, 'a bad signature is not remembered');
    const { ctx: counted, misses } = countingCtx(pool);
    assert.deepEqual(executeExtrinsics(l, params, counted, [first, second]).map((o) => o.success), [true, true]);
    assert.equal(misses(), 0);
  });

  it('a proposal carrying txs a full pool could not keep: verified once there, not again by execution', () => {
    const l = ledger();
    const pool = new Mempool(1);
    const { reactor } = reactorWith(pool, l);
    const kept = xt(alice, 0);
    reactor.submit(decodeExtrinsic(kept));
    const others = [xt(alice, 1), xt(charlie, 0)];
    const block = buildBlock({
      parentHash: new Uint8Array(32),
      number: 10,
      stateRoot: new Uint8Array(32),
      extrinsics: [kept, ...others],
      meta: { round: 0, proposer: 0, timeMs: 1 },
      lastCommit: null,
      evidence: [],
    });
    reactor.prevalidate(block);
    assert.equal(pool.size, 1, 'the pool stays within its bound');
    assert.ok(block.extrinsics.slice(1).every((b) => decodedOf(b) !== undefined), 'decoded once, for execution to take');
    const { ctx: counted, misses } = countingCtx(pool);
    const outcomes = executeExtrinsics(l, params, counted, block.extrinsics as Uint8Array[]);
    assert.deepEqual(outcomes.map((o) => o.success), [true, true, true]);
    assert.equal(misses(), 0, 'no signature verified twice');
  });

  it('a bad signature in a proposal is not cached: execution checks it and skips the tx', () => {
    const l = ledger();
    const pool = new Mempool(10);
    const { reactor } = reactorWith(pool, l);
    const bad = tampered(xt(alice, 0));
    const block = buildBlock({
      parentHash: new Uint8Array(32),
      number: 10,
      stateRoot: new Uint8Array(32),
      extrinsics: [bad],
      meta: { round: 0, proposer: 0, timeMs: 1 },
      lastCommit: null,
      evidence: [],
    });
    reactor.prevalidate(block);
    const { ctx: counted, misses } = countingCtx(pool);
    const [o] = executeExtrinsics(l, params, counted, [bad]);
    assert.equal(o!.errorCode, 'BAD_PROOF');
    assert.equal(misses(), 1);
  });
});

/** Verifies inline, counting what it was asked (or fails, to exercise the fallback). */
class CountingVerifier implements SignatureVerifier {
  asked = 0;
  constructor(private readonly fail = false) {}
  async verify(items: VerifyItem[]): Promise<boolean[]> {
    this.asked += items.length;
    if (this.fail) throw new Error('worker died');
    const { verifySignature } = await import('@balanceai/chain');
    return items.map((it) => verifySignature(it.type, it.publicKey, it.message, it.signature));
  }
  async close(): Promise<void> {}
}

describe('mempool reactor with a verifier (worker threads)', () => {
  it("verifies peers' txs and clients' submissions through the verifier, once each; the pool's check then hits the cache", async () => {
    const l = ledger();
    const pool = new Mempool(10);
    const verifier = new CountingVerifier();
    const { reactor, transport } = reactorWith(pool, l, verifier);
    const peer = [xt(alice, 0), tampered(xt(charlie, 0)), xt(alice, 1)];
    transport.handlers.get('txs')!(encodeTxBatch(peer));
    await new Promise((r) => setImmediate(r));
    assert.equal(verifier.asked, 3);
    assert.equal(pool.size, 2, 'the bad one is dropped');
    transport.handlers.get('txs')!(encodeTxBatch(peer));
    await new Promise((r) => setImmediate(r));
    assert.equal(verifier.asked, 4, 'nothing in the pool is verified again (a failure is: it is never remembered)');
    const client = decodeExtrinsic(xt(charlie, 0));
    await reactor.submitAsync(client);
    assert.equal(verifier.asked, 5);
    assert.equal(pool.has(toHex(client.hash)), true);
    await assert.rejects(reactor.submitAsync(decodeExtrinsic(tampered(xt(charlie, 1)))), (err) => err instanceof MempoolRejection && err.code === 'BAD_PROOF');
    const { ctx: counted, misses } = countingCtx(pool);
    assert.deepEqual(executeExtrinsics(l, params, counted, [peer[0]!, peer[2]!, client.bytes]).map((o) => o.success), [true, true, true]);
    assert.equal(misses(), 0);
  });

  it('refuses a full pool before asking the verifier, and checks inline when the verifier fails', async () => {
    const l = ledger();
    const pool = new Mempool(1);
    const verifier = new CountingVerifier(true);
    const { reactor } = reactorWith(pool, l, verifier);
    await reactor.submitAsync(decodeExtrinsic(xt(alice, 0)));
    assert.equal(pool.size, 1, 'accepted through the inline fallback');
    const asked = verifier.asked;
    await assert.rejects(reactor.submitAsync(decodeExtrinsic(xt(alice, 1))), (err) => err instanceof MempoolRejection && err.code === 'MEMPOOL_FULL');
    assert.equal(verifier.asked, asked);
  });

  it('takes a batch in order with one call to the verifier, and lets the gap filler through a full pool (its accepted successors would be stranded)', async () => {
    const l = ledger();
    const pool = new Mempool(10);
    pool.setCapacity(2);
    const verifier = new CountingVerifier();
    const { reactor } = reactorWith(pool, l, verifier);
    const a1 = decodeExtrinsic(xt(alice, 1)); // arrived first (parallel connections)
    const c0 = decodeExtrinsic(xt(charlie, 0));
    const out1 = await reactor.submitMany([a1, c0, decodeExtrinsic(xt(charlie, 1))]);
    assert.deepEqual(out1.map((o) => (o instanceof MempoolRejection ? o.code : 'ok')), ['ok', 'ok', 'MEMPOOL_FULL']);
    assert.equal(verifier.asked, 2, 'the refused one was not verified');
    const [a0] = await reactor.submitMany([decodeExtrinsic(xt(alice, 0))]);
    assert.equal(typeof a0, 'string', 'the gap filler is admitted over the run-time bound');
    assert.equal(pool.ready(l, 10, 1 << 20).length, 3);
  });

  it("takes an account's consecutive nonces from one batch into a half-full pool, and refuses the one behind a gap", async () => {
    const l = ledger();
    const pool = new Mempool(8);
    for (const n of [0, 1, 2, 3]) pool.add(decodeExtrinsic(xt(alice, n)), l, params, ctx); // half full
    const { reactor } = reactorWith(pool, l, new CountingVerifier());
    const out = await reactor.submitMany([0, 1, 3].map((n) => decodeExtrinsic(xt(charlie, n))));
    assert.deepEqual(out.map((o) => (o instanceof MempoolRejection ? o.code : 'ok')), ['ok', 'ok', 'MEMPOOL_FULL']);
  });

  it("takes a nonce whose predecessor another batch is still verifying, into a half-full pool (concurrent batches from the gateway)", async () => {
    const l = ledger();
    const pool = new Mempool(8);
    for (const n of [0, 1, 2, 3]) pool.add(decodeExtrinsic(xt(alice, n)), l, params, ctx); // half full
    // the first batch's verification answers only after the second's
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    const slowFirst: SignatureVerifier = {
      async verify(items: VerifyItem[]) {
        if (calls++ === 0) await gate;
        const { verifySignature } = await import('@balanceai/chain');
        return items.map((it) => verifySignature(it.type, it.publicKey, it.message, it.signature));
      },
      async close() {},
    };
    const { reactor } = reactorWith(pool, l, slowFirst);
    const first = reactor.submitMany([decodeExtrinsic(xt(charlie, 0))]);
    const second = reactor.submitMany([decodeExtrinsic(xt(charlie, 1))]);
    await new Promise((r) => setImmediate(r));
    const secondOut = second.then((o) => o);
    release();
    const [a, b] = await Promise.all([first, secondOut]);
    assert.deepEqual([a, b].map((o) => (o[0] instanceof MempoolRejection ? o[0].code : 'ok')), ['ok', 'ok']);
    assert.equal(pool.ready(l, 10, 1 << 20).length, 6);
  });

  it('checks batches smaller than inlineBelow inline, larger ones in the workers; the cache serves both', async () => {
    const l = ledger();
    const pool = new Mempool(20);
    const verifier = new CountingVerifier();
    const { reactor } = reactorWith(pool, l, verifier, 4);
    const small = [decodeExtrinsic(xt(alice, 0)), decodeExtrinsic(tampered(xt(alice, 1)))];
    const out = await reactor.submitMany(small);
    assert.equal(verifier.asked, 0);
    assert.deepEqual(out.map((o) => (o instanceof MempoolRejection ? o.code : 'ok')), ['ok', 'BAD_PROOF']);
    const big = [1, 2, 3, 4].map((n) => decodeExtrinsic(xt(alice, n)));
    assert.deepEqual((await reactor.submitMany(big)).map((o) => typeof o), ['string', 'string', 'string', 'string']);
    assert.equal(verifier.asked, 4);
    // a verifier that is cheap to hand a batch to (the native addon) says so, and gets even single txs
    const native = Object.assign(new CountingVerifier(), { inlineBelow: 1 });
    const { reactor: r2 } = reactorWith(new Mempool(20), ledger(), native, 4);
    await r2.submitMany([decodeExtrinsic(xt(charlie, 0))]);
    assert.equal(native.asked, 1);
  });
});

