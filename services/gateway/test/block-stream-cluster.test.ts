// The gateway's block feed on a 3-node NATS cluster (issue 15): when the node its connection and its
// ordered consumer live on dies, the client moves to another node, and the feed must go on. Found by
// the devnet's nats-cluster e2e: the consumer never delivered again after the reconnect.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { DomainError } from '@balanceai/platform';
import { createChainStream, natsConnectOptions, startNats, type NatsServer } from '@balanceai/testing';
import { BlockStream, chainStreamName, finalizedBlocksSubject, type BlockSource } from '../src/index.js';
import { FakeValidator } from './support/fake-validator.js';

const CHAIN_ID = 'gw-cluster';
let nats: NatsServer;
let publisher: NatsConnection;
const validator = new FakeValidator();

/** Blocks come from the (fake) validator, as FinalizedRelay fetches them; NATS only says which is new. */
const source = {
  call: async (_method: string, req: { number: string }) => {
    const block = validator.blocks[Number(req.number)];
    if (!block) throw new DomainError('BLOCK_NOT_FOUND', 'no such block', 'not_found');
    return block;
  },
  bestKnownHeight: () => validator.blocks.length - 1,
} as unknown as BlockSource;

before(async () => {
  nats = await startNats({ nodes: 3 });
  await createChainStream(nats, CHAIN_ID, 3);
  publisher = await connect({ ...natsConnectOptions(nats.url), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
});

after(async () => {
  await publisher?.close();
  await nats?.stop();
});

/** Client names connected to node k (its /connz). */
async function clientsOn(k: number): Promise<string[]> {
  const res = await fetch(`${nats.nodes[k]!.monitorUrl}/connz?limit=1000`);
  const body = (await res.json()) as { connections?: Array<{ name?: string }> };
  return (body.connections ?? []).map((c) => c.name ?? '');
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The chain stream's consumers by name, each with the node it lives on (its leader). */
async function consumerNodes(): Promise<Map<string, number>> {
  const list = await nats.jetstream(`$JS.API.CONSUMER.LIST.${chainStreamName(CHAIN_ID)}`, {});
  const consumers = (list as { consumers?: Array<{ name: string; cluster?: { leader?: string } }> }).consumers ?? [];
  return new Map(consumers.map((c) => [c.name, nats.nodes.findIndex((n) => n.name === c.cluster?.leader)]));
}

/** The node the gateway's connection is on. */
async function gatewayNode(): Promise<number | undefined> {
  for (let k = 0; k < nats.nodes.length; k++) if ((await clientsOn(k)).includes('balanceai-gateway')) return k;
  return undefined;
}

/**
 * Starts feeds until one has its connection and its ordered consumer placed as `wanted` says, kills the
 * node its consumer lives on, and requires blocks announced afterwards to reach the feed, every height
 * once and in order. Then brings the node back.
 */
async function feedSurvivesKill(wanted: (connectedTo: number, consumerNode: number) => boolean, idleRestartMs: number): Promise<void> {
  let stream: BlockStream | undefined;
  let node = -1;
  const received: number[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; attempt < 40 && !stream; attempt++) {
    const candidate = new BlockStream({ natsUrl: nats.url, chainId: CHAIN_ID, retryMs: 200, idleRestartMs }, source);
    candidate.start();
    await candidate.whenConsuming();
    const connectedTo = await until('the gateway on a node', gatewayNode, 10_000);
    // Its consumer: the one that was not there before (closed feeds' consumers linger a while).
    const consumerNode = await until('its consumer', async () => {
      for (const [name, k] of await consumerNodes()) if (!seen.has(name) && k >= 0) return (seen.add(name), k);
      return undefined;
    }, 10_000);
    if (wanted(connectedTo, consumerNode)) {
      stream = candidate;
      node = consumerNode;
    } else {
      await candidate.close();
    }
  }
  assert.ok(stream, 'a feed placed as the test needs');
  stream.subscribe((message) => received.push(Number(message.number)));
  try {
    const js = jetstream(publisher);
    const publish = async () => {
      const block = validator.addBlock([]);
      await js.publish(finalizedBlocksSubject(CHAIN_ID), JSON.stringify({ number: block.number, hash: block.hash, parentHash: block.parentHash }), { msgID: block.hash });
      return Number(block.number);
    };
    const first = await publish();
    await until('the first block delivered', async () => (received.includes(first) ? true : undefined), 10_000);

    await nats.killNode(node);
    // Blocks go on being finalized and announced once the cluster has a new stream leader.
    const announced = await until('a block announced after the kill', publish, 45_000);
    const last = await until(`block ${announced} delivered`, async () => {
      if (received.includes(announced)) return announced;
      // One more announcement now and then, as finalization would make.
      await publish();
      return undefined;
    }, 30_000).catch(() => assert.fail(`no block announced after the kill reached the feed (received up to ${Math.max(...received)}, announced ${announced})`));
    // Every height once, in order: the relay fills what was announced while no consumer ran.
    const expected = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    assert.deepEqual(received.slice(received.indexOf(first), received.indexOf(last) + 1), expected);
  } finally {
    await stream.close();
    await nats.startNode(node);
    await until('the stream on 3 current replicas again', async () => {
      const info = (await nats.jetstream(`$JS.API.STREAM.INFO.${chainStreamName(CHAIN_ID)}`)) as { cluster?: { leader?: string; replicas?: Array<{ current: boolean }> } };
      return info.cluster?.leader && info.cluster.replicas?.length === 2 && info.cluster.replicas.every((r) => r.current) ? true : undefined;
    }, 30_000);
  }
}

test("the feed goes on after the NATS node holding the gateway's connection and its consumer is killed", async () => {
  // The case that stalled the devnet's feed: the client reconnects elsewhere, the consumer never delivers
  // again. The idle watchdog is set long, so only the reconnect handling can bring the feed back in time.
  await feedSurvivesKill((connectedTo, consumerNode) => connectedTo === consumerNode, 120_000);
});

test("the feed goes on after the NATS node holding only the gateway's consumer is killed", async () => {
  // The gateway's connection survives (no reconnect), its consumer died with its server and says nothing:
  // the idle watchdog replaces it.
  await feedSurvivesKill((connectedTo, consumerNode) => connectedTo !== consumerNode, 3_000);
});
