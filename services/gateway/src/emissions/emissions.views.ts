import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DomainError } from '@balanceai/platform';
import type { emissionsV1 } from '@balanceai/contracts';

// REST views of the emissions module. Amounts are decimal strings of base units (1 BAI = 10^18), heights
// decimal strings (uint64), times milliseconds since the Unix epoch with an ISO 8601 twin for people.

export class NextHalvingView {
  @ApiProperty({ example: 1, description: 'the epoch the chain enters' }) epoch!: number;
  @ApiProperty({ example: '10500000000000000000000000' }) threshold!: string;
  @ApiProperty({ description: 'base units still to mint before the threshold' }) remaining!: string;
  @ApiProperty({ example: '13412904', description: 'the block whose mint reaches the threshold' }) estimatedHeight!: string;
  @ApiProperty({ description: 'estimate at the genesis block time, from the last block time' }) estimatedTimeMs!: string;
  @ApiProperty({ example: '2031-01-01T00:00:00.000Z' }) estimatedDate!: string;
}

export class EmissionScheduleView {
  @ApiProperty({ example: '1024', description: 'last committed block' }) height!: string;
  @ApiProperty() lastBlockTimeMs!: string;
  @ApiProperty({ example: 0, description: 'halvings so far' }) epoch!: number;
  @ApiProperty({ example: '5880000000000000000000000' }) issuance!: string;
  @ApiProperty({ example: '21000000000000000000000000' }) maxSupply!: string;
  @ApiProperty() genesisIssuance!: string;
  @ApiProperty({ example: '344444444444444444', description: 'nominal, floored; a block mints this or one unit more' }) ratePerBlock!: string;
  @ApiProperty({ example: '2480000000000000000000' }) ratePerDay!: string;
  @ApiProperty({ example: '7200' }) blocksPerDay!: string;
  @ApiProperty({ example: '12000' }) blockTimeMs!: string;
  @ApiPropertyOptional({ type: NextHalvingView, nullable: true, description: 'null once issuance is at the cap' })
  nextHalving!: NextHalvingView | null;
}

export class IssuancePointView {
  @ApiProperty() height!: string;
  @ApiProperty() issuance!: string;
  @ApiProperty({ description: 'genesis time + height × block time' }) estimatedTimeMs!: string;
}

export class IssuanceCurveView {
  @ApiProperty({ example: '2593006844', description: 'the block at which issuance reaches the cap' }) capHeight!: string;
  @ApiProperty() maxSupply!: string;
  @ApiProperty({ type: [IssuancePointView] }) points!: IssuancePointView[];
}

export class FundView {
  @ApiProperty({ example: 'staking_reward_pot', enum: ['staking_reward_pot', 'models_grants_fund', 'agents_grants_fund', 'development_fund'] })
  name!: string;
  @ApiProperty({ description: '0x hex account id' }) account!: string;
  @ApiProperty({ description: 'SS58 address' }) address!: string;
  @ApiProperty({ example: 44, description: 'whole percent of each mint; the development fund also takes the rounding' }) percent!: number;
  @ApiProperty({ description: 'minted into this fund since genesis' }) minted!: string;
  @ApiProperty({ required: false, description: 'free balance now, from the ledger (the staking pot also receives fees)' }) balance?: string;
}

export class FundsView {
  @ApiProperty() height!: string;
  @ApiProperty({ type: [FundView] }) funds!: FundView[];
  @ApiProperty() totalMinted!: string;
}

function isoOf(ms: string): string {
  const n = Number(ms);
  // Past year 275760 a Date cannot hold it (~986 years out is fine; far epochs are not).
  return Number.isSafeInteger(n) && Math.abs(n) <= 8.64e15 ? new Date(n).toISOString() : '';
}

export function scheduleView(r: emissionsV1.GetScheduleResponse): EmissionScheduleView {
  const h = r.nextHalving;
  return {
    height: r.height,
    lastBlockTimeMs: r.lastBlockTimeMs,
    epoch: r.epoch,
    issuance: r.issuance,
    maxSupply: r.maxSupply,
    genesisIssuance: r.genesisIssuance,
    ratePerBlock: r.ratePerBlock,
    ratePerDay: r.ratePerDay,
    blocksPerDay: r.blocksPerDay,
    blockTimeMs: r.blockTimeMs,
    nextHalving: h
      ? { epoch: h.epoch, threshold: h.threshold, remaining: h.remaining, estimatedHeight: h.estimatedHeight, estimatedTimeMs: h.estimatedTimeMs, estimatedDate: isoOf(h.estimatedTimeMs) }
      : null,
  };
}

export function curveView(r: emissionsV1.GetIssuanceCurveResponse): IssuanceCurveView {
  return { capHeight: r.capHeight, maxSupply: r.maxSupply, points: r.points.map((p) => ({ height: p.height, issuance: p.issuance, estimatedTimeMs: p.estimatedTimeMs })) };
}

export function fundsView(r: emissionsV1.GetFundsResponse): FundsView {
  return {
    height: r.height,
    funds: r.funds.map((f) => ({ name: f.name, account: f.account, address: f.address, percent: f.percent, minted: f.minted })),
    totalMinted: r.totalMinted,
  };
}

/** `?points=` of the curve: absent = the service's default (100); otherwise an integer 2..1000. */
export function parsePoints(text: string | undefined): number {
  if (text === undefined || text === '') return 0;
  if (!/^\d{1,4}$/.test(text) || Number(text) < 2 || Number(text) > 1000) {
    throw new DomainError('BAD_POINTS', `points must be an integer from 2 to 1000, got "${text.slice(0, 20)}"`, 'invalid', { field: 'points' });
  }
  return Number(text);
}
