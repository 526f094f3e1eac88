// Cancel vs mint: every lockId ends Minted or Cancelled, never both, whatever the order or timing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Hex } from 'viem';
import { orderSignatures, signCancel, type MintMessage, type RelayerSignature } from '../src/index.js';
import { deploy, mintMessage, ONE, rejectsAsForged, rejectsWith, signAll, startEnv, type Deployed, type Env } from './fixture.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.stop();
});

const cancelSigs = (d: Deployed, m: MintMessage, n = 2): Promise<RelayerSignature[]> =>
  Promise.all(d.relayers.slice(0, n).map((r) => signCancel(r, d.client.domain, { lockId: m.lockId, deadline: m.deadline })));

async function ordered(d: Deployed, kind: 'Mint' | 'Cancel', m: MintMessage, sigs: RelayerSignature[]): Promise<Hex[]> {
  return kind === 'Mint'
    ? orderSignatures(d.client.domain, { kind, message: m }, sigs)
    : orderSignatures(d.client.domain, { kind, message: { lockId: m.lockId, deadline: m.deadline } }, sigs);
}

test('cancel needs the deadline passed and M signatures; then the lockId can never be minted', async () => {
  const d = await deploy(env);
  const m = await mintMessage(env, 'c1', env.users[0]!.address, ONE, 60n);
  const mintSigs = await signAll(d.relayers, d, m);
  const cSigs = await cancelSigs(d, m);
  await rejectsWith(d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, cSigs), 'DEADLINE_NOT_PASSED', 'DeadlineNotPassed');
  await env.test.increaseTime({ seconds: 61 });
  await env.test.mine({ blocks: 1 });
  await rejectsWith(d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, cSigs.slice(0, 1)), 'TOO_FEW_SIGNATURES');
  // Cancel signed for a later deadline does not verify for the real one (the deadline is signed).
  const forged = await Promise.all(d.relayers.slice(0, 2).map((r) => signCancel(r, d.client.domain, { lockId: m.lockId, deadline: m.deadline + 10_000n })));
  const forgedOrdered = await orderSignatures(d.client.domain, { kind: 'Cancel', message: { lockId: m.lockId, deadline: m.deadline + 10_000n } }, forged);
  await rejectsAsForged(d.client.cancelWithSignatures({ lockId: m.lockId, deadline: m.deadline }, forgedOrdered));
  await rejectsWith(d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, forged), 'SIGNER_MISMATCH');
  const receipt = await d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, cSigs);
  console.log(`gas: cancel with 2 of 3 signatures = ${receipt.gasUsed}`);
  assert.equal(await d.client.lockStatus(m.lockId), 'Cancelled');
  // Never minted afterwards, with any deadline the relayers could sign: the lockId is closed.
  await rejectsWith(d.client.mint(m, mintSigs), 'DEADLINE_EXPIRED');
  const extended = { ...m, deadline: m.deadline + 100_000n };
  await rejectsWith(d.client.mint(extended, await signAll(d.relayers, d, extended)), 'LOCK_ALREADY_PROCESSED', 'LockAlreadyProcessed');
  // Cancel replayed: refused.
  await rejectsWith(d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, cSigs), 'LOCK_ALREADY_PROCESSED');
  assert.equal(await d.client.totalSupply(), 0n);
});

test('a minted lockId can never be cancelled', async () => {
  const d = await deploy(env);
  const m = await mintMessage(env, 'c2', env.users[0]!.address, ONE, 60n);
  await d.client.mint(m, await signAll(d.relayers.slice(0, 2), d, m));
  await env.test.increaseTime({ seconds: 120 });
  await env.test.mine({ blocks: 1 });
  await rejectsWith(d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, await cancelSigs(d, m, 3)), 'LOCK_ALREADY_PROCESSED');
  assert.equal(await d.client.lockStatus(m.lockId), 'Minted');
});

/** Puts the given transactions into one block with the given timestamp (automine off meanwhile). */
async function oneBlock(timestamp: bigint, send: () => Promise<Hex[]>): Promise<Array<'success' | 'reverted'>> {
  await env.test.setAutomine(false);
  try {
    const hashes = await send();
    await env.test.setNextBlockTimestamp({ timestamp });
    await env.test.mine({ blocks: 1 });
    const receipts = await Promise.all(hashes.map((hash) => env.conn.publicClient.waitForTransactionReceipt({ hash })));
    assert.equal(new Set(receipts.map((r) => r.blockNumber)).size, 1, 'all in one block');
    return receipts.map((r) => r.status);
  } finally {
    await env.test.setAutomine(true);
  }
}

test('race in one block: mint and cancel of the same lockId, both orders, at and past the deadline — exactly one wins', async () => {
  for (const [i, offset] of [0n, 1n].entries()) {
    for (const order of ['mint-first', 'cancel-first'] as const) {
      const d = await deploy(env);
      const m = await mintMessage(env, `race-${i}-${order}`, env.users[0]!.address, ONE, 30n);
      const mintArgs = [m.lockId, m.recipient, m.amount, m.deadline, await ordered(d, 'Mint', m, await signAll(d.relayers, d, m))];
      const cancelArgs = [m.lockId, m.deadline, await ordered(d, 'Cancel', m, await cancelSigs(d, m, 3))];
      const user = d.client.as(env.users[0]!);
      const other = d.client.as(env.users[1]!);
      const statuses = await oneBlock(m.deadline + offset, async () =>
        order === 'mint-first'
          ? [await user.sendRaw('mint', mintArgs), await other.sendRaw('cancel', cancelArgs)]
          : [await other.sendRaw('cancel', cancelArgs), await user.sendRaw('mint', mintArgs)],
      );
      const [mintStatus, cancelStatus] = order === 'mint-first' ? statuses : [statuses[1], statuses[0]];
      const final = await d.client.lockStatus(m.lockId);
      // At the deadline only the mint can pass; one second later only the cancel.
      if (offset === 0n) {
        assert.deepEqual([mintStatus, cancelStatus, final], ['success', 'reverted', 'Minted'], `${order} at deadline`);
        assert.equal(await d.client.totalSupply(), ONE);
      } else {
        assert.deepEqual([mintStatus, cancelStatus, final], ['reverted', 'success', 'Cancelled'], `${order} past deadline`);
        assert.equal(await d.client.totalSupply(), 0n);
      }
    }
  }
});

test('race in one block: two submitters of the same mint — exactly one mints', async () => {
  const d = await deploy(env);
  const m = await mintMessage(env, 'double-submit', env.users[0]!.address, 3n * ONE);
  const args = [m.lockId, m.recipient, m.amount, m.deadline, await ordered(d, 'Mint', m, await signAll(d.relayers.slice(0, 2), d, m))];
  const ts = (await env.conn.publicClient.getBlock()).timestamp + 1n;
  const statuses = await oneBlock(ts, async () => [await d.client.as(env.users[0]!).sendRaw('mint', args), await d.client.as(env.users[1]!).sendRaw('mint', args)]);
  assert.deepEqual([...statuses].sort(), ['reverted', 'success']);
  assert.equal(await d.client.totalSupply(), 3n * ONE);
});

test('randomised: 40 locks, mints and cancels submitted in shuffled order over blocks that cross their deadlines', async () => {
  // Seeded PRNG (xorshift32): reproducible.
  let seed = 0x9e3779b9;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed % n;
  };
  const d = await deploy(env);
  const start = (await env.conn.publicClient.getBlock()).timestamp;
  const locks: MintMessage[] = [];
  for (let i = 0; i < 40; i++) {
    locks.push({ lockId: `0x${(i + 1).toString(16).padStart(64, '0')}`, recipient: env.users[i % 2]!.address, amount: BigInt(1 + rand(1000)) * ONE, deadline: start + BigInt(5 + rand(40)) });
  }
  type Op = { kind: 'Mint' | 'Cancel'; m: MintMessage; args: readonly unknown[] };
  const ops: Op[] = [];
  for (const m of locks) {
    ops.push({ kind: 'Mint', m, args: [m.lockId, m.recipient, m.amount, m.deadline, await ordered(d, 'Mint', m, await signAll(d.relayers.slice(rand(2), 3), d, m))] });
    ops.push({ kind: 'Cancel', m, args: [m.lockId, m.deadline, await ordered(d, 'Cancel', m, await cancelSigs(d, m, 2 + rand(2)))] });
  }
  for (let i = ops.length - 1; i > 0; i--) {
    const j = rand(i + 1);
    [ops[i], ops[j]] = [ops[j]!, ops[i]!];
  }
  // Blocks of 1-6 transactions, 1-4 seconds apart: deadlines fall before, inside and after.
  let ts = start;
  const outcome = new Map<Hex, { minted: number; cancelled: number }>(locks.map((m) => [m.lockId, { minted: 0, cancelled: 0 }]));
  for (let k = 0; k < ops.length; ) {
    const batch = ops.slice(k, k + 1 + rand(6));
    k += batch.length;
    ts += BigInt(1 + rand(4));
    const statuses = await oneBlock(ts, async () => {
      const hashes: Hex[] = [];
      for (const op of batch) hashes.push(await d.client.sendRaw(op.kind === 'Mint' ? 'mint' : 'cancel', op.args));
      return hashes;
    });
    batch.forEach((op, idx) => {
      if (statuses[idx] === 'success') outcome.get(op.m.lockId)![op.kind === 'Mint' ? 'minted' : 'cancelled'] += 1;
    });
  }
  // Past every deadline, cancel what is still open so every lock reaches a final state.
  await env.test.increaseTime({ seconds: 100 });
  await env.test.mine({ blocks: 1 });
  let expectedSupply = 0n;
  let minted = 0;
  for (const m of locks) {
    const o = outcome.get(m.lockId)!;
    assert.ok(o.minted + o.cancelled <= 1, `lock ${m.lockId} minted ${o.minted}, cancelled ${o.cancelled}`);
    if (o.minted + o.cancelled === 0) {
      await d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, await cancelSigs(d, m));
      o.cancelled = 1;
    }
    assert.equal(await d.client.lockStatus(m.lockId), o.minted ? 'Minted' : 'Cancelled');
    if (o.minted) {
      expectedSupply += m.amount;
      minted++;
    }
  }
  assert.equal(await d.client.totalSupply(), expectedSupply);
  assert.ok(minted > 0 && minted < locks.length, `a mix of outcomes (minted ${minted} of ${locks.length})`);
});

test('checkRefundable: refundable only when cancelled, or unprocessed in a block past the deadline; never once minted', async () => {
  const d = await deploy(env);
  const pc = env.conn.publicClient;
  const head = async () => pc.getBlockNumber({ cacheTime: 0 });
  const expiring = await mintMessage(env, 'ref-1', env.users[0]!.address, ONE, 20n);
  const minted = await mintMessage(env, 'ref-2', env.users[0]!.address, ONE, 20n);
  const cancelled = await mintMessage(env, 'ref-3', env.users[0]!.address, ONE, 20n);
  assert.equal((await d.client.checkRefundable(expiring.lockId, expiring.deadline, await head())).refundable, false); // before the deadline
  await d.client.mint(minted, await signAll(d.relayers.slice(0, 2), d, minted));
  const beforeDeadline = await head();
  await env.test.increaseTime({ seconds: 30 });
  await env.test.mine({ blocks: 1 });
  const past = await d.client.checkRefundable(expiring.lockId, expiring.deadline, await head());
  assert.equal(past.refundable, true);
  assert.equal(past.status, 'None');
  assert.ok(past.blockTimestamp > expiring.deadline);
  // …and indeed the mint can no longer happen.
  await rejectsWith(d.client.mint(expiring, await signAll(d.relayers, d, expiring)), 'DEADLINE_EXPIRED');
  assert.equal((await d.client.checkRefundable(minted.lockId, minted.deadline, await head())).refundable, false);
  assert.equal((await d.client.checkRefundable(cancelled.lockId, cancelled.deadline, beforeDeadline)).refundable, false);
  await d.client.cancel({ lockId: cancelled.lockId, deadline: cancelled.deadline }, await cancelSigs(d, cancelled));
  const c = await d.client.checkRefundable(cancelled.lockId, cancelled.deadline, await head());
  assert.deepEqual([c.refundable, c.status], [true, 'Cancelled']);
});
