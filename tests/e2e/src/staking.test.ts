// Staking on a devnet (issue "Staking: validators, nominators, eras, …"): a new account bonds, sets its
// consensus key and validates, another nominates it; at the next era end staking elects it, consensus
// takes the 5-validator set from the next height on every validator alike, and the new node (running
// as a full node until then) signs blocks; era rewards reach the new validator and its nominator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IMMORTAL, ONE_BAI, cryptoReady, encodeStakingCall, keyFromUri, signExtrinsic, ss58Encode, toHex, type KeyPair, type StakingCallData } from '@balanceai/chain';
import { Devnet, doubleVote } from '@balanceai/testing';
import { Gateway, chainInfo, compareStores, expectedFee, ledgerCheck, poll, sleep, type ChainInfo, type ExtrinsicJson } from './client.js';

const ERA = 12;
let nodeIndex = 4;
let net: Devnet;
let gw: Gateway;
let info: ChainInfo;

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: 4, modules: ['emissions', 'staking'], eraLength: ERA });
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  await gw.waitHeight(2, 60_000);
});

after(async () => {
  await net?.stop();
});

async function submitStaking(from: KeyPair, calls: StakingCallData[], expect: 'finalized' | 'failed' = 'finalized'): Promise<Array<ExtrinsicJson & { hex: string }>> {
  let nonce = (await gw.get<{ nextNonce: number }>(`/v1/accounts/${toHex(from.publicKey)}`)).nextNonce;
  const hashes: string[] = [];
  const hexes: string[] = [];
  for (const c of calls) {
    const xt = signExtrinsic(from, encodeStakingCall(c), { era: IMMORTAL, nonce: nonce++, tip: 0n }, {
      specVersion: info.specVersion,
      transactionVersion: info.transactionVersion,
      genesisHash: info.genesisHash,
      birthHash: info.genesisHash,
    });
    hexes.push(toHex(xt));
    hashes.push(await gw.submitOk(toHex(xt)));
  }
  const results: Array<ExtrinsicJson & { hex: string }> = [];
  for (const [i, h] of hashes.entries()) {
    const r = await gw.waitIncluded(h, 60_000).catch(async (err: Error) => {
      const account = await gw.get(`/v1/accounts/${toHex(from.publicKey)}`);
      const xt = await gw.get(`/v1/extrinsics/${h}`);
      throw new Error(`${calls[i]!.call} (nonce ${nonce - hashes.length + i}): ${err.message}; extrinsic ${JSON.stringify(xt)}; account ${JSON.stringify(account)}`);
    });
    assert.equal(r.state, expect, `${calls[i]!.call}: ${JSON.stringify(r)}`);
    results.push({ ...r, hex: hexes[i]! });
  }
  return results;
}

interface EraJson {
  era: number;
  startHeight: string;
  endHeight: string;
  totalPoints: string;
  reward: string;
  paid: string;
  paidOut: boolean;
}
interface BlockEvents {
  lastCommitSigners: number[];
  lastCommitSignerKeys: string[];
  events: Array<{ module: string; name: string; data: Record<string, unknown> }>;
}

const eras = async () => (await gw.get<{ eras: EraJson[]; currentEra: number }>('/v1/staking/eras'));
const validatorKeys = async () =>
  (await gw.get<{ validators: Array<{ consensusKey: string }> }>('/v1/status')).validators.map((v) => v.consensusKey);
const eve = () => keyFromUri('//Eve', 'sr25519');
const ferdie = () => keyFromUri('//Ferdie', 'sr25519');
let grewAt = 0;

test('a new validator bonded and nominated is elected at the next era, joins the set of every validator and signs blocks; rewards arrive', async () => {
  const newKey = '//validator//4';
  const consensusKey = keyFromUri(newKey, 'ed25519').publicKey;
  const eve = keyFromUri('//Eve', 'sr25519');
  const ferdie = keyFromUri('//Ferdie', 'sr25519');
  const node = await net.addNode(newKey);
  nodeIndex = node;

  await submitStaking(eve, [
    { call: 'bond', value: 30_000n * ONE_BAI, payee: 'Stash' },
    { call: 'set_consensus_key', key: consensusKey },
    { call: 'validate', commission: 50_000_000n, blocked: false },
  ]);
  await submitStaking(ferdie, [
    { call: 'bond', value: 5_000n * ONE_BAI, payee: 'Stash' },
    { call: 'nominate', targets: [eve.publicKey] },
  ]);
  const eveBefore = (await gw.balance(toHex(eve.publicKey))).free;
  const ferdieBefore = (await gw.balance(toHex(ferdie.publicKey))).free;

  // The set grows 4 → 5 once an era ends.
  const status = await poll('the validator set grows to 5', async () => {
    const s = await gw.get<{ validators: Array<{ consensusKey: string }>; finalized: { height: number } }>('/v1/status');
    return s.validators.length === 5 ? s : undefined;
  }, (ERA * 3 + 20) * 1_000);
  grewAt = status.finalized.height;

  // The new node signs: its index (4) appears among the commit signers of later blocks.
  await poll('the new validator signs commits', async () => {
    const head = await gw.height();
    for (let h = grewAt + 1; h <= head; h++) {
      const b = await gw.block(h);
      if (b.commitSigners.includes(4)) return true;
    }
    return undefined;
  }, 60_000);

  // Every validator, the new one included, holds the same chain.
  await poll('the new node caught up', async () => ((await fetch(`${net.validatorHttpUrl(node)}/readyz`)).ok ? true : undefined), 30_000);
  const { conflicts } = await compareStores(net.postgres.adminUrl, [0, 1, 2, 3, node]);
  assert.deepEqual(conflicts, []);

  // At the following era end the era reward is paid: commission and share to Eve, a share to Ferdie.
  await poll('era rewards reach the new validator and its nominator', async () => {
    const [e, f] = await Promise.all([gw.balance(toHex(eve.publicKey)), gw.balance(toHex(ferdie.publicKey))]);
    return e.free > eveBefore && f.free > ferdieBefore ? true : undefined;
  }, (ERA * 3 + 20) * 1_000);
  const eras = await gw.get<{ eras: Array<{ era: number }> }>('/v1/staking/eras');
  assert.ok(eras.eras.length >= 1, 'era history is served');
});

test('an era reward is split by points, then commission, then pro rata to own stake and exposure, to the base unit', async () => {
  // An era that Eve validated from its first block to its last, already paid.
  const era = await poll('a fully validated era after the set grew is paid', async () => {
    const e = (await eras()).eras.find((x) => Number(x.startHeight) > grewAt + 1 && x.paidOut);
    return e;
  }, (ERA * 3 + 20) * 1_000);
  const eveIndex = ss58Encode(keyFromUri('//validator//4', 'ed25519').publicKey, net.genesis.ss58Prefix);
  // Era points: one per block of the era whose carried commit the validator signed (by consensus key:
  // indices are into the previous block's set, whose order may differ across an era boundary).
  const points = new Map<string, bigint>();
  for (let h = Number(era.startHeight); h <= Number(era.endHeight); h++) {
    const b = await gw.get<BlockEvents>(`/v1/blocks/${h}`);
    for (const v of b.lastCommitSignerKeys) points.set(v, (points.get(v) ?? 0n) + 1n);
  }
  const total = [...points.values()].reduce((a, b) => a + b, 0n);
  assert.equal(total, BigInt(era.totalPoints), 'era points are the signers carried in the era’s blocks');
  const paidBlock = await gw.get<BlockEvents>(`/v1/blocks/${era.endHeight}`);
  // The era reward is the whole pot at the era end: what was paid plus the rounding remainder kept.
  const eraPaid = paidBlock.events.find((e) => e.module === 'Staking' && e.name === 'EraPaid')!;
  const reward = BigInt(String(eraPaid.data.paid)) + BigInt(String(eraPaid.data.remainder));
  const share = (reward * (points.get(eveIndex) ?? 0n)) / total;
  const commission = (share * 50_000_000n) / 1_000_000_000n; // 5 %
  const leftover = share - commission;
  const own = 30_000n * ONE_BAI;
  const nominated = 5_000n * ONE_BAI;
  const expectEve = commission + (leftover * own) / (own + nominated);
  const expectFerdie = (leftover * nominated) / (own + nominated);
  const rewarded = (who: KeyPair) =>
    paidBlock.events
      .filter((e) => e.module === 'Staking' && e.name === 'Rewarded' && e.data.stash === toHex(who.publicKey))
      .reduce((a, e) => a + BigInt(String(e.data.amount)), 0n);
  const detail = JSON.stringify({ era, points: Object.fromEntries([...points].map(([k, v]) => [k, String(v)])), share: String(share), commission: String(commission), events: paidBlock.events.filter((e) => e.name === 'Rewarded' || e.name === 'EraPaid') });
  assert.equal(rewarded(eve()), expectEve, `Eve: commission + own share ${detail}`);
  assert.equal(rewarded(ferdie()), expectFerdie, 'Ferdie: share of his exposure');
  const paid = paidBlock.events.filter((e) => e.name === 'Rewarded').reduce((a, e) => a + BigInt(String(e.data.amount)), 0n);
  assert.ok(paid <= reward, 'payouts never exceed the pot');
  // Equal work, equal reward, whatever the stake (validators' own stakes differ 20,000 vs 30,000 BAI).
  const byPoints = new Map<bigint, Set<bigint>>();
  for (const [v, p] of points) {
    if (v === eveIndex) continue;
    const s = (reward * p) / total;
    byPoints.set(p, (byPoints.get(p) ?? new Set()).add(s));
  }
  for (const shares of byPoints.values()) assert.equal(shares.size, 1);
});

test('unbonded funds stay locked until bonding_duration eras have passed, then withdraw exactly', async () => {
  const who = ferdie();
  await submitStaking(who, [{ call: 'unbond', value: 1_000n * ONE_BAI }]);
  const unbondedIn = (await eras()).currentEra;
  const [early] = await submitStaking(who, [{ call: 'withdraw_unbonded', numSlashingSpans: 0 }], 'failed');
  assert.equal(early!.error?.code, 'Staking.NoUnlockChunk');
  await poll('bonding_duration (2) eras pass', async () => ((await eras()).currentEra >= unbondedIn + 2 ? true : undefined), (ERA * 4 + 20) * 1_000);
  const [done] = await submitStaking(who, [{ call: 'withdraw_unbonded', numSlashingSpans: 0 }]);
  // Balances in the states just before and just after the withdrawal block: an era's rewards paid to
  // Ferdie's stash in another block between two head reads cannot blur the figure.
  const at = done!.block!.number;
  const before = await gw.freeAt(who.publicKey, at - 1);
  const after = await gw.freeAt(who.publicKey, at);
  // Era rewards paid to Ferdie's stash in the withdrawal block itself are in its own events.
  const block = await gw.get<BlockEvents>(`/v1/blocks/${done!.block!.number}`);
  const rewardsThere = block.events
    .filter((e) => e.name === 'Rewarded' && e.data.stash === toHex(who.publicKey))
    .reduce((a, e) => a + BigInt(String(e.data.amount)), 0n);
  assert.equal(after - before - rewardsThere, 1_000n * ONE_BAI - expectedFee(info, done!.hex), 'the unlocked 1,000 BAI, less the fee');
});

test('a double-voting validator is slashed with its nominator and dropped at the next election', async () => {
  const charlie = keyFromUri('//Charlie', 'sr25519');
  const offenderStash = keyFromUri('//stash/3', 'sr25519');
  await submitStaking(charlie, [
    { call: 'bond', value: 2_000n * ONE_BAI, payee: 'Stash' },
    { call: 'nominate', targets: [offenderStash.publicKey] },
  ]);
  const from = (await eras()).currentEra;
  await poll('the nomination is in an elected exposure', async () => ((await eras()).currentEra >= from + 1 ? true : undefined), (ERA * 2 + 20) * 1_000);
  const bondOf = async (who: KeyPair) => BigInt((await gw.get<{ total: string }>(`/v1/staking/nominators/${toHex(who.publicKey)}`)).total);
  const charlieBefore = await bondOf(charlie);
  const offenderKey = ss58Encode(keyFromUri('//validator//3', 'ed25519').publicKey, net.genesis.ss58Prefix);
  let slashBlock: BlockEvents | undefined;
  for (let attempt = 0; attempt < 5 && !slashBlock; attempt++) {
    const st = await gw.get<{ consensus: { height: number; round: number } }>('/v1/status');
    const index = (await validatorKeys()).indexOf(offenderKey);
    assert.ok(index >= 0, 'validator 3 is in the set before its offence');
    await doubleVote({ natsUrl: net.nats.url, chainId: net.genesis.chainId, genesisHash: info.genesisHash, validatorKey: '//validator//3', validatorIndex: index, height: st.consensus.height, round: st.consensus.round });
    const start = st.consensus.height;
    slashBlock = await poll('a block slashes the offender', async () => {
      const head = await gw.height();
      for (let h = start; h <= head; h++) {
        const b = await gw.get<BlockEvents>(`/v1/blocks/${h}`);
        if (b.events.some((e) => e.module === 'Staking' && e.name === 'Slashed')) return b;
      }
      return undefined;
    }, 15_000).catch(() => undefined); // no slash within 15 s: the votes missed the height, double-vote again
  }
  assert.ok(slashBlock, 'the equivocation was slashed');
  const slashed = slashBlock.events.filter((e) => e.module === 'Staking' && e.name === 'Slashed');
  assert.ok(slashed.some((e) => e.data.staker === toHex(offenderStash.publicKey)), 'the offender is slashed');
  assert.ok(slashed.some((e) => e.data.staker === toHex(charlie.publicKey)), 'its nominator is slashed');
  const charlieAfter = await bondOf(charlie);
  assert.equal(charlieBefore - charlieAfter, (2_000n * ONE_BAI * 100_000_000n) / 1_000_000_000n, 'Charlie loses 10 % of his exposure');
  await poll('the offender is dropped at the next election', async () => {
    const keys = await validatorKeys();
    return keys.length >= 4 && !keys.includes(offenderKey) ? true : undefined;
  }, (ERA * 3 + 20) * 1_000);
  await gw.waitHeight((await gw.height()) + 3, 30_000);
});

test('killing a staking service mid-era and restarting it changes no figure', async () => {
  await net.killModule(1, 'staking');
  await sleep(3_000);
  net.restartModule(1, 'staking');
  await gw.waitHeight((await gw.height()) + ERA + 2, (ERA * 2 + 30) * 1_000);
  const { conflicts } = await compareStores(net.postgres.adminUrl, [0, 1, 2, nodeIndex]);
  assert.deepEqual(conflicts, [], 'same blocks, so the same staking roots in every app hash');
  for (const i of [0, 1, 2, nodeIndex]) {
    const l = await ledgerCheck(net.postgres.adminUrl, i);
    assert.equal(l.balances, l.issuance, `validator ${i}: sum(balances) == issuance`);
  }
});

test('bad staking calls fail with their pallet error and change nothing but the fee', async () => {
  const dave = keyFromUri('//Dave', 'sr25519');
  const before = (await gw.balance(toHex(dave.publicKey))).free;
  const stranger = keyFromUri('//Alice', 'sr25519').publicKey; // bonded nowhere: not a validator
  const failures: Array<[StakingCallData, string]> = [
    [{ call: 'nominate', targets: [eve().publicKey] }, 'Staking.NotController'],
    [{ call: 'bond', value: ONE_BAI / 2n, payee: 'Stash' }, 'Staking.InsufficientBond'],
  ];
  let fees = 0n;
  for (const [call, code] of failures) {
    const [r] = await submitStaking(dave, [call], 'failed');
    assert.equal(r!.error?.code, code, call.call);
    fees += expectedFee(info, r!.hex);
  }
  const [bonded] = await submitStaking(dave, [{ call: 'bond', value: 200n * ONE_BAI, payee: 'Stash' }]);
  fees += expectedFee(info, bonded!.hex);
  const more: Array<[StakingCallData, string]> = [
    [{ call: 'nominate', targets: Array.from({ length: 17 }, (_, i) => new Uint8Array(32).fill(i + 1)) }, 'Staking.TooManyTargets'],
    [{ call: 'nominate', targets: [stranger] }, 'Staking.BadTarget'],
    [{ call: 'validate', commission: 0n, blocked: false }, 'Staking.NoConsensusKey'],
    [{ call: 'withdraw_unbonded', numSlashingSpans: 0 }, 'Staking.NoUnlockChunk'],
  ];
  for (const [call, code] of more) {
    const [r] = await submitStaking(dave, [call], 'failed');
    assert.equal(r!.error?.code, code, call.call);
    fees += expectedFee(info, r!.hex);
  }
  const after = (await gw.balance(toHex(dave.publicKey))).free;
  assert.equal(before - after, 200n * ONE_BAI + fees, 'only the bond and the fees left the account');
  const view = await gw.get<{ targets: string[]; total: string }>(`/v1/staking/nominators/${toHex(dave.publicKey)}`);
  assert.deepEqual(view.targets, []);
  assert.equal(BigInt(view.total), 200n * ONE_BAI);
});
