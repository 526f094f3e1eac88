// The scoring worker against real HTTP: two provider servers (one healthy with a working sample, one whose
// sample fails) and one that is down, behind a stand-in gateway that answers the REST routes the worker
// reads and records the extrinsic it submits. The extrinsic must be a set_weights signed by the stash key
// with the scores the rules give, submitted once per era.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cryptoReady, decodeExtrinsic, decodeModelsCallOf, fromHex, keyFromUri, toHex } from '@balanceai/chain';
import { ScoringWorker, probe } from '../src/worker/worker.js';
import type { Resolver } from '@balanceai/chain';

const servers: Server[] = [];
let goodHits = 0;
async function serve(handler: (req: IncomingMessage, body: string) => [number, unknown]): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const [status, json] = handler(req, body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let height = 20;
const submitted: string[] = [];
let gateway: string;
let good: string;
let badSample: string;
const GENESIS = '0x' + '07'.repeat(32);

before(async () => {
  await cryptoReady();
  good = await serve((req) => (goodHits++, req.url === '/health' ? [200, { ok: true }] : req.url === '/sample' && req.method === 'POST' ? [200, { out: 1 }] : [404, {}]));
  badSample = await serve((req) => (req.url === '/health' ? [200, { ok: true }] : [500, { error: 'broken' }]));
  const down = 'http://127.0.0.1:1';
  gateway = await serve((req, body) => {
    if (req.url === '/v1/status') return [200, { finalized: { height } }];
    if (req.url === '/v1/models/providers?status=active') return [200, { providers: [{ id: 4, endpoint: down, status: 'active' }, { id: 1, endpoint: good, status: 'active' }, { id: 2, endpoint: `${badSample}/`, status: 'active' }] }];
    if (req.url === '/v1/runtime') return [200, { genesisHash: GENESIS, specVersion: 1, transactionVersion: 1 }];
    if (req.url?.startsWith('/v1/accounts/')) return [200, { nextNonce: 5 + submitted.length }];
    if (req.url === '/v1/extrinsics' && req.method === 'POST') {
      submitted.push((JSON.parse(body) as { extrinsic: string }).extrinsic);
      return [202, { hash: '0x' + String(submitted.length).padStart(64, '0') }];
    }
    return [404, { code: 'NOT_FOUND', message: req.url }];
  });
});

after(() => {
  for (const s of servers) s.close();
});

describe('scoring worker', () => {
  it('probes every active provider and submits one signed set_weights per era', async () => {
    const key = keyFromUri('//stash/0', 'sr25519');
    const worker = new ScoringWorker({ gatewayUrl: gateway, key, eraLength: 15, maxWeights: 100, probeTimeoutMs: 1_000, privateEndpoints: true });
    const r = await worker.tick(); // height 20: era 1, its 5th block
    assert.ok(r);
    assert.equal(r.era, 1);
    assert.deepEqual(r.weights.map(([id, s]) => [id, id === 1 ? s > 60_000 : s]), [[1, true], [2, 16_384], [4, 0]]);
    assert.equal(submitted.length, 1);
    const xt = decodeExtrinsic(fromHex(submitted[0]!));
    assert.equal(toHex(xt.signer), toHex(key.publicKey));
    assert.equal(xt.extra.nonce, 5);
    assert.deepEqual(decodeModelsCallOf(xt.call), { call: 'set_weights', weights: r.weights });
    assert.equal(await worker.tick(), null, 'once per era');
    height = 29; // era 1's 14th block: too late for this era, and it was scored anyway
    assert.equal(await worker.tick(), null);
    height = 32; // era 2
    const again = await worker.tick();
    assert.equal(again?.era, 2);
    assert.equal(submitted.length, 2);
    assert.equal(decodeExtrinsic(fromHex(submitted[1]!)).extra.nonce, 6);
  });

  it('does not probe loopback or private endpoints unless allowed (the access proxy rule): they score 0', async () => {
    height = 50; // era 3
    const before = goodHits;
    const worker = new ScoringWorker({ gatewayUrl: gateway, key: keyFromUri('//stash/1', 'sr25519'), eraLength: 15, maxWeights: 100, probeTimeoutMs: 1_000 });
    const r = await worker.tick();
    assert.deepEqual(r?.weights, [[1, 0], [2, 0], [4, 0]]);
    assert.equal(goodHits, before, 'the loopback provider was not contacted');
    const refused = await probe(good, 1_000);
    assert.deepEqual([refused.healthy, refused.refused], [false, 'PROVIDER_ENDPOINT_PRIVATE']);
  });

  it('resolves a provider host once: health and sample go to the same address even if DNS changes its answer', async () => {
    let lookups = 0;
    const port = new URL(good).port;
    // First answer: the provider; later answers: an address where nothing listens.
    const resolve: Resolver = async () => (lookups++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '192.0.2.1', family: 4 }]);
    const r = await probe(`http://provider.test:${port}`, 1_000, { allowPrivate: true, resolve });
    assert.deepEqual([r.healthy, r.sampleOk, lookups], [true, true, 1]);
  });
});
