// The Substrate JSON-RPC server on `/` (issue 10), driven by a real WebSocket client against fake
// validators over gRPC and a real NATS: shapes, errors, limits, and subscriptions that survive a
// validator failover without duplicates or gaps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  blake2_256,
  cryptoReady,
  encodeTransfer,
  fromHex,
  keyFromUri,
  mortalEra,
  runtimeVersion,
  runtimeVersionJson,
  signExtrinsic,
  toHex,
  IMMORTAL,
} from '@balanceai/chain';
import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { BlockStream, ConsensusClient, createGatewayApp, chainStreamName, finalizedBlocksSubject, type GatewayConfig } from '../src/index.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';
import { RpcCallError, RpcWsClient } from './support/rpc-client.js';

const CHAIN_ID = 'gw-rpc';
type Json = Record<string, unknown>;

let nats: NatsForTest;
let nc: NatsConnection;
let first: FakeValidator;
let second: FakeValidator;
let app: NestFastifyApplication;
let base: string;
let wsUrl: string;
const clients: RpcWsClient[] = [];
const extraApps: NestFastifyApplication[] = [];

function config(urls: string[], rpc: GatewayConfig['rpc'] = {}): GatewayConfig {
  return {
    consensusUrls: urls,
    natsUrl: nats.url,
    chainId: CHAIN_ID,
    port: 0,
    host: '127.0.0.1',
    grpcDeadlineMs: 1000,
    healthPollMs: 100,
    staleAfterMs: 5000,
    maxLagBlocks: 5,
    rpc: { maxSubscriptionsPerConnection: 8, ...rpc },
  };
}

async function startGateway(urls: string[], rpc: GatewayConfig['rpc'] = {}): Promise<{ app: NestFastifyApplication; base: string }> {
  const gateway = await createGatewayApp(config(urls, rpc), { logger: false });
  await gateway.listen(0, '127.0.0.1');
  return { app: gateway, base: (await gateway.getUrl()).replace('[::1]', '127.0.0.1') };
}

async function client(url = wsUrl): Promise<RpcWsClient> {
  const c = await RpcWsClient.connect(url);
  clients.push(c);
  return c;
}

/** Both validators finalize the same next block (same chain in each), and it is announced on NATS. */
async function finalize(extrinsics: string[] = [], validators = [first, second]): Promise<consensusV1.GetBlockResponse> {
  let block: consensusV1.GetBlockResponse | undefined;
  for (const v of validators) block = v.addBlock(extrinsics);
  await jetstream(nc).publish(finalizedBlocksSubject(CHAIN_ID), JSON.stringify({ number: Number(block!.number), hash: block!.hash }), { msgID: block!.hash });
  return block!;
}

async function postRpc(body: string, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/`, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { status: res.status, text: await res.text() };
}

function setStorage(key: string, value: string | null): void {
  first.setStorage(key, value);
  second.setStorage(key, value);
}

before(async () => {
  await cryptoReady();
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.add({ name: chainStreamName(CHAIN_ID), subjects: [`bai.${CHAIN_ID}.>`], duplicate_window: 60_000_000_000 });
  first = new FakeValidator();
  second = new FakeValidator();
  const urls = [await first.start(), await second.start()];
  ({ app, base } = await startGateway(urls));
  wsUrl = base.replace('http', 'ws');
  await app.get(ConsensusClient).whenPolled();
  await app.get(BlockStream).whenConsuming();
});

after(async () => {
  for (const c of clients) await c.close();
  for (const a of extraApps) await a.close();
  await app?.close();
  first?.stop();
  second?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('JSON-RPC on / (what clients ask on connect)', () => {
  it('serves chain identity, properties, runtime version and metadata', async () => {
    const c = await client();
    assert.equal(await c.call('chain_getBlockHash', [0]), first.genesisHash);
    assert.equal(await c.call('system_chain'), 'BalanceAI Devnet');
    assert.deepEqual(await c.call('system_properties'), { ss58Format: 42, tokenDecimals: 18, tokenSymbol: 'BAI' });
    assert.deepEqual(await c.call('state_getRuntimeVersion'), runtimeVersionJson(runtimeVersion({ specVersion: 1, transactionVersion: 1 })));
    assert.equal(await c.call('state_getMetadata'), first.metadata);
    assert.equal(await c.call('system_chainType'), 'Live');
    assert.equal(typeof (await c.call('system_name')), 'string');
    assert.match(await c.call<string>('system_version'), /^\d+\.\d+\.\d+/);
    assert.deepEqual(await c.call('system_health'), { peers: 3, isSyncing: false, shouldHavePeers: true });
    assert.deepEqual(await c.call('system_peers'), []);
    assert.deepEqual(await c.call('system_nodeRoles'), ['Full']);
    const methods = await c.call<{ version: number; methods: string[] }>('rpc_methods');
    assert.equal(methods.version, 1);
    for (const m of ['chain_subscribeNewHeads', 'chain_subscribeFinalisedHeads', 'state_getKeysPaged', 'author_submitAndWatchExtrinsic', 'system_accountNextIndex']) {
      assert.ok(methods.methods.includes(m), m);
    }
  });

  it('resolves block numbers (one, a list, none for the head) and answers null for blocks that do not exist', async () => {
    const c = await client();
    assert.deepEqual(await c.call('chain_getBlockHash', [[0, 1, '0x2', 999]]), [first.blocks[0]!.hash, first.blocks[1]!.hash, first.blocks[2]!.hash, null]);
    assert.equal(await c.call('chain_getBlockHash', []), first.head.hash);
    assert.equal(await c.call('chain_getHead'), first.head.hash);
    assert.equal(await c.call('chain_getFinalizedHead'), first.head.hash);
    await assert.rejects(c.call('chain_getBlockHash', [-1]), (e: RpcCallError) => e.error.code === -32602);
  });

  it('writes headers and blocks exactly as Substrate: number as hex, digest logs, raw extrinsics, justifications', async () => {
    const c = await client();
    const block = first.blocks[1]!;
    const header = await c.call<Json>('chain_getHeader', [block.hash]);
    assert.deepEqual(header, { parentHash: first.blocks[0]!.hash, number: '0x1', stateRoot: block.stateRoot, extrinsicsRoot: block.extrinsicsRoot, digest: { logs: [] } });
    const signed = await c.call<Json>('chain_getBlock', [block.hash]);
    assert.deepEqual(signed, { block: { header, extrinsics: [] }, justifications: [[[66, 70, 84, 49], [1, 2]]] });
    assert.deepEqual(await c.call('chain_getHeader', []), await c.call('chain_getHeader', [first.head.hash]));
    assert.equal(await c.call('chain_getHeader', [`0x${'ab'.repeat(32)}`]), null);
    assert.equal(await c.call('chain_getBlock', [`0x${'ab'.repeat(32)}`]), null);
    await assert.rejects(c.call('chain_getHeader', ['0x1234']), (e: RpcCallError) => e.error.code === -32602);
  });
});

describe('protocol errors and transports', () => {
  it('answers every method it does not serve with -32601, and malformed messages with -32700 / -32600', async () => {
    const c = await client();
    for (const method of ['author_rotateKeys', 'system_dryRun', 'grandpa_roundState', 'eth_chainId']) {
      assert.deepEqual((await c.request(method)).error, { code: -32601, message: 'Method not found' });
    }
    c.sendRaw('{"jsonrpc":"2.0","id":1,');
    assert.deepEqual((await c.waitFor((m) => (m.error as Json | undefined)?.code === -32700)).id, null);
    c.sendRaw('[]');
    await c.waitFor((m) => (m.error as Json | undefined)?.code === -32600);
  });

  it('answers a batch in order and refuses one over the limit', async () => {
    const c = await client();
    c.sendRaw(JSON.stringify([{ jsonrpc: '2.0', id: 'a', method: 'system_chain' }, { jsonrpc: '2.0', id: 'b', method: 'nope' }]));
    await c.waitUntil(() => c.received.some((m) => Array.isArray(m)));
    const answers = c.received.find((m) => Array.isArray(m)) as unknown as Json[];
    assert.deepEqual(answers, [
      { jsonrpc: '2.0', id: 'a', result: 'BalanceAI Devnet' },
      { jsonrpc: '2.0', id: 'b', error: { code: -32601, message: 'Method not found' } },
    ]);
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'system_chain' }));
    const refused = await postRpc(JSON.stringify(tooMany));
    assert.deepEqual(JSON.parse(refused.text).error, { code: -32010, message: 'The batch request was too large', data: 'Exceeded max limit of 100' });
  });

  it('answers HTTP POST on / like the WebSocket, refusing subscriptions there with a reason', async () => {
    const ok = await postRpc('{"jsonrpc":"2.0","id":7,"method":"system_chain","params":[]}');
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.text), { jsonrpc: '2.0', id: 7, result: 'BalanceAI Devnet' });
    assert.equal(JSON.parse((await postRpc('{"jsonrpc":"2.0","id":1,')).text).error.code, -32700);
    const sub = JSON.parse((await postRpc('{"jsonrpc":"2.0","id":2,"method":"chain_subscribeNewHeads","params":[]}')).text);
    assert.deepEqual(sub.error, { code: -32603, message: 'Internal error', data: 'subscriptions need a WebSocket connection' });
    assert.equal((await postRpc('{"jsonrpc":"2.0","id":3,"method":"system_chain"}', 'text/plain')).status, 415);
    assert.equal((await postRpc('{"jsonrpc":"2.0","method":"system_chain"}')).status, 204);
  });

  it('leaves a plain GET / to the rest of the gateway: the dashboard (or 503 DASHBOARD_NOT_BUILT), never JSON-RPC', async () => {
    const root = await fetch(`${base}/`);
    if (root.status === 200) assert.match(root.headers.get('content-type') ?? '', /^text\/html/);
    else {
      assert.equal(root.status, 503);
      assert.equal(((await root.json()) as { code: string }).code, 'DASHBOARD_NOT_BUILT');
    }
    // The blocks feed keeps its own path.
    assert.equal((await fetch(`${base}/v1/ws/blocks`)).status, 426);
  });
});

describe('state', () => {
  const key = `0x${'26aa394eea5630e07c48ae0c9558cef7'}${'b99d880ec681799c0cf30e8886371da9'}${'01'.repeat(16)}`;

  it('reads storage at the head and at a recent block, with hash, size and multi-key queries', async () => {
    const c = await client();
    setStorage(key, '0x0500000000');
    const before = await finalize();
    setStorage(key, '0x0600000000');
    const now = await finalize();
    assert.equal(await c.call('state_getStorage', [key]), '0x0600000000');
    assert.equal(await c.call('state_getStorageAt', [key, before.hash]), '0x0500000000');
    assert.equal(await c.call('state_getStorage', [`${key}ff`]), null);
    assert.equal(await c.call('state_getStorageHash', [key]), toHex(blake2_256(fromHex('0x0600000000'))));
    assert.equal(await c.call('state_getStorageSize', [key, before.hash]), 5);
    assert.deepEqual(await c.call('state_queryStorageAt', [[key, `${key}ff`], now.hash]), [{ block: now.hash, changes: [[key, '0x0600000000'], [`${key}ff`, null]] }]);
  });

  it("pages keys under a prefix and refuses counts above Substrate's 1,000 (4002)", async () => {
    const c = await client();
    const prefix = `0x${'77'.repeat(32)}`;
    for (let i = 0; i < 5; i++) setStorage(`${prefix}0${i}`, '0x01');
    await finalize();
    const page1 = await c.call<string[]>('state_getKeysPaged', [prefix, 3]);
    assert.deepEqual(page1, [0, 1, 2].map((i) => `${prefix}0${i}`));
    assert.deepEqual(await c.call('state_getKeysPaged', [prefix, 3, page1[2]]), [3, 4].map((i) => `${prefix}0${i}`));
    await assert.rejects(c.call('state_getKeysPaged', [prefix, 2000]), (e: RpcCallError) => e.error.code === 4002 && /max: 1000/.test(e.error.message));
  });

  it('makes runtime calls and answers unknown blocks and runtime APIs with 4003', async () => {
    const c = await client();
    assert.equal(await c.call('state_call', ['Metadata_metadata_versions', '0x']), '0x080e0000000f000000');
    await assert.rejects(c.call('state_call', ['Nope_nothing', '0x']), (e: RpcCallError) => e.error.code === 4003 && /Execution failed/.test(e.error.message));
    await assert.rejects(c.call('state_getStorage', [key, `0x${'ee'.repeat(32)}`]), (e: RpcCallError) => e.error.code === 4003 && /UnknownBlock/.test(e.error.message));
    await assert.rejects(c.call('state_getRuntimeVersion', [`0x${'ee'.repeat(32)}`]), (e: RpcCallError) => e.error.code === 4003);
  });
});

describe('author', () => {
  const alice = () => keyFromUri('//Alice', 'sr25519');
  const transfer = (nonce: number, era = IMMORTAL) =>
    toHex(
      signExtrinsic(alice(), encodeTransfer('keep_alive', keyFromUri('//Bob', 'sr25519').publicKey, 10n ** 18n), { era, nonce, tip: 0n }, {
        specVersion: 1,
        transactionVersion: 1,
        genesisHash: fromHex(first.genesisHash),
        birthHash: fromHex(first.genesisHash),
      }),
    );

  it('streams ready → inBlock → finalized (with the next head) for a watched extrinsic, then ends the subscription', async () => {
    const c = await client();
    const xt = transfer(0);
    const hash = toHex(blake2_256(fromHex(xt)));
    const id = await c.call<string>('author_submitAndWatchExtrinsic', [xt]);
    assert.deepEqual(await c.waitNotifications(id, 1), ['ready']);
    assert.deepEqual(await c.call('author_pendingExtrinsics'), [xt]);
    const block = await finalize([hash]);
    assert.deepEqual(await c.waitNotifications(id, 2), ['ready', { inBlock: block.hash }]);
    // Final at once, but announced with the next head: clients (polkadot.js) complete InBlock first.
    await finalize();
    assert.deepEqual(await c.waitNotifications(id, 3), ['ready', { inBlock: block.hash }, { finalized: block.hash }]);
    assert.deepEqual(await c.call('author_pendingExtrinsics'), []);
    // The answer (the id) came before every notification of it.
    const answerAt = c.received.findIndex((m) => m.result === id);
    const firstNotification = c.received.findIndex((m) => (m.params as Json | undefined)?.subscription === id);
    assert.ok(answerAt < firstNotification);
    assert.equal(await c.call('author_unwatchExtrinsic', [id]), false);
  });

  it("refuses an invalid extrinsic with Substrate's 1010 and the reason, leaving no subscription", async () => {
    const c = await client();
    first.refuseNextSubmission(new DomainError('BAD_PROOF', 'signature does not verify'));
    await assert.rejects(c.call('author_submitAndWatchExtrinsic', [transfer(1)]), (e: RpcCallError) => {
      assert.deepEqual(e.error, { code: 1010, message: 'Invalid Transaction', data: 'Transaction has a bad signature' });
      return true;
    });
    first.refuseNextSubmission(new DomainError('PAYMENT', 'cannot pay', 'conflict'));
    await assert.rejects(c.call('author_submitExtrinsic', [transfer(1)]), (e: RpcCallError) => e.error.code === 1010 && e.error.data === 'Inability to pay some fees (e.g. account balance too low)');
    await assert.rejects(c.call('author_submitExtrinsic', ['0xzz']), (e: RpcCallError) => e.error.code === -32602);
    assert.equal(c.received.filter((m) => m.method === 'author_extrinsicUpdate').length, 0);
  });

  it('reports invalid when its mortal era expires and dropped when the validators lose it and refuse it again', async () => {
    const c = await client();
    const head = Number(first.head.number);
    const mortal = transfer(2, mortalEra(head, 4));
    const mortalId = await c.call<string>('author_submitAndWatchExtrinsic', [mortal]);
    const lost = transfer(3);
    const lostId = await c.call<string>('author_submitAndWatchExtrinsic', [lost]);
    first.mempool.delete(toHex(blake2_256(fromHex(lost))));
    // The gateway hands a lost extrinsic back to the validator (at most 3 times): here it refuses each time.
    for (let i = 0; i < 3; i++) first.refuseNextSubmission(new DomainError('STALE_NONCE', 'Transaction is outdated', 'conflict'));
    for (let i = 0; i < 12; i++) await finalize();
    assert.deepEqual(await c.waitNotifications(mortalId, 2), ['ready', 'invalid']);
    assert.deepEqual(await c.waitNotifications(lostId, 2), ['ready', 'dropped']);
  });
});

describe('subscriptions', () => {
  it('streams every finalized head once, in order, and storage changes only, across a validator failover', async () => {
    const c = await client();
    const key = `0x${'aa'.repeat(40)}`;
    const headNumbers = (id: string) => (c.notifications(id) as Json[]).map((h) => Number.parseInt(h.number as string, 16));
    setStorage(key, '0x01');
    const start = await finalize();
    const newHeads = await c.call<string>('chain_subscribeNewHeads');
    const finalized = await c.call<string>('chain_subscribeFinalizedHeads');
    // Storage is watched once the gateway has seen the block that wrote the key's first value.
    await c.waitUntil(() => headNumbers(newHeads).includes(Number(start.number)));
    const storage = await c.call<string>('state_subscribeStorage', [[key]]);
    assert.deepEqual(((await c.waitNotifications(storage, 1))[0] as Json).changes, [[key, '0x01']]);

    const blocks: consensusV1.GetBlockResponse[] = [];
    blocks.push(await finalize());
    setStorage(key, '0x02');
    blocks.push(await finalize());
    // The validator the gateway reads from goes away; the second one has the same chain.
    first.stop();
    for (let i = 0; i < 3; i++) {
      if (i === 1) setStorage(key, '0x03');
      blocks.push(await finalize([], [second]));
    }
    const last = Number(blocks.at(-1)!.number);
    await c.waitUntil(() => headNumbers(newHeads).at(-1) === last && headNumbers(finalized).at(-1) === last);
    const numbers = headNumbers(newHeads);
    // Consecutive from the first (the head when subscribing): no duplicate, no gap.
    assert.deepEqual(numbers, Array.from({ length: numbers.length }, (_, i) => numbers[0]! + i));
    assert.ok(numbers[0]! <= Number(start.number));
    for (const head of c.notifications(newHeads) as Json[]) {
      const n = Number.parseInt(head.number as string, 16);
      assert.equal(head.parentHash, second.blocks[n - 1]!.hash, `parent of #${n}`);
    }
    // Subscribed a moment later, the finalized stream may start a head later; from there it is the same.
    const fin = c.notifications(finalized);
    assert.deepEqual(fin, c.notifications(newHeads).slice(-fin.length));
    const changes = await c.waitNotifications(storage, 3);
    assert.deepEqual(changes.slice(1), [
      { block: blocks[1]!.hash, changes: [[key, '0x02']] },
      { block: blocks[3]!.hash, changes: [[key, '0x03']] },
    ]);
    assert.equal(await c.call('chain_unsubscribeNewHeads', [newHeads]), true);
    assert.equal(await c.call('chain_unsubscribeNewHeads', [newHeads]), false);
    assert.equal(await c.call('state_unsubscribeStorage', [storage]), true);
  });

  it('limits subscriptions per connection (-32006)', async () => {
    const c = await client();
    for (let i = 0; i < 8; i++) await c.call('chain_subscribeAllHeads');
    await assert.rejects(c.call('chain_subscribeAllHeads'), (e: RpcCallError) => e.error.code === -32006);
  });
});
