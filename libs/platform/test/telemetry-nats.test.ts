import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { connect, headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { startTestTracing, type TestTracing } from '../src/telemetry/test-tracing.js';
import { publishWithTrace, withNatsMessageSpan, injectNatsHeaders } from '../src/telemetry/nats.js';
import { inSpan } from '../src/telemetry/tracing.js';
import { startNatsServer } from './support.js';

let nats: Awaited<ReturnType<typeof startNatsServer>>;
let publisher: NatsConnection;
let consumer: NatsConnection;
let tracing: TestTracing;

before(async () => {
  tracing = startTestTracing({ instrumentations: false });
  nats = await startNatsServer();
  publisher = await connect({ servers: nats.url });
  consumer = await connect({ servers: nats.url });
});
after(async () => {
  await publisher?.close();
  await consumer?.close();
  await nats?.stop();
  await tracing?.shutdown();
});

function nextMessage(nc: NatsConnection, subject: string): Promise<Msg> {
  return new Promise((resolve, reject) => {
    nc.subscribe(subject, { max: 1, callback: (err, msg) => (err ? reject(err) : resolve(msg)) });
  });
}

test('a published message is processed in a CONSUMER span whose parent is the PRODUCER span', async () => {
  tracing.exporter.reset();
  const subject = 'bai.devnet.blocks.finalized';
  const received = nextMessage(consumer, subject);
  await consumer.flush();

  const given = headers();
  given.set('Nats-Msg-Id', '0xabc');
  publishWithTrace(publisher, subject, JSON.stringify({ number: 7 }), { headers: given });
  const msg = await received;
  const handled = await withNatsMessageSpan(msg, async () => {
    await new Promise((r) => setTimeout(r, 1));
    return inSpan('apply block', {}, () => 'applied');
  });
  assert.equal(handled, 'applied');

  // Headers given by the caller survive, next to the W3C trace context; the caller's object is untouched.
  assert.equal(msg.headers?.get('Nats-Msg-Id'), '0xabc');
  assert.match(msg.headers?.get('traceparent') ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  assert.equal(given.has('traceparent'), false);

  const producer = tracing.spans().find((s) => s.name === `publish ${subject}`)!;
  const process = tracing.spans().find((s) => s.name === `process ${subject}`)!;
  const child = tracing.spans().find((s) => s.name === 'apply block')!;
  assert.equal(producer.kind, SpanKind.PRODUCER);
  assert.equal(process.kind, SpanKind.CONSUMER);
  assert.equal(producer.attributes['messaging.system'], 'nats');
  assert.equal(producer.attributes['messaging.destination.name'], subject);
  assert.equal(producer.attributes['messaging.operation.type'], 'send');
  assert.equal(producer.attributes['messaging.message.id'], '0xabc');
  assert.equal(process.attributes['messaging.system'], 'nats');
  assert.equal(process.attributes['messaging.destination.name'], subject);
  assert.equal(process.attributes['messaging.operation.type'], 'process');
  assert.equal(process.spanContext().traceId, producer.spanContext().traceId);
  assert.equal(process.parentSpanContext?.spanId, producer.spanContext().spanId);
  assert.equal(child.parentSpanContext?.spanId, process.spanContext().spanId);
});

test('a publish inside an active span continues that trace', async () => {
  tracing.exporter.reset();
  const subject = 'bai.devnet.txs';
  const received = nextMessage(consumer, subject);
  await consumer.flush();
  const traceId = inSpan('submit extrinsic', {}, (span) => {
    publishWithTrace(publisher, subject, new Uint8Array([1, 2, 3]));
    return span.spanContext().traceId;
  });
  withNatsMessageSpan(await received, () => {});
  const process = tracing.spans().find((s) => s.name === `process ${subject}`)!;
  assert.equal(process.spanContext().traceId, traceId);
  assert.equal(process.attributes['messaging.message.body.size'], 3);
});

test('a message without trace headers starts a new trace in its CONSUMER span', async () => {
  tracing.exporter.reset();
  const subject = 'bai.devnet.status';
  const received = nextMessage(consumer, subject);
  await consumer.flush();
  publisher.publish(subject, 'plain');
  withNatsMessageSpan(await received, () => {});
  const [span] = tracing.spans();
  assert.equal(span?.name, `process ${subject}`);
  assert.equal(span?.parentSpanContext, undefined);
});

test('JetStream: injectNatsHeaders next to Nats-Msg-Id carries the trace to a consumer', async () => {
  tracing.exporter.reset();
  const jsm = await jetstreamManager(publisher);
  // Names of its own: with NATS_URL the server may be shared with other runs.
  const stream = `TRACE_TEST_${process.pid}_${Date.now()}`;
  const subject = `bai.t${process.pid}x${Date.now()}.events.staking.Bonded`;
  await jsm.streams.add({ name: stream, subjects: [subject] });
  const js = jetstream(publisher);
  const producerSpanId = await inSpan(`publish ${subject}`, {}, async (span) => {
    const h = injectNatsHeaders();
    h.set('Nats-Msg-Id', 'blk:0');
    await js.publish(subject, '{}', { headers: h });
    return span.spanContext().spanId;
  }, { kind: SpanKind.PRODUCER });
  const c = await jetstream(consumer).consumers.get(stream);
  const jsMsg = await c.next({ expires: 5_000 });
  assert.ok(jsMsg);
  withNatsMessageSpan(jsMsg, () => jsMsg.ack());
  const processed = tracing.spans().find((s) => s.name === `process ${subject}`)!;
  assert.equal(processed.parentSpanContext?.spanId, producerSpanId);
  assert.equal(processed.attributes['messaging.message.id'], 'blk:0');
  await jsm.streams.delete(stream);
});
