// The JSON-RPC server's limits against a real WebSocket client: per-connection rate limit, connection
// count, message and body size, and 1,000 subscribers each receiving every head once, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import WebSocket from 'ws';
import { BlockStream, ConsensusClient, chainStreamName, createGatewayApp, finalizedBlocksSubject, type GatewayConfig } from '../src/index.js';
import { RpcServer } from '../src/rpc/rpc-server.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';
import { RpcWsClient } from './support/rpc-client.js';

const CHAIN_ID = 'gw-limits';
type Json = Record<string, unknown>;

let nats: NatsForTest;
let nc: NatsConnection;
let validator: FakeValidator;
let validatorUrl: string;
const apps: NestFastifyApplication[] = [];
const clients: RpcWsClient[] = [];

async function gateway(rpc: GatewayConfig['rpc']): Promise<{ app: NestFastifyApplication; http: string; ws: string }> {
  const app = await createGatewayApp(
    { consensusUrls: [validatorUrl], natsUrl: nats.url, chainId: CHAIN_ID, port: 0, host: '127.0.0.1', grpcDeadlineMs: 2000, healthPollMs: 200, staleAfterMs: 5000, maxLagBlocks: 5, rpc },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  const http = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, http, ws: http.replace('http', 'ws') };
}

async function client(url: string): Promise<RpcWsClient> {
  const c = await RpcWsClient.connect(url);
  clients.push(c);
  return c;
}

before(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.add({ name: chainStreamName(CHAIN_ID), subjects: [`bai.${CHAIN_ID}.>`], duplicate_window: 60_000_000_000 });
  validator = new FakeValidator();
  validatorUrl = await validator.start();
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const app of apps) await app.close();
  validator?.stop();
  await nc?.close();
  await nats?.stop();
});

describe('JSON-RPC limits', () => {
  it('throttles one connection past its rate with -32029 and a reason, without affecting another', async () => {
    const { ws } = await gateway({ rateLimitPerSecond: 5, rateLimitBurst: 5 });
    const greedy = await client(ws);
    const batch = Array.from({ length: 8 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'system_name' }));
    greedy.sendRaw(JSON.stringify(batch));
    await greedy.waitUntil(() => greedy.received.some((m) => Array.isArray(m)));
    const answers = greedy.received.find((m) => Array.isArray(m)) as unknown as Json[];
    const codes = answers.map((a) => (a.error as Json | undefined)?.code ?? 'ok');
    assert.deepEqual(codes, ['ok', 'ok', 'ok', 'ok', 'ok', -32029, -32029, -32029]);
    assert.deepEqual(answers[5]!.error, { code: -32029, message: 'Too many requests', data: 'rate limit of 5 calls per second per connection exceeded; retry later' });
    const other = await client(ws);
    assert.equal(typeof (await other.call('system_name')), 'string');
  });

  it('refuses WebSockets beyond the connection limit before the upgrade (429)', async () => {
    const { ws, app } = await gateway({ maxConnections: 2 });
    await client(ws);
    await client(ws);
    while (app.get(RpcServer).connectionCount < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    const third = new WebSocket(ws);
    const status = await new Promise<number>((resolve, reject) => {
      third.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      third.once('open', () => reject(new Error('a third connection was accepted')));
      third.once('error', () => undefined);
    });
    third.terminate();
    assert.equal(status, 429);
  });

  it('refuses an oversized request: HTTP 413 with -32007, a WebSocket message closes with 1009', async () => {
    const { http, ws } = await gateway({ maxRequestBytes: 4096 });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'author_submitExtrinsic', params: [`0x${'00'.repeat(4096)}`] });
    const res = await fetch(`${http}/`, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 413);
    assert.deepEqual(await res.json(), { jsonrpc: '2.0', id: null, error: { code: -32007, message: 'Request is too big', data: 'Exceeded max limit of 4096' } });
    const c = await client(ws);
    c.sendRaw(big);
    await c.waitUntil(() => c.closeCode !== undefined).catch(() => undefined);
    assert.equal(c.closeCode, 1009);
  });
});

describe('fan-out', () => {
  it('delivers every head to 1,000 subscribers, once each and in order', { timeout: 120_000 }, async () => {
    const { app, ws } = await gateway({});
    await app.get(ConsensusClient).whenPolled();
    await app.get(BlockStream).whenConsuming();
    const subscribers = await Promise.all(Array.from({ length: 1000 }, () => client(ws)));
    const ids = await Promise.all(subscribers.map((c) => c.call<string>('chain_subscribeNewHeads')));
    const publish = async () => {
      const block = validator.addBlock([]);
      await jetstream(nc).publish(finalizedBlocksSubject(CHAIN_ID), JSON.stringify({ number: Number(block.number), hash: block.hash }), { msgID: block.hash });
      return Number(block.number);
    };
    const last = [await publish(), await publish(), await publish()].at(-1)!;
    const numbers = (c: RpcWsClient, id: string) => (c.notifications(id) as Json[]).map((h) => Number.parseInt(h.number as string, 16));
    await Promise.all(subscribers.map((c, i) => c.waitUntil(() => numbers(c, ids[i]!).at(-1) === last, 60_000)));
    for (const [i, c] of subscribers.entries()) {
      const seen = numbers(c, ids[i]!);
      assert.deepEqual(seen, Array.from({ length: seen.length }, (_, k) => seen[0]! + k), `subscriber ${i}`);
      assert.ok(seen[0]! <= last - 2, `subscriber ${i} started at #${seen[0]}`);
    }
  });
});
