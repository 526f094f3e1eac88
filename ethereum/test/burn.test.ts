// Burns: nonces, balances, and the confirmation-counting watcher under reorgs (anvil snapshot/revert).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEventLogs } from 'viem';
import { baiBridgeAbi, BridgeError, BurnWatcher, burnIdOf } from '../src/index.js';
import { baiAccount, deploy, mintMessage, ONE, rejectsWith, signAll, startEnv, type Deployed, type Env } from './fixture.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.stop();
});

async function fund(d: Deployed, userIndex: number, amount: bigint, label: string) {
  const m = await mintMessage(env, label, env.users[userIndex]!.address, amount);
  await d.client.mint(m, await signAll(d.relayers.slice(0, 2), d, m));
}

test('burn: nonce 1, 2, 3… across users, event fields exact, balance and supply down by the amount', async () => {
  const d = await deploy(env);
  await fund(d, 0, 100n * ONE, 'f0');
  await fund(d, 1, 50n * ONE, 'f1');
  const alice = d.client.as(env.users[0]!);
  const bob = d.client.as(env.users[1]!);
  const r1 = await alice.burn(10n * ONE, baiAccount('alice'));
  const r2 = await bob.burn(5n * ONE + 1n, baiAccount('bob'));
  const r3 = await alice.burn(1n, baiAccount('alice'));
  assert.deepEqual([r1.nonce, r2.nonce, r3.nonce], [1n, 2n, 3n]);
  assert.equal(await d.client.burnNonce(), 3n);
  const [ev] = parseEventLogs({ abi: baiBridgeAbi, eventName: 'Burned', logs: r2.receipt.logs });
  assert.deepEqual(ev?.args, { nonce: 2n, from: env.users[1]!.address, baiRecipient: baiAccount('bob'), amount: 5n * ONE + 1n });
  assert.equal(await d.client.balanceOf(env.users[0]!.address), 90n * ONE - 1n);
  assert.equal(await d.client.balanceOf(env.users[1]!.address), 45n * ONE - 1n);
  assert.equal(await d.client.totalSupply(), 135n * ONE - 2n);
  console.log(`gas: burn = ${r1.receipt.gasUsed} (first), ${r3.receipt.gasUsed} (later)`);
});

test('burn refuses more than the balance, zero, a zero BalanceAI recipient; the nonce does not move', async () => {
  const d = await deploy(env);
  await fund(d, 0, 2n * ONE, 'g0');
  const alice = d.client.as(env.users[0]!);
  await rejectsWith(alice.burn(2n * ONE + 1n, baiAccount('alice')), 'INSUFFICIENT_BALANCE', 'ERC20InsufficientBalance');
  await rejectsWith(alice.burn(0n, baiAccount('alice')), 'ZERO_AMOUNT');
  await rejectsWith(alice.burn(ONE, `0x${'00'.repeat(32)}`), 'ZERO_RECIPIENT');
  await rejectsWith(d.client.as(env.users[1]!).burn(1n, baiAccount('x')), 'INSUFFICIENT_BALANCE');
  assert.equal(await d.client.burnNonce(), 0n);
  assert.equal((await alice.burn(2n * ONE, baiAccount('alice'))).nonce, 1n);
  assert.equal(await d.client.totalSupply(), 0n);
});

test('watcher: a burn is delivered once it has N confirmations, exactly once, in nonce order', async () => {
  const d = await deploy(env);
  await fund(d, 0, 100n * ONE, 'w0');
  const alice = d.client.as(env.users[0]!);
  const watcher = new BurnWatcher(env.conn.publicClient, d.client.bridge, { confirmations: 3, fromBlock: d.deployBlock });
  const b1 = await alice.burn(ONE, baiAccount('a')); // 1 confirmation (automine: its own block is the head)
  assert.deepEqual(await watcher.poll(), []);
  await env.test.mine({ blocks: 1 }); // 2 confirmations
  assert.deepEqual(await watcher.poll(), []);
  const b2 = await alice.burn(2n * ONE, baiAccount('b')); // b1 now has 3
  const got = await watcher.poll();
  assert.equal(got.length, 1);
  assert.deepEqual(
    { ...got[0]!, blockHash: undefined },
    {
      burnId: burnIdOf(env.anvil.chainId, d.client.bridge, 1n),
      nonce: 1n,
      from: env.users[0]!.address,
      baiRecipient: baiAccount('a'),
      amount: ONE,
      blockNumber: b1.receipt.blockNumber,
      blockHash: undefined,
      transactionHash: b1.receipt.transactionHash,
      logIndex: got[0]!.logIndex,
    },
  );
  assert.deepEqual(await watcher.poll(), []); // never twice
  await env.test.mine({ blocks: 2 });
  const next = await watcher.poll();
  assert.deepEqual(next.map((b) => [b.nonce, b.amount, b.transactionHash]), [[2n, 2n * ONE, b2.receipt.transactionHash]]);

  // watch(): the same through the polling loop
  const seen: bigint[] = [];
  const w2 = new BurnWatcher(env.conn.publicClient, d.client.bridge, { confirmations: 1, fromBlock: d.deployBlock, lastNonce: 1n });
  const stop = w2.watch((burns) => void seen.push(...burns.map((b) => b.nonce)), { intervalMs: 20 });
  await alice.burn(3n, baiAccount('c'));
  for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  stop();
  assert.deepEqual(seen, [2n, 3n]); // starts after lastNonce 1
});

test('reorg shallower than N: the orphaned burn is never delivered, its replacement once', async () => {
  const d = await deploy(env);
  await fund(d, 0, 100n * ONE, 'r0');
  const alice = d.client.as(env.users[0]!);
  const N = 4;
  const watcher = new BurnWatcher(env.conn.publicClient, d.client.bridge, { confirmations: N, fromBlock: d.deployBlock });
  const snapshot = await env.test.snapshot();
  const orphan = await alice.burn(7n * ONE, baiAccount('orphan'));
  await env.test.mine({ blocks: N - 2 }); // N-1 confirmations
  assert.deepEqual(await watcher.poll(), []);
  await env.test.revert({ id: snapshot }); // the reorg: the burn's block and those after it are gone
  const replacement = await alice.burn(3n * ONE, baiAccount('replacement')); // takes nonce 1 on the new branch
  assert.equal(replacement.nonce, 1n);
  await env.test.mine({ blocks: N + 2 });
  const got = await watcher.poll();
  assert.deepEqual(got.map((b) => [b.nonce, b.amount, b.baiRecipient]), [[1n, 3n * ONE, baiAccount('replacement')]]);
  assert.notEqual(got[0]!.transactionHash, orphan.receipt.transactionHash);
  assert.equal(await d.client.totalSupply(), 97n * ONE);
});

test('reorg deeper than N after delivery is detected (REORG_BEYOND_CONFIRMATIONS), not silently re-delivered', async () => {
  const d = await deploy(env);
  await fund(d, 0, 10n * ONE, 'd0');
  const alice = d.client.as(env.users[0]!);
  const watcher = new BurnWatcher(env.conn.publicClient, d.client.bridge, { confirmations: 1, fromBlock: d.deployBlock });
  const snapshot = await env.test.snapshot();
  await alice.burn(ONE, baiAccount('deep'));
  assert.equal((await watcher.poll()).length, 1);
  await env.test.revert({ id: snapshot });
  await env.test.mine({ blocks: 3 });
  await assert.rejects(watcher.poll(), (e) => e instanceof BridgeError && e.code === 'REORG_BEYOND_CONFIRMATIONS');
});

test('a burn nonce gap (events missed) is an error, not a silent skip', async () => {
  const d = await deploy(env);
  await fund(d, 0, 10n * ONE, 'n0');
  const alice = d.client.as(env.users[0]!);
  await alice.burn(1n, baiAccount('a'));
  const second = await alice.burn(1n, baiAccount('b'));
  // Start scanning after the first burn's block while claiming nothing was handled: nonce 2 arrives first.
  const watcher = new BurnWatcher(env.conn.publicClient, d.client.bridge, { confirmations: 1, fromBlock: second.receipt.blockNumber });
  await assert.rejects(watcher.poll(), (e) => e instanceof BridgeError && e.code === 'BURN_NONCE_GAP');
  assert.throws(() => new BurnWatcher(env.conn.publicClient, d.client.bridge, { confirmations: 0, fromBlock: 0n }), /confirmations/);
});
