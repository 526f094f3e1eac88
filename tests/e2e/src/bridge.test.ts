// The Interlink bridge end to end (issue 12): a devnet running the bridge module (pallet 30) next to anvil
// with BaiBridge + WrappedBAI deployed, and three relayers (2-of-3) each with its own BAI key (attestations
// submitted through the gateway) and Ethereum key (EIP-712 mint signatures, each served on its own loopback HTTP board), started by
// @balanceai/bridge/relayer startBridgeDevnet as the relayer processes run (startRelayer). BAI → wBAI →
// BAI round trips exact to the base unit under faults (an under-threshold, a wrong-amount relayer and a
// replayed mint refused; a burn orphaned by an anvil snapshot/revert never released; a relayer crashing
// before a burn and restarting from its progress file after the release); a lock nobody mints is refunded
// exactly once after its deadline and is unmintable; wBAI supply ≤ the Bridge escrow is checked at every
// finalized BAI height the watcher sees.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestClient, getAddress, http, type Hex, type LocalAccount, type TestClient } from 'viem';
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
import { ANVIL_DEV_MNEMONIC, DEV_BRIDGE_RELAYERS, collectSignatures, devBridgeGenesis, devEthRelayerKey, startBridgeDevnet, type BridgeDevnet, type SignedMint } from '@balanceai/bridge/relayer';
import { Devnet, type ModuleName } from '@balanceai/testing';
import { Gateway, chainInfo, poll, type ChainInfo, type ExtrinsicJson } from './client.js';

const TTL = 40;
const CONFIRMATIONS = 4;

let net: Devnet | undefined;
let bd: BridgeDevnet | undefined;
let gw: Gateway;
let info: ChainInfo;
let client: BridgeClient;
let test_: TestClient;
let user: LocalAccount;
let dir: string;
const stop = new AbortController();
const checked = new Set<number>();
let violation: string | null = null;
let watcher: Promise<void> | undefined;

const key = (uri: string) => keyFromUri(uri, 'sr25519');
const ALICE = key('//Alice');
const BOB = key('//Bob');

before(async () => {
  await cryptoReady();
  dir = mkdtempSync(join(tmpdir(), 'bai-bridge-e2e-'));
  const options = {
    validators: 1,
    modules: ['emissions', 'staking', 'bridge'] as ModuleName[],
    bridge: devBridgeGenesis(DEV_BRIDGE_RELAYERS, 2, { lockTtlSecs: TTL }),
  };
  net = await Devnet.start(options);
  assert.ok(net.genesis.bridge, 'the devnet put the bridge section into the genesis');
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  // anvil (a block a second) with BaiBridge deployed, and the three relayers as their processes run them:
  // GatewayBaiPort + ViemEthPort, progress files, signatures served on loopback HTTP.
  bd = await startBridgeDevnet({ gatewayUrl: net.gatewayUrl, dir, confirmations: CONFIRMATIONS, log: (line) => console.error(line) });
  user = mnemonicToAccount(ANVIL_DEV_MNEMONIC, { addressIndex: 1 });
  const conn = connect({ rpcUrl: bd.rpcUrl, chainId: bd.chainId, account: user, pollingIntervalMs: 100 });
  client = new BridgeClient(conn, bd.bridge, bd.token);
  test_ = createTestClient({ mode: 'anvil', chain: conn.chain, transport: http(bd.rpcUrl) });
  watcher = watchInvariant();
  await gw.waitHeight(2, 60_000);
});

after(async () => {
  stop.abort();
  await watcher?.catch(() => undefined);
  await bd?.stop();
  await net?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Bridge.Escrow at a block hash, read over JSON-RPC like any wallet. */
async function escrowAt(hash: string): Promise<bigint> {
  const v = await gw.rpc<string | null>('state_getStorage', [toHex(storagePrefix('Bridge', 'Escrow')), hash]);
  if (v === null) return 0n;
  const b = fromHex(v);
  let x = 0n;
  for (let i = 15; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x;
}

/** At least two relayers' signatures of a lock, collected from their HTTP boards. */
function signaturesOf(lockId: string): Promise<SignedMint[]> {
  return poll('two relayer signatures', async () => {
    const got = await collectSignatures(bd!.relayerUrls, lockId);
    return got.length >= 2 ? got : undefined;
  }, 30_000);
}

async function lockAt(lockId: string): Promise<LockInfo | null> {
  const v = await gw.rpc<string | null>('state_getStorage', [toHex(storageMapKey('Bridge', 'Locks', ['Blake2_128Concat', fromHex(lockId)])), null]);
  return v === null ? null : decodeLockInfo(fromHex(v));
}

/**
 * At each finalized height it sees: Bridge.Escrow at that block, then wBAI totalSupply. Relayers sign only
 * locks that are final, and burns are released only after the wBAI is gone, so supply read after the escrow
 * of the latest final block can never exceed it unless the bridge is broken.
 */
async function watchInvariant(): Promise<void> {
  while (!stop.signal.aborted) {
    try {
      const st = await gw.status();
      const h = st.finalized.height;
      if (!checked.has(h)) {
        const escrow = await escrowAt(st.finalized.hash);
        const supply = await client.totalSupply();
        checked.add(h);
        if (supply > escrow && !violation) violation = `wBAI supply ${supply} > escrow ${escrow} at BAI height ${h}`;
      }
    } catch {
      // a transient read failure: the next round checks again
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

const nonces = new Map<string, number>();
async function submit(from: KeyPair, call: BridgeCallData): Promise<ExtrinsicJson> {
  const who = toHex(from.publicKey);
  const nonce = nonces.get(who) ?? (await gw.get<{ nextNonce: number }>(`/v1/accounts/${who}`)).nextNonce;
  nonces.set(who, nonce + 1);
  const xt = signExtrinsic(from, encodeBridgeCall(call), { era: IMMORTAL, nonce, tip: 0n }, {
    specVersion: info.specVersion,
    transactionVersion: info.transactionVersion,
    genesisHash: info.genesisHash,
    birthHash: info.genesisHash,
  });
  const x = await gw.waitIncluded(await gw.submitOk(toHex(xt)), 60_000);
  assert.equal(x.state, 'finalized', JSON.stringify(x));
  return x;
}

function lockedEvent(x: ExtrinsicJson): { lockId: string; amount: bigint; deadline: bigint; ethRecipient: string } {
  const e = x.events.find((ev) => ev.module === 'Bridge' && ev.name === 'Locked');
  assert.ok(e, JSON.stringify(x.events));
  return { lockId: String(e.data['lockId'] ?? e.data['lock_id']), amount: BigInt(e.data['amount'] as string), deadline: BigInt(e.data['deadline'] as string), ethRecipient: String(e.data['ethRecipient'] ?? e.data['eth_recipient']) };
}

test('BAI → wBAI → BAI round trip exact to the base unit, with 2-of-3 relayers', async () => {
  const AMOUNT = 100n * ONE_BAI + 7n;
  const BACK = 40n * ONE_BAI + 3n;
  const aliceBefore = (await gw.balance(toHex(ALICE.publicKey))).free;
  const x = await submit(ALICE, { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: AMOUNT });
  const lock = lockedEvent(x);
  assert.equal((await gw.balance(toHex(ALICE.publicKey))).free, aliceBefore - AMOUNT - BigInt(x.fee!), 'the lock left Alice\'s free balance');
  const sigs = await signaturesOf(lock.lockId);
  const message = { lockId: lock.lockId as Hex, recipient: getAddress(lock.ethRecipient), amount: lock.amount, deadline: lock.deadline };
  const signatures = sigs.map((s) => ({ signer: getAddress(s.signer), signature: s.signature as Hex }));
  // One signature is under the threshold; two mint; the same again is a replay.
  await assert.rejects(client.mint(message, signatures.slice(0, 1)), (e: unknown) => e instanceof BridgeError && e.code === 'TOO_FEW_SIGNATURES');
  // A relayer that signs a wrong amount: the signature does not recover to it for the real message.
  const charlieEth = privateKeyToAccount(devEthRelayerKey('//Charlie'));
  const wrong = await signMint(charlieEth, client.domain, { ...message, amount: message.amount + 1n });
  const other = signatures.find((s) => getAddress(s.signer) !== charlieEth.address)!;
  await assert.rejects(client.mint(message, [wrong, other]), (e: unknown) => e instanceof BridgeError && e.code === 'SIGNER_MISMATCH');
  await assert.rejects(
    client.mintWithSignatures(message, [wrong.signature, other.signature]),
    (e: unknown) => e instanceof BridgeError && (e.code === 'NOT_RELAYER' || e.code === 'SIGNERS_NOT_ASCENDING'),
  );
  await client.mint(message, signatures.slice(0, 2));
  assert.equal(await client.balanceOf(user.address), AMOUNT);
  await assert.rejects(client.mint(message, signatures.slice(0, 2)), (e: unknown) => e instanceof BridgeError && e.code === 'LOCK_ALREADY_PROCESSED');
  // The relayers see the mint final on Ethereum and report it: the lock can never be refunded.
  const minted = await poll('lock reported minted', async () => ((await lockAt(lock.lockId))?.status === 'Minted' ? lockAt(lock.lockId) : undefined), 60_000);
  assert.ok(minted && minted.mintAttestations.length >= 2);

  const bob = toHex(BOB.publicKey);
  const bobBefore = (await gw.balance(bob)).free;
  // An Ethereum reorg orphans a burn before its confirmations: it is never released.
  const snapshot = await test_.snapshot();
  await client.burn(1n * ONE_BAI, bob as Hex);
  await test_.revert({ id: snapshot });
  // Relayer 0 crashes; the other two are still M. It comes back after the release.
  await bd!.stopRelayer(0);
  await client.burn(BACK, bob as Hex);
  const released = await poll('burn released to Bob', async () => {
    const now = (await gw.balance(bob)).free;
    return now !== bobBefore ? now : undefined;
  }, 60_000);
  assert.equal(released - bobBefore, BACK, 'exactly the burned amount, to the base unit (never the orphaned 1 BAI)');
  await bd!.startRelayer(0);
  assert.equal(await client.balanceOf(user.address), AMOUNT - BACK);
  await new Promise((r) => setTimeout(r, 3_000)); // later attestations of the burn never pay again
  assert.equal((await gw.balance(bob)).free, released);
  const head = await gw.status();
  assert.equal(await escrowAt(head.finalized.hash), AMOUNT - BACK);
  assert.equal(await client.totalSupply(), AMOUNT - BACK, 'wBAI supply = escrow');
});

test('a lock nobody mints is refunded exactly once after its deadline and cannot be minted any more', async () => {
  const AMOUNT = 5n * ONE_BAI;
  const aliceHex = toHex(ALICE.publicKey);
  const x = await submit(ALICE, { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: AMOUNT });
  const lock = lockedEvent(x);
  const afterLock = (await gw.balance(aliceHex)).free;
  const sigs = await signaturesOf(lock.lockId);
  const refunded = await poll('lock refunded', async () => ((await lockAt(lock.lockId))?.status === 'Refunded' ? lockAt(lock.lockId) : undefined), (TTL + 60) * 1000, 500);
  assert.ok(refunded && refunded.refundAttestations.length >= 2);
  assert.equal((await gw.balance(aliceHex)).free, afterLock + AMOUNT, 'refunded once, exactly');
  const message = { lockId: lock.lockId as Hex, recipient: user.address, amount: lock.amount, deadline: lock.deadline };
  await assert.rejects(
    client.mint(message, sigs.map((s) => ({ signer: getAddress(s.signer), signature: s.signature as Hex }))),
    (e: unknown) => e instanceof BridgeError && e.code === 'DEADLINE_EXPIRED',
  );
  await new Promise((r) => setTimeout(r, 3_000));
  assert.equal((await gw.balance(aliceHex)).free, afterLock + AMOUNT, 'never twice');
});

test('wBAI supply never exceeded the escrow at any finalized height the watcher checked', async () => {
  assert.equal(violation, null);
  assert.ok(checked.size >= 20, `${checked.size} heights checked`);
});
