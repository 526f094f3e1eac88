// Pause (guardian or M-of-N), relayer-set rotation with its nonce, and the 24 h mint outflow limit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseEventLogs } from 'viem';
import { baiBridgeAbi, orderSignatures, signCancel, signSetPaused, signSetRelayers, sortAddresses, type SetRelayersMessage } from '../src/index.js';
import { baiAccount, deploy, mintMessage, ONE, rejectsWith, relayerKeys, signAll, startEnv, type Deployed, type Env } from './fixture.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.stop();
});

const pauseSigs = (d: Deployed, paused: boolean, nonce: bigint, signers = d.relayers.slice(0, 2)) =>
  Promise.all(signers.map((r) => signSetPaused(r, d.client.domain, { paused, nonce })));

test('guardian pauses (only pauses); while paused mint and burn are refused, cancel still works; M-of-N unpauses once', async () => {
  const d = await deploy(env);
  const user = env.users[0]!;
  const m0 = await mintMessage(env, 'p0', user.address, 5n * ONE);
  await d.client.mint(m0, await signAll(d.relayers.slice(0, 2), d, m0));

  await rejectsWith(d.client.as(env.users[1]!).guardianPause(), 'NOT_GUARDIAN', 'NotGuardian');
  const r = await d.client.as(d.guardian).guardianPause();
  assert.equal(await d.client.paused(), true);
  const [ev] = parseEventLogs({ abi: baiBridgeAbi, eventName: 'PausedChanged', logs: r.logs });
  assert.deepEqual(ev?.args, { paused: true, by: d.guardian.address });

  const m1 = await mintMessage(env, 'p1', user.address, ONE, 30n);
  await rejectsWith(d.client.mint(m1, await signAll(d.relayers, d, m1)), 'BRIDGE_PAUSED', 'BridgePaused');
  await rejectsWith(d.client.as(user).burn(ONE, baiAccount('u')), 'BRIDGE_PAUSED');
  // A lock that could not be minted while paused still reaches a final state: cancelled past its deadline.
  await env.test.increaseTime({ seconds: 31 });
  await env.test.mine({ blocks: 1 });
  await d.client.cancel({ lockId: m1.lockId, deadline: m1.deadline }, await Promise.all(d.relayers.slice(0, 2).map((x) => signCancel(x, d.client.domain, { lockId: m1.lockId, deadline: m1.deadline }))));
  assert.equal(await d.client.lockStatus(m1.lockId), 'Cancelled');

  // Unpause: M-of-N with the current config nonce; M-1 refused, a wrong nonce refused, a replay refused.
  await rejectsWith(d.client.setPaused({ paused: false, nonce: 0n }, await pauseSigs(d, false, 0n, d.relayers.slice(0, 1))), 'TOO_FEW_SIGNATURES');
  await rejectsWith(d.client.setPaused({ paused: false, nonce: 1n }, await pauseSigs(d, false, 1n)), 'WRONG_NONCE', 'WrongNonce');
  const unpause = await pauseSigs(d, false, 0n);
  await d.client.setPaused({ paused: false, nonce: 0n }, unpause);
  assert.equal(await d.client.paused(), false);
  assert.equal(await d.client.configNonce(), 1n);
  await rejectsWith(d.client.setPaused({ paused: false, nonce: 0n }, unpause), 'WRONG_NONCE');
  // Working again.
  assert.equal((await d.client.as(user).burn(ONE, baiAccount('u'))).nonce, 1n);

  // M-of-N can pause too (nonce 1), and a replay of that pause after an unpause (nonce 2) is refused.
  const pause = await pauseSigs(d, true, 1n);
  await d.client.setPaused({ paused: true, nonce: 1n }, pause);
  assert.equal(await d.client.paused(), true);
  await d.client.setPaused({ paused: false, nonce: 2n }, await pauseSigs(d, false, 2n));
  await rejectsWith(d.client.setPaused({ paused: true, nonce: 1n }, pause), 'WRONG_NONCE');
  assert.equal(await d.client.paused(), false);
});

test('rotation: M of the old set installs a new set; old signatures stop working, rotation replay refused', async () => {
  const d = await deploy(env);
  const user = env.users[0]!.address;
  const next = relayerKeys('relayer-v2', 5);
  const newGuardian = env.users[1]!;
  const msg: SetRelayersMessage = { relayers: [...next.map((r) => r.address)].reverse(), threshold: 3n, guardian: newGuardian.address, nonce: 0n };
  const signFor = (signers: typeof d.relayers, message: SetRelayersMessage) => Promise.all(signers.map((r) => signSetRelayers(r, d.client.domain, message)));

  await rejectsWith(d.client.setRelayers(msg, await signFor(d.relayers.slice(0, 1), msg)), 'TOO_FEW_SIGNATURES');
  // The new set cannot authorise itself.
  await rejectsWith(d.client.setRelayers(msg, await signFor(next.slice(0, 3), msg)), 'NOT_RELAYER');
  // Not a majority (2 of 5) is refused even when M of the old set sign it.
  const weak = { ...msg, threshold: 2n };
  await rejectsWith(d.client.setRelayers(weak, await signFor(d.relayers.slice(0, 2), weak)), 'INVALID_RELAYER_SET', 'InvalidRelayerSet');

  const sigs = await signFor(d.relayers.slice(1, 3), msg);
  const receipt = await d.client.setRelayers(msg, sigs);
  console.log(`gas: rotation to 3 of 5 = ${receipt.gasUsed}`);
  const [ev] = parseEventLogs({ abi: baiBridgeAbi, eventName: 'RelayersChanged', logs: receipt.logs });
  assert.deepEqual(ev?.args, { configNonce: 1n, relayers: sortAddresses(next.map((r) => r.address)), threshold: 3n, guardian: newGuardian.address });
  assert.deepEqual(await d.client.relayers(), sortAddresses(next.map((r) => r.address)));
  assert.equal(await d.client.threshold(), 3n);
  assert.equal(await d.client.guardian(), newGuardian.address);
  assert.equal(await d.client.configNonce(), 1n);
  for (const old of d.relayers) {
    assert.equal(await env.conn.publicClient.readContract({ address: d.client.bridge, abi: baiBridgeAbi, functionName: 'isRelayer', args: [old.address] }), false);
  }

  // Replaying the same rotation: wrong nonce. The old set signing the next nonce: no longer relayers.
  await rejectsWith(d.client.setRelayers(msg, sigs), 'WRONG_NONCE');
  const back = { relayers: d.relayers.map((r) => r.address), threshold: 2n, guardian: d.guardian.address, nonce: 1n };
  await rejectsWith(d.client.setRelayers(back, await signFor(d.relayers, back)), 'NOT_RELAYER');
  // Old guardian can no longer pause.
  await rejectsWith(d.client.as(d.guardian).guardianPause(), 'NOT_GUARDIAN');

  // Mints: the old set's signatures are refused, 2 of the new 3-of-5 too, 3 of them work.
  const m = await mintMessage(env, 'after-rotation', user, ONE);
  await rejectsWith(d.client.mint(m, await signAll(d.relayers, d, m)), 'NOT_RELAYER');
  await rejectsWith(d.client.mint(m, await signAll(next.slice(0, 2), d, m)), 'TOO_FEW_SIGNATURES');
  await d.client.mint(m, await signAll([next[4]!, next[0]!, next[2]!], d, m));
  assert.equal(await d.client.totalSupply(), ONE);

  // And the new set can rotate back (nonce 1).
  await d.client.setRelayers(back, await signFor(next.slice(0, 3), back));
  assert.deepEqual(await d.client.relayers(), d.relayers.map((r) => r.address));
  assert.equal(await d.client.configNonce(), 2n);
});

test('rotation signatures are bound to the exact set: a swapped relayer or threshold does not verify', async () => {
  const d = await deploy(env);
  const next = relayerKeys('relayer-v3', 3);
  const msg: SetRelayersMessage = { relayers: next.map((r) => r.address), threshold: 2n, guardian: d.guardian.address, nonce: 0n };
  const sigs = await Promise.all(d.relayers.slice(0, 2).map((r) => signSetRelayers(r, d.client.domain, msg)));
  const ordered = await orderSignatures(d.client.domain, { kind: 'SetRelayers', message: { ...msg, relayers: sortAddresses(msg.relayers) } }, sigs);
  const attacker = relayerKeys('attacker', 1)[0]!.address;
  const swapped = sortAddresses([attacker, ...next.slice(1).map((r) => r.address)]);
  const send = (relayers: readonly `0x${string}`[], threshold: bigint) =>
    env.conn.publicClient.simulateContract({
      address: d.client.bridge,
      abi: baiBridgeAbi,
      functionName: 'setRelayers',
      args: [relayers, threshold, d.guardian.address, 0n, ordered],
      account: env.deployer,
    });
  await assert.rejects(send(swapped, 2n), /NotRelayer|SignersNotAscending/); // recovers to unrelated addresses
  await assert.rejects(send(sortAddresses(msg.relayers), 3n), /NotRelayer|SignersNotAscending/); // recovers to unrelated addresses
  await send(sortAddresses(msg.relayers), 2n); // the signed one simulates fine
});

test('outflow limit: bursts up to the limit, refills linearly over 24 h, never above the limit', async () => {
  const LIMIT = 100n * ONE;
  const d = await deploy(env, { mintLimit: LIMIT });
  const user = env.users[0]!.address;
  assert.equal(await d.client.mintLimit(), LIMIT);
  assert.equal(await d.client.mintAvailable(), LIMIT);
  const mintOf = async (label: string, amount: bigint) => {
    const m = await mintMessage(env, label, user, amount, 10n * 86_400n);
    return { m, sigs: await signAll(d.relayers.slice(0, 2), d, m) };
  };
  const a = await mintOf('l1', 60n * ONE);
  await d.client.mint(a.m, a.sigs);
  const t0 = (await env.conn.publicClient.getBlock()).timestamp;
  const b = await mintOf('l2', 50n * ONE);
  const err = await rejectsWith(d.client.mint(b.m, b.sigs), 'OUTFLOW_LIMIT_EXCEEDED', 'OutflowLimitExceeded');
  assert.equal(err.revert?.args[0], 50n * ONE);
  // 12 h later: 40 + 50 refilled = 90 available (exact, floor of elapsed × limit / 24 h).
  await env.test.setNextBlockTimestamp({ timestamp: t0 + 43_200n });
  await env.test.mine({ blocks: 1 });
  assert.equal(await d.client.mintAvailable(), 90n * ONE);
  await d.client.mint(b.m, b.sigs); // mined at t0 + 43 201: 90 + 100/86 400 … − 50
  const t1 = (await env.conn.publicClient.getBlock()).timestamp;
  const expected = 40n * ONE + ((t1 - t0) * LIMIT) / 86_400n - 50n * ONE;
  assert.equal(await d.client.mintAvailable(), expected);
  // A lock larger than the limit can never mint (it expires and is refunded after a cancel).
  const huge = await mintOf('l3', LIMIT + 1n);
  await env.test.increaseTime({ seconds: 5 * 86_400 });
  await env.test.mine({ blocks: 1 });
  assert.equal(await d.client.mintAvailable(), LIMIT); // capped
  await rejectsWith(d.client.mint(huge.m, huge.sigs), 'OUTFLOW_LIMIT_EXCEEDED');
  const full = await mintOf('l4', LIMIT);
  await d.client.mint(full.m, full.sigs);
  assert.equal(await d.client.totalSupply(), 210n * ONE);
  // Without a limit, mintAvailable is unbounded.
  const free = await deploy(env);
  assert.equal(await free.client.mintAvailable(), 2n ** 256n - 1n);
  // Burns are not limited.
  assert.equal((await d.client.as(env.users[0]!).burn(150n * ONE, baiAccount('x'))).nonce, 1n);
});
