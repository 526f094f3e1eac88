import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { RpcCode, RpcError, isServerFault, toRpcError } from './errors.js';

const refusal = (code: string, kind: ConstructorParameters<typeof DomainError>[2] = 'invalid') => new DomainError(code, `validator says ${code}`, kind);

describe('toRpcError', () => {
  it("answers the consensus service's refusals of a submission as Substrate's transaction pool does", () => {
    const cases: Array<[string, number, string, unknown]> = [
      ['BAD_PROOF', 1010, 'Invalid Transaction', 'Transaction has a bad signature'],
      ['STALE_NONCE', 1010, 'Invalid Transaction', 'Transaction is outdated'],
      ['FUTURE_NONCE', 1010, 'Invalid Transaction', 'Transaction will be valid in the future'],
      ['PAYMENT', 1010, 'Invalid Transaction', 'Inability to pay some fees (e.g. account balance too low)'],
      ['ANCIENT_BIRTH_BLOCK', 1010, 'Invalid Transaction', 'Transaction has an ancient birth block'],
      ['EXTRINSIC_TOO_LARGE', 1010, 'Invalid Transaction', 'Transaction would exhaust the block limits'],
      ['UNSIGNED_EXTRINSIC', 1011, 'Unknown Transaction Validity', 'Could not find an unsigned validator for the unsigned transaction'],
      ['TEMPORARILY_BANNED', 1012, 'Transaction is temporarily banned', undefined],
      ['ALREADY_IMPORTED', 1013, 'Transaction Already Imported', 'validator says ALREADY_IMPORTED'],
      ['PRIORITY_TOO_LOW', 1014, 'Priority is too low', 'The transaction has too low priority to replace another transaction already in the pool.'],
      ['MEMPOOL_FULL', 1016, 'Immediately Dropped', "The transaction couldn't enter the pool because of the limit"],
      ['TOO_MANY_FUTURE', 1021, 'The pool is not accepting future transactions', 'validator says TOO_MANY_FUTURE'],
    ];
    for (const [code, rpcCode, message, data] of cases) {
      assert.deepEqual(toRpcError(refusal(code, 'conflict'), 'author_submitExtrinsic').toJSON(), data === undefined ? { code: rpcCode, message } : { code: rpcCode, message, data }, code);
    }
    // busy, from the validator (a full mempool) or the gateway (its own bound): -32009, retryable, the code in data.
    for (const code of ['MEMPOOL_FULL', 'GATEWAY_BUSY']) {
      for (const method of ['author_submitExtrinsic', 'author_submitAndWatchExtrinsic', 'state_getStorage']) {
        assert.deepEqual(toRpcError(refusal(code, 'busy'), method).toJSON(), { code: -32009, message: 'Server is busy, try again later', data: code }, `${code} ${method}`);
      }
    }
    const bad = toRpcError(refusal('MALFORMED_EXTRINSIC'), 'author_submitAndWatchExtrinsic');
    assert.equal(bad.code, 1001);
    assert.match(bad.message, /^Extrinsic has invalid format: validator says MALFORMED_EXTRINSIC$/);
  });

  it("answers state read failures with Substrate's 4003 client error", () => {
    for (const code of ['UNKNOWN_BLOCK', 'STATE_DISCARDED', 'UNKNOWN_RUNTIME_API', 'BAD_RUNTIME_CALL_ARGS']) {
      const error = toRpcError(refusal(code, 'not_found'), 'state_getStorage');
      assert.equal(error.code, RpcCode.STATE_CLIENT_ERROR, code);
      assert.match(error.message, /^Client error: /);
    }
    assert.equal(toRpcError(refusal('BAD_STORAGE_KEY'), 'state_getStorage').code, RpcCode.INVALID_PARAMS);
  });

  it('maps other domain errors by kind, namespace-specific codes only in their namespace', () => {
    assert.equal(toRpcError(refusal('BAD_PROOF'), 'state_call').code, RpcCode.INVALID_PARAMS);
    assert.deepEqual(toRpcError(refusal('NODE_UNAVAILABLE', 'unavailable'), 'chain_getHeader').toJSON(), {
      code: -32000,
      message: 'validator says NODE_UNAVAILABLE',
      data: 'NODE_UNAVAILABLE',
    });
    assert.deepEqual(toRpcError(refusal('INTERNAL', 'internal'), 'system_chain').toJSON(), { code: -32603, message: 'Internal error' });
  });

  it('passes an RpcError through and hides anything unexpected behind "Internal error"', () => {
    const own = new RpcError(4002, 'count exceeds maximum value. value: 2000, max: 1000');
    assert.equal(toRpcError(own, 'state_getKeysPaged'), own);
    const hidden = toRpcError(new TypeError('cannot read properties of undefined (secret path /srv/x)'), 'state_call');
    assert.deepEqual(hidden.toJSON(), { code: -32603, message: 'Internal error' });
  });

  it('tells server faults (logged) from client mistakes', () => {
    assert.equal(isServerFault(new TypeError('x')), true);
    assert.equal(isServerFault(refusal('NODE_UNAVAILABLE', 'unavailable')), true);
    assert.equal(isServerFault(refusal('BAD_PROOF')), false);
    assert.equal(isServerFault(new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params')), false);
  });
});

describe('RpcError', () => {
  it('is built without a stack trace (always an answer, never logged) and leaves the process-wide limit alone', () => {
    const limit = Error.stackTraceLimit;
    const busy = toRpcError(new DomainError('MEMPOOL_FULL', 'full', 'busy'), 'author_submitExtrinsic');
    assert.doesNotMatch(busy.stack ?? '', /\n\s+at /);
    assert.deepEqual(busy.toJSON(), { code: RpcCode.SERVER_IS_BUSY, message: 'Server is busy, try again later', data: 'MEMPOOL_FULL' });
    assert.equal(Error.stackTraceLimit, limit);
    assert.match(new Error('a fault').stack ?? '', /\n\s+at /);
  });
});
