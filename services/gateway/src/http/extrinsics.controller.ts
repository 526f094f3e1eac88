import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ApiErrors, NODE_UNAVAILABLE } from './openapi.js';
import { HASH_PATTERN, parseHash } from './request-params.js';
import { ErrorView, ExtrinsicStatusView, extrinsicStatusView } from './views.js';

@ApiTags('extrinsics')
@ApiErrors({ 503: NODE_UNAVAILABLE })
@Controller('v1/extrinsics')
export class ExtrinsicsController {
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  // POST /v1/extrinsics is a plain Fastify route (submit-route.ts): the hot path, answered without Nest.

  @Get(':hash')
  @ApiParam({ name: 'hash', description: 'blake2_256 of the extrinsic, 0x hex', schema: { type: 'string', pattern: HASH_PATTERN } })
  @ApiOkResponse({ type: ExtrinsicStatusView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_HASH' })
  async status(@Param('hash') hash: string): Promise<ExtrinsicStatusView> {
    return extrinsicStatusView(await this.consensus.call('getExtrinsic', { hash: parseHash(hash, 'extrinsic hash') }));
  }
}
