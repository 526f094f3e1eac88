import { ScaleWriter, blake2_256, parseAccountId, toHex, type Genesis } from '@balanceai/chain';
import type { ExecuteBlockInput, ExecuteBlockOutput, EventOutput, ModuleStateMachine, ModuleStorageView, TransferOutput } from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import {
  MAINNET_SCHEDULE,
  genesisEmissionState,
  mintForBlock,
  splitMint,
  validateSchedule,
  type EmissionSchedule,
  type EmissionState,
  type MintSplit,
} from '../schedule/index.js';
import { emissionsStorage } from './emissions.storage.js';

export const EMISSIONS_PALLET_INDEX = 10;

/** The four accounts every mint is split into, as lowercase 0x hex account ids. */
export interface FundAccounts {
  readonly stakingPot: string;
  readonly modelsGrants: string;
  readonly agentsGrants: string;
  readonly developmentFund: string;
}

/** What the module keeps: the schedule's state, plus bookkeeping for queries (not in the root). */
export interface EmissionsModuleState {
  readonly emission: EmissionState;
  /** Minted into each fund since genesis. */
  readonly minted: MintSplit;
  /** Block time of emission.height (genesis time at 0). */
  readonly lastBlockTimeMs: bigint;
}

export interface EmissionsSetup {
  readonly schedule: EmissionSchedule;
  readonly funds: FundAccounts;
  readonly genesisTimeMs: bigint;
  readonly blockTimeMs: bigint;
  readonly ss58Prefix: number;
}

const NO_MINT: MintSplit = Object.freeze({ stakingPot: 0n, modelsGrants: 0n, agentsGrants: 0n, developmentFund: 0n });

/** What the models and agents grants funds take together: 100 − 44 (staking) − 8 (development), §4. */
export const GRANTS_PERCENT = MAINNET_SCHEDULE.modelsPercent + MAINNET_SCHEDULE.agentsPercent;

/**
 * The schedule of a genesis: mainnet's rules, starting from the genesis balances' sum. Rate, cap and the
 * staking share are MAINNET_SCHEDULE's for every chain; a genesis with a `models` section chooses how the
 * grants' 48 % divide between the models and the agents funds (`modelsPercent` + `agentsPercent`, which must
 * add up to 48 so that staking keeps 44 % and the development fund 8 %; any other sum is refused here with
 * INVALID_EMISSION_SCHEDULE, and emissions does not start). Without the section the split is 24/24.
 */
export function emissionsSetupFromGenesis(genesis: Genesis): EmissionsSetup {
  const genesisIssuance = genesis.balances.reduce((sum, b) => sum + b.free, 0n);
  let split: Pick<EmissionSchedule, 'modelsPercent' | 'agentsPercent'> = MAINNET_SCHEDULE;
  if (genesis.models) {
    const modelsPercent = BigInt(genesis.models.modelsPercent);
    const agentsPercent = BigInt(genesis.models.agentsPercent);
    if (modelsPercent + agentsPercent !== GRANTS_PERCENT) {
      throw new DomainError(
        'INVALID_EMISSION_SCHEDULE',
        `genesis models.modelsPercent + models.agentsPercent is ${modelsPercent + agentsPercent}, must be ${GRANTS_PERCENT} (each mint: staking ${MAINNET_SCHEDULE.stakingPercent} %, models + agents ${GRANTS_PERCENT} %, development fund the rest)`,
        'invalid',
        { modelsPercent: modelsPercent.toString(), agentsPercent: agentsPercent.toString() },
      );
    }
    split = { modelsPercent, agentsPercent };
  }
  const schedule: EmissionSchedule = { ...MAINNET_SCHEDULE, genesisIssuance, modelsPercent: split.modelsPercent, agentsPercent: split.agentsPercent };
  validateSchedule(schedule);
  const id = (address: string) => toHex(parseAccountId(address));
  return {
    schedule,
    funds: {
      stakingPot: id(genesis.accounts.stakingRewardPot),
      modelsGrants: id(genesis.accounts.modelsGrantsFund),
      agentsGrants: id(genesis.accounts.agentsGrantsFund),
      developmentFund: id(genesis.accounts.developmentFund),
    },
    genesisTimeMs: BigInt(genesis.genesisTimeMs),
    blockTimeMs: BigInt(genesis.params.blockTimeMs),
    ss58Prefix: genesis.ss58Prefix,
  };
}

/** The root's preimage: SCALE (height u64, issuance u128, epoch u32, epochStartHeight u64). */
export function encodeEmissionState(state: EmissionState): Uint8Array {
  return new ScaleWriter().u64(state.height).u128(state.issuance).u32(state.epoch).u64(state.epochStartHeight).finish();
}

/**
 * Emissions (pallet 10): each block mints the schedule's amount into the four funds as MINT transfers.
 * It has no calls; any call addressed to it fails with Emissions.UnknownCall.
 */
export class EmissionsMachine implements ModuleStateMachine<EmissionsModuleState> {
  readonly name = 'emissions';
  readonly palletIndex = EMISSIONS_PALLET_INDEX;
  readonly mayMint = true;

  constructor(readonly setup: EmissionsSetup) {
    validateSchedule(setup.schedule);
  }

  initialState(): EmissionsModuleState {
    return { emission: genesisEmissionState(this.setup.schedule), minted: NO_MINT, lastBlockTimeMs: this.setup.genesisTimeMs };
  }

  root(state: EmissionsModuleState): Uint8Array {
    return blake2_256(encodeEmissionState(state.emission));
  }

  /** The pallet storage wallets read as `api.query.emissions.*` (emissions.storage.ts). */
  storage(state: EmissionsModuleState): ModuleStorageView {
    return emissionsStorage(this.setup, state);
  }

  executeBlock(state: EmissionsModuleState, input: ExecuteBlockInput): { state: EmissionsModuleState; output: ExecuteBlockOutput } {
    const { schedule, funds } = this.setup;
    const height = input.context.height;
    if (height !== state.emission.height + 1n) {
      throw new DomainError('HEIGHT_GAP', `emissions is at ${state.emission.height}, cannot mint ${height}`, 'conflict');
    }
    // Fees and slashes move BAI, never burn it, and emissions runs first: the ledger's issuance must be ours.
    const issuance = input.context.totalIssuance;
    if (issuance !== null && issuance !== state.emission.issuance) {
      throw new DomainError('ISSUANCE_MISMATCH', `the ledger's total issuance ${issuance} differs from the emitted ${state.emission.issuance} before block ${height}`, 'conflict', {
        ledger: issuance.toString(),
        emissions: state.emission.issuance.toString(),
      });
    }
    const mint = mintForBlock(schedule, state.emission);
    const split = splitMint(schedule, mint.minted);
    const transfers: TransferOutput[] = [
      { kind: 'mint', to: funds.stakingPot, amount: split.stakingPot },
      { kind: 'mint', to: funds.modelsGrants, amount: split.modelsGrants },
      { kind: 'mint', to: funds.agentsGrants, amount: split.agentsGrants },
      { kind: 'mint', to: funds.developmentFund, amount: split.developmentFund },
    ];
    const events: EventOutput[] = [];
    if (mint.minted > 0n) {
      events.push({
        name: 'Minted',
        data: { height, amount: mint.minted, stakingPot: split.stakingPot, modelsGrants: split.modelsGrants, agentsGrants: split.agentsGrants, developmentFund: split.developmentFund },
        extrinsicIndex: null,
      });
    }
    if (mint.halving) events.push({ name: 'Halving', data: { epoch: mint.halving.epoch, atIssuance: mint.halving.atIssuance }, extrinsicIndex: null });
    const results = input.calls.map((call) => ({
      extrinsicIndex: call.extrinsicIndex,
      success: false,
      errorCode: 'Emissions.UnknownCall',
      errorMessage: `emissions has no call ${call.callIndex}`,
    }));
    return {
      state: {
        emission: mint.next,
        minted: {
          stakingPot: state.minted.stakingPot + split.stakingPot,
          modelsGrants: state.minted.modelsGrants + split.modelsGrants,
          agentsGrants: state.minted.agentsGrants + split.agentsGrants,
          developmentFund: state.minted.developmentFund + split.developmentFund,
        },
        lastBlockTimeMs: input.context.timeMs,
      },
      output: { results, events, transfers },
    };
  }

  checkTx(input: { callIndex: number }) {
    return { ok: false, errorCode: 'Emissions.UnknownCall', errorMessage: `emissions has no call ${input.callIndex}` };
  }
}
