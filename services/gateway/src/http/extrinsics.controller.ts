import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { parseHash, parseSubmitBody } from './request-params.js';
import { ErrorView, ExtrinsicStatusView, extrinsicStatusView, SubmittedView } from './views.js';

class SubmitExtrinsicBody {
  @ApiProperty({ description: 'SCALE-encoded UncheckedExtrinsic v4, 0x hex', example: '0x…' })
  extrinsic!: string;
}

@ApiTags('extrinsics')
@Controller('v1/extrinsics')
export class ExtrinsicsController {
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  @Post()
  @HttpCode(202)
  @ApiBody({ type: SubmitExtrinsicBody })
  @ApiAcceptedResponse({ type: SubmittedView, description: 'accepted into a validator mempool; gossiped from there' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_HEX, MALFORMED_JSON, MALFORMED_EXTRINSIC, BAD_PROOF, ANCIENT_BIRTH_BLOCK, …' })
  @ApiConflictResponse({ type: ErrorView, description: 'STALE_NONCE, PAYMENT, … (refused against current state)' })
  @ApiPayloadTooLargeResponse({ type: ErrorView, description: 'EXTRINSIC_TOO_LARGE' })
  async submit(@Body() body: unknown): Promise<SubmittedView> {
    // Hand-checked body (no ValidationPipe): this is the hot path of the gateway.
    const { hash } = await this.consensus.call('submitExtrinsic', { extrinsic: parseSubmitBody(body) });
    return { hash };
  }

  @Get(':hash')
  @ApiOkResponse({ type: ExtrinsicStatusView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_HASH' })
  async status(@Param('hash') hash: string): Promise<ExtrinsicStatusView> {
    return extrinsicStatusView(await this.consensus.call('getExtrinsic', { hash: parseHash(hash, 'extrinsic hash') }));
  }
}
