// The chain's event stream on a 3-node NATS cluster (issue 15): a validator that creates it gives it the
// configured replicas (BAI_NATS_STREAM_REPLICAS), and one that finds it with fewer leaves it as it is.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsConnectOptions, startNats, type NatsServer } from '@balanceai/testing';
import { FinalizedPublisher, streamName } from '../src/events/finalized-publisher.js';

let nats: NatsServer;
let nc: NatsConnection;

before(async () => {
  nats = await startNats({ nodes: 3 });
  nc = await connect({ ...natsConnectOptions(nats.url), maxReconnectAttempts: -1 });
});

after(async () => {
  await nc?.close();
  await nats?.stop();
});

test('a validator creating the stream gives it the configured replicas', async () => {
  await new FinalizedPublisher(nc, 'replicas-three', 3).ensureStream();
  const info = await (await jetstreamManager(nc)).streams.info(streamName('replicas-three'));
  assert.equal(info.config.num_replicas, 3);
  assert.equal(info.cluster?.replicas?.length, 2, 'a leader and two followers');
});

test('the default stays 1 replica, and a stream found with fewer replicas is used as it is', async () => {
  await new FinalizedPublisher(nc, 'replicas-one').ensureStream();
  await new FinalizedPublisher(nc, 'replicas-one', 3).ensureStream();
  const info = await (await jetstreamManager(nc)).streams.info(streamName('replicas-one'));
  assert.equal(info.config.num_replicas, 1);
});
