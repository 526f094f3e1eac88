import { Optional, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ErrorView } from '../http/views.js';
import { EmissionsClient } from './emissions-client.js';
import {
  EmissionScheduleView, FundsView, IssuanceCurveView, curveView, fundsView, parsePoints, scheduleView,
} from './emissions.views.js';

/** REST routes of the issuance schedule (docs/architecture.md §4), proxied to EmissionsService over gRPC. */
@ApiTags('emissions')
@Controller('v1/emissions')
export class EmissionsController {
  constructor(
    @Inject(EmissionsClient) private readonly emissions: EmissionsClient,
    @Optional() @Inject(ConsensusClient) private readonly consensus?: ConsensusClient,
  ) {}

  @Get('schedule')
  @ApiOperation({ summary: 'Current epoch, mint rate, issuance and the next halving with its estimated height and date' })
  @ApiOkResponse({ type: EmissionScheduleView })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'EMISSIONS_UNAVAILABLE' })
  async schedule(): Promise<EmissionScheduleView> {
    return scheduleView(await this.emissions.call('getSchedule', {}));
  }

  @Get('curve')
  @ApiOperation({ summary: 'Issuance from genesis to the cap, downsampled to evenly spaced heights' })
  @ApiQuery({ name: 'points', required: false, description: 'number of points, 2..1000 (default 100)', example: 100 })
  @ApiOkResponse({ type: IssuanceCurveView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_POINTS' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'EMISSIONS_UNAVAILABLE' })
  async curve(@Query('points') points?: string): Promise<IssuanceCurveView> {
    return curveView(await this.emissions.call('getIssuanceCurve', { points: parsePoints(points) }));
  }

  @Get('funds')
  @ApiOperation({ summary: 'The four fund accounts: what each has received from emissions since genesis, and its balance now' })
  @ApiOkResponse({ type: FundsView })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'EMISSIONS_UNAVAILABLE' })
  async funds(): Promise<FundsView> {
    const view = fundsView(await this.emissions.call('getFunds', {}));
    // Balances come from the ledger (fees also reach the staking pot; grants will be paid out of funds).
    if (this.consensus) {
      const consensus = this.consensus;
      await Promise.all(
        view.funds.map(async (f) => {
          f.balance = (await consensus.call('getAccount', { address: f.account })).free;
        }),
      );
    }
    return view;
  }
}
