import { Controller, Get, Inject, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { parseAccountId, toHex } from '@balanceai/chain';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ApiErrors, NODE_UNAVAILABLE } from './openapi.js';
import { ADDRESS_PATTERN } from './request-params.js';
import { AccountView, accountView, ErrorView } from './views.js';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  @Get(':address')
  @ApiParam({ name: 'address', description: 'SS58 address (any prefix) or 0x hex 32-byte public key', schema: { type: 'string', pattern: ADDRESS_PATTERN } })
  @ApiOkResponse({ type: AccountView, description: 'balances and nonce at the finalized head' })
  @ApiBadRequestResponse({ type: ErrorView, description: 'BAD_ADDRESS' })
  @ApiErrors({ 503: NODE_UNAVAILABLE })
  async account(@Param('address') address: string): Promise<AccountView> {
    // Checked here (checksum included) so a typo is a 400 naming the address, not a validator round trip.
    const accountId = toHex(parseAccountId(address));
    return accountView(await this.consensus.call('getAccount', { address: accountId }));
  }
}
