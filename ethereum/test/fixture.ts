// Shared set-up for the integration tests: one anvil per test file, a fresh bridge per test.
import assert from 'node:assert/strict';
import { createTestClient, http, keccak256, toHex, type Address, type Hex, type LocalAccount, type TestClient } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import {
  BridgeClient,
  BridgeError,
  connect,
  deployBridge,
  signMint,
  sortAddresses,
  startAnvil,
  type Anvil,
  type BridgeErrorCode,
  type EthConnection,
  type MintMessage,
  type RelayerSignature,
} from '../src/index.js';

export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';
export const CHAIN_ID = 31337;
export const ONE = 10n ** 18n;

/** Relayer keys derived from labels (no randomness), sorted by address. */
export function relayerKeys(label: string, n: number): LocalAccount[] {
  return Array.from({ length: n }, (_, i) => privateKeyToAccount(keccak256(toHex(`${label}-${i}`)))).sort((a, b) =>
    BigInt(a.address) < BigInt(b.address) ? -1 : 1,
  );
}

export const lockId = (label: string): Hex => keccak256(toHex(`lock:${label}`));
export const baiAccount = (label: string): Hex => keccak256(toHex(`bai-account:${label}`));

export interface Env {
  anvil: Anvil;
  conn: EthConnection;
  test: TestClient;
  deployer: LocalAccount;
  users: LocalAccount[];
  stop(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const anvil = await startAnvil({ chainId: CHAIN_ID });
  const deployer = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 });
  const users = [1, 2, 3].map((i) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }));
  const conn = connect({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, account: deployer, pollingIntervalMs: 20 });
  const test = createTestClient({ mode: 'anvil', chain: conn.chain, transport: http(anvil.rpcUrl) });
  return { anvil, conn, test, deployer, users, stop: () => anvil.stop() };
}

export interface Deployed {
  client: BridgeClient;
  relayers: LocalAccount[];
  deployBlock: bigint;
  guardian: LocalAccount;
}

export async function deploy(env: Env, opts: { n?: number; m?: bigint; mintLimit?: bigint; label?: string } = {}): Promise<Deployed> {
  const relayers = relayerKeys(opts.label ?? 'relayer', opts.n ?? 3);
  const guardian = env.users[2]!;
  const d = await deployBridge(env.conn, {
    relayers: sortAddresses(relayers.map((r) => r.address)),
    threshold: opts.m ?? 2n,
    guardian: guardian.address,
    mintLimit: opts.mintLimit,
  });
  return { client: new BridgeClient(env.conn, d.bridge, d.token), relayers, deployBlock: d.deployBlock, guardian };
}

export async function latestTimestamp(env: Env): Promise<bigint> {
  return (await env.conn.publicClient.getBlock()).timestamp;
}

export async function mintMessage(env: Env, label: string, recipient: Address, amount: bigint, ttl = 3600n): Promise<MintMessage> {
  return { lockId: lockId(label), recipient, amount, deadline: (await latestTimestamp(env)) + ttl };
}

export function signAll(signers: LocalAccount[], d: Deployed, m: MintMessage): Promise<RelayerSignature[]> {
  return Promise.all(signers.map((s) => signMint(s, d.client.domain, m)));
}

/** Asserts that `p` fails with a BridgeError of `code` (and, for contract reverts, that Solidity error). */
export async function rejectsWith(p: Promise<unknown>, code: BridgeErrorCode, errorName?: string): Promise<BridgeError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BridgeError, `expected BridgeError ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (errorName) assert.equal(caught.revert?.errorName, errorName);
  return caught;
}

/**
 * For signatures that recover to unrelated addresses (wrong domain, wrong message): the contract refuses them
 * as NotRelayer, or as SignersNotAscending when the unrelated addresses happen to fall out of order.
 */
export async function rejectsAsForged(p: Promise<unknown>): Promise<BridgeError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof BridgeError, `expected a refusal, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.ok(caught.code === 'NOT_RELAYER' || caught.code === 'SIGNERS_NOT_ASCENDING', caught.message);
  return caught;
}
