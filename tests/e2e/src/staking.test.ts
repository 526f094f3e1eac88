// Staking on a devnet (issue "Staking: validators, nominators, eras, …"): a new account bonds, sets its
// consensus key and validates, another nominates it; at the next era end staking elects it, consensus
// takes the 5-validator set from the next height on every validator alike, and the new node (running
// as a full node until then) signs blocks; era rewards reach the new validator and its nominator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IMMORTAL, ONE_BAI, cryptoReady, encodeStakingCall, fromHex, keyFromUri, signExtrinsic, toHex, type KeyPair, type StakingCallData } from '@balanceai/chain';
import { Devnet } from '@balanceai/testing';
import { Gateway, chainInfo, compareStores, poll, type ChainInfo } from './client.js';

const ERA = 12;
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

async function submitStaking(from: KeyPair, calls: StakingCallData[]): Promise<void> {
  let nonce = (await gw.get<{ nextNonce: number }>(`/v1/accounts/${toHex(from.publicKey)}`)).nextNonce;
  const hashes: string[] = [];
  for (const c of calls) {
    const xt = signExtrinsic(from, encodeStakingCall(c), { era: IMMORTAL, nonce: nonce++, tip: 0n }, {
      specVersion: info.specVersion,
      transactionVersion: info.transactionVersion,
      genesisHash: info.genesisHash,
      birthHash: info.genesisHash,
    });
    hashes.push(await gw.submitOk(toHex(xt)));
  }
  for (const [i, h] of hashes.entries()) {
    const r = await gw.waitIncluded(h, 60_000);
    assert.equal(r.state, 'finalized', `${calls[i]!.call}: ${JSON.stringify(r)}`);
  }
}

test('a new validator bonded and nominated is elected at the next era, joins the set of every validator and signs blocks; rewards arrive', async () => {
  const newKey = '//validator//4';
  const consensusKey = keyFromUri(newKey, 'ed25519').publicKey;
  const eve = keyFromUri('//Eve', 'sr25519');
  const ferdie = keyFromUri('//Ferdie', 'sr25519');
  const node = await net.addNode(newKey);

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
  const grewAt = status.finalized.height;

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
  assert.ok(eras.eras.length >= 2, 'era history is served');
});
