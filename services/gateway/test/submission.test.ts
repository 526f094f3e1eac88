// Submissions through the gateway's hot path against FakeValidators: batched SubmitExtrinsics calls, the
// fallback to one SubmitExtrinsic per extrinsic for a validator without SubmissionService, a validator's
// busy refusal answered as 429 + Retry-After (REST) and -32009 (JSON-RPC), the gateway's own bounds
// on pending submissions, overall and per connection, and every answer of a submission byte for byte.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { chainStreamName, createGatewayApp, type GatewayConfig } from '../src/index.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';
import { RpcWsClient } from './support/rpc-client.js';

const CHAIN_ID = 'gw-submit';
type Json = Record<string, unknown>;

let nats: NatsForTest;
let nc: NatsConnection;
const apps: NestFastifyApplication[] = [];
const validators: FakeValidator[] = [];
const clients: RpcWsClient[] = [];

async function validator(setup: (v: FakeValidator) => void = () => undefined): Promise<{ validator: FakeValidator; url: string }> {
  const v = new FakeValidator();
  setup(v);
  validators.push(v);
  return { validator: v, url: await v.start() };
}

async function gateway(url: string, submit?: GatewayConfig['submit']): Promise<{ http: string; ws: string }> {
  const app = await createGatewayApp(
    { consensusUrls: [url], natsUrl: nats.url, chainId: CHAIN_ID, port: 0, host: '127.0.0.1', grpcDeadlineMs: 2000, healthPollMs: 200, staleAfterMs: 5000, maxLagBlocks: 5, submit },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  apps.push(app);
  const http = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { http, ws: http.replace('http', 'ws') };
}

async function submitRest(base: string, extrinsic: string): Promise<{ status: number; body: Json; retryAfter: string | null }> {
  const res = await fetch(`${base}/v1/extrinsics`, { method: 'POST', body: JSON.stringify({ extrinsic }), headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Json, retryAfter: res.headers.get('retry-after') };
}

async function rpcHttp(base: string, method: string, params: unknown[]): Promise<Json> {
  const res = await fetch(`${base}/`, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), headers: { 'content-type': 'application/json' } });
  return (await res.json()) as Json;
}

async function wsClient(url: string): Promise<RpcWsClient> {
  const c = await RpcWsClient.connect(url);
  clients.push(c);
  return c;
}

const xt = (i: number): string => `0x${i.toString(16).padStart(4, '0')}${'a5'.repeat(40)}`;
const hashOf = (extrinsic: string): string => toHex(blake2_256(fromHex(extrinsic)));
const mempoolFull = (retryAfterSeconds?: string): DomainError =>
  new DomainError('MEMPOOL_FULL', 'the mempool is full, retry later', 'busy', retryAfterSeconds ? { retryAfterSeconds } : undefined);

before(async () => {
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.add({ name: chainStreamName(CHAIN_ID), subjects: [`bai.${CHAIN_ID}.>`], duplicate_window: 60_000_000_000 });
});

after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  for (const app of apps) await app.close();
  for (const v of validators) v.stop();
  await nc?.close();
  await nats?.stop();
});

describe('batched submission', () => {
  it('sends concurrent REST submissions in a few SubmitExtrinsics calls and answers each with its own hash or refusal', async () => {
    const { validator: v, url } = await validator((x) => (x.submitDelayMs = 50));
    const { http } = await gateway(url);
    v.refuseNextSubmission(new DomainError('BAD_PROOF', 'signature does not verify'));
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => submitRest(http, xt(i))));
    // The first to reach the validator is refused; which one that is depends on arrival order.
    const refused = answers.filter((a) => a.status !== 202);
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0]!.status, 400);
    assert.equal(refused[0]!.body.code, 'BAD_PROOF');
    answers.forEach((a, i) => a.status === 202 && assert.equal(a.body.hash, hashOf(xt(i))));
    assert.equal(v.batchSizes.reduce((s, n) => s + n, 0), 40);
    assert.ok(v.batchSizes.length <= 10, `40 concurrent submissions took ${v.batchSizes.length} calls: ${v.batchSizes.join(',')}`);
    assert.equal(v.calls.filter((c) => c === 'SubmitExtrinsic').length, 0);
  });

  it('submits one extrinsic per SubmitExtrinsic call to a validator without SubmissionService (UNIMPLEMENTED)', async () => {
    const { validator: v, url } = await validator((x) => (x.batchSubmission = false));
    const { http } = await gateway(url);
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => submitRest(http, xt(100 + i))));
    assert.deepEqual(answers.map((a) => a.status), [202, 202, 202, 202, 202]);
    answers.forEach((a, i) => assert.equal(a.body.hash, hashOf(xt(100 + i))));
    assert.equal(v.calls.filter((c) => c === 'SubmitExtrinsic').length, 5);
    assert.equal(v.batchSizes.length, 0);
  });
});

describe("a validator's busy refusal", () => {
  for (const batches of [true, false]) {
    const how = batches ? 'in a SubmitExtrinsics result' : 'as RESOURCE_EXHAUSTED with bai-error-kind busy';
    it(`${how}: REST 429 with Retry-After, JSON-RPC -32009 for author_submitExtrinsic and author_submitAndWatchExtrinsic`, async () => {
      const { validator: v, url } = await validator((x) => (x.batchSubmission = batches));
      const { http, ws } = await gateway(url);
      // The validator's retry delay reaches the client either way: in a SubmitExtrinsics result, or in the
      // error's details over SubmitExtrinsic (bai-error-details).
      v.refuseNextSubmission(mempoolFull('3'));
      const rest = await submitRest(http, xt(200));
      assert.equal(rest.status, 429, JSON.stringify(rest.body));
      assert.deepEqual(rest.body, { code: 'MEMPOOL_FULL', message: 'the mempool is full, retry later' });
      assert.equal(rest.retryAfter, '3');

      v.refuseNextSubmission(mempoolFull());
      assert.deepEqual((await rpcHttp(http, 'author_submitExtrinsic', [xt(201)])).error, { code: -32009, message: 'Server is busy, try again later', data: 'MEMPOOL_FULL' });

      const c = await wsClient(ws);
      v.refuseNextSubmission(mempoolFull());
      const watch = await c.request('author_submitAndWatchExtrinsic', [xt(202)]);
      assert.deepEqual(watch.error, { code: -32009, message: 'Server is busy, try again later', data: 'MEMPOOL_FULL' });

      // Once the validator takes submissions again, the same bytes are accepted.
      const retried = await submitRest(http, xt(200));
      assert.equal(retried.status, 202);
      assert.equal(retried.body.hash, hashOf(xt(200)));
    });
  }
});

describe("the gateway's own bounds", () => {
  it('refuses submissions past BAI_MAX_PENDING_SUBMISSIONS at once with 429 GATEWAY_BUSY and Retry-After 1', async () => {
    const { validator: v, url } = await validator((x) => (x.submitDelayMs = 400));
    const { http } = await gateway(url, { maxPending: 3, concurrentBatches: 1, maxBatch: 1 });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 7 }, (_, i) => submitRest(http, xt(300 + i))));
    const busy = answers.filter((a) => a.status === 429);
    assert.equal(answers.filter((a) => a.status === 202).length, 3);
    assert.equal(busy.length, 4);
    for (const b of busy) {
      assert.equal(b.body.code, 'GATEWAY_BUSY');
      assert.equal(b.retryAfter, '1');
    }
    assert.ok(Date.now() - started >= 3 * 400, 'the three held ones were answered in turn');
    assert.equal(v.mempool.size, 3, 'the refused ones never reached the validator');
  });

  it('refuses a WebSocket connection its submissions past BAI_MAX_SUBMISSIONS_PER_CONNECTION with -32009, another connection still submits', async () => {
    const { url } = await validator((x) => (x.submitDelayMs = 300));
    const { ws } = await gateway(url, { maxPerConnection: 2 });
    const greedy = await wsClient(ws);
    const other = await wsClient(ws);
    const calls = Array.from({ length: 4 }, (_, i) => greedy.request('author_submitExtrinsic', [xt(400 + i)]));
    const theirs = other.request('author_submitExtrinsic', [xt(410)]);
    const answers = await Promise.all(calls);
    assert.deepEqual(
      answers.map((a) => (a.error ? (a.error as Json).code : 'ok')),
      ['ok', 'ok', -32009, -32009],
    );
    assert.equal((answers[2]!.error as Json).data, 'GATEWAY_BUSY');
    assert.equal((await theirs).result, hashOf(xt(410)));
    // Answered ones free their place.
    assert.equal((await greedy.request('author_submitExtrinsic', [xt(420)])).result, hashOf(xt(420)));
  });

  it('refuses pipelined HTTP/1.1 submissions on one connection past the per-connection bound with 429', async () => {
    const { url } = await validator((x) => (x.submitDelayMs = 300));
    const { http } = await gateway(url, { maxPerConnection: 1 });
    const { port } = new URL(http);
    const requests = [0, 1, 2]
      .map((i) => {
        const body = JSON.stringify({ extrinsic: xt(500 + i) });
        return `POST /v1/extrinsics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      })
      .join('');
    const socket = tcpConnect(Number(port), '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('utf8')));
    socket.write(requests);
    const deadline = Date.now() + 5000;
    while ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    socket.destroy();
    assert.deepEqual(received.match(/HTTP\/1\.1 \d{3}/g), ['HTTP/1.1 202', 'HTTP/1.1 429', 'HTTP/1.1 429']);
    assert.match(received, /GATEWAY_BUSY/);
  });
});

/** One raw HTTP answer: status, headers (but those of the connection and the date), body text. */
async function rawPost(base: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(body);
    const req = httpRequest(
      { host: hostname, port, path, method: 'POST', headers: { 'content-type': contentType, 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (!['date', 'connection', 'keep-alive'].includes(k)) headers[k] = String(v);
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';
const answer = (status: number, body: string, retryAfter?: string): { status: number; headers: Record<string, string>; body: string } => ({
  status,
  headers: { ...(retryAfter ? { 'retry-after': retryAfter } : {}), 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)) },
  body,
});

// Recorded from the gateway of 8c6898b, when POST /v1/extrinsics was a Nest controller method and every
// refusal left through GatewayExceptionFilter; the route now writes its answers itself and must not differ.
describe('every answer of a submission, as the exception filter wrote it', () => {
  const refusals: Array<[string, DomainError, { status: number; body: string; retryAfter?: string }, string]> = [
    ['a bad signature', new DomainError('BAD_PROOF', 'signature does not verify'), { status: 400, body: '{"code":"BAD_PROOF","message":"signature does not verify"}' }, '{"code":1010,"message":"Invalid Transaction","data":"Transaction has a bad signature"}'],
    [
      'a stale nonce',
      new DomainError('STALE_NONCE', 'nonce 3 is below the account nonce 5', 'conflict'),
      { status: 409, body: '{"code":"STALE_NONCE","message":"nonce 3 is below the account nonce 5"}' },
      '{"code":1010,"message":"Invalid Transaction","data":"Transaction is outdated"}',
    ],
    ['a full mempool naming its wait', mempoolFull('3'), { status: 429, body: '{"code":"MEMPOOL_FULL","message":"the mempool is full, retry later"}', retryAfter: '3' }, '{"code":-32009,"message":"Server is busy, try again later","data":"MEMPOOL_FULL"}'],
    ['a full mempool', mempoolFull(), { status: 429, body: '{"code":"MEMPOOL_FULL","message":"the mempool is full, retry later"}', retryAfter: '1' }, '{"code":-32009,"message":"Server is busy, try again later","data":"MEMPOOL_FULL"}'],
    ['an internal error', new DomainError('INTERNAL', 'boom', 'internal'), { status: 500, body: '{"code":"INTERNAL","message":"internal error"}' }, '{"code":-32603,"message":"Internal error"}'],
    ['a syncing node', new DomainError('NODE_SYNCING', 'the node is syncing', 'unavailable'), { status: 503, body: '{"code":"NODE_SYNCING","message":"the node is syncing"}' }, '{"code":-32000,"message":"the node is syncing","data":"NODE_SYNCING"}'],
  ];

  // One validator and gateway for these cases (each gateway adds process signal listeners).
  let shared: { v: FakeValidator; http: string } | undefined;
  const sharedGateway = async (): Promise<{ v: FakeValidator; http: string }> => {
    if (!shared) {
      const { validator: v, url } = await validator();
      shared = { v, http: (await gateway(url)).http };
    }
    return shared;
  };

  for (const [what, refusal, rest, rpc] of refusals) {
    it(`answers ${what} with the same status, headers and body (REST) and error object (JSON-RPC)`, async () => {
      const { v, http } = await sharedGateway();
      v.refuseNextSubmission(refusal);
      assert.deepEqual(await rawPost(http, '/v1/extrinsics', JSON.stringify({ extrinsic: xt(600) })), answer(rest.status, rest.body, rest.retryAfter));
      v.refuseNextSubmission(refusal);
      assert.deepEqual(await rawPost(http, '/', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'author_submitExtrinsic', params: [xt(600)] })), answer(200, `{"jsonrpc":"2.0","id":7,"error":${rpc}}`));
    });
  }

  it('answers an accepted extrinsic, and one already pending (ALREADY_IMPORTED), 202 with its hash', async () => {
    const { v, http } = await sharedGateway();
    assert.deepEqual(await rawPost(http, '/v1/extrinsics', JSON.stringify({ extrinsic: xt(610) })), answer(202, `{"hash":"${hashOf(xt(610))}"}`));
    v.refuseNextSubmission(new DomainError('ALREADY_IMPORTED', 'already in the pool', 'conflict'));
    assert.deepEqual(await rawPost(http, '/v1/extrinsics', JSON.stringify({ extrinsic: xt(611) })), answer(202, `{"hash":"${hashOf(xt(611))}"}`));
    v.refuseNextSubmission(new DomainError('ALREADY_IMPORTED', 'already in the pool', 'conflict'));
    assert.deepEqual(
      await rawPost(http, '/', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'author_submitExtrinsic', params: [xt(611)] })),
      answer(200, `{"jsonrpc":"2.0","id":7,"error":{"code":1013,"message":"Transaction Already Imported","data":"${hashOf(xt(611))}"}}`),
    );
  });

  it("answers the gateway's own refusals (body, hex, size, media type, GATEWAY_BUSY, no validator) as before", async () => {
    const { validator: v, url } = await validator();
    const { http } = await gateway(url);
    const post = (body: string, contentType?: string) => rawPost(http, '/v1/extrinsics', body, contentType);
    const badHex = '{"code":"BAD_HEX","message":"field \\"extrinsic\\" must be 0x-prefixed hex with an even number of digits"}';
    assert.deepEqual(await post(JSON.stringify({ extrinsic: '0xabc' })), answer(400, badHex));
    assert.deepEqual(await post(JSON.stringify({ extrinsic: 'abcd' })), answer(400, badHex));
    assert.deepEqual(await post(JSON.stringify({ tx: '0xab' })), answer(400, '{"code":"BAD_REQUEST_BODY","message":"field \\"extrinsic\\" must be a 0x-prefixed hex string"}'));
    assert.deepEqual(await post('[1]'), answer(400, '{"code":"BAD_REQUEST_BODY","message":"body must be a JSON object { \\"extrinsic\\": \\"0x…\\" }"}'));
    assert.deepEqual(await post('{"extrinsic": "0xab"'), answer(400, `{"code":"MALFORMED_JSON","message":"Body is not valid JSON but content-type is set to 'application/json'"}`));
    assert.deepEqual(await post(''), answer(400, '{"code":"MALFORMED_JSON","message":"request body is empty"}'));
    const media = answer(415, '{"code":"UNSUPPORTED_MEDIA_TYPE","message":"request body must be application/json"}');
    assert.deepEqual(await post('0xab', 'text/plain'), media);
    assert.deepEqual(await post('extrinsic=0xab', 'application/x-www-form-urlencoded'), media);
    assert.deepEqual(await post(JSON.stringify({ extrinsic: `0x${'07'.repeat(70 * 1024)}` })), answer(413, '{"code":"EXTRINSIC_TOO_LARGE","message":"request body exceeds the maximum extrinsic size"}'));
    assert.deepEqual(await post(JSON.stringify({ extrinsic: `0x${'07'.repeat(64 * 1024 + 1)}` })), answer(413, '{"code":"EXTRINSIC_TOO_LARGE","message":"extrinsic exceeds 65536 bytes"}'));
    assert.deepEqual(
      await rawPost(http, '/', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'author_submitExtrinsic', params: ['0xabc'] })),
      answer(200, '{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"Invalid params","data":"extrinsic must be 0x-prefixed hex bytes"}}'),
    );

    const busy = await gateway(url, { maxPending: 0 });
    assert.deepEqual(
      await rawPost(busy.http, '/v1/extrinsics', JSON.stringify({ extrinsic: xt(620) })),
      answer(429, '{"code":"GATEWAY_BUSY","message":"the gateway already holds 0 submissions in flight; retry later"}', '1'),
    );
    assert.deepEqual(
      await rawPost(busy.http, '/', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'author_submitExtrinsic', params: [xt(620)] })),
      answer(200, '{"jsonrpc":"2.0","id":7,"error":{"code":-32009,"message":"Server is busy, try again later","data":"GATEWAY_BUSY"}}'),
    );

    v.stop();
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await post(JSON.stringify({ extrinsic: xt(621) })), answer(503, '{"code":"NODE_UNAVAILABLE","message":"no validator node is reachable"}'));
    assert.deepEqual(
      await rawPost(http, '/', JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'author_submitExtrinsic', params: [xt(621)] })),
      answer(200, '{"jsonrpc":"2.0","id":7,"error":{"code":-32000,"message":"no validator node is reachable","data":"NODE_UNAVAILABLE"}}'),
    );
  });
});
