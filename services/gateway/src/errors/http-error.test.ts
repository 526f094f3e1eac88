import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { DomainError } from '@balanceai/platform';
import { toHttpError } from './http-error.js';

/** A FastifyError as @fastify/error builds them: name, code, statusCode. */
function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { name: 'FastifyError', code, statusCode });
}

describe('toHttpError', () => {
  it('keeps a domain error code and maps its kind to the HTTP status', () => {
    assert.deepEqual(toHttpError(new DomainError('BAD_PROOF', 'signature does not verify')), {
      status: 400,
      body: { code: 'BAD_PROOF', message: 'signature does not verify' },
    });
    assert.equal(toHttpError(new DomainError('STALE_NONCE', 'nonce 3 < 5', 'conflict')).status, 409);
    assert.equal(toHttpError(new DomainError('BLOCK_NOT_FOUND', 'no block 9', 'not_found')).status, 404);
    assert.equal(toHttpError(new DomainError('EXTRINSIC_TOO_LARGE', 'too big', 'too_large')).status, 413);
    assert.deepEqual(toHttpError(new DomainError('NODE_UNAVAILABLE', 'down', 'unavailable')), {
      status: 503,
      body: { code: 'NODE_UNAVAILABLE', message: 'down' },
    });
  });

  it('maps unauthenticated to 401, forbidden to 403 and busy to 429 with a Retry-After', () => {
    assert.equal(toHttpError(new DomainError('BAD_TOKEN', 'no token', 'unauthenticated')).status, 401);
    assert.equal(toHttpError(new DomainError('MODEL_ADMIN_DENIED', 'wrong token', 'forbidden')).status, 403);
    assert.deepEqual(toHttpError(new DomainError('MEMPOOL_FULL', 'full', 'busy')), {
      status: 429,
      body: { code: 'MEMPOOL_FULL', message: 'full' },
      retryAfter: 1,
    });
    assert.equal(toHttpError(new DomainError('MEMPOOL_FULL', 'full', 'busy', { retryAfterSeconds: '3' })).retryAfter, 3);
    assert.equal(toHttpError(new DomainError('MEMPOOL_FULL', 'full', 'busy', { retryAfterSeconds: '0.5' })).retryAfter, 1);
  });

  it('hides the message of an internal domain error', () => {
    assert.deepEqual(toHttpError(new DomainError('DB_DOWN', 'pg at 10.0.0.3 refused', 'internal')), {
      status: 500,
      body: { code: 'INTERNAL', message: 'internal error' },
    });
  });

  it('turns an unexpected error into a bare 500 without its message or stack', () => {
    const mapped = toHttpError(new TypeError("Cannot read properties of undefined (reading 'x')"));
    assert.deepEqual(mapped, { status: 500, body: { code: 'INTERNAL', message: 'internal error' } });
    assert.deepEqual(toHttpError('a string'), mapped);
    assert.deepEqual(toHttpError(undefined), mapped);
  });

  it('names the cause of Fastify request errors, raw or wrapped by Nest', () => {
    const tooLarge = fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large');
    assert.deepEqual(toHttpError(tooLarge).body.code, 'EXTRINSIC_TOO_LARGE');
    assert.equal(toHttpError(new HttpException('Request body is too large', 413, { cause: tooLarge })).status, 413);
    assert.equal(toHttpError(new HttpException('x', 413, { cause: tooLarge })).body.code, 'EXTRINSIC_TOO_LARGE');

    const badJson = fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400, 'Body is not valid JSON');
    assert.deepEqual(toHttpError(new HttpException('Body is not valid JSON', 400, { cause: badJson })), {
      status: 400,
      body: { code: 'MALFORMED_JSON', message: 'Body is not valid JSON' },
    });
    // The router's refusal of an over-long path parameter, which Fastify would answer in its own format.
    assert.deepEqual(toHttpError(fastifyError('FST_ERR_MAX_PARAM_LENGTH', 414, "'/v1/blocks/111' is exceeding the max param length")), {
      status: 414,
      body: { code: 'URI_TOO_LONG', message: 'a path parameter is longer than 100 characters' },
    });
    const media = fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type');
    assert.deepEqual(toHttpError(media), {
      status: 415,
      body: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'request body must be application/json' },
    });
  });

  it("reports Nest's unknown-route 404 as ROUTE_NOT_FOUND", () => {
    assert.deepEqual(toHttpError(new NotFoundException('Cannot GET /v2/status')), {
      status: 404,
      body: { code: 'ROUTE_NOT_FOUND', message: 'Cannot GET /v2/status' },
    });
  });

  it('keeps other 4xx HttpExceptions as client errors with a status-derived code', () => {
    assert.deepEqual(toHttpError(new BadRequestException('nope')), { status: 400, body: { code: 'BAD_REQUEST', message: 'nope' } });
    assert.equal(toHttpError(new HttpException('slow down', 429)).body.code, 'TOO_MANY_REQUESTS');
  });

  it('does not let an HttpException carry a 5xx message to the client', () => {
    assert.deepEqual(toHttpError(new HttpException('stack at db.ts:12', 502)).body, { code: 'INTERNAL', message: 'internal error' });
  });

  it("maps the chain kernel's BAD_* errors (plain errors with a code) to 400", () => {
    const badAddress = Object.assign(new Error('bad SS58 checksum'), { code: 'BAD_ADDRESS' });
    assert.deepEqual(toHttpError(badAddress), { status: 400, body: { code: 'BAD_ADDRESS', message: 'bad SS58 checksum' } });
  });

  it('does not treat a Node system error code as client input', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    assert.equal(toHttpError(refused).status, 500);
  });
});
