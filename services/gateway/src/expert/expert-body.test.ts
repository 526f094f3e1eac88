import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { toHttpError } from '../errors/http-error.js';
import { MAX_BODY_BYTES } from '../http/request-params.js';
import { expertBodyLimit, installExpertBodyHandling, rawBodyOf } from './expert-body.js';
import { getBodyJson } from './expert.controller.js';

// In memory (Fastify's inject): the expert routes' own body limit and code, and the exact text kept.
async function app(limit: number): Promise<FastifyInstance> {
  const fastify = Fastify({ bodyLimit: MAX_BODY_BYTES });
  fastify.setErrorHandler((err, _request, reply) => {
    const { status, body } = toHttpError(err);
    void reply.status(status).send(body);
  });
  installExpertBodyHandling(fastify, limit);
  for (const url of ['/v1/expert/evaluate', '/risks', '/v1/extrinsics']) {
    fastify.post(url, async (request) => ({ raw: rawBodyOf(request) ?? null, parsed: request.body }));
  }
  // GET with a body, as the risk toolkit's Flask app serves /risks: what the route would send the expert service.
  for (const url of ['/risks', '/v1/expert/risks', '/v1/status']) {
    fastify.get(url, async (request) => ({ requestJson: getBodyJson(request) }));
  }
  await fastify.ready();
  return fastify;
}

const portfolio = (bytes: number): string => `{"ot_user_id": "1", "ot_risk_input": {"ot_user_balance": 1.0, "pad": "${'x'.repeat(bytes)}"}}`;

describe('expert request bodies', () => {
  it('accepts a portfolio larger than the gateway-wide limit on the expert routes only', async () => {
    const fastify = await app(1024 * 1024);
    const body = portfolio(300 * 1024);
    assert.ok(body.length > MAX_BODY_BYTES);
    for (const url of ['/v1/expert/evaluate', '/risks']) {
      const answer = await fastify.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/json' } });
      assert.equal(answer.statusCode, 200, answer.body.slice(0, 200));
    }
    const other = await fastify.inject({ method: 'POST', url: '/v1/extrinsics', payload: body, headers: { 'content-type': 'application/json' } });
    assert.equal(other.statusCode, 413);
    assert.equal(other.json().code, 'EXTRINSIC_TOO_LARGE');
    await fastify.close();
  });

  it('refuses a body above the expert limit as REQUEST_TOO_LARGE, whether or not its length is declared', async () => {
    const fastify = await app(64 * 1024);
    const declared = await fastify.inject({ method: 'POST', url: '/risks', payload: portfolio(70 * 1024), headers: { 'content-type': 'application/json' } });
    assert.equal(declared.statusCode, 413);
    assert.equal(declared.json().code, 'REQUEST_TOO_LARGE');
    const chunked = await fastify.inject({
      method: 'POST', url: '/v1/expert/evaluate', payload: portfolio(70 * 1024),
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    });
    assert.equal(chunked.statusCode, 413);
    assert.equal(chunked.json().code, 'REQUEST_TOO_LARGE');
    await fastify.close();
  });

  it('keeps the exact text sent: 1.0 stays 1.0 for the toolkit, while routes still get the parsed body', async () => {
    const fastify = await app(1024 * 1024);
    const body = '{"ot_user_id": "1", "ot_risk_input": {"ot_user_balance": 1.0, "x": 2.50}}';
    const answer = await fastify.inject({ method: 'POST', url: '/risks', payload: body, headers: { 'content-type': 'application/json' } });
    assert.equal(answer.json().raw, body);
    assert.deepEqual(answer.json().parsed, { ot_user_id: '1', ot_risk_input: { ot_user_balance: 1, x: 2.5 } });
    const other = await fastify.inject({ method: 'POST', url: '/v1/extrinsics', payload: body, headers: { 'content-type': 'application/json' } });
    assert.equal(other.json().raw, null);
    await fastify.close();
  });

  it('reads BAI_EXPERT_MAX_BODY_BYTES, 1 MiB by default', () => {
    assert.equal(expertBodyLimit({}), 1024 * 1024);
    assert.equal(expertBodyLimit({ BAI_EXPERT_MAX_BODY_BYTES: '4194304' }), 4194304);
    assert.throws(() => expertBodyLimit({ BAI_EXPERT_MAX_BODY_BYTES: '12' }), /BAI_EXPERT_MAX_BODY_BYTES/);
  });

  it('keeps the body of GET /risks and GET /v1/expert/risks, as the toolkit serves GET /risks; other GET routes get none', async () => {
    const fastify = await app(64 * 1024);
    const body = '{"ot_user_id": "1", "ot_risk_input": {"ot_user_balance": 1.0}}';
    for (const url of ['/risks', '/v1/expert/risks']) {
      const answer = await fastify.inject({ method: 'GET', url, payload: body, headers: { 'content-type': 'application/json' } });
      assert.equal(answer.statusCode, 200, answer.body);
      assert.equal(answer.json().requestJson, body);
    }
    const other = await fastify.inject({ method: 'GET', url: '/v1/status', payload: body, headers: { 'content-type': 'application/json' } });
    assert.equal(other.json().requestJson, '');
    await fastify.close();
  });

  it('refuses a GET /risks body that is not application/json (as the toolkit does) or above the expert limit', async () => {
    const fastify = await app(64 * 1024);
    const body = '{"ot_user_id": "1", "ot_risk_input": {"ot_user_balance": 1.0}}';
    for (const headers of [{}, { 'content-type': 'text/plain' }]) {
      const answer = await fastify.inject({ method: 'GET', url: '/risks', payload: body, headers });
      assert.equal(answer.statusCode, 400, answer.body);
      assert.equal(answer.json().code, 'BAD_REQUEST');
    }
    const json = await fastify.inject({ method: 'GET', url: '/risks', payload: body, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(json.json().requestJson, body);
    const big = await fastify.inject({ method: 'GET', url: '/risks', payload: portfolio(70 * 1024), headers: { 'content-type': 'application/json' } });
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, 'REQUEST_TOO_LARGE');
    await fastify.close();
  });
});
