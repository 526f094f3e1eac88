import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Metadata } from '@grpc/grpc-js';
import { startTestTracing, type TestTracing } from './test-tracing.js';
import {
  currentSpanContext,
  extractGrpcMetadata,
  inSpan,
  injectGrpcMetadata,
  linkTo,
  spanContextFromTraceparent,
  traceparentOf,
} from './tracing.js';

let tracing: TestTracing;
before(() => {
  tracing = startTestTracing({ instrumentations: false });
});
after(() => tracing.shutdown());
beforeEach(() => tracing.exporter.reset());

test('inSpan nests spans, returns the value of fn and ends the span', async () => {
  const value = await inSpan('outer', { 'bai.height': 7 }, async () => {
    await new Promise((r) => setTimeout(r, 1));
    return inSpan('inner', {}, () => 42);
  });
  assert.equal(value, 42);
  const [inner, outer] = tracing.spans();
  assert.equal(outer?.name, 'outer');
  assert.equal(outer?.attributes['bai.height'], 7);
  assert.equal(inner?.parentSpanContext?.spanId, outer?.spanContext().spanId);
  assert.equal(inner?.spanContext().traceId, outer?.spanContext().traceId);
});

test('inSpan marks a rejected span ERROR and rethrows', async () => {
  await assert.rejects(
    inSpan('failing', {}, async () => {
      throw new Error('BAD_NONCE');
    }),
    /BAD_NONCE/,
  );
  const [span] = tracing.spans();
  assert.equal(span?.status.code, SpanStatusCode.ERROR);
  assert.equal(span?.events[0]?.name, 'exception');
});

test('a block span links to the submit spans of its extrinsics, by context or by traceparent', () => {
  const submitted = [1, 2].map((i) => inSpan(`submit ${i}`, {}, () => currentSpanContext()!));
  const carried = traceparentOf(submitted[1]);
  assert.match(carried ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  inSpan('execute block', {}, () => {}, { links: [...linkTo(submitted[0]), ...linkTo(carried), ...linkTo(undefined), ...linkTo('garbage')] });
  const block = tracing.spans().find((s) => s.name === 'execute block')!;
  assert.deepEqual(
    block.links.map((l) => l.context.spanId),
    submitted.map((sc) => sc.spanId),
  );
  assert.equal(spanContextFromTraceparent(carried!)?.traceId, submitted[1]!.traceId);
});

test('gRPC metadata carries the trace from a client span to a server span', () => {
  const metadata = new Metadata();
  inSpan('client call', {}, () => injectGrpcMetadata(metadata), { kind: SpanKind.CLIENT });
  assert.equal(metadata.get('traceparent').length, 1);
  const parent = extractGrpcMetadata(metadata);
  inSpan('server handler', {}, () => {}, { kind: SpanKind.SERVER, parent });
  const client = tracing.spans().find((s) => s.name === 'client call')!;
  const server = tracing.spans().find((s) => s.name === 'server handler')!;
  assert.equal(server.spanContext().traceId, client.spanContext().traceId);
  assert.equal(server.parentSpanContext?.spanId, client.spanContext().spanId);
});

test('without a registered provider the helpers are no-ops that still run fn', async () => {
  await tracing.shutdown();
  try {
    assert.equal(inSpan('x', {}, () => 'ran'), 'ran');
    assert.equal(currentSpanContext(), undefined);
    assert.equal(trace.getActiveSpan(), undefined);
    const md = injectGrpcMetadata(new Metadata());
    assert.deepEqual(md.get('traceparent'), []);
  } finally {
    tracing = startTestTracing({ instrumentations: false });
  }
});
