// The devnet's NATS users and permissions against a real nats-server started with the generated
// configuration (issue 9, finding 5): who may connect, publish gossip or finalized blocks, and use the
// JetStream API. JetStream calls are raw $JS.API requests so each test names the subject it is about.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { chainStreamName, natsConnectOptions, startNats, type NatsServer } from '../src/index.js';

const CHAIN = 'balanceai-authtest';
const STREAM = chainStreamName(CHAIN);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const parse = (m: Msg) => JSON.parse(new TextDecoder().decode(m.data)) as { error?: { code: number; description: string } } & Record<string, unknown>;

let nats: NatsServer;
const open: NatsConnection[] = [];

async function as(url: string): Promise<NatsConnection> {
  const nc = await connect({ ...natsConnectOptions(url), reconnect: false });
  open.push(nc);
  return nc;
}

/** Subscribes with the operator's connection and collects what arrives on `subject`. */
async function watch(subject: string): Promise<{ received: string[] }> {
  const operator = await as(nats.url);
  const seen = { received: [] as string[] };
  operator.subscribe(subject, {
    callback: (_err, m) => {
      seen.received.push(`${m.subject} ${m.string()}`);
    },
  });
  await operator.flush();
  return seen;
}

/** Publishes and waits until the server has seen it (and answered a permission error, if any). */
async function publish(nc: NatsConnection, subject: string, body: string): Promise<void> {
  nc.publish(subject, body);
  await nc.flush();
  await new Promise((r) => setTimeout(r, 150));
}

async function refused(what: Promise<unknown>): Promise<void> {
  await assert.rejects(what, (err: Error) => /permission|timeout|no responders/i.test(`${err.name} ${err.message} ${String((err as { cause?: unknown }).cause ?? '')}`));
}

before(async () => {
  delete process.env.NATS_URL; // this test is about the server the harness configures
  nats = await startNats({ auth: { chainId: CHAIN } });
});

after(async () => {
  for (const nc of open) await nc.close().catch(() => {});
  await nats?.stop();
});

describe('devnet NATS: one user per service, subject permissions, no anonymous connections', () => {
  it('refuses an anonymous client and a wrong password', async () => {
    await assert.rejects(connect({ servers: nats.plainUrl, reconnect: false }), /Authorization Violation/i);
    const validator = natsConnectOptions(await nats.urlFor('validator-0', 'validator'));
    await assert.rejects(connect({ servers: validator.servers, user: 'validator-0', pass: `${validator.pass}x`, reconnect: false }), /Authorization Violation/i);
    await assert.rejects(connect({ servers: validator.servers, user: 'gateway', pass: validator.pass, reconnect: false }), /Authorization Violation/i);
  });

  it("lets a validator gossip and publish its chain's finalized blocks, nothing of another chain", async () => {
    const seen = await watch('>');
    const v0 = await as(await nats.urlFor('validator-0', 'validator'));
    for (const kind of ['proposal', 'vote', 'txs', 'status', 'sync']) await publish(v0, `p2p.${CHAIN}.${kind}`, kind);
    await publish(v0, `bai.${CHAIN}.blocks.finalized`, 'block');
    await publish(v0, `bai.${CHAIN}.events.staking.Bonded`, 'event');
    await publish(v0, `p2p.other-chain.vote`, 'foreign');
    await publish(v0, `bai.other-chain.blocks.finalized`, 'foreign');
    await publish(v0, 'anything.else', 'foreign');
    assert.deepEqual(
      seen.received.filter((r) => !r.startsWith('$JS') && !r.startsWith('_INBOX')),
      [
        `p2p.${CHAIN}.proposal proposal`,
        `p2p.${CHAIN}.vote vote`,
        `p2p.${CHAIN}.txs txs`,
        `p2p.${CHAIN}.status status`,
        `p2p.${CHAIN}.sync sync`,
        `bai.${CHAIN}.blocks.finalized block`,
        `bai.${CHAIN}.events.staking.Bonded event`,
      ],
    );
  });

  it('lets a validator answer a sync request (allow_responses) from another validator', async () => {
    const v0 = await as(await nats.urlFor('validator-0', 'validator'));
    const v1 = await as(await nats.urlFor('validator-1', 'validator'));
    v0.subscribe(`p2p.${CHAIN}.sync`, {
      callback: (_err, m) => {
        m.respond('blocks');
      },
    });
    await v0.flush();
    assert.equal((await v1.request(`p2p.${CHAIN}.sync`, 'from 1', { timeout: 2_000 })).string(), 'blocks');
  });

  it('keeps the gateway from publishing gossip, blocks or events: it only reads the stream', async () => {
    const seen = await watch('>');
    const gateway = await as(await nats.urlFor('gateway', 'gateway'));
    for (const subject of [`p2p.${CHAIN}.status`, `p2p.${CHAIN}.vote`, `p2p.${CHAIN}.txs`, `bai.${CHAIN}.blocks.finalized`, `bai.${CHAIN}.events.emissions.Minted`]) {
      await publish(gateway, subject, 'forged');
    }
    assert.deepEqual(seen.received.filter((r) => r.endsWith('forged')), []);
  });

  it('lets the gateway publish its access metering events, and nothing else under bai.<chain>', async () => {
    const seen = await watch('>');
    const gateway = await as(await nats.urlFor('gateway', 'gateway'));
    await publish(gateway, `bai.${CHAIN}.metering.access.7`, 'metered');
    for (const subject of [`bai.${CHAIN}.meteringx`, `bai.other-chain.metering.access.7`, `bai.${CHAIN}.blocks.metering`]) await publish(gateway, subject, 'forged');
    assert.deepEqual(seen.received.filter((r) => r.endsWith('metered') || r.endsWith('forged')), [`bai.${CHAIN}.metering.access.7 metered`]);
  });

  it('lets a validator create and inspect the stream, and nobody but the operator delete or change it', async () => {
    const v0 = await as(await nats.urlFor('validator-0', 'validator'));
    const created = parse(await v0.request(`$JS.API.STREAM.CREATE.${STREAM}`, json({ name: STREAM, subjects: [`bai.${CHAIN}.>`], duplicate_window: 120_000_000_000 }), { timeout: 5_000 }));
    assert.equal(created.error, undefined, JSON.stringify(created.error));
    assert.equal(parse(await v0.request(`$JS.API.STREAM.INFO.${STREAM}`, '', { timeout: 5_000 })).error, undefined);
    const gateway = await as(await nats.urlFor('gateway', 'gateway'));
    for (const nc of [v0, gateway]) {
      await refused(nc.request(`$JS.API.STREAM.DELETE.${STREAM}`, '', { timeout: 1_000 }));
      await refused(nc.request(`$JS.API.STREAM.PURGE.${STREAM}`, '', { timeout: 1_000 }));
      await refused(nc.request(`$JS.API.STREAM.UPDATE.${STREAM}`, json({ name: STREAM, subjects: ['>'] }), { timeout: 1_000 }));
    }
    await refused(gateway.request(`$JS.API.STREAM.CREATE.OTHER`, json({ name: 'OTHER', subjects: ['x.>'] }), { timeout: 1_000 }));
    const operator = await as(nats.url);
    assert.deepEqual(parse(await operator.request(`$JS.API.STREAM.INFO.${STREAM}`, '', { timeout: 5_000 })).error, undefined, 'the stream survived');
  });

  it('lets the gateway read finalized blocks through a consumer, which a validator may not create', async () => {
    const v0 = await as(await nats.urlFor('validator-0', 'validator'));
    await v0.request(`$JS.API.STREAM.CREATE.${STREAM}`, json({ name: STREAM, subjects: [`bai.${CHAIN}.>`] }), { timeout: 5_000 });
    await publish(v0, `bai.${CHAIN}.blocks.finalized`, '{"number":1}');
    const config = (name: string) => json({ stream_name: STREAM, config: { name, filter_subject: `bai.${CHAIN}.blocks.finalized`, ack_policy: 'none', deliver_policy: 'last', inactive_threshold: 10_000_000_000 } });
    await refused(v0.request(`$JS.API.CONSUMER.CREATE.${STREAM}.v0.bai.${CHAIN}.blocks.finalized`, config('v0'), { timeout: 1_000 }));
    const gateway = await as(await nats.urlFor('gateway', 'gateway'));
    const consumer = parse(await gateway.request(`$JS.API.CONSUMER.CREATE.${STREAM}.gw.bai.${CHAIN}.blocks.finalized`, config('gw'), { timeout: 5_000 }));
    assert.equal(consumer.error, undefined, JSON.stringify(consumer.error));
    const next = await gateway.request(`$JS.API.CONSUMER.MSG.NEXT.${STREAM}.gw`, json({ batch: 1, expires: 2_000_000_000 }), { timeout: 5_000, noMux: true }); // delivered under the block's subject
    assert.equal(next.string(), '{"number":1}');
  });
});
