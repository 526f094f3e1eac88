import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
// Types only: the module itself is imported after tracing starts (see before()).
import type * as Grpc from '@grpc/grpc-js';
import { startTestTracing, type TestTracing } from '../src/telemetry/test-tracing.js';
import { currentSpanContext, inSpan } from '../src/telemetry/tracing.js';

interface Echo {
  text: string;
  handlerTraceId?: string;
}
const json = {
  serialize: (v: Echo) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString('utf8')) as Echo,
};
const EchoService: Grpc.ServiceDefinition = {
  Say: {
    path: '/balanceai.test.v1.EchoService/Say',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

let tracing: TestTracing;
let server: Grpc.Server;
let client: Grpc.Client & { Say: (req: Echo, cb: (err: Grpc.ServiceError | null, res: Echo) => void) => Grpc.ClientUnaryCall };

before(async () => {
  tracing = startTestTracing();
  // An ESM import of a CommonJS package snapshots its exports: grpc-js must be imported after the
  // instrumentation patched makeGenericClientConstructor (in a service the preload's loader hook does this).
  const grpc = await import('@grpc/grpc-js');
  server = new grpc.Server();
  server.addService(EchoService, {
    Say: (call: Grpc.ServerUnaryCall<Echo, Echo>, callback: Grpc.sendUnaryData<Echo>) => {
      inSpan('handle say', {}, () => callback(null, { text: call.request.text, handlerTraceId: currentSpanContext()?.traceId }));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const Client = grpc.makeGenericClientConstructor(EchoService, 'EchoService');
  client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as typeof client;
});
after(async () => {
  client?.close();
  await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
  await tracing?.shutdown();
});

test('a grpc-js call yields a CLIENT span and a SERVER span in one trace, the server span a child of the client span', async () => {
  tracing.exporter.reset();
  const { reply, traceId } = await inSpan('gateway submit', {}, async (span) => ({
    reply: await new Promise<Echo>((resolve, reject) => client.Say({ text: 'hi' }, (err, res) => (err ? reject(err) : resolve(res)))),
    traceId: span.spanContext().traceId,
  }));
  assert.equal(reply.text, 'hi');

  const spans = tracing.spans();
  const clientSpan = spans.find((s) => s.kind === SpanKind.CLIENT);
  const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
  assert.ok(clientSpan, `no client span among ${spans.map((s) => s.name).join(', ')}`);
  assert.ok(serverSpan, `no server span among ${spans.map((s) => s.name).join(', ')}`);
  assert.equal(clientSpan.name, 'grpc.balanceai.test.v1.EchoService/Say');
  assert.equal(serverSpan.name, 'grpc.balanceai.test.v1.EchoService/Say');
  assert.equal(clientSpan.attributes['rpc.system'], 'grpc');
  assert.equal(clientSpan.spanContext().traceId, traceId);
  assert.equal(serverSpan.spanContext().traceId, traceId);
  assert.equal(serverSpan.parentSpanContext?.spanId, clientSpan.spanContext().spanId);
  // The handler runs with the server span active.
  assert.equal(reply.handlerTraceId, traceId);
  const handler = spans.find((s) => s.name === 'handle say')!;
  assert.equal(handler.parentSpanContext?.spanId, serverSpan.spanContext().spanId);
});
