import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ErrorView, RuntimeView, runtimeView, StatusView, statusView } from './views.js';

@ApiTags('chain')
@ApiServiceUnavailableResponse({ type: ErrorView, description: 'NODE_UNAVAILABLE: no validator answers' })
@Controller('v1')
export class ChainController {
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  @Get('status')
  @ApiOkResponse({ type: StatusView, description: 'finality, consensus progress and validators' })
  async status(): Promise<StatusView> {
    return statusView(await this.consensus.call('getChainStatus', {}));
  }

  @Get('runtime')
  @ApiOkResponse({ type: RuntimeView, description: 'what a client needs to build and sign extrinsics' })
  async runtime(): Promise<RuntimeView> {
    return runtimeView(await this.consensus.call('getRuntime', {}));
  }
}
