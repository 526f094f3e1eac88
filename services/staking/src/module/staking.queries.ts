// Read-only views of the committed staking state for balanceai.staking.v1.StakingService. Field names are
// the proto's in camelCase (proto-loader keepCase:false), uint64 as decimal strings (longs: String).
import { AddressError, fromHex, parseAccountId, ss58Encode, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { totalBonded } from '../logic/calls.js';
import type { AccountId } from '../logic/types.js';
import type { StakingSetup } from './staking.machine.js';
import { HISTORY_DEPTH, type StakingModuleState } from './staking.state.js';

export interface ValidatorView {
  account: string;
  address: string;
  status: 'active' | 'waiting';
  ownBond: string;
  totalBacking: string;
  ownExposure: string;
  commission: number;
  nominatorCount: number;
  eraPoints: string;
  consensusKey: string;
  candidate: boolean;
}

export interface GetValidatorsResponse {
  height: string;
  currentEra: number;
  active: ValidatorView[];
  waiting: ValidatorView[];
}

export interface GetNominatorResponse {
  height: string;
  currentEra: number;
  account: string;
  address: string;
  role: 'nominator' | 'validator' | 'idle';
  total: string;
  active: string;
  unlocking: Array<{ value: string; era: number }>;
  payee: string;
  targets: string[];
  submittedIn: number;
  exposures: Array<{ validator: string; validatorAddress: string; value: string }>;
}

export interface EraSummaryView {
  era: number;
  startHeight: string;
  endHeight: string;
  validatorCount: number;
  totalStake: string;
  totalPoints: string;
  reward: string;
  paid: string;
  paidOut: boolean;
  slashes: number;
  slashed: string;
}

export interface GetErasResponse {
  height: string;
  currentEra: number;
  eraLength: string;
  currentEraStartHeight: string;
  eras: EraSummaryView[];
  historyDepth: number;
}

export interface GetTotalsResponse {
  height: string;
  currentEra: number;
  totalStaked: string;
  totalActive: string;
  activeEraStake: string;
  totalIssuance: string;
  stakingRatioPpb: string;
  stakingRatio: string;
  validatorCandidates: number;
  nominators: number;
  activeValidators: number;
}

const addr = (setup: StakingSetup, account: AccountId): string => ss58Encode(fromHex(account, 32), setup.ss58Prefix);

export function validatorsView(setup: StakingSetup, m: StakingModuleState): GetValidatorsResponse {
  const s = m.staking;
  const ownBond = (v: AccountId) => s.ledgers.get(v)?.active ?? 0n;
  const active: ValidatorView[] = s.active.validators.map((v) => {
    const e = s.active.exposures.get(v)!;
    return {
      account: v,
      address: addr(setup, v),
      status: 'active',
      ownBond: ownBond(v).toString(),
      totalBacking: e.total.toString(),
      ownExposure: e.own.toString(),
      commission: Number(s.validators.get(v)?.commission ?? s.active.commissions.get(v) ?? 0n),
      nominatorCount: e.others.length,
      eraPoints: (s.points.get(v) ?? 0n).toString(),
      consensusKey: m.consensusKeys.get(v) ?? '',
      candidate: s.validators.has(v),
    };
  });
  const inSet = new Set(s.active.validators);
  const backers = new Map<AccountId, { count: number; stake: bigint }>();
  for (const [who, n] of s.nominators) {
    const stake = s.ledgers.get(who)?.active ?? 0n;
    for (const t of n.targets) {
      const b = backers.get(t) ?? { count: 0, stake: 0n };
      backers.set(t, { count: b.count + 1, stake: b.stake + stake });
    }
  }
  const waiting: ValidatorView[] = [...s.validators.keys()]
    .filter((v) => !inSet.has(v))
    .sort()
    .map((v) => {
      const b = backers.get(v) ?? { count: 0, stake: 0n };
      return {
        account: v,
        address: addr(setup, v),
        status: 'waiting',
        ownBond: ownBond(v).toString(),
        totalBacking: (ownBond(v) + b.stake).toString(),
        ownExposure: '0',
        commission: Number(s.validators.get(v)!.commission),
        nominatorCount: b.count,
        eraPoints: '0',
        consensusKey: m.consensusKeys.get(v) ?? '',
        candidate: true,
      };
    });
  return { height: m.height.toString(), currentEra: s.currentEra, active, waiting };
}

export function nominatorView(setup: StakingSetup, m: StakingModuleState, address: string): GetNominatorResponse {
  let account: string;
  try {
    account = toHex(parseAccountId(address));
  } catch (err) {
    if (err instanceof AddressError) throw new DomainError('BAD_ADDRESS', err.message, 'invalid', { field: 'address' });
    throw err;
  }
  const s = m.staking;
  const ledger = s.ledgers.get(account);
  if (!ledger) throw new DomainError('NOT_BONDED', `${address} has no bond`, 'not_found');
  const nominations = s.nominators.get(account);
  const exposures: GetNominatorResponse['exposures'] = [];
  for (const v of s.active.validators) {
    const e = s.active.exposures.get(v)!;
    const value = v === account ? e.own : (e.others.find((o) => o.who === account)?.value ?? 0n);
    if (value > 0n) exposures.push({ validator: v, validatorAddress: addr(setup, v), value: value.toString() });
  }
  return {
    height: m.height.toString(),
    currentEra: s.currentEra,
    account,
    address: addr(setup, account),
    role: nominations ? 'nominator' : s.validators.has(account) ? 'validator' : 'idle',
    total: ledger.total.toString(),
    active: ledger.active.toString(),
    unlocking: ledger.unlocking.map((c) => ({ value: c.value.toString(), era: c.era })),
    payee: s.payees.get(account) ?? 'Staked',
    targets: nominations ? [...nominations.targets] : [],
    submittedIn: nominations?.submittedIn ?? 0,
    exposures,
  };
}

export function erasView(setup: StakingSetup, m: StakingModuleState): GetErasResponse {
  return {
    height: m.height.toString(),
    currentEra: m.staking.currentEra,
    eraLength: setup.eraLength.toString(),
    currentEraStartHeight: m.eraStartHeight.toString(),
    eras: [...m.eras].reverse().map((e) => ({
      era: e.era,
      startHeight: e.startHeight.toString(),
      endHeight: e.endHeight.toString(),
      validatorCount: e.validatorCount,
      totalStake: e.totalStake.toString(),
      totalPoints: e.totalPoints.toString(),
      reward: e.reward.toString(),
      paid: e.paid.toString(),
      paidOut: e.paidOut,
      slashes: e.slashes,
      slashed: e.slashed.toString(),
    })),
    historyDepth: HISTORY_DEPTH,
  };
}

/** `ppb` parts per billion as a decimal string with 9 places ("0.123456789"). */
export function ratioString(ppb: bigint): string {
  return `${ppb / 1_000_000_000n}.${(ppb % 1_000_000_000n).toString().padStart(9, '0')}`;
}

export function totalsView(m: StakingModuleState): GetTotalsResponse {
  const s = m.staking;
  const staked = totalBonded(s);
  let active = 0n;
  for (const l of s.ledgers.values()) active += l.active;
  let eraStake = 0n;
  for (const v of s.active.validators) eraStake += s.active.exposures.get(v)!.total;
  const ppb = m.totalIssuance > 0n ? (staked * 1_000_000_000n) / m.totalIssuance : 0n;
  return {
    height: m.height.toString(),
    currentEra: s.currentEra,
    totalStaked: staked.toString(),
    totalActive: active.toString(),
    activeEraStake: eraStake.toString(),
    totalIssuance: m.totalIssuance.toString(),
    stakingRatioPpb: ppb.toString(),
    stakingRatio: ratioString(ppb),
    validatorCandidates: s.validators.size,
    nominators: s.nominators.size,
    activeValidators: s.active.validators.length,
  };
}
