// The bridge invariant helper (wBAI totalSupply <= BAI escrow), exercised against a model of the
// BalanceAI escrow under random load: locks, mints, forged/replayed/under-threshold attempts, burns and
// their releases, expiries with cancel + refund. Checked at every Ethereum block.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertSupplyInvariant, BridgeError, BurnWatcher, checkSupplyInvariant, signCancel, type MintMessage } from '../src/index.js';
import { baiAccount, deploy, mintMessage, ONE, relayerKeys, signAll, startEnv, type Env } from './fixture.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.stop();
});

test('checkSupplyInvariant / assertSupplyInvariant read totalSupply at a block and compare with the escrow', async () => {
  const d = await deploy(env);
  const pc = env.conn.publicClient;
  const before = await pc.getBlockNumber({ cacheTime: 0 });
  const m = await mintMessage(env, 'inv', env.users[0]!.address, 10n * ONE);
  await d.client.mint(m, await signAll(d.relayers.slice(0, 2), d, m));
  assert.deepEqual(await checkSupplyInvariant(pc, d.client.token, 10n * ONE), { ok: true, wbaiSupply: 10n * ONE, baiEscrow: 10n * ONE, blockNumber: before + 1n });
  assert.equal((await checkSupplyInvariant(pc, d.client.token, 10n * ONE - 1n)).ok, false);
  // At the block before the mint the supply was 0: the check is per block.
  assert.equal((await checkSupplyInvariant(pc, d.client.token, 0n, before)).ok, true);
  await assert.rejects(assertSupplyInvariant(pc, d.client.token, 1n), (e) => e instanceof BridgeError && e.code === 'INVARIANT_VIOLATED');
});

test('random load with faults: the invariant holds at every block and the model matches the chain at the end', async () => {
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed % n;
  };
  const d = await deploy(env, { mintLimit: 5_000n * ONE });
  const pc = env.conn.publicClient;
  const outsider = relayerKeys('forger', 2);
  const watcher = new BurnWatcher(pc, d.client.bridge, { confirmations: 2, fromBlock: d.deployBlock });

  // Model of the BalanceAI side: escrow grows on lock, shrinks on release (burn attested) or refund.
  let escrow = 0n;
  const open: MintMessage[] = [];
  const minted: MintMessage[] = [];
  const released = new Set<bigint>();
  let refunded = 0;
  let refused = 0;
  let checkedUpTo = await pc.getBlockNumber({ cacheTime: 0 });
  const checkNewBlocks = async () => {
    const head = await pc.getBlockNumber({ cacheTime: 0 });
    for (let b = checkedUpTo + 1n; b <= head; b++) await assertSupplyInvariant(pc, d.client.token, escrow, b);
    checkedUpTo = head;
  };
  const expectRefused = async (p: Promise<unknown>) => {
    await assert.rejects(p, (e) => e instanceof BridgeError);
    refused++;
  };

  for (let step = 0; step < 60; step++) {
    const op = rand(8);
    if (op <= 1 || open.length === 0) {
      // lock on BalanceAI (escrow first, as pallet 30 does)
      const m = await mintMessage(env, `load-${step}`, env.users[rand(2)]!.address, BigInt(1 + rand(900)) * ONE + BigInt(rand(1000)), BigInt(20 + rand(60)));
      escrow += m.amount;
      open.push(m);
    } else if (op <= 3) {
      const m = open.splice(rand(open.length), 1)[0]!;
      const fault = rand(5);
      if (fault === 0) await expectRefused(d.client.mint({ ...m, amount: m.amount * 2n }, await signAll(d.relayers.slice(0, 2), d, m))); // wrong amount
      if (fault === 1) await expectRefused(d.client.mint(m, await signAll([d.relayers[0]!, outsider[0]!], d, m))); // forged
      if (fault === 2) await expectRefused(d.client.mint(m, await signAll(d.relayers.slice(0, 1), d, m))); // under threshold
      try {
        await d.client.mint(m, await signAll(d.relayers.slice(rand(2)), d, m));
        minted.push(m);
        if (rand(3) === 0) await expectRefused(d.client.mint(m, await signAll(d.relayers, d, m))); // replay
      } catch (err) {
        assert.ok(err instanceof BridgeError && (err.code === 'DEADLINE_EXPIRED' || err.code === 'OUTFLOW_LIMIT_EXCEEDED'), String(err));
        open.push(m); // left for expiry + cancel + refund
      }
    } else if (op <= 5) {
      const who = rand(2);
      const bal = await d.client.balanceOf(env.users[who]!.address);
      if (bal > 0n) await d.client.as(env.users[who]!).burn(1n + BigInt(rand(1_000_000)) * (bal / 1_000_000n + 1n) % bal, baiAccount(`u${who}`));
    } else if (op === 6) {
      await env.test.increaseTime({ seconds: 1 + rand(40) });
      await env.test.mine({ blocks: 1 + rand(3) });
    } else {
      // expired locks: cancel on Ethereum, then refund on BalanceAI
      const now = (await pc.getBlock()).timestamp;
      for (const m of open.filter((x) => x.deadline < now)) {
        await d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, await Promise.all(d.relayers.slice(1).map((r) => signCancel(r, d.client.domain, { lockId: m.lockId, deadline: m.deadline }))));
        assert.equal(await d.client.lockStatus(m.lockId), 'Cancelled');
        escrow -= m.amount;
        open.splice(open.indexOf(m), 1);
        refunded++;
      }
    }
    // Relayers release BAI for burns with enough confirmations (exactly once per nonce).
    for (const b of await watcher.poll()) {
      assert.ok(!released.has(b.nonce));
      released.add(b.nonce);
      escrow -= b.amount;
    }
    await checkNewBlocks();
  }
  // Drain: confirm every burn, expire and refund every open lock.
  await env.test.increaseTime({ seconds: 1000 });
  await env.test.mine({ blocks: 3 });
  for (const b of await watcher.poll()) {
    released.add(b.nonce);
    escrow -= b.amount;
  }
  for (const m of open) {
    await d.client.cancel({ lockId: m.lockId, deadline: m.deadline }, await Promise.all(d.relayers.slice(0, 2).map((r) => signCancel(r, d.client.domain, { lockId: m.lockId, deadline: m.deadline }))));
    escrow -= m.amount;
    refunded++;
  }
  await env.test.mine({ blocks: 1 });
  await checkNewBlocks();
  // With every transfer final, supply equals escrow exactly (1:1 to the base unit).
  assert.equal(await d.client.totalSupply(), escrow);
  assert.equal(await d.client.burnNonce(), BigInt(released.size)); // every burn released, once
  const locked = (m: MintMessage[]) => m.reduce((s, x) => s + x.amount, 0n);
  console.log(`load: ${minted.length} minted (${locked(minted)} base units), ${refunded} refunded, ${released.size} burns released, ${refused} forged/replayed/short attempts refused, invariant checked at ${checkedUpTo - d.deployBlock} blocks`);
  assert.ok(minted.length > 5 && refunded > 0 && released.size > 3 && refused > 3, 'the load exercised every path');
});
