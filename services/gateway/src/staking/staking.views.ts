import { ApiProperty } from '@nestjs/swagger';
import { AddressError, parseAccountId } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';

// REST views of the staking module (docs/architecture.md §5). Amounts are decimal strings of base units
// (1 BAI = 10^18), heights decimal strings (uint64), commission in parts per billion (Perbill) with a
// percent twin for people. The shapes mirror balanceai.staking.v1 (proto-loader camelCase).

/** One validator of /v1/staking/validators (not the consensus view of /v1/status, `ValidatorView`). */
export class StakingValidatorView {
  @ApiProperty({ description: '0x hex account id of the stash' }) account!: string;
  @ApiProperty({ description: 'SS58 address' }) address!: string;
  @ApiProperty({ enum: ['active', 'waiting'] }) status!: string;
  @ApiProperty({ description: 'active bond of the stash now' }) ownBond!: string;
  @ApiProperty({ description: 'active: the era exposure total; waiting: own bond + bonds of the nominators naming it' }) totalBacking!: string;
  @ApiProperty({ description: 'active: own stake in the era exposure' }) ownExposure!: string;
  @ApiProperty({ example: 50_000_000, description: 'Perbill (parts per billion)' }) commission!: number;
  @ApiProperty({ example: '5', description: 'commission in percent' }) commissionPercent!: string;
  @ApiProperty() nominatorCount!: number;
  @ApiProperty({ description: 'era points in the current era (one per commit signed)' }) eraPoints!: string;
  @ApiProperty({ description: '0x hex ed25519 consensus key, empty if none' }) consensusKey!: string;
  @ApiProperty({ description: 'false if it chilled or was slashed after it was elected' }) candidate!: boolean;
}

export class ValidatorsView {
  @ApiProperty({ description: 'last committed block' }) height!: string;
  @ApiProperty() currentEra!: number;
  @ApiProperty({ type: [StakingValidatorView] }) active!: StakingValidatorView[];
  @ApiProperty({ type: [StakingValidatorView] }) waiting!: StakingValidatorView[];
}

export class UnlockChunkView {
  @ApiProperty() value!: string;
  @ApiProperty({ description: 'withdrawable once the current era reaches it' }) era!: number;
}

export class ExposureView {
  @ApiProperty() validator!: string;
  @ApiProperty() validatorAddress!: string;
  @ApiProperty() value!: string;
}

export class NominatorView {
  @ApiProperty() height!: string;
  @ApiProperty() currentEra!: number;
  @ApiProperty() account!: string;
  @ApiProperty() address!: string;
  @ApiProperty({ enum: ['nominator', 'validator', 'idle'] }) role!: string;
  @ApiProperty({ description: 'active + unlocking' }) total!: string;
  @ApiProperty() active!: string;
  @ApiProperty({ type: [UnlockChunkView] }) unlocking!: UnlockChunkView[];
  @ApiProperty({ enum: ['Staked', 'Stash'] }) payee!: string;
  @ApiProperty({ type: [String] }) targets!: string[];
  @ApiProperty() submittedIn!: number;
  @ApiProperty({ type: [ExposureView], description: 'its stake in the current era exposures' }) exposures!: ExposureView[];
}

export class EraView {
  @ApiProperty() era!: number;
  @ApiProperty() startHeight!: string;
  @ApiProperty() endHeight!: string;
  @ApiProperty() validatorCount!: number;
  @ApiProperty() totalStake!: string;
  @ApiProperty() totalPoints!: string;
  @ApiProperty({ description: 'era reward computed from the staking pot' }) reward!: string;
  @ApiProperty({ description: 'what was transferred out of the pot' }) paid!: string;
  @ApiProperty({ description: 'false while payouts are computed and reported but not transferred' }) paidOut!: boolean;
  @ApiProperty() slashes!: number;
  @ApiProperty() slashed!: string;
}

export class ErasView {
  @ApiProperty() height!: string;
  @ApiProperty() currentEra!: number;
  @ApiProperty() eraLength!: string;
  @ApiProperty() currentEraStartHeight!: string;
  @ApiProperty({ type: [EraView], description: 'completed eras, most recent first' }) eras!: EraView[];
  @ApiProperty() historyDepth!: number;
}

export class TotalsView {
  @ApiProperty() height!: string;
  @ApiProperty() currentEra!: number;
  @ApiProperty({ description: 'every bond (active + unlocking)' }) totalStaked!: string;
  @ApiProperty() totalActive!: string;
  @ApiProperty() activeEraStake!: string;
  @ApiProperty() totalIssuance!: string;
  @ApiProperty({ description: 'total staked / total issuance, parts per billion' }) stakingRatioPpb!: string;
  @ApiProperty({ example: '0.123456789' }) stakingRatio!: string;
  @ApiProperty() validatorCandidates!: number;
  @ApiProperty() nominators!: number;
  @ApiProperty() activeValidators!: number;
}

export type ValidatorsResponse = Omit<ValidatorsView, 'active' | 'waiting'> & { active: Array<Omit<StakingValidatorView, 'commissionPercent'>>; waiting: Array<Omit<StakingValidatorView, 'commissionPercent'>> };
export type NominatorResponse = NominatorView;
export type ErasResponse = ErasView;
export type TotalsResponse = TotalsView;

/** Perbill as a percent string without trailing zeros: 50_000_000 → "5", 1 → "0.0000001". */
export function perbillPercent(perbill: number): string {
  const s = (BigInt(perbill) * 100n).toString().padStart(10, '0');
  const whole = s.slice(0, -9).replace(/^0+(?=\d)/, '');
  const frac = s.slice(-9).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

export function validatorsView(r: ValidatorsResponse): ValidatorsView {
  const one = (v: Omit<StakingValidatorView, 'commissionPercent'>): StakingValidatorView => ({ ...v, commissionPercent: perbillPercent(v.commission) });
  return { height: r.height, currentEra: r.currentEra, active: r.active.map(one), waiting: r.waiting.map(one) };
}

/** `:address` of /v1/staking/nominators: an SS58 address or 0x hex account id, checked before any RPC. */
export function parseStakerAddress(text: string): string {
  try {
    parseAccountId(text);
    return text;
  } catch (err) {
    if (err instanceof AddressError) throw new DomainError('BAD_ADDRESS', err.message, 'invalid', { field: 'address' });
    throw err;
  }
}
