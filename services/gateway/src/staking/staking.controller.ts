import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ADDRESS_PATTERN } from '../http/request-params.js';
import { ErrorView } from '../http/views.js';
import { StakingClient } from './staking-client.js';
import { ErasView, NominatorView, TotalsView, ValidatorsView, parseStakerAddress, validatorsView } from './staking.views.js';

/** REST routes of staking (docs/architecture.md §5), proxied to StakingService over gRPC; the last committed state. */
@ApiTags('staking')
@Controller('v1/staking')
export class StakingController {
  constructor(@Inject(StakingClient) private readonly staking: StakingClient) {}

  @Get('validators')
  @ApiOperation({ summary: 'Active validators of the current era (exposure, commission, nominators, era points) and waiting candidates' })
  @ApiOkResponse({ type: ValidatorsView })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'STAKING_UNAVAILABLE' })
  async validators(): Promise<ValidatorsView> {
    return validatorsView(await this.staking.call('GetValidators', {}));
  }

  @Get('nominators/:address')
  @ApiOperation({ summary: 'A stash: bond, unlocking chunks, targets and its exposures in the current era' })
  @ApiParam({ name: 'address', description: 'SS58 address or 0x hex account id', schema: { type: 'string', pattern: ADDRESS_PATTERN } })
  @ApiOkResponse({ type: NominatorView })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_ADDRESS' })
  @ApiNotFoundResponse({ type: ErrorView, description: 'NOT_BONDED' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'STAKING_UNAVAILABLE' })
  async nominator(@Param('address') address: string): Promise<NominatorView> {
    return this.staking.call('GetNominator', { address: parseStakerAddress(address) });
  }

  @Get('eras')
  @ApiOperation({ summary: 'The current era and the completed eras (most recent first): stake, points, reward, slashes' })
  @ApiOkResponse({ type: ErasView })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'STAKING_UNAVAILABLE' })
  async eras(): Promise<ErasView> {
    return this.staking.call('GetEras', {});
  }

  @Get('totals')
  @ApiOperation({ summary: 'Total staked, active stake, total issuance and the staking ratio' })
  @ApiOkResponse({ type: TotalsView })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'STAKING_UNAVAILABLE' })
  async totals(): Promise<TotalsView> {
    return this.staking.call('GetTotals', {});
  }
}
