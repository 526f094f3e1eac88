// Unmodified @polkadot/api against the gateway's JSON-RPC over fake validators: the strictest check of the
// JSON shapes short of a devnet. It decodes our metadata, runtime version and headers, hashes the header
// JSON we send (which must give the validator's block hash), reads and watches storage, and signs and
// watches a transfer to `finalized`. The real-chain wallets run in tests/e2e/src/wallets.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiPromise, HttpProvider, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import type { consensusV1 } from '@balanceai/contracts';
import { BlockStream, ConsensusClient, chainStreamName, createGatewayApp, finalizedBlocksSubject } from '../src/index.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';

const CHAIN_ID = 'gw-pjs';

interface AccountInfo {
  data: { free: { toBigInt(): bigint } };
}

let nats: NatsForTest;
let nc: NatsConnection;
let validator: FakeValidator;
let app: NestFastifyApplication;
let base: string;
let api: ApiPromise;

async function finalize(extrinsics: string[] = []): Promise<consensusV1.GetBlockResponse> {
  const block = validator.addBlock(extrinsics);
  await jetstream(nc).publish(finalizedBlocksSubject(CHAIN_ID), JSON.stringify({ number: Number(block.number), hash: block.hash }), { msgID: block.hash });
  return block;
}

/** Resolves with `probe()` once it is defined; the test's timeout bounds it. */
async function until<T>(probe: () => T | undefined): Promise<T> {
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

before(async () => {
  await cryptoWaitReady();
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.add({ name: chainStreamName(CHAIN_ID), subjects: [`bai.${CHAIN_ID}.>`], duplicate_window: 60_000_000_000 });
  validator = new FakeValidator();
  validator.useRealMetadata();
  const url = await validator.start();
  app = await createGatewayApp(
    { consensusUrls: [url], natsUrl: nats.url, chainId: CHAIN_ID, port: 0, host: '127.0.0.1', grpcDeadlineMs: 2000, healthPollMs: 200, staleAfterMs: 5000, maxLagBlocks: 5 },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  await app.get(ConsensusClient).whenPolled();
  await app.get(BlockStream).whenConsuming();
  api = await ApiPromise.create({ provider: new WsProvider(base.replace('http', 'ws')), noInitWarn: true, throwOnConnect: true });
});

after(async () => {
  await api?.disconnect();
  await app?.close();
  validator?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('@polkadot/api 16 against the gateway', () => {
  it('connects: genesis hash, chain properties, runtime version and V15 metadata through state_call', () => {
    assert.equal(api.genesisHash.toHex(), validator.genesisHash);
    assert.equal(api.runtimeVersion.specName.toString(), 'balanceai');
    assert.equal(api.runtimeVersion.specVersion.toNumber(), 1);
    assert.equal(api.registry.chainSS58, 42);
    assert.deepEqual(api.registry.chainDecimals, [18]);
    assert.deepEqual(api.registry.chainTokens, ['BAI']);
    assert.equal(api.runtimeMetadata.version, 15);
    assert.ok(api.tx.balances.transferKeepAlive, 'the Balances calls are decorated');
  });

  it('hashes the header JSON we send to the block hash the validator has', async () => {
    const header = await api.rpc.chain.getHeader(validator.blocks[1]!.hash);
    assert.equal(header.hash.toHex(), validator.blocks[1]!.hash);
    assert.equal(header.number.toNumber(), 1);
    const block = await api.rpc.chain.getBlock(validator.head.hash);
    assert.equal(block.block.header.hash.toHex(), validator.head.hash);
    assert.equal(block.justifications.isSome, true);
    assert.equal((await api.rpc.chain.getFinalizedHead()).toHex(), validator.head.hash);
  });

  it('follows new heads, each hashing to the finalized block', async () => {
    const seen: string[] = [];
    const unsubscribe = await api.rpc.chain.subscribeNewHeads((header) => {
      seen.push(header.hash.toHex());
    });
    await until(() => (seen.length >= 1 ? true : undefined));
    const blocks = [await finalize(), await finalize()];
    await until(() => (seen.includes(blocks[1]!.hash) ? true : undefined));
    unsubscribe();
    assert.deepEqual(seen.slice(-2), blocks.map((b) => b.hash));
  });

  it('reads and watches System.Account under its Substrate key', async () => {
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    // Untyped without @polkadot/api-augment: the decorated query and its AccountInfo are read loosely.
    const account = api.query.system.account as unknown as {
      key(address: string): string;
      (address: string): Promise<AccountInfo>;
      (address: string, cb: (info: AccountInfo) => void): Promise<() => void>;
    };
    const key = account.key(alice.address);
    const info = (free: bigint) => api.createType('AccountInfo', { nonce: 0, providers: 1, data: { free, reserved: 0, frozen: 0, flags: 0 } }).toHex();
    validator.setStorage(key, info(10n ** 21n));
    await finalize();
    const now = await account(alice.address);
    assert.equal(now.data.free.toBigInt(), 10n ** 21n);
    const seen: bigint[] = [];
    const unsubscribe = await account(alice.address, (info) => {
      seen.push(info.data.free.toBigInt());
    });
    await until(() => (seen.length >= 1 ? true : undefined));
    validator.setStorage(key, info(5n * 10n ** 20n));
    await finalize();
    await until(() => (seen.length >= 2 ? true : undefined));
    unsubscribe();
    assert.deepEqual(seen, [10n ** 21n, 5n * 10n ** 20n]);
  });

  it('signs and watches a transfer from ready to finalized in its block', async () => {
    const alice = new Keyring({ type: 'sr25519' }).addFromUri('//Alice');
    const bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
    const statuses: string[] = [];
    let finalizedIn: string | undefined;
    const tx = api.tx.balances.transferKeepAlive(bob.address, 10n ** 18n);
    const unsubscribe = await tx.signAndSend(alice, (result) => {
      statuses.push(result.status.type);
      if (result.status.isFinalized) finalizedIn = result.status.asFinalized.toHex();
    });
    await until(() => (statuses.includes('Ready') ? true : undefined));
    const block = await finalize([tx.hash.toHex()]);
    await until(() => (statuses.includes('InBlock') ? true : undefined));
    await finalize();
    await until(() => finalizedIn);
    unsubscribe();
    assert.deepEqual(statuses, ['Ready', 'InBlock', 'Finalized']);
    assert.equal(finalizedIn, block.hash);
    // The bytes polkadot.js sent are the block's extrinsic, as chain_getBlock returns it.
    const signed = await api.rpc.chain.getBlock(block.hash);
    assert.equal(signed.block.extrinsics[0]!.hash.toHex(), tx.hash.toHex());
  });

  it('works over HTTP too (no subscriptions)', async () => {
    const http = await ApiPromise.create({ provider: new HttpProvider(`${base}/`), noInitWarn: true });
    try {
      assert.equal(http.genesisHash.toHex(), validator.genesisHash);
      assert.equal((await http.rpc.chain.getHeader(validator.blocks[2]!.hash)).hash.toHex(), validator.blocks[2]!.hash);
    } finally {
      await http.disconnect();
    }
  });
});
