// The access proxy against real sockets: a provider HTTP server, a NATS with the devnet's users and
// permissions (libs/testing nats-auth: the gateway user may publish bai.<chain>.metering.>), and the chain
// reads answered by a stub of the consensus client (the provider's Models storage value and the caller's account).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { ScaleWriter, cryptoReady, keyFromUri, ss58Encode, toHex, type KeyPair, type Resolver } from '@balanceai/chain';
import { startNats, type NatsServer } from '@balanceai/testing';
import type { ConsensusClient } from '../src/consensus/consensus-client.js';
import { ACCESS_HEADERS, accessPayload, registerAccessProxy, type MeteringEvent } from '../src/models/access.js';
import { AccessMeter, meteringSubject } from '../src/models/access-metering.js';
import { modelsKeys } from '../src/models/models.views.js';

const CHAIN = 'access-test';
const MIN = 5n * 10n ** 18n;
let alice: KeyPair;
let provider: Server;
let hits = 0;
let nats: NatsServer;
let gatewayNc: NatsConnection;
let operatorNc: NatsConnection;

/** A Models.Providers value: an active provider at `endpoint` asking `MIN`. */
function providerValue(endpoint: string): string {
  const w = new ScaleWriter().raw(new Uint8Array(32).fill(7)).u8(1).str('agent').str('ipfs://agent').str(endpoint);
  return toHex(w.u128(MIN).u128(10n ** 21n).u8(0).u32(0).u128(0n).u128(0n).finish());
}

/** The two consensus calls the proxy makes, answered from a map of endpoints per provider id. */
function consensusStub(endpoints: Map<number, string>, free: bigint): ConsensusClient {
  return {
    call: async (method: string, req: { keys?: string[] }) => {
      if (method === 'readStorage') {
        return {
          at: '0x01',
          entries: req.keys!.map((key) => {
            const id = [...endpoints.keys()].find((i) => modelsKeys.provider(i) === key);
            return id === undefined ? { key, present: false, value: '' } : { key, present: true, value: providerValue(endpoints.get(id)!) };
          }),
        };
      }
      if (method === 'getAccount') return { free: free.toString() };
      throw new Error(`unexpected ${method}`);
    },
  } as unknown as ConsensusClient;
}

async function proxy(endpoints: Map<number, string>, opts: { metering?: (e: MeteringEvent) => void; resolve?: Resolver; privateEndpoints?: boolean; timeoutMs?: number }): Promise<FastifyInstance> {
  const app = Fastify();
  registerAccessProxy(app, consensusStub(endpoints, MIN), { privateEndpoints: opts.privateEndpoints ?? true, metering: opts.metering, resolve: opts.resolve, timeoutMs: opts.timeoutMs });
  await app.ready();
  return app;
}

async function signedInject(app: FastifyInstance, id: number, path: string, body: string) {
  const ts = Date.now();
  const sig = alice.sign(accessPayload({ method: 'POST', path, timestampMs: ts, body: new TextEncoder().encode(body), provider: id }));
  return app.inject({
    method: 'POST',
    url: `/v1/access/${id}${path}`,
    headers: { 'content-type': 'application/json', [ACCESS_HEADERS.account]: ss58Encode(alice.publicKey, 42), [ACCESS_HEADERS.timestamp]: String(ts), [ACCESS_HEADERS.signature]: toHex(sig) },
    payload: body,
  });
}

before(async () => {
  await cryptoReady();
  alice = keyFromUri('//Alice', 'sr25519');
  provider = createServer((req, res) => {
    hits++;
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      const status = req.url?.endsWith('/fail') ? 500 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, received: size }));
    });
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  nats = await startNats({ auth: { chainId: CHAIN } });
  gatewayNc = await connect({ servers: new URL(await nats.urlFor('gateway', 'gateway')).host, ...userOf(await nats.urlFor('gateway', 'gateway')) });
  operatorNc = await connect({ servers: new URL(nats.url).host, ...userOf(nats.url) });
});

after(async () => {
  await gatewayNc?.close();
  await operatorNc?.close();
  await nats?.stop();
  provider?.close();
});

function userOf(url: string): { user?: string; pass?: string } {
  const u = new URL(url);
  return u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : {};
}

async function take(sub: Subscription, n: number, ms = 5_000): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  const timer = setTimeout(() => sub.unsubscribe(), ms);
  for await (const m of sub) {
    out.push(m.json());
    if (out.length === n) break;
  }
  clearTimeout(timer);
  return out;
}

const port = () => (provider.address() as AddressInfo).port;

describe('access metering', () => {
  it('each proxied request is one NATS event (provider, caller, bytes, status, duration) under the gateway user, and counted', async () => {
    const meter = new AccessMeter(CHAIN, { publish: (s, d) => gatewayNc.publish(s, d) });
    const app = await proxy(new Map([[4, `http://127.0.0.1:${port()}/agent`]]), { metering: (e) => meter.record(e) });
    const sub = operatorNc.subscribe(`bai.${CHAIN}.metering.>`);
    await operatorNc.flush();
    const ok = await signedInject(app, 4, '/evaluate', '{"positions":[1,2,3]}');
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(JSON.parse(ok.body), { path: '/agent/evaluate', received: 21 });
    const failed = await signedInject(app, 4, '/fail', '{}');
    assert.equal(failed.statusCode, 500);
    // Refused before forwarding: no event.
    const unknown = await signedInject(app, 9, '/evaluate', '{}');
    assert.equal(unknown.statusCode, 404);
    await gatewayNc.flush();
    const events = await take(sub, 2);
    assert.equal(events.length, 2, 'exactly one event per forwarded request');
    const caller = toHex(alice.publicKey);
    assert.deepEqual(
      events.map(({ durationMs, ...rest }) => {
        assert.ok(typeof durationMs === 'number' && durationMs >= 0);
        return rest;
      }),
      [
        { type: 'access', provider: 4, account: caller, method: 'POST', path: '/evaluate', status: 200, error: '', requestBytes: 21, responseBytes: ok.body.length },
        { type: 'access', provider: 4, account: caller, method: 'POST', path: '/fail', status: 500, error: '', requestBytes: 2, responseBytes: failed.body.length },
      ],
    );
    const text = await meter.registry.metrics();
    assert.match(text, /bai_access_requests_total\{provider="4",status="200"\} 1/);
    assert.match(text, /bai_access_requests_total\{provider="4",status="500"\} 1/);
    assert.match(text, /bai_access_bytes_total\{provider="4",direction="request"\} 23/);
    assert.match(text, /bai_access_metering_dropped_total 0/);
    assert.equal(meteringSubject(CHAIN, 4), `bai.${CHAIN}.metering.access.4`);
    await app.close();
  });

  it('a body over the limit is 413 REQUEST_TOO_LARGE before any check, and reaches no provider', async () => {
    const app = await proxy(new Map([[4, `http://127.0.0.1:${port()}/`]]), {});
    const before_ = hits;
    const res = await signedInject(app, 4, '/evaluate', 'x'.repeat(1024 * 1024 + 1));
    assert.deepEqual([res.statusCode, JSON.parse(res.body).code], [413, 'REQUEST_TOO_LARGE']);
    assert.equal(hits, before_);
    await app.close();
  });

  it('a provider that cannot be reached is metered with its code; without NATS the event is counted as dropped', async () => {
    const meter = new AccessMeter(CHAIN, null);
    const events: MeteringEvent[] = [];
    const app = await proxy(new Map([[5, 'http://127.0.0.1:1/']]), { metering: (e) => (events.push(e), meter.record(e)) });
    const down = await signedInject(app, 5, '/evaluate', '{}');
    assert.deepEqual([down.statusCode, JSON.parse(down.body).code], [502, 'PROVIDER_DOWN']);
    assert.deepEqual(events.map((e) => [e.provider, e.status, e.error]), [[5, 502, 'PROVIDER_DOWN']]);
    assert.match(await meter.registry.metrics(), /bai_access_metering_dropped_total 1/);
    await app.close();
  });
});

describe('endpoint pinning', () => {
  it('connects to the address it checked: a resolver that changes its answer to loopback after the check reaches nothing', async () => {
    let lookups = 0;
    const resolve: Resolver = async () => (lookups++ === 0 ? [{ address: '192.0.2.1', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    const app = await proxy(new Map([[6, `http://provider.test:${port()}/`]]), { resolve, privateEndpoints: false, timeoutMs: 500 });
    const before = hits;
    const res = await signedInject(app, 6, '/evaluate', '{}');
    const code = JSON.parse(res.body).code;
    assert.ok(['PROVIDER_TIMEOUT', 'PROVIDER_DOWN'].includes(code), res.body);
    assert.equal(res.statusCode, code === 'PROVIDER_TIMEOUT' ? 504 : 502);
    assert.equal(lookups, 1, 'the host is resolved once per request');
    assert.equal(hits, before, 'the loopback provider was never reached');
    // The resolver's second answer (loopback) is refused outright at the next request.
    const next = await signedInject(app, 6, '/evaluate', '{}');
    assert.deepEqual([next.statusCode, JSON.parse(next.body).code], [403, 'PROVIDER_ENDPOINT_PRIVATE']);
    assert.equal(hits, before);
    await app.close();
  });

  it('the pinned address is the one connected to (a name only the test resolver knows reaches the provider)', async () => {
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const app = await proxy(new Map([[7, `http://provider.test:${port()}/x`]]), { resolve, privateEndpoints: true });
    const res = await signedInject(app, 7, '/evaluate', '{}');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(JSON.parse(res.body), { path: '/x/evaluate', received: 2 });
    await app.close();
  });
});
