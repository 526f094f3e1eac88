import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError, inSpan } from '@balanceai/platform';
import { ConsensusClient } from '../consensus/consensus-client.js';
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
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  @Post()
  @HttpCode(202)
  @ApiBody({ type: SubmitExtrinsicBody })
  @ApiAcceptedResponse({ type: SubmittedView, description: 'accepted into a validator mempool; gossiped from there' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_HEX, MALFORMED_JSON, MALFORMED_EXTRINSIC, BAD_PROOF, ANCIENT_BIRTH_BLOCK, …' })
  @ApiConflictResponse({ type: ErrorView, description: 'STALE_NONCE, PRIORITY_TOO_LOW, … (refused against current state); resubmitting pending bytes is accepted again' })
  @ApiPayloadTooLargeResponse({ type: ErrorView, description: 'EXTRINSIC_TOO_LARGE' })
  async submit(@Body() body: unknown): Promise<SubmittedView> {
    // Hand-checked body (no ValidationPipe): this is the hot path of the gateway.
    const extrinsic = parseSubmitBody(body);
    // The first span of a transfer's trace (under the HTTP server span when instrumentation is on).
    return inSpan('submit extrinsic', { 'bai.extrinsic.bytes': (extrinsic.length - 2) / 2 }, async (span) => {
      try {
        const { hash } = await this.consensus.call('submitExtrinsic', { extrinsic });
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
