// The bridge as a user meets it (issue 12): `balanceai devnet`'s Devnet with the bridge module starts anvil,
// BaiBridge and the dev relayers by itself (genesis section //Charlie //Dave //Eve, 2 of 3); the built CLI
// locks 1.5 BAI (`balanceai bridge lock`), the relayers' signatures mint it on Ethereum, and the gateway's
// /v1/bridge routes and `balanceai bridge status` follow the lock to `minted` and a burn back (`balanceai bridge
// burn`) to `released`.
// Needs apps/cli, services/bridge and ethereum built.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mnemonicToAccount } from 'viem/accounts';
import { ONE_BAI, cryptoReady, keyFromUri, toHex } from '@balanceai/chain';
import { BridgeClient, burnIdOf, connect } from '@balanceai/ethereum';
import { ANVIL_DEV_MNEMONIC } from '@balanceai/bridge/relayer';
import { Devnet, REPO_ROOT } from '@balanceai/testing';
import { Gateway, poll } from './client.js';

const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'src', 'main.js');
let net: Devnet | undefined;
let gw: Gateway;

const user = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: 1 });

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // The user's Ethereum key for `bridge burn`, from the environment as the CLI prefers it.
  const env = { ...process.env, BAI_ETH_PRIVATE_KEY: toHex(user.getHdKey().privateKey!) };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: build the CLI first (npx tsc -b apps/cli)`);
  await cryptoReady();
  net = await Devnet.start({ validators: 1, modules: ['emissions', 'staking', 'bridge'] });
  gw = new Gateway(net.gatewayUrl);
  await gw.waitHeight(2, 60_000);
});

after(async () => {
  await net?.stop();
});

test('devnet + CLI + gateway: lock → minted, burn → released', async () => {
  const bridge = net!.bridge;
  assert.ok(bridge, 'the devnet started the Ethereum half');
  assert.match(bridge.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+/);
  assert.equal(bridge.relayerUrls.length, 3);
  assert.equal(net!.genesis.bridge?.threshold, 2);

  const before_ = await gw.get<{ relayers: string[]; threshold: number; escrow: string }>('/v1/bridge');
  assert.deepEqual(before_.relayers, ['//Charlie', '//Dave', '//Eve'].map((u) => toHex(keyFromUri(u, 'sr25519').publicKey)).sort());
  assert.equal(before_.threshold, 2);
  assert.equal(before_.escrow, '0');

  const rpc = net!.gatewayUrl.replace(/^http/, 'ws');
  const locked = await cli('bridge', 'lock', '--from', '//Alice', '--eth', user.address, '--amount', '1.5', '--rpc', rpc);
  assert.equal(locked.code, 0, locked.stdout + locked.stderr);
  const lockId = /^lock id (0x[0-9a-f]{64})$/m.exec(locked.stdout)?.[1];
  assert.ok(lockId, locked.stdout);
  const amount = (3n * ONE_BAI) / 2n;

  const lockView = await gw.get<{ status: string; amount: string; deadline: string; ethRecipient: string }>(`/v1/bridge/locks/${lockId}`);
  // The relayers sign within a block or two of finality: the lock may already show their signatures.
  assert.match(lockView.status, /^(locked|signed [12]\/2)$/);
  assert.equal(lockView.amount, amount.toString());
  assert.equal((await gw.get<{ escrow: string }>('/v1/bridge')).escrow, amount.toString());

  // Two of the devnet's relayers sign; the devnet's gateway collects and checks their signatures (it was told
  // the boards and anvil before they started) and the user submits the mint with the CLI, as the README shows.
  await poll('signed 2/2 on the gateway', async () => {
    const v = await gw.get<{ status: string }>(`/v1/bridge/locks/${lockId}`);
    return v.status === 'signed 2/2' ? v : undefined;
  }, 30_000);
  const minted = await cli('bridge', 'mint', lockId, '--eth-rpc', bridge.rpcUrl, '--gateway', net!.gatewayUrl);
  assert.equal(minted.code, 0, minted.stdout + minted.stderr);
  assert.match(minted.stdout, /^minted 1\.5 wBAI to /m);
  const client = new BridgeClient(connect({ rpcUrl: bridge.rpcUrl, chainId: bridge.chainId, account: user, pollingIntervalMs: 100 }), bridge.bridge, bridge.token);
  assert.equal(await client.balanceOf(user.address), amount);

  // The relayers report the mint; the CLI shows it through the gateway.
  await poll('lock minted', async () => ((await gw.get<{ status: string }>(`/v1/bridge/locks/${lockId}`)).status === 'minted' ? true : undefined), 60_000);
  const status = await cli('bridge', 'status', lockId, '--gateway', net!.gatewayUrl);
  assert.equal(status.code, 0, status.stdout + status.stderr);
  assert.match(status.stdout, new RegExp(`^lock ${lockId}: minted$`, 'm'));

  // Back: burn 0.5 wBAI to Bob; relayers attest it after their confirmations; it is released.
  const bob = toHex(keyFromUri('//Bob', 'sr25519').publicKey);
  const back = ONE_BAI / 2n;
  // With the CLI, as the README shows.
  const burned = await cli('bridge', 'burn', '--amount', '0.5', '--to', bob, '--bridge', bridge.bridge, '--eth-rpc', bridge.rpcUrl, '--gateway', net!.gatewayUrl);
  assert.equal(burned.code, 0, burned.stdout + burned.stderr);
  const burnId = /^burn id (0x[0-9a-f]{64})$/m.exec(burned.stdout)?.[1];
  assert.ok(burnId, burned.stdout);
  const nonce = BigInt(/^nonce (\d+) /m.exec(burned.stdout)?.[1] ?? '-1');
  assert.equal(burnId, burnIdOf(bridge.chainId, bridge.bridge, nonce).toLowerCase());
  await poll('burn released', async () => {
    const r = await fetch(`${net!.gatewayUrl}/v1/bridge/burns/${burnId}`);
    return r.status === 200 && ((await r.json()) as { status: string }).status === 'released' ? true : undefined;
  }, 90_000);
  const burnStatus = await cli('bridge', 'status', burnId, '--gateway', net!.gatewayUrl);
  assert.equal(burnStatus.code, 0, burnStatus.stdout + burnStatus.stderr);
  assert.match(burnStatus.stdout, new RegExp(`^burn ${burnId}: released$`, 'm'));
  const end = await gw.get<{ escrow: string; totals: { locked: string; released: string } }>('/v1/bridge');
  assert.equal(end.escrow, (amount - back).toString());
  assert.deepEqual([end.totals.locked, end.totals.released], [amount.toString(), back.toString()]);
  assert.equal(await client.totalSupply(), amount - back, 'wBAI supply = escrow');

  // stop() stops anvil too.
  const rpcUrl = bridge.rpcUrl;
  await net!.stop();
  net = undefined;
  await assert.rejects(fetch(rpcUrl, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}', headers: { 'content-type': 'application/json' } }));
});
