import { fromHex, ss58Encode } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import type { emissionsV1 } from '@balanceai/contracts';
import {
  advanceEmissionState,
  genesisEmissionState,
  issuanceCurve,
  nextHalving,
  ratePerBlock,
  ratePerDay,
  type EmissionSchedule,
} from '../schedule/index.js';
import type { EmissionsModuleState, EmissionsSetup } from './emissions.machine.js';

export const DEFAULT_CURVE_POINTS = 100;
export const MAX_CURVE_POINTS = 1000;

/** The block whose mint makes issuance reach the cap: one closed-form step per epoch from genesis. */
export function capHeight(s: EmissionSchedule): bigint {
  let state = genesisEmissionState(s);
  for (;;) {
    const next = nextHalving(s, state);
    if (next === null) return state.height;
    state = advanceEmissionState(s, state, next.estimatedHeight);
  }
}

export function scheduleView(setup: EmissionsSetup, state: EmissionsModuleState): emissionsV1.GetScheduleResponse {
  const s = setup.schedule;
  const e = state.emission;
  const halving = nextHalving(s, e);
  return {
    height: e.height.toString(),
    lastBlockTimeMs: state.lastBlockTimeMs.toString(),
    epoch: e.epoch,
    issuance: e.issuance.toString(),
    maxSupply: s.maxSupply.toString(),
    genesisIssuance: s.genesisIssuance.toString(),
    ratePerBlock: ratePerBlock(s, e).toString(),
    ratePerDay: ratePerDay(s, e).toString(),
    blocksPerDay: s.blocksPerDay.toString(),
    blockTimeMs: setup.blockTimeMs.toString(),
    nextHalving: halving
      ? {
          epoch: halving.epoch,
          threshold: halving.threshold.toString(),
          remaining: halving.remaining.toString(),
          estimatedHeight: halving.estimatedHeight.toString(),
          estimatedTimeMs: (state.lastBlockTimeMs + (halving.estimatedHeight - e.height) * setup.blockTimeMs).toString(),
        }
      : undefined,
  };
}

export function curveView(setup: EmissionsSetup, cap: bigint, requested: number): emissionsV1.GetIssuanceCurveResponse {
  const points = requested === 0 ? DEFAULT_CURVE_POINTS : requested;
  if (!Number.isInteger(points) || points < 2 || points > MAX_CURVE_POINTS) {
    throw new DomainError('BAD_POINTS', `points must be from 2 to ${MAX_CURVE_POINTS}`, 'invalid', { field: 'points' });
  }
  return {
    capHeight: cap.toString(),
    maxSupply: setup.schedule.maxSupply.toString(),
    points: issuanceCurve(setup.schedule, 0n, cap, points).map((p) => ({
      height: p.height.toString(),
      issuance: p.issuance.toString(),
      estimatedTimeMs: (setup.genesisTimeMs + p.height * setup.blockTimeMs).toString(),
    })),
  };
}

export function fundsView(setup: EmissionsSetup, state: EmissionsModuleState): emissionsV1.GetFundsResponse {
  const s = setup.schedule;
  const f = setup.funds;
  const m = state.minted;
  const fund = (name: string, account: string, percent: bigint, minted: bigint): emissionsV1.Fund => ({
    name,
    account,
    address: ss58Encode(fromHex(account, 32), setup.ss58Prefix),
    percent: Number(percent),
    minted: minted.toString(),
  });
  return {
    height: state.emission.height.toString(),
    funds: [
      fund('staking_reward_pot', f.stakingPot, s.stakingPercent, m.stakingPot),
      fund('models_grants_fund', f.modelsGrants, s.modelsPercent, m.modelsGrants),
      fund('agents_grants_fund', f.agentsGrants, s.agentsPercent, m.agentsGrants),
      fund('development_fund', f.developmentFund, 100n - s.stakingPercent - s.modelsPercent - s.agentsPercent, m.developmentFund),
    ],
    totalMinted: (m.stakingPot + m.modelsGrants + m.agentsGrants + m.developmentFund).toString(),
  };
}
