import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiTooManyRequestsResponse,
  ApiTags,
} from '@nestjs/swagger';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError, inSpan } from '@balanceai/platform';
import type { FastifyRequest } from 'fastify';
import { submitConfigOf, type GatewayConfig } from '../config/gateway-config.js';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { GATEWAY_CONFIG } from '../consensus/consensus.providers.js';
import { ConnectionSubmissions } from '../consensus/submission-queue.js';
import { ApiErrors, NODE_UNAVAILABLE } from './openapi.js';
import { HASH_PATTERN, parseHash, parseSubmitBody } from './request-params.js';
import { ErrorView, ExtrinsicStatusView, extrinsicStatusView, SubmittedView } from './views.js';

class SubmitExtrinsicBody {
  @ApiProperty({ description: 'SCALE-encoded UncheckedExtrinsic v4, 0x hex', example: '0x…' })
  extrinsic!: string;
}

@ApiTags('extrinsics')
@ApiErrors({ 503: NODE_UNAVAILABLE })
@Controller('v1/extrinsics')
export class ExtrinsicsController {
  /** Unanswered submissions per TCP connection (HTTP/1.1 pipelining or HTTP/2 streams could pile them up). */
  private readonly perConnection: ConnectionSubmissions<object>;

  constructor(
    @Inject(ConsensusClient) private readonly consensus: ConsensusClient,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.perConnection = new ConnectionSubmissions(submitConfigOf(config).maxPerConnection);
  }

  @Post()
  @HttpCode(202)
  @ApiBody({ type: SubmitExtrinsicBody })
  @ApiAcceptedResponse({ type: SubmittedView, description: 'accepted into a validator mempool; gossiped from there' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_HEX, MALFORMED_JSON, MALFORMED_EXTRINSIC, BAD_PROOF, ANCIENT_BIRTH_BLOCK, …' })
  @ApiConflictResponse({ type: ErrorView, description: 'STALE_NONCE, PRIORITY_TOO_LOW, … (refused against current state); resubmitting pending bytes is accepted again' })
  @ApiPayloadTooLargeResponse({ type: ErrorView, description: 'EXTRINSIC_TOO_LARGE' })
  @ApiTooManyRequestsResponse({
    type: ErrorView,
    description: 'busy, retry after the Retry-After header: MEMPOOL_FULL (the validator), GATEWAY_BUSY (the gateway holds its maximum of pending submissions, overall or on this connection)',
  })
  async submit(@Body() body: unknown, @Req() request: FastifyRequest): Promise<SubmittedView> {
    // Hand-checked body (no ValidationPipe): this is the hot path of the gateway.
    const extrinsic = parseSubmitBody(body);
    // The TCP connection (the request itself where there is none, as under light-my-request's inject).
    return this.perConnection.run(request.raw.socket ?? request.raw, () => this.send(extrinsic));
  }

  private send(extrinsic: string): Promise<SubmittedView> {
    // The first span of a transfer's trace (under the HTTP server span when instrumentation is on).
    return inSpan('submit extrinsic', { 'bai.extrinsic.bytes': (extrinsic.length - 2) / 2 }, async (span) => {
      try {
        const hash = await this.consensus.submit(extrinsic);
        span.setAttribute('bai.extrinsic.hash', hash);
        return { hash };
      } catch (err) {
        // Submission is idempotent for the same bytes: the extrinsic is already pending (a client's retry,
        // or our failover resending to a validator that had it by gossip), so it is accepted.
        if (err instanceof DomainError && err.code === 'ALREADY_IMPORTED') return { hash: toHex(blake2_256(fromHex(extrinsic))) };
        throw err;
      }
    });
  }

  @Get(':hash')
  @ApiParam({ name: 'hash', description: 'blake2_256 of the extrinsic, 0x hex', schema: { type: 'string', pattern: HASH_PATTERN } })
  @ApiOkResponse({ type: ExtrinsicStatusView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_HASH' })
  async status(@Param('hash') hash: string): Promise<ExtrinsicStatusView> {
    return extrinsicStatusView(await this.consensus.call('getExtrinsic', { hash: parseHash(hash, 'extrinsic hash') }));
  }
}
