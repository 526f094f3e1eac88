import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ApiErrors, NODE_UNAVAILABLE } from './openapi.js';
import { BLOCK_ID_PATTERN, parseBlockId } from './request-params.js';
import { BlockView, blockView, ErrorView } from './views.js';

@ApiTags('blocks')
@ApiErrors({ 503: NODE_UNAVAILABLE })
@Controller('v1/blocks')
export class BlocksController {
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  @Get('latest')
  @ApiOkResponse({ type: BlockView, description: 'the latest finalized block' })
  async latest(): Promise<BlockView> {
    // Two calls: the proto has no "latest" selector, and the finalized head is what clients want.
    const status = await this.consensus.call('getChainStatus', {});
    return blockView(await this.consensus.call('getBlock', { hash: status.finalizedHash }));
  }

  @Get(':id')
  @ApiParam({ name: 'id', description: 'decimal block number or 0x 32-byte block hash', example: '42', schema: { type: 'string', pattern: BLOCK_ID_PATTERN } })
  @ApiOkResponse({ type: BlockView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_BLOCK_ID' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'no finalized block with that id' })
  async byId(@Param('id') id: string): Promise<BlockView> {
    return blockView(await this.consensus.call('getBlock', parseBlockId(id)));
  }
}
