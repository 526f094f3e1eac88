// The whole node (consensus state, mempool, sync, evidence, signer, executor) on a simulated network:
// safety (never two blocks final at one height) under loss, delay, duplication, reordering, partitions
// and crashes, over many seeds; liveness once the network heals; a failed block write; a stranger's spam.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ONE_BAI, cryptoReady, decodeExtrinsic, encodeTransfer, keyFromUri, signExtrinsic, toHex, type KeyPair } from '@balanceai/chain';
import { PersistFailure } from '../execution/block-executor.js';
import { voteSignBytes } from '../block/votes.js';
import { encodeVoteMessage } from './wire.js';
import { SimCluster } from './node-simulation.testkit.js';

let alice: KeyPair;
const bob = () => keyFromUri('//Bob', 'sr25519');

function transfer(c: SimCluster, nonce: number, amount: bigint) {
  return decodeExtrinsic(
    signExtrinsic(alice, encodeTransfer('allow_death', bob().publicKey, amount), { era: { kind: 'immortal' }, nonce, tip: 0n }, {
      specVersion: c.genesis.params.specVersion,
      transactionVersion: c.genesis.params.transactionVersion,
      genesisHash: c.genesisHash,
      birthHash: c.genesisHash,
    }),
  );
}

function assertConsistent(c: SimCluster, live: number[]): void {
  assert.deepEqual(c.forks(), [], 'no two blocks final at one height');
  for (const i of live) {
    const ledger = c.nodes[i]!.committed.ledger;
    assert.equal(ledger.sumOfBalances(), ledger.totalIssuance, `node ${i}: sum of balances == issuance`);
  }
  const min = Math.min(...live.map((i) => c.height(i)));
  const hashes = new Set(live.map((i) => c.finalized.find((f) => f.node === i && f.height === min)?.hash ?? `genesis`));
  assert.equal(hashes.size, 1, `every live node holds the same block ${min}`);
}

describe('whole nodes on a simulated network', () => {
  before(async () => {
    await cryptoReady();
    alice = keyFromUri('//Alice', 'sr25519');
  });

  it('finalizes about one block per block time on a calm network, every transfer exactly once', async () => {
    const c = new SimCluster(4, 1);
    await c.startAll();
    await c.clock.run(2_000);
    for (let n = 0; n < 20; n++) await c.nodes[n % 4]!.submit(transfer(c, n, ONE_BAI));
    await c.clock.run(20_000);
    const heights = [0, 1, 2, 3].map((i) => c.height(i));
    assert.ok(Math.min(...heights) >= 40, `heights ${heights}`);
    assertConsistent(c, [0, 1, 2, 3]);
    for (const i of [0, 1, 2, 3]) {
      const ledger = c.nodes[i]!.committed.ledger;
      assert.equal(ledger.get(toHex(alice.publicKey)).nonce, 20, 'each of the 20 transfers applied once');
    }
    assert.deepEqual(c.halts, []);
    await c.stopAll();
  });

  for (let seed = 1; seed <= 12; seed++) {
    it(`seed ${seed}: loss, duplication, reordering and a partition never fork; the chain goes on once healed`, async () => {
      const c = new SimCluster(4, seed);
      c.net.faults = { dropProbability: 0.15, duplicateProbability: 0.15, minDelayMs: 1, maxDelayMs: 250 };
      await c.startAll();
      await c.clock.run(5_000);
      // No side has +2/3: nothing may finalize on either side, and nothing conflicting afterwards.
      c.net.partition(seed % 2 === 0 ? [[0, 1], [2, 3]] : [[0], [1, 2, 3]]);
      const atSplit = Math.max(...[0, 1, 2, 3].map((i) => c.height(i)));
      await c.clock.run(5_000);
      if (seed % 2 === 0) assert.ok(Math.max(...[0, 1, 2, 3].map((i) => c.height(i))) <= atSplit + 1, 'no quorum, no progress');
      c.net.heal();
      c.net.faults = { dropProbability: 0.05, duplicateProbability: 0.1, minDelayMs: 1, maxDelayMs: 100 };
      const healed = Math.max(...[0, 1, 2, 3].map((i) => c.height(i)));
      await c.clock.run(30_000);
      const heights = [0, 1, 2, 3].map((i) => c.height(i));
      assert.ok(Math.min(...heights) >= healed + 5, `liveness after healing: ${healed} → ${heights}`);
      assertConsistent(c, [0, 1, 2, 3]);
      assert.deepEqual(c.halts, []);
      await c.stopAll();
    });
  }

  it('a validator that crashes and restarts from its store catches up without a fork or a double sign', async () => {
    const c = new SimCluster(4, 21);
    await c.startAll();
    await c.clock.run(5_000);
    await c.crash(3);
    await c.clock.run(6_000);
    await c.start(3);
    await c.clock.run(10_000);
    assert.ok(c.height(3) >= c.height(0) - 2, `caught up: ${c.height(3)} vs ${c.height(0)}`);
    assertConsistent(c, [0, 1, 2, 3]);
    assert.deepEqual(c.halts, []);
    await c.stopAll();
  });

  it('a block write that fails stops the node; the restart replays from disk and applies nothing twice', async () => {
    const c = new SimCluster(4, 33);
    await c.startAll();
    await c.clock.run(2_000);
    for (let n = 0; n < 10; n++) await c.nodes[0]!.submit(transfer(c, n, 2n * ONE_BAI));
    c.stores[1]!.failNextCommit = true;
    await c.clock.run(3_000);
    assert.equal(c.halts.length, 1);
    assert.ok(c.halts[0]!.error instanceof PersistFailure && c.halts[0]!.node === 1, 'fatal, not logged and ignored');
    const halted = c.nodes[1]!;
    const stuckAt = halted.committedHeight;
    await c.clock.run(1_000);
    assert.equal(halted.committedHeight, stuckAt, 'a halted node executes nothing more');
    // The supervisor restarts it: memory is rebuilt from what is on disk.
    await c.crash(1);
    await c.start(1);
    await c.clock.run(10_000);
    assertConsistent(c, [0, 1, 2, 3]);
    const ledger = c.nodes[1]!.committed.ledger;
    assert.equal(ledger.get(toHex(alice.publicKey)).nonce, 10);
    assert.equal(ledger.get(toHex(alice.publicKey)).free, c.nodes[0]!.committed.ledger.get(toHex(alice.publicKey)).free);
    await c.stopAll();
  });

  it('a validator that double-votes in the running height is punished once, in a later block, and the chain goes on', async () => {
    const c = new SimCluster(4, 55);
    await c.startAll();
    await c.clock.run(3_000);
    const byzantine = c.net.transport(98);
    const key = keyFromUri('//validator//3', 'ed25519');
    for (let k = 0; k < 3; k++) {
      const height = c.height(0) + 1;
      const round = c.nodes[0]!.consensusRound;
      for (const fill of [0xa1, 0xb2]) {
        const v = { type: 'prevote' as const, height, round, validator: 3, blockHash: toHex(new Uint8Array(32).fill(fill + k)) };
        byzantine.publish('vote', encodeVoteMessage({ ...v, signature: key.sign(voteSignBytes(c.genesisHash, v)) }));
      }
      // The height must go to later rounds while the offence is pending: its proposers then hold
      // evidence of the very height they propose for (which every validator refuses in a block).
      await c.clock.run(100);
      c.net.partition([[0], [1], [2], [3]]);
      await c.clock.run(3_000);
      c.net.heal();
      await c.clock.run(2_000);
    }
    const before = c.height(0);
    await c.clock.run(10_000);
    assert.ok(c.height(0) >= before + 20, `no stall after the offence: ${before} → ${c.height(0)}`);
    const included = c.stores[0]!.includedOffences();
    assert.ok(included.size >= 1, 'the offence is in a block');
    for (const i of [1, 2, 3]) assert.deepEqual(c.stores[i]!.includedOffences(), included, 'in the same block everywhere, once');
    assertConsistent(c, [0, 1, 2, 3]);
    assert.deepEqual(c.halts, []);
    await c.stopAll();
  });

  it("a stranger's forged statuses, votes and proposals change nothing", async () => {
    const calm = new SimCluster(4, 44);
    await calm.startAll();
    await calm.clock.run(10_000);
    const baseline = calm.height(0);
    await calm.stopAll();

    const c = new SimCluster(4, 44);
    await c.startAll();
    const stranger = c.net.transport(99);
    const key = keyFromUri('//stranger', 'ed25519');
    const spam = () => {
      // A status claiming a far height (it used to trigger sync and stall the next height), unsigned JSON,
      // and votes signed by a key in no set, for rounds far ahead.
      stranger.publish('status', new TextEncoder().encode(JSON.stringify({ v: 1, h: 99_999_999, r: 0 })));
      const h = c.height(0) + 1;
      for (let r = 0; r < 5; r++) {
        const v = { type: 'precommit' as const, height: h, round: 1_000 + r, validator: 2, blockHash: null };
        stranger.publish('vote', encodeVoteMessage({ ...v, signature: key.sign(new Uint8Array(8)) }));
      }
      stranger.publish('proposal', new Uint8Array(1_024).fill(7));
      c.clock.setTimeout(spam, 50);
    };
    spam();
    await c.clock.run(10_000);
    assert.ok(c.height(0) >= baseline - 2, `no slowdown: ${c.height(0)} vs ${baseline} without the spam`);
    for (const i of [0, 1, 2, 3]) {
      const node = c.nodes[i]!;
      assert.equal(node.isSyncing, false);
      assert.ok(node.bufferSizes.future_messages === 0 && node.bufferSizes.vote_signatures < 64, JSON.stringify(node.bufferSizes));
    }
    assertConsistent(c, [0, 1, 2, 3]);
    await c.stopAll();
  });
});
