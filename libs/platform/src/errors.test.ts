import assert from 'node:assert/strict';
import { test } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { DomainError, fromGrpcError, isRefusal, toGrpcError } from './errors.js';

test('every kind survives a trip over gRPC, busy and too_large told apart though they share RESOURCE_EXHAUSTED', () => {
  for (const kind of ['invalid', 'not_found', 'conflict', 'unavailable', 'too_large', 'unauthenticated', 'forbidden', 'busy', 'bad_gateway', 'gateway_timeout', 'internal'] as const) {
    const sent = toGrpcError(new DomainError('SOME_CODE', 'why', kind));
    const back = fromGrpcError(sent);
    assert.equal(back.kind, kind);
    assert.equal(back.code, 'SOME_CODE');
  }
  assert.equal(toGrpcError(new DomainError('MEMPOOL_FULL', 'full', 'busy')).code, GrpcStatus.RESOURCE_EXHAUSTED);
});

test('a peer that sends no kind is read by its status; RESOURCE_EXHAUSTED then means too_large', () => {
  const sent = toGrpcError(new DomainError('X', 'y', 'busy'));
  sent.metadata.remove('bai-error-kind');
  assert.equal(fromGrpcError(sent).kind, 'too_large');
  const proxied = toGrpcError(new DomainError('X', 'y', 'bad_gateway'));
  proxied.metadata.remove('bai-error-kind');
  assert.equal(fromGrpcError(proxied).kind, 'unavailable');
  const forged = toGrpcError(new DomainError('X', 'y', 'forbidden'));
  forged.metadata.set('bai-error-kind', 'nonsense');
  assert.equal(fromGrpcError(forged).kind, 'forbidden');
});

test('details cross with the error (a busy refusal keeps its retryAfterSeconds); junk details are dropped', () => {
  const sent = toGrpcError(new DomainError('MEMPOOL_FULL', 'full', 'busy', { retryAfterSeconds: '3', note: 'ünïcode' }));
  assert.deepEqual(fromGrpcError(sent).details, { retryAfterSeconds: '3', note: 'ünïcode' });
  assert.equal(fromGrpcError(toGrpcError(new DomainError('X', 'y', 'invalid'))).details, undefined);
  for (const junk of ['not json', '[1,2]', '{"n":1}', 'null']) {
    const e = toGrpcError(new DomainError('X', 'y', 'busy'));
    e.metadata.set('bai-error-details', junk);
    assert.equal(fromGrpcError(e).details, undefined, junk);
  }
});

const FRAME = /\n\s+at /;

test('a refusal (a client mistake, a busy answer) is built without a stack trace; faults and outages keep theirs', () => {
  const limit = Error.stackTraceLimit;
  for (const kind of ['invalid', 'not_found', 'conflict', 'too_large', 'unauthenticated', 'forbidden', 'busy'] as const) {
    const refusal = new DomainError('SOME_CODE', 'why', kind, { retryAfterSeconds: '1' });
    assert.equal(isRefusal(kind), true, kind);
    assert.doesNotMatch(refusal.stack ?? '', FRAME, kind);
    assert.equal(refusal.message, 'why');
    assert.equal(refusal.code, 'SOME_CODE');
    assert.equal(refusal.kind, kind);
    assert.deepEqual(refusal.details, { retryAfterSeconds: '1' });
    assert.ok(refusal instanceof Error);
  }
  for (const kind of ['internal', 'unavailable', 'bad_gateway', 'gateway_timeout'] as const) {
    assert.equal(isRefusal(kind), false, kind);
    assert.match(new DomainError('SOME_CODE', 'why', kind).stack ?? '', FRAME, kind);
  }
  // The default kind is invalid: a refusal.
  assert.doesNotMatch(new DomainError('BAD_HEX', 'not hex').stack ?? '', FRAME);
  // The process-wide limit is left as it was, so other errors keep their stacks.
  assert.equal(Error.stackTraceLimit, limit);
  assert.match(new Error('a fault').stack ?? '', FRAME);
});

test('an internal error rebuilt from a peer keeps a stack for the logs; a peer\'s refusal has none', () => {
  assert.match(fromGrpcError({ code: GrpcStatus.INTERNAL, details: 'boom' }).stack ?? '', FRAME);
  assert.doesNotMatch(fromGrpcError(toGrpcError(new DomainError('MEMPOOL_FULL', 'full', 'busy'))).stack ?? '', FRAME);
});
