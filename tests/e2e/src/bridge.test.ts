// The Interlink bridge end to end (issue 12): a devnet running the bridge module (pallet 30) next to anvil
// with BaiBridge + WrappedBAI deployed, and three relayers (2-of-3) each with its own BAI key (attestations
// submitted through the gateway) and Ethereum key (EIP-712 mint signatures, each served on its own loopback
// HTTP board), started by @balanceai/bridge/relayer startBridgeDevnet as the relayer processes run them. The
// gateway is told where the boards and anvil will be (ports chosen before it starts), so its /v1/bridge routes
// show `signed k/M` with the checked signatures, burns from `burned`, the relayers' health and wBAI supply.
//
// Faults, each refused with its error on the side it reaches:
//   Ethereum: one signature (TOO_FEW_SIGNATURES), a relayer that signed a wrong amount (SIGNER_MISMATCH in the
//     client, NOT_RELAYER/SIGNERS_NOT_ASCENDING in the contract; the gateway lists it as MESSAGE_MISMATCH and
//     a forged one as BAD_SIGNATURE from a rogue board), a non-relayer's signature (NOT_RELAYER), a replayed
//     mint (LOCK_ALREADY_PROCESSED), a mint after the deadline (DEADLINE_EXPIRED).
//   BalanceAI: a non-relayer attesting (Bridge.NotRelayer, in its block), a relayer attesting a wrong amount
//     (counted apart: never released with it; one attestation is under the threshold), the same attestation
//     again (Bridge.AlreadyAttested), the same signed extrinsic replayed (STALE_NONCE).
//   A burn orphaned by an anvil snapshot/revert is never released; a relayer crashes before a burn and
//   restarts from its progress file; random load (locks from two accounts at once, mints, burns to three
//   recipients) ends exact to the base unit; a lock nobody mints is refunded exactly once.
// The invariant wBAI supply ≤ escrow is checked at every finalized BAI block and every Ethereum block the
// watchers see (watchInvariant below says what "at every block" means across the two chains).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createTestClient, getAddress, http, type Hex, type HDAccount, type TestClient } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import {
  IMMORTAL,
  ONE_BAI,
  cryptoReady,
  decodeLockInfo,
  encodeBridgeCall,
  fromHex,
  keyFromUri,
  signExtrinsic,
  storageMapKey,
  storagePrefix,
  toHex,
  type BridgeCallData,
  type KeyPair,
  type LockInfo,
} from '@balanceai/chain';
import { BridgeClient, BridgeError, connect, signMint } from '@balanceai/ethereum';
import { ANVIL_DEV_MNEMONIC, DEV_BRIDGE_RELAYERS, HttpSignatureBoard, devBridgeGenesis, devEthRelayerKey, startBridgeDevnet, type BridgeDevnet } from '@balanceai/bridge/relayer';
import { Devnet, REPO_ROOT, freePort, type ModuleName } from '@balanceai/testing';
import { Gateway, chainInfo, poll, type ChainInfo, type ExtrinsicJson } from './client.js';

const TTL = 40;
const CONFIRMATIONS = 4;
const CLI = join(REPO_ROOT, 'apps', 'cli', 'dist', 'src', 'main.js');

let net: Devnet | undefined;
let bd: BridgeDevnet | undefined;
let gw: Gateway;
let info: ChainInfo;
let client: BridgeClient;
let test_: TestClient;
let user: HDAccount;
let user2: HDAccount;
let dir: string;
let rogue: HttpSignatureBoard | undefined;
let roguePort = 0;

const key = (uri: string) => keyFromUri(uri, 'sr25519');
const ALICE = key('//Alice');
const BOB = key('//Bob');
const FERDIE = key('//Ferdie');
const CHARLIE = key('//Charlie');
const hexKey = (a: HDAccount) => toHex(a.getHdKey().privateKey!);

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: build the CLI first (npx tsc -b apps/cli)`);
  await cryptoReady();
  dir = mkdtempSync(join(tmpdir(), 'bai-bridge-e2e-'));
  // The gateway reads where the boards and anvil are when it starts, before they exist: choose their ports
  // now (a fourth board is a rogue one this test plays).
  const anvilPort = await freePort();
  const relayerPorts = [await freePort(), await freePort(), await freePort()];
  roguePort = await freePort();
  const gatewayEnv = {
    BAI_BRIDGE_RELAYER_URLS: [...relayerPorts, roguePort].map((p) => `http://127.0.0.1:${p}`).join(','),
    BAI_BRIDGE_ETH_RPC_URL: `http://127.0.0.1:${anvilPort}`,
    BAI_BRIDGE_CONFIRMATIONS: String(CONFIRMATIONS),
  };
  Object.assign(process.env, gatewayEnv);
  try {
    net = await Devnet.start({
      validators: 1,
      modules: ['emissions', 'staking', 'bridge'] as ModuleName[],
      bridge: devBridgeGenesis(DEV_BRIDGE_RELAYERS, 2, { lockTtlSecs: TTL }),
    });
  } finally {
    for (const k of Object.keys(gatewayEnv)) delete process.env[k];
  }
  assert.ok(net.genesis.bridge, 'the devnet put the bridge section into the genesis');
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  bd = await startBridgeDevnet({ gatewayUrl: net.gatewayUrl, dir, confirmations: CONFIRMATIONS, anvilPort, relayerPorts, log: (line) => console.error(line) });
  user = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: 1 });
  user2 = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: 2 });
  const conn = connect({ rpcUrl: bd.rpcUrl, chainId: bd.chainId, account: user, pollingIntervalMs: 100 });
  client = new BridgeClient(conn, bd.bridge, bd.token);
  test_ = createTestClient({ mode: 'anvil', chain: conn.chain, transport: http(bd.rpcUrl) });
  rogue = new HttpSignatureBoard(() => ({ account: '0x', lastTickOk: true, lastTickAtMs: 0, consecutiveFailures: 0 }));
  await rogue.listen('127.0.0.1', roguePort);
  await gw.waitHeight(2, 60_000);
  watchers = [watchBai(), watchEthereum()];
  await poll('the invariant watchers started', async () => (current && lastEth ? true : undefined), 30_000);
});

after(async () => {
  stop.abort();
  baiSocket?.close();
  await Promise.all(watchers.map((w) => w.catch(() => undefined)));
  await rogue?.close();
  await bd?.stop();
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------------- the invariant
//
// wBAI supply ≤ BAI in escrow "at every block" across two chains that share no clock. What can be checked:
// the pair (latest finalized BAI block, latest Ethereum block) at every moment either changes. Mints need M
// signatures of a lock final on BAI, and burns leave wBAI's supply before relayers (after CONFIRMATIONS
// blocks) get BAI released, so for each moment the bridge must have escrow(latest final BAI block) ≥
// supply(latest Ethereum block). The watchers:
//   - BAI: subscribe to finalized heads (JSON-RPC over WebSocket); for every height — each one, also those a
//     notification skipped — read Bridge.Escrow at that block's hash (state_getStorage at the hash) and check
//     it against the supply of the Ethereum block current at that moment; that block becomes `current`.
//   - Ethereum: every new head (and every head after a revert) has its supply read at that block number and
//     checked against `current`, the BAI block that was latest-final while it was observed.
// So each finalized BAI block is checked against every Ethereum block observed between its finalization and
// the next one's (its "tenure"), and each Ethereum block against the BAI block final when it was seen. A
// reverted burn puts wBAI back: the check covers it (its release must never have happened). The lag of our
// observation (milliseconds) is far below the time a mint needs after a lock is final (signatures, a
// transaction, an anvil block a second), so a report here is a bridge bug, not the watchers' timing.

const stop = new AbortController();
let watchers: Promise<void>[] = [];
let baiSocket: WebSocket | undefined;
let current: { height: number; escrow: bigint } | undefined;
let lastEth: { number: bigint; hash: string; supply: bigint } | undefined;
const baiChecked: number[] = [];
let ethObserved = 0;
let ethReorgs = 0;
let violation: string | null = null;
const violate = (what: string) => {
  violation ??= what;
};

/** Bridge.Escrow at a block hash, read over JSON-RPC like any wallet. */
async function escrowAt(hash: string): Promise<bigint> {
  const v = await gw.rpc<string | null>('state_getStorage', [toHex(storagePrefix('Bridge', 'Escrow')), hash]);
  if (v === null) return 0n;
  const b = fromHex(v);
  let x = 0n;
  for (let i = 15; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

async function watchBai(): Promise<void> {
  const ws = new WebSocket(net!.gatewayUrl.replace(/^http/, 'ws'));
  baiSocket = ws;
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let done = -1;
  let queue = Promise.resolve();
  // A read that fails is retried (never skipped): every height gets its check.
  const retry = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    for (let i = 0; ; i++) {
      try {
        return await f();
      } catch (err) {
        if (i >= 20) throw new Error(`${what}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  const upTo = async (n: number) => {
    for (let h = done < 0 ? n : done + 1; h <= n; h++) {
      const hash = await retry(`block hash ${h}`, () => gw.rpc<string>('chain_getBlockHash', [h]));
      const escrow = await retry(`escrow at ${h}`, () => escrowAt(hash));
      const eth = lastEth;
      if (eth && eth.supply > escrow) violate(`BAI block ${h}: escrow ${escrow} < wBAI supply ${eth.supply} at Ethereum block ${eth.number}`);
      current = { height: h, escrow };
      baiChecked.push(h);
      done = h;
    }
  };
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { method?: string; params?: { result?: { number?: string } } };
    const n = m.method === 'chain_finalizedHead' ? m.params?.result?.number : undefined;
    if (n === undefined) return;
    queue = queue.then(() => upTo(Number(BigInt(n)))).catch((err: unknown) => violate(`the BAI watcher failed: ${(err as Error).message}`));
  });
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_subscribeFinalizedHeads', params: [] }));
  await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
  await queue;
}

async function watchEthereum(): Promise<void> {
  const pc = client.conn.publicClient;
  const hashes = new Map<bigint, string>();
  while (!stop.signal.aborted) {
    try {
      const head = await pc.getBlock({ blockTag: 'latest' });
      if (head.hash !== lastEth?.hash) {
        // A revert shows as a head no higher than the last one seen, or a block whose parent is not the block
        // seen at its height.
        let reorg = lastEth !== undefined && head.number! <= lastEth.number;
        const from = lastEth === undefined || reorg ? head.number! : lastEth.number + 1n;
        for (let b = from; b <= head.number!; b++) {
          const block = b === head.number ? head : await pc.getBlock({ blockNumber: b });
          const parent = hashes.get(b - 1n);
          if (parent !== undefined && block.parentHash !== parent) reorg = true;
          hashes.set(b, block.hash!);
          const supply = await client.totalSupply(b);
          const c = current;
          if (c && supply > c.escrow) violate(`Ethereum block ${b}: wBAI supply ${supply} > escrow ${c.escrow} at BAI block ${c.height}`);
          ethObserved++;
          lastEth = { number: b, hash: block.hash!, supply };
        }
        if (reorg) ethReorgs++;
      }
    } catch {
      // anvil busy or being reverted: the next round reads again
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ------------------------------------------------------------------------------------------------ helpers

const nonces = new Map<string, number>();
async function signed(from: KeyPair, call: BridgeCallData, fresh = false): Promise<string> {
  const who = toHex(from.publicKey);
  const nonce = (!fresh && nonces.get(who)) || (await gw.get<{ nextNonce: number }>(`/v1/accounts/${who}`)).nextNonce;
  nonces.set(who, nonce + 1);
  return toHex(signExtrinsic(from, encodeBridgeCall(call), { era: IMMORTAL, nonce, tip: 0n }, {
    specVersion: info.specVersion,
    transactionVersion: info.transactionVersion,
    genesisHash: info.genesisHash,
    birthHash: info.genesisHash,
  }));
}

/** Submits and waits for the finalized block; `expect` 'failed' for a call the pallet refuses in the block. */
async function submit(from: KeyPair, call: BridgeCallData, expect: 'finalized' | 'failed' = 'finalized', fresh = false): Promise<ExtrinsicJson & { hex: string }> {
  const hex = await signed(from, call, fresh);
  const x = await gw.waitIncluded(await gw.submitOk(hex), 60_000);
  assert.equal(x.state, expect, JSON.stringify(x));
  return { ...x, hex };
}

function lockedEvent(x: ExtrinsicJson): { lockId: string; amount: bigint; deadline: bigint; ethRecipient: string } {
  const e = x.events.find((ev) => ev.module === 'Bridge' && ev.name === 'Locked');
  assert.ok(e, JSON.stringify(x.events));
  return { lockId: String(e.data['lockId'] ?? e.data['lock_id']), amount: BigInt(e.data['amount'] as string), deadline: BigInt(e.data['deadline'] as string), ethRecipient: String(e.data['ethRecipient'] ?? e.data['eth_recipient']) };
}

interface LockJson {
  status: string;
  threshold: number;
  mint: { lockId: string; recipient: string; amount: string; deadline: string };
  signatures: Array<{ signer: string; signature: string }>;
  refusedSignatures: Array<{ url: string; signer: string; reason: string }>;
  signaturesNote: string | null;
}
interface BurnJson {
  status: string;
  attestations: Array<{ relayer: string; recipient: string; amount: string }>;
  ethereum: { nonce: string; confirmations: string; required: number; amount: string; recipient: string } | null;
}
const lockJson = (id: string) => gw.get<LockJson>(`/v1/bridge/locks/${id}`);

async function burnJson(id: string): Promise<BurnJson | null> {
  const r = await gw.request<BurnJson>('GET', `/v1/bridge/burns/${id}`);
  return r.status === 200 ? r.body : null;
}

/** The gateway's lock view once it shows M checked signatures. */
const signedLock = (id: string) => poll(`lock ${id} signed 2/2`, async () => {
  const v = await lockJson(id);
  return v.status === 'signed 2/2' ? v : undefined;
}, 30_000);

async function lockAt(lockId: string): Promise<LockInfo | null> {
  const v = await gw.rpc<string | null>('state_getStorage', [toHex(storageMapKey('Bridge', 'Locks', ['Blake2_128Concat', fromHex(lockId)])), null]);
  return v === null ? null : decodeLockInfo(fromHex(v));
}

const free = async (k: KeyPair) => (await gw.balance(toHex(k.publicKey))).free;

// ------------------------------------------------------------------------------------------------- tests

test('BAI → wBAI → BAI round trip exact to the base unit through the gateway and the CLI, with every refusal', async () => {
  const AMOUNT = 100n * ONE_BAI + 7n;
  const BACK = 40n * ONE_BAI + 3n;
  const aliceBefore = await free(ALICE);
  const x = await submit(ALICE, { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: AMOUNT });
  const lock = lockedEvent(x);
  assert.equal(await free(ALICE), aliceBefore - AMOUNT - BigInt(x.fee!), 'the lock left Alice\'s free balance');

  // A rogue board serves what a relayer signing a wrong amount would; the gateway does not count it.
  const charlieEth = privateKeyToAccount(devEthRelayerKey('//Charlie'));
  const message = { lockId: lock.lockId as Hex, recipient: getAddress(lock.ethRecipient), amount: lock.amount, deadline: lock.deadline };
  const wrong = await signMint(charlieEth, client.domain, { ...message, amount: message.amount + 1n });
  await rogue!.publish({ message: { ...message, amount: message.amount + 1n }, signer: wrong.signer, signature: wrong.signature });
  const view = await signedLock(lock.lockId);
  assert.deepEqual(view.mint, { lockId: lock.lockId, recipient: lock.ethRecipient, amount: AMOUNT.toString(), deadline: lock.deadline.toString() });
  assert.ok(view.signatures.length >= 2);
  assert.deepEqual(view.signatures.map((s) => s.signer), view.signatures.map((s) => s.signer).sort(), 'signers ascending, as BaiBridge takes them');
  assert.deepEqual(view.refusedSignatures.map((r) => [r.url, r.reason.split(':')[0]]), [[`http://127.0.0.1:${roguePort}`, 'MESSAGE_MISMATCH']]);
  // A forged signature (the rogue claims to be Dave, signing with a key of its own) does not recover.
  const dave = privateKeyToAccount(devEthRelayerKey('//Dave')).address.toLowerCase();
  const forged = await signMint(privateKeyToAccount(`0x${'66'.repeat(32)}`), client.domain, message);
  await rogue!.publish({ message, signer: dave, signature: forged.signature });
  const v2 = await lockJson(lock.lockId);
  assert.deepEqual(v2.refusedSignatures.map((r) => r.reason.split(':')[0]), ['BAD_SIGNATURE']);
  assert.equal(v2.status, 'signed 2/2');

  const signatures = view.signatures.map((s) => ({ signer: getAddress(s.signer), signature: s.signature as Hex }));
  // On Ethereum: one signature is under the threshold; a wrong-amount signature does not recover to its
  // relayer for the real message; a non-relayer's is refused by the contract.
  await assert.rejects(client.mint(message, signatures.slice(0, 1)), (e: unknown) => e instanceof BridgeError && e.code === 'TOO_FEW_SIGNATURES');
  const other = signatures.find((s) => getAddress(s.signer) !== charlieEth.address)!;
  await assert.rejects(client.mint(message, [wrong, other]), (e: unknown) => e instanceof BridgeError && e.code === 'SIGNER_MISMATCH');
  await assert.rejects(
    client.mintWithSignatures(message, [wrong.signature, other.signature]),
    (e: unknown) => e instanceof BridgeError && (e.code === 'NOT_RELAYER' || e.code === 'SIGNERS_NOT_ASCENDING'),
  );
  await assert.rejects(
    client.mintWithSignatures(message, [forged.signature, other.signature].sort()),
    (e: unknown) => e instanceof BridgeError && (e.code === 'NOT_RELAYER' || e.code === 'SIGNERS_NOT_ASCENDING'),
  );
  // The user mints with the CLI, from the gateway's signatures.
  const minted = await cli(['bridge', 'mint', lock.lockId, '--gateway', net!.gatewayUrl, '--eth-rpc', bd!.rpcUrl], { BAI_ETH_PRIVATE_KEY: hexKey(user) });
  assert.equal(minted.code, 0, minted.stdout + minted.stderr);
  assert.match(minted.stdout, /^minted 100\.000000000000000007 wBAI to /m);
  assert.equal(await client.balanceOf(user.address), AMOUNT);
  await assert.rejects(client.mint(message, signatures.slice(0, 2)), (e: unknown) => e instanceof BridgeError && e.code === 'LOCK_ALREADY_PROCESSED');
  // The relayers see the mint final on Ethereum and report it: the lock can never be refunded.
  await poll('lock reported minted', async () => ((await lockAt(lock.lockId))?.status === 'Minted' ? true : undefined), 60_000);
  assert.equal((await lockJson(lock.lockId)).status, 'minted');
  const again = await cli(['bridge', 'mint', lock.lockId, '--gateway', net!.gatewayUrl, '--eth-rpc', bd!.rpcUrl], { BAI_ETH_PRIVATE_KEY: hexKey(user) });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already minted/);

  const bob = toHex(BOB.publicKey);
  const bobBefore = await free(BOB);
  // An Ethereum reorg orphans a burn before its confirmations: it is never released.
  const snapshot = await test_.snapshot();
  const orphan = await client.burn(1n * ONE_BAI, bob as Hex);
  // The invariant watcher sees the block with the orphaned burn, then the revert.
  await poll('the watcher saw the burn block', async () => (lastEth && lastEth.number >= orphan.receipt.blockNumber ? true : undefined), 10_000, 50);
  await test_.revert({ id: snapshot });
  // Relayer 0 (Charlie) crashes; the other two are still M. The gateway shows it down.
  await bd!.stopRelayer(0);
  const relayers = await gw.get<{ healthy: number; relayers: Array<{ account: string; inSet: boolean; healthy: boolean; board: string | null }> }>('/v1/bridge/relayers');
  assert.equal(relayers.healthy, 2);
  assert.equal(relayers.relayers.find((r) => r.account === toHex(CHARLIE.publicKey))?.healthy, false);
  assert.equal(relayers.relayers.filter((r) => !r.inSet).length, 1, 'the rogue board is not in the set');

  // The user burns with the CLI and follows the burn on the gateway.
  const burned = await cli(['bridge', 'burn', '--amount', '40.000000000000000003', '--to', bob, '--gateway', net!.gatewayUrl, '--eth-rpc', bd!.rpcUrl], { BAI_ETH_PRIVATE_KEY: hexKey(user) });
  assert.equal(burned.code, 0, burned.stdout + burned.stderr);
  const burnId = /^burn id (0x[0-9a-f]{64})$/m.exec(burned.stdout)?.[1];
  assert.ok(burnId, burned.stdout);
  assert.match(burned.stdout, new RegExp(`^follow it: balanceai bridge status ${burnId}`, 'm'));
  const seen: string[] = [];
  const first = await burnJson(burnId);
  assert.ok(first?.ethereum, 'the gateway reads the burn on Ethereum before any attestation');
  assert.equal(first.ethereum.amount, BACK.toString());
  seen.push(first.status);

  // BalanceAI side, before the honest relayers attest: Charlie (crashed) attests a wrong amount — counted
  // apart, not enough alone (under the threshold), never released with it; a non-relayer is refused in its
  // block; Charlie's attestation again is refused in the block; the same signed extrinsic replayed is stale.
  const wrongAttest = await submit(CHARLIE, { call: 'attest_burn', burnId, recipient: bob, amount: BACK + 1n }, 'finalized', true);
  const afterWrong = await burnJson(burnId);
  assert.ok(afterWrong && afterWrong.status !== 'released', JSON.stringify(afterWrong));
  if (afterWrong.attestations.length === 1) {
    // Only Charlie's so far: k counts attestations matching the Ethereum event, so it is not "attested 1/2".
    assert.ok(['burned', 'confirmed'].includes(afterWrong.status), `a wrong-amount attestation is not counted: ${JSON.stringify(afterWrong)}`);
    assert.equal(await free(BOB), bobBefore, 'one (wrong) attestation releases nothing');
  }
  seen.push(afterWrong.status);
  const notRelayer = await submit(ALICE, { call: 'attest_burn', burnId, recipient: toHex(ALICE.publicKey), amount: BACK }, 'failed', true);
  assert.equal(notRelayer.error?.code, 'Bridge.NotRelayer', JSON.stringify(notRelayer.error));
  const twice = await submit(CHARLIE, { call: 'attest_burn', burnId, recipient: bob, amount: BACK }, 'failed');
  assert.match(twice.error?.code ?? '', /^Bridge\.(AlreadyAttested|BurnAlreadyConfirmed)$/, JSON.stringify(twice.error));
  const replay = await gw.submit(wrongAttest.hex);
  assert.notEqual(replay.status, 202);
  assert.match(JSON.stringify(replay.body), /STALE_NONCE|Stale/i);

  const released = await poll('burn released to Bob', async () => {
    const v = await burnJson(burnId);
    if (v && seen[seen.length - 1] !== v.status) seen.push(v.status);
    const now = await free(BOB);
    return now !== bobBefore ? now : undefined;
  }, 90_000, 200);
  assert.equal(released - bobBefore, BACK, 'exactly the burned amount, to the base unit (never the orphaned 1 BAI, never the wrong amount)');
  const stages = ['burned', 'confirmed', 'attested 1/2', 'released'];
  const order = seen.map((s) => stages.indexOf(s));
  assert.ok(order.every((i) => i >= 0) && order.every((i, k) => k === 0 || i >= order[k - 1]!), `stages in order: ${seen.join(' → ')}`);
  assert.equal(seen[0], 'burned', seen.join(' → '));
  const status = await cli(['bridge', 'status', burnId, '--gateway', net!.gatewayUrl]);
  assert.match(status.stdout, new RegExp(`^burn ${burnId}: released$`, 'm'));
  await bd!.startRelayer(0);
  assert.equal(await client.balanceOf(user.address), AMOUNT - BACK);
  await poll('all three relayers healthy again', async () => ((await gw.get<{ healthy: number }>('/v1/bridge/relayers')).healthy === 3 ? true : undefined), 30_000);
  assert.equal(await free(BOB), released, 'the restarted relayer never pays again');
  const head = await gw.status();
  assert.equal(await escrowAt(head.finalized.hash), AMOUNT - BACK);
  assert.equal(await client.totalSupply(), AMOUNT - BACK, 'wBAI supply = escrow');
  const totals = await gw.get<{ escrow: string; wbai: { totalSupply: string; bridge: string } | null }>('/v1/bridge');
  assert.equal(totals.wbai?.totalSupply, (AMOUNT - BACK).toString());
  assert.equal(totals.wbai?.bridge, bd!.bridge.toLowerCase());
});

test('random load: locks from two accounts at once, mints and burns to three recipients, exact to the base unit', async () => {
  let seed = Number(process.env.BAI_BRIDGE_E2E_SEED ?? Date.now() % 1_000_000);
  console.error(`random load seed ${seed} (BAI_BRIDGE_E2E_SEED to repeat)`);
  const rand = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const amount = () => BigInt(1 + Math.floor(rand() * 20)) * ONE_BAI + BigInt(Math.floor(rand() * 1_000_000));
  const lockers = [ALICE, FERDIE, ALICE, FERDIE];
  const eth = [user, user2];
  const supply0 = await client.totalSupply();
  const escrow0 = await escrowAt((await gw.status()).finalized.hash);
  const planned = lockers.map((k, i) => ({ k, to: eth[i % 2]!, amount: amount() }));
  // Each account's locks go in order (its nonces); the two accounts' at once.
  const byAccount = [0, 1].map((a) => planned.filter((_, i) => i % 2 === a));
  const done = (await Promise.all(byAccount.map(async (ps) => {
    const out = [];
    for (const p of ps) out.push({ ...p, lock: lockedEvent(await submit(p.k, { call: 'lock', ethRecipient: p.to.address.toLowerCase(), amount: p.amount })) });
    return out;
  }))).flat();
  const held = new Map<string, bigint>(eth.map((a) => [a.address, 0n]));
  for (const a of eth) held.set(a.address, await client.balanceOf(a.address));
  for (const d of done) {
    const v = await signedLock(d.lock.lockId);
    await client.mint(
      { lockId: d.lock.lockId as Hex, recipient: getAddress(v.mint.recipient), amount: BigInt(v.mint.amount), deadline: BigInt(v.mint.deadline) },
      v.signatures.slice(0, 2).map((s) => ({ signer: getAddress(s.signer), signature: s.signature as Hex })),
    );
    held.set(d.to.address, held.get(d.to.address)! + d.amount);
  }
  const minted = planned.reduce((s, p) => s + p.amount, 0n);
  assert.equal(await client.totalSupply(), supply0 + minted);
  // Burns: random part of what each holds, to random recipients.
  const recipients = [ALICE, BOB, FERDIE];
  const before_ = new Map<string, bigint>();
  for (const r of recipients) before_.set(toHex(r.publicKey), await free(r));
  const expected = new Map<string, bigint>(recipients.map((r) => [toHex(r.publicKey), 0n]));
  let burnedTotal = 0n;
  for (let i = 0; i < 5; i++) {
    const from = eth[i % 2]!;
    const have = held.get(from.address)!;
    const amt = (have * BigInt(1 + Math.floor(rand() * 40))) / 100n + 1n;
    const to = toHex(recipients[Math.floor(rand() * 3)]!.publicKey);
    await client.as(from).burn(amt, to as Hex);
    held.set(from.address, have - amt);
    expected.set(to, expected.get(to)! + amt);
    burnedTotal += amt;
  }
  // Alice and Ferdie also paid fees for their locks before this point: only what arrives from now counts.
  await poll('every burn released', async () => {
    for (const r of recipients) {
      const k = toHex(r.publicKey);
      if ((await free(r)) - before_.get(k)! < expected.get(k)!) return undefined;
    }
    return true;
  }, 120_000, 500);
  for (const r of recipients) {
    const k = toHex(r.publicKey);
    assert.equal((await free(r)) - before_.get(k)!, expected.get(k)!, `released to ${k} exactly`);
  }
  const escrow = await escrowAt((await gw.status()).finalized.hash);
  assert.equal(escrow, escrow0 + minted - burnedTotal);
  assert.equal(await client.totalSupply(), escrow, 'wBAI supply = escrow after the load');
});

test('a lock nobody mints is refunded exactly once after its deadline and cannot be minted any more', async () => {
  const AMOUNT = 5n * ONE_BAI;
  const x = await submit(ALICE, { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: AMOUNT });
  const lock = lockedEvent(x);
  const afterLock = await free(ALICE);
  const view = await signedLock(lock.lockId);
  const refunded = await poll('lock refunded', async () => ((await lockAt(lock.lockId))?.status === 'Refunded' ? lockAt(lock.lockId) : undefined), (TTL + 60) * 1000, 500);
  assert.ok(refunded && refunded.refundAttestations.length >= 2);
  assert.equal(await free(ALICE), afterLock + AMOUNT, 'refunded once, exactly');
  assert.equal((await lockJson(lock.lockId)).status, 'refunded');
  const message = { lockId: lock.lockId as Hex, recipient: user.address, amount: lock.amount, deadline: lock.deadline };
  await assert.rejects(
    client.mint(message, view.signatures.map((s) => ({ signer: getAddress(s.signer), signature: s.signature as Hex }))),
    (e: unknown) => e instanceof BridgeError && e.code === 'DEADLINE_EXPIRED',
  );
  const late = await cli(['bridge', 'mint', lock.lockId, '--gateway', net!.gatewayUrl, '--eth-rpc', bd!.rpcUrl], { BAI_ETH_PRIVATE_KEY: hexKey(user) });
  assert.equal(late.code, 1);
  assert.match(late.stderr, /refunded on BalanceAI/);
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal(await free(ALICE), afterLock + AMOUNT, 'never twice');
});

test('wBAI supply never exceeded the escrow: every finalized BAI block and every Ethereum block observed', async () => {
  assert.equal(violation, null);
  const first = baiChecked[0]!;
  assert.deepEqual(baiChecked, baiChecked.map((_, i) => first + i), 'every BAI height from the first, none skipped');
  assert.ok(baiChecked.length >= 20, `${baiChecked.length} BAI blocks checked`);
  assert.ok(ethObserved >= 20, `${ethObserved} Ethereum blocks checked`);
  assert.ok(ethReorgs >= 1, 'the watcher saw the anvil revert');
  console.error(`invariant: ${baiChecked.length} BAI blocks (#${first}..#${baiChecked[baiChecked.length - 1]}), ${ethObserved} Ethereum block observations, ${ethReorgs} revert(s)`);
});

test('the invariant check fails when the bridge is broken: a compromised quorum mints wBAI for no lock', async () => {
  assert.equal(violation, null);
  // Two relayers' Ethereum keys (devnet keys, known here) sign a lock that never existed on BalanceAI.
  const fake = { lockId: `0x${'ee'.repeat(32)}` as Hex, recipient: user.address, amount: 1n, deadline: BigInt(Math.floor(Date.now() / 1000) + 600) };
  const sigs = await Promise.all(['//Dave', '//Eve'].map((u) => signMint(privateKeyToAccount(devEthRelayerKey(u)), client.domain, fake)));
  await client.mint(fake, sigs);
  const seen = await poll('the watchers report the violation', async () => violation ?? undefined, 30_000);
  assert.match(seen, /^Ethereum block \d+: wBAI supply \d+ > escrow \d+ at BAI block \d+$|^BAI block \d+: escrow \d+ < wBAI supply/);
});
