import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MempoolRejection } from './mempool.js';

describe('MempoolRejection', () => {
  it('is built without a stack trace (a refusal is an answer, not a fault) and leaves the limit as it was', () => {
    const limit = Error.stackTraceLimit;
    const rejection = new MempoolRejection('MEMPOOL_FULL', 'the mempool is full, retry later');
    assert.ok(rejection instanceof Error);
    assert.equal(rejection.code, 'MEMPOOL_FULL');
    assert.equal(rejection.message, 'the mempool is full, retry later');
    assert.doesNotMatch(rejection.stack ?? '', /\n\s+at /);
    assert.equal(Error.stackTraceLimit, limit);
    assert.match(new Error('a fault').stack ?? '', /\n\s+at /);
  });
});
