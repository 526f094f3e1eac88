import type { Logger } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError, inSpan } from '@balanceai/platform';
import { SpanStatusCode } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { submitConfigOf, type GatewayConfig } from '../config/gateway-config.js';
import type { ConsensusClient } from '../consensus/consensus-client.js';
import { ConnectionSubmissions, type SubmitResult } from '../consensus/submission-queue.js';
import { sendError } from '../errors/gateway-exception.filter.js';
import { NODE_UNAVAILABLE } from './openapi.js';
import { parseSubmitBody } from './request-params.js';

/** The body of POST /v1/extrinsics, as the OpenAPI document names it. */
export class SubmitExtrinsicBody {
  @ApiProperty({ description: 'SCALE-encoded UncheckedExtrinsic v4, 0x hex', example: '0x…' })
  extrinsic!: string;
}

export const SUBMIT_PATH = '/v1/extrinsics';
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * `POST /v1/extrinsics`, the gateway's hot path, as a plain Fastify route rather than a Nest controller
 * method: under overload most answers are refusals (429 MEMPOOL_FULL / GATEWAY_BUSY), so a refusal should
 * cost no more than an acceptance. No Nest router, no throw: a refusal travels as a value (`SubmitResult`)
 * from the validator's answer to here, and every answer is written where it is known, the hash as 202, any
 * failure through `sendError` (the same `toHttpError` mapping, status, body and Retry-After as the global
 * GatewayExceptionFilter). Fastify's own refusals of the request (body too large, not JSON, malformed JSON)
 * go through `sendError` too, as the route's error handler. Documented by `submitPathItem` (Swagger does
 * not see routes outside Nest).
 */
export function registerSubmitRoute(fastify: FastifyInstance, consensus: ConsensusClient, config: GatewayConfig, logger: Logger): void {
  /** Unanswered submissions per TCP connection (HTTP/1.1 pipelining or HTTP/2 streams could pile them up). */
  const perConnection = new ConnectionSubmissions<object>(submitConfigOf(config).maxPerConnection);

  const send = (extrinsic: string): Promise<SubmitResult> =>
    // The first span of a transfer's trace (under the HTTP server span when instrumentation is on).
    inSpan('submit extrinsic', { 'bai.extrinsic.bytes': (extrinsic.length - 2) / 2 }, async (span) => {
      const result = await consensus.submitForResult(extrinsic);
      if ('hash' in result) {
        span.setAttribute('bai.extrinsic.hash', result.hash);
        return result;
      }
      // Submission is idempotent for the same bytes: the extrinsic is already pending (a client's retry,
      // or our failover resending to a validator that had it by gossip), so it is accepted.
      if (result.error instanceof DomainError && result.error.code === 'ALREADY_IMPORTED') return { hash: toHex(blake2_256(fromHex(extrinsic))) };
      // As inSpan marks a span whose function throws.
      span.recordException(result.error instanceof Error ? result.error : String(result.error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.error instanceof Error ? result.error.message : String(result.error) });
      return result;
    });

  fastify.route({
    method: 'POST',
    url: SUBMIT_PATH,
    errorHandler: (error, _request, reply) => sendError(reply, error, logger),
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      let extrinsic: string;
      try {
        // Hand-checked body (no schema, no pipe): a refusal here is answered like a validator's.
        extrinsic = parseSubmitBody(request.body);
      } catch (err) {
        sendError(reply, err, logger);
        return reply;
      }
      // The TCP connection (the request itself where there is none, as under light-my-request's inject).
      // A refusal comes back as a value ({ error }), from here to the validator's answer: nothing is thrown.
      const result = await perConnection.runForResult(request.raw.socket ?? request.raw, () => send(extrinsic));
      if ('hash' in result) return reply.code(202).header('content-type', JSON_TYPE).send(`{"hash":${JSON.stringify(result.hash)}}`);
      sendError(reply, result.error, logger);
      return reply;
    },
  });
}

const errorView = (description: string): { description: string; content: object } => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorView' } } },
});

/**
 * The OpenAPI operation of `POST /v1/extrinsics`, as Swagger documented it when it was a controller method
 * (same operationId, schemas SubmitExtrinsicBody and SubmittedView, which the document lists as extra models).
 * `documentFrameworkErrors` adds the 415 as for any route with a body.
 */
export function submitPathItem(): Record<string, unknown> {
  return {
    post: {
      operationId: 'ExtrinsicsController_submit',
      parameters: [],
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitExtrinsicBody' } } } },
      responses: {
        '202': {
          description: 'accepted into a validator mempool; gossiped from there',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmittedView' } } },
        },
        '400': errorView('BAD_HEX, MALFORMED_JSON, MALFORMED_EXTRINSIC, BAD_PROOF, ANCIENT_BIRTH_BLOCK, …'),
        '409': errorView('STALE_NONCE, PRIORITY_TOO_LOW, … (refused against current state); resubmitting pending bytes is accepted again'),
        '413': errorView('EXTRINSIC_TOO_LARGE'),
        '429': errorView(
          'busy, retry after the Retry-After header: MEMPOOL_FULL (the validator), GATEWAY_BUSY (the gateway holds its maximum of pending submissions, overall or on this connection)',
        ),
        '503': errorView(NODE_UNAVAILABLE),
      },
      tags: ['extrinsics'],
    },
  };
}
