// The devnet's 3-node NATS cluster (issue 15) on real nats-server processes: the nodes route to each
// other, refuse anonymous clients, and the chain's stream, replicated 3 times, keeps taking finalized
// blocks when its leader's node is killed (SIGKILL); the node comes back and catches up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import { chainStreamName, createChainStream, jetstreamRequest, natsConnectOptions, startNats, waitFor, type NatsServer } from '../src/index.js';

const CHAIN = 'balanceai-clustertest';
const STREAM = chainStreamName(CHAIN);
let nats: NatsServer;
const open: NatsConnection[] = [];

async function as(url: string, reconnect = false): Promise<NatsConnection> {
  const nc = await connect({ ...natsConnectOptions(url), reconnect, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
  open.push(nc);
  return nc;
}

interface StreamInfo {
  state: { last_seq: number; messages: number };
  config: { num_replicas: number };
  cluster: { leader?: string; replicas?: Array<{ name: string; current: boolean; offline?: boolean }> };
}

async function streamInfo(nc: NatsConnection): Promise<StreamInfo> {
  const r = await jetstreamRequest(nc, `$JS.API.STREAM.INFO.${STREAM}`);
  if (r.error) throw new Error(r.error.description);
  return r as unknown as StreamInfo;
}

/** Publishes a finalized-block notice as a validator does (core publish, Nats-Msg-Id for dedupe). */
function publishBlock(nc: NatsConnection, n: number): void {
  const h = headers();
  h.set('Nats-Msg-Id', `block-${n}`);
  nc.publish(`bai.${CHAIN}.blocks.finalized`, JSON.stringify({ number: n }), { headers: h });
}

before(async () => {
  delete process.env.NATS_URL; // this test is about the servers the harness starts
  nats = await startNats({ nodes: 3, auth: { chainId: CHAIN } });
});

after(async () => {
  for (const nc of open) await nc.close().catch(() => {});
  await nats?.stop();
});

describe('devnet NATS cluster: 3 nodes, per-service users, the chain stream replicated 3 times', () => {
  it('each node routes to the two others and refuses anonymous clients', async () => {
    assert.equal(nats.nodes.length, 3);
    assert.equal(nats.plainUrl.split(',').length, 3);
    for (const node of nats.nodes) {
      const routez = (await (await fetch(`${node.monitorUrl}/routez`)).json()) as { num_routes: number };
      assert.equal(routez.num_routes, 2, `${node.name} routes`);
      await assert.rejects(connect({ servers: node.url, reconnect: false }), /Authorization Violation/i);
    }
  });

  it("a user added later (SIGHUP) works on every node, and messages cross the cluster", async () => {
    const url = await nats.urlFor('validator-0', 'validator');
    const { servers, user, pass } = natsConnectOptions(url);
    assert.equal(servers.length, 3);
    const got: string[] = [];
    const subscriber = await connect({ servers: servers[2]!, user, pass, reconnect: false });
    open.push(subscriber);
    subscriber.subscribe(`p2p.${CHAIN}.vote`, { callback: (_e, m) => void got.push(m.string()) });
    await subscriber.flush();
    const publisher = await connect({ servers: servers[0]!, user, pass, reconnect: false });
    open.push(publisher);
    publisher.publish(`p2p.${CHAIN}.vote`, 'from node 0');
    await publisher.flush();
    await waitFor('the vote on node 2', async () => (got.length > 0 ? true : undefined), 5_000, 20);
    assert.deepEqual(got, ['from node 0']);
  });

  it('the stream keeps taking blocks when its leader is killed, and the node catches up when it is back', async () => {
    await createChainStream(nats, CHAIN, 3);
    const operator = await as(nats.url, true);
    const validator = await as(await nats.urlFor('validator-1', 'validator'), true);
    const before = await streamInfo(operator);
    assert.equal(before.config.num_replicas, 3);
    assert.equal(before.cluster.replicas?.length, 2);
    let n = 0;
    for (; n < 20; n++) publishBlock(validator, n);
    await validator.flush();
    await waitFor('20 blocks stored', async () => ((await streamInfo(operator)).state.messages === 20 ? true : undefined), 10_000);

    const leader = (await streamInfo(operator)).cluster.leader!;
    const k = nats.nodes.findIndex((node) => node.name === leader);
    assert.ok(k >= 0, `leader ${leader} is one of ours`);
    await nats.killNode(k);
    assert.equal(nats.isNodeRunning(k), false);

    // A new leader among the two left; blocks published meanwhile (clients reconnect to live nodes) are kept.
    const t0 = Date.now();
    const newLeader = await waitFor('a new stream leader', async () => {
      const info = await streamInfo(operator).catch(() => undefined);
      return info?.cluster.leader && info.cluster.leader !== leader ? info.cluster.leader : undefined;
    }, 30_000, 200);
    console.log(`# stream leader ${leader} killed; ${newLeader} leads after ${Date.now() - t0} ms`);
    await waitFor('blocks stored after the kill', async () => {
      publishBlock(validator, n++);
      await validator.flush();
      const info = await streamInfo(operator);
      return info.state.messages >= 30 ? info : undefined;
    }, 30_000, 100);
    // Duplicates (the same Nats-Msg-Id from several validators) still count once.
    publishBlock(validator, 0);
    await validator.flush();

    await nats.startNode(k);
    const caughtUp = await waitFor('the restarted node current again', async () => {
      const info = await streamInfo(operator);
      const replica = info.cluster.replicas?.find((r) => r.name === leader) ?? (info.cluster.leader === leader ? { current: true } : undefined);
      return replica?.current ? info : undefined;
    }, 60_000, 250);
    assert.equal(caughtUp.state.messages, n, 'every block once, none lost, no duplicate');
    const routez = (await (await fetch(`${nats.nodes[k]!.monitorUrl}/routez`)).json()) as { num_routes: number };
    assert.equal(routez.num_routes, 2, 'the restarted node routes to both others again');
  });
});
