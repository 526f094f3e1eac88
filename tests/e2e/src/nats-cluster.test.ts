// Issue 15: the devnet on a 3-node NATS cluster (three local nats-server processes, routes between them,
// JetStream clustered, the chain's stream replicated 3 times, per-service users). Under steady transfer
// load, the node that holds the most clients and leads the chain stream is killed with SIGKILL:
// finalization goes on (height rises, every accepted transfer is final exactly once), the clients move
// to the two nodes left, the stream keeps taking finalized blocks under a new leader; the node is started
// again and rejoins with its replica current. The gateway's block feed across the kill is checked last:
// every height once, in order (the gateway replaces a JetStream consumer lost with its server).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { cryptoReady } from '@balanceai/chain';
import {
  Devnet,
  TransferLoad,
  appliedAmong,
  appliedSince,
  chainStreamName,
  doubleApplied,
  forks,
  health,
  ledgerViolations,
  type NatsNode,
} from '@balanceai/testing';
import { poll, sleep } from './client.js';

const N = 4;
const SENDERS = 16;
const RATE = 20; // transfers offered per second
const OUTAGE_MS = 25_000;

let net: Devnet;
/** Heights the gateway's WebSocket feed sent during the kill test, and the height range it covered. */
const streamed: number[] = [];
let feedRange = { from: 0, to: 0 };

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: N, natsNodes: 3, extraAccounts: SENDERS });
});

after(async () => {
  await net?.stop();
});

interface StreamInfo {
  state: { last_seq: number };
  config: { num_replicas: number };
  cluster: { leader?: string; replicas?: Array<{ name: string; current: boolean }> };
}

async function streamInfo(): Promise<StreamInfo> {
  const r = await net.nats.jetstream(`$JS.API.STREAM.INFO.${chainStreamName(net.genesis.chainId)}`);
  if (r.error) throw new Error(`stream info: ${r.error.description}`);
  return r as unknown as StreamInfo;
}

/** Client connections on a node by client name (bai-consensus, balanceai-gateway), from its /connz. */
async function clientsOn(node: NatsNode): Promise<Map<string, number>> {
  const body = (await (await fetch(`${node.monitorUrl}/connz`, { signal: AbortSignal.timeout(3_000) })).json()) as { connections?: Array<{ name?: string }> };
  const out = new Map<string, number>();
  for (const c of body.connections ?? []) out.set(c.name ?? '', (out.get(c.name ?? '') ?? 0) + 1);
  return out;
}

async function routesOf(node: NatsNode): Promise<number> {
  return ((await (await fetch(`${node.monitorUrl}/routez`, { signal: AbortSignal.timeout(3_000) })).json()) as { num_routes: number }).num_routes;
}

const count = (m: Map<string, number>, name: string) => m.get(name) ?? 0;
const topHeight = async () => Math.max(...(await health(net)).map((h) => h.height ?? 0));

test('the devnet runs 3 NATS nodes routed to each other, the chain stream on all 3, every service connected to one of them', async () => {
  assert.equal(net.nats.nodes.length, 3);
  for (const node of net.nats.nodes) assert.equal(await routesOf(node), 2, `${node.name} routes to both others`);
  const info = await streamInfo();
  assert.equal(info.config.num_replicas, 3);
  assert.equal(info.cluster.replicas?.length, 2);
  const clients = await Promise.all(net.nats.nodes.map(clientsOn));
  await poll('4 validators and the gateway on NATS', async () => {
    const all = await Promise.all(net.nats.nodes.map(clientsOn));
    const validators = all.reduce((s, m) => s + count(m, 'bai-consensus'), 0);
    const gateway = all.reduce((s, m) => s + count(m, 'balanceai-gateway'), 0);
    return validators === N && gateway === 1 ? true : undefined;
  }, 30_000);
  console.log(`# clients per node: ${clients.map((m, k) => `${net.nats.nodes[k]!.name} ${count(m, 'bai-consensus')}+${count(m, 'balanceai-gateway')}`).join(', ')}`);
  await poll('finalized height 3', async () => ((await topHeight()) >= 3 ? true : undefined), 60_000);
});

test('SIGKILL of the NATS node with the most clients, leading the chain stream, under transfer load: finalization goes on and it rejoins', async () => {
  const load = new TransferLoad(net.gatewayUrl, SENDERS);
  let scanned = await topHeight();
  const startHeight = scanned;
  let running = true;

  // The gateway's block feed, through the whole run (checked in the last test).
  const ws = new WebSocket(`${net.gatewayUrl.replace('http', 'ws')}/v1/ws/blocks`);
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; number: number };
    if (m.type === 'block') streamed.push(m.number);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });

  const observe = async () => {
    for (let i = 0; i < N; i++) {
      try {
        const r = await appliedSince(net, i, scanned);
        if (r.top < scanned) continue;
        scanned = r.top;
        await load.settle(r.hashes);
        return;
      } catch {
        // try the next validator's store
      }
    }
  };
  await load.refresh();
  const sender = setInterval(() => {
    for (let k = 0; k < RATE / 10; k++) load.send();
  }, 100);
  const refresher = setInterval(() => void load.refresh().catch(() => {}), 1_000);
  const observer = (async () => {
    while (running) {
      await observe().catch(() => {});
      await sleep(1_000);
    }
  })();

  try {
    await sleep(8_000);
    // The target: the node with the most clients (of 5, at least 2), made the stream's leader.
    const clients = await Promise.all(net.nats.nodes.map(clientsOn));
    const busiest = clients.reduce((best, m, k) => (count(m, 'bai-consensus') + count(m, 'balanceai-gateway') > count(clients[best]!, 'bai-consensus') + count(clients[best]!, 'balanceai-gateway') ? k : best), 0);
    const target = net.nats.nodes[busiest]!;
    for (let tries = 0; tries < 10 && (await streamInfo()).cluster.leader !== target.name; tries++) {
      const previous = (await streamInfo()).cluster.leader;
      await net.nats.jetstream(`$JS.API.STREAM.LEADER.STEPDOWN.${chainStreamName(net.genesis.chainId)}`);
      await poll('a new stream leader', async () => {
        const leader = (await streamInfo()).cluster.leader;
        return leader && leader !== previous ? leader : undefined;
      }, 20_000);
    }
    const before = await streamInfo();
    const targetClients = count(clients[busiest]!, 'bai-consensus') + count(clients[busiest]!, 'balanceai-gateway');
    console.log(`# killing ${target.name}: ${count(clients[busiest]!, 'bai-consensus')} validators + ${count(clients[busiest]!, 'balanceai-gateway')} gateway connected, stream leader ${before.cluster.leader}`);
    assert.ok(targetClients >= 2, 'the busiest node has at least 2 of the 5 clients');

    const killHeight = await topHeight();
    const acceptedAtKill = load.figures.accepted;
    const killedAt = Date.now();
    await net.killNatsNode(busiest);
    const others = net.nats.nodes.filter((_, k) => k !== busiest);

    // Height sampled every 500 ms through the outage: the longest time without a new finalized block.
    let last = killHeight;
    let lastRiseAt = killedAt;
    let longestStallMs = 0;
    let reconnectedMs: number | null = null;
    let newLeader: string | undefined;
    let newLeaderMs: number | null = null;
    while (Date.now() - killedAt < OUTAGE_MS) {
      await sleep(500);
      const h = await topHeight();
      if (h > last) {
        longestStallMs = Math.max(longestStallMs, Date.now() - lastRiseAt);
        last = h;
        lastRiseAt = Date.now();
      }
      if (reconnectedMs === null) {
        const all = await Promise.all(others.map(clientsOn)).catch(() => null);
        if (all && all.reduce((s, m) => s + count(m, 'bai-consensus'), 0) === N && all.reduce((s, m) => s + count(m, 'balanceai-gateway'), 0) === 1) {
          reconnectedMs = Date.now() - killedAt;
        }
      }
      if (!newLeader) {
        newLeader = await streamInfo().then((i) => (i.cluster.leader && i.cluster.leader !== target.name ? i.cluster.leader : undefined)).catch(() => undefined);
        if (newLeader) newLeaderMs = Date.now() - killedAt;
      }
    }
    longestStallMs = Math.max(longestStallMs, Date.now() - lastRiseAt);
    const outageHeight = await topHeight();
    const duringStream = await streamInfo();
    const acceptedDuring = load.figures.accepted - acceptedAtKill;
    console.log(
      `# ${target.name} down ${OUTAGE_MS} ms: height ${killHeight} → ${outageHeight}, longest stall ${longestStallMs} ms, ` +
        `all clients on the other nodes after ${reconnectedMs ?? 'never'} ms, stream leader ${newLeader ?? 'none'} after ${newLeaderMs ?? '-'} ms, ` +
        `stream seq ${before.state.last_seq} → ${duringStream.state.last_seq}, ${acceptedDuring} transfers accepted meanwhile`,
    );
    assert.ok(outageHeight >= killHeight + 10, `finalization went on: ${outageHeight - killHeight} blocks in ${OUTAGE_MS} ms`);
    assert.notEqual(reconnectedMs, null, 'every validator and the gateway reconnected to the two nodes left');
    assert.ok(newLeader && newLeader !== target.name, 'the stream elected a leader among the nodes left');
    assert.ok(duringStream.state.last_seq > before.state.last_seq + 5, 'the stream kept taking finalized blocks');
    assert.ok(acceptedDuring > 50, `transfers were accepted during the outage (${acceptedDuring})`);

    // Back: the node rejoins the cluster and its replica of the stream catches up.
    const restartedAt = Date.now();
    await net.startNatsNode(busiest);
    await poll(`${target.name} routes to both others`, async () => ((await routesOf(target)) === 2 ? true : undefined), 30_000);
    await poll(`${target.name}'s replica current`, async () => {
      const info = await streamInfo();
      const replica = info.cluster.leader === target.name ? { current: true } : info.cluster.replicas?.find((r) => r.name === target.name);
      return replica?.current ? true : undefined;
    }, 60_000);
    console.log(`# ${target.name} rejoined with its replica current ${Date.now() - restartedAt} ms after its start`);
    const rejoinHeight = await topHeight();
    await poll('5 more blocks after the rejoin', async () => ((await topHeight()) >= rejoinHeight + 5 ? true : undefined), 30_000);
  } finally {
    clearInterval(sender);
  }

  // Drain: every accepted transfer final (TransferLoad resubmits the same bytes if one was dropped).
  await poll('every accepted transfer final', async () => (load.pending === 0 ? true : undefined), 90_000, 1_000).catch(() => {});
  running = false;
  await observer;
  clearInterval(refresher);
  const top = (await health(net)).reduce((best, h) => ((h.height ?? -1) > (best.height ?? -1) ? h : best));
  await load.settle(await appliedAmong(net, top.validator, load.pendingHashes()));
  ws.close();

  console.log(`# load: ${JSON.stringify(load.figures)}; ${load.final.size} final; heights ${startHeight} → ${top.height}`);
  assert.equal(load.pending, 0, `accepted transfers never final: ${load.pendingHashes().slice(0, 3).join(', ')}`);
  assert.ok(load.figures.accepted > 200, `the load ran (${load.figures.accepted} accepted)`);
  for (let i = 0; i < N; i++) assert.deepEqual(await doubleApplied(net, i), [], `validator ${i}: nothing applied twice`);
  assert.deepEqual(await forks(net), []);
  assert.deepEqual(await ledgerViolations(net), []);
  feedRange = { from: startHeight, to: top.height ?? 0 };
});

// Found by this test: after its NATS node died, the gateway's client reconnected to another node but its
// ordered consumer (@nats-io/jetstream 3.4 consumers.get + consume) never delivered again when it lived on
// the killed node, so /v1/ws/blocks stopped. The gateway now starts a new consumer on the connection's
// 'reconnect' (services/gateway/src/stream/block-stream.ts), and FinalizedRelay fills the heights between.
test("the gateway's WebSocket feed streamed every height once, in order, across the NATS node's death", () => {
  console.log(`# gateway feed: ${streamed.length} blocks streamed, heights ${streamed[0]} → ${streamed[streamed.length - 1]}; the chain went ${feedRange.from} → ${feedRange.to}`);
  assert.ok(streamed.length > 20, `blocks streamed (${streamed.length})`);
  const gaps = streamed.slice(1).filter((h, k) => h !== streamed[k]! + 1);
  assert.deepEqual(gaps, [], 'no height skipped or repeated');
  assert.ok(streamed[streamed.length - 1]! >= feedRange.to - 3, 'the feed followed the chain to the end of the run');
});
