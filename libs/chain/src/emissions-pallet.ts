import { ONE_BAI } from './amount.js';
import { PALLET } from './extrinsic.js';
import type { Genesis, GenesisAccounts } from './genesis.js';
import { type FieldSpec, type PalletDescriptor, type StorageHasher, type StorageItemSpec, type TypeSpec, MetaType } from './meta-types.js';
import { ScaleWriter } from './scale.js';
import { parseAccountId } from './ss58.js';

/*
 * The Emissions pallet (10, `pallet_emissions`): the BAI issuance schedule of docs/architecture.md §4, run by the
 * emissions module service (services/emissions). It has no calls: every block mints the schedule's amount
 * into four fund accounts. Metadata lists its events (as the module emits them), the one error a call
 * addressed to it gets, the storage the module serves (ModuleStorageService) and the schedule's genesis
 * parameters as constants.
 */

const T = MetaType;
const f = (name: string, type: TypeSpec, typeName: string, docs?: string[]): FieldSpec => ({ name, type, typeName, docs });
const BlockNumber = T.u32;
/** sp_arithmetic's Percent: parts per hundred in a u8 (the split's whole percentages). */
const Percent = T.composite(['sp_arithmetic', 'per_things', 'Percent'], [{ type: T.u8, typeName: 'u8' }]);

/** The schedule's parameters besides the genesis issuance (services/emissions MAINNET_SCHEDULE holds the same). */
export interface EmissionScheduleConstants {
  /** The cap: issuance never exceeds it, base units. */
  readonly maxSupply: bigint;
  /** Base units minted per `blocksPerDay` blocks in epoch 0 (halved each epoch). */
  readonly baseRatePerDay: bigint;
  readonly blocksPerDay: bigint;
  /** Whole percentages of each mint; the development fund takes the rest. */
  readonly stakingPercent: bigint;
  readonly modelsPercent: bigint;
  readonly agentsPercent: bigint;
}

export const MAINNET_EMISSION_CONSTANTS: EmissionScheduleConstants = Object.freeze({
  maxSupply: 21_000_000n * ONE_BAI,
  baseRatePerDay: 2_480n * ONE_BAI,
  blocksPerDay: 7_200n,
  stakingPercent: 44n,
  modelsPercent: 24n,
  agentsPercent: 24n,
});

export interface EmissionsPalletOptions {
  /** Issuance at height 0 (minted by genesis, not by the schedule): the sum of the genesis balances. */
  readonly genesisIssuance?: bigint;
  /** The four accounts every mint is split into (SS58 or 0x hex); without them their constants are left out. */
  readonly funds?: GenesisAccounts;
  readonly schedule?: Partial<EmissionScheduleConstants>;
}

/** The options of a chain's genesis: its balances' sum and its fund accounts; mainnet's schedule. */
export function genesisEmissionsOptions(g: Genesis): EmissionsPalletOptions {
  return {
    genesisIssuance: g.balances.reduce((sum, b) => sum + b.free, 0n),
    funds: g.accounts,
    // The models/agents split of the grants share comes from the genesis's models section when it has one.
    ...(g.models ? { schedule: { modelsPercent: BigInt(g.models.modelsPercent), agentsPercent: BigInt(g.models.agentsPercent) } } : {}),
  };
}

/** The Emissions storage items with their hashers, as the module keys its entries. */
export const EMISSIONS_STORAGE = {
  Issuance: [],
  TotalMinted: [],
  Epoch: [],
  EpochStart: [],
  Minted: ['Twox64Concat'],
} as const satisfies Record<string, readonly StorageHasher[]>;
export type EmissionsStorageItem = keyof typeof EMISSIONS_STORAGE;

/** The error of pallet 10: the module has no calls, so any call addressed to it fails with this. */
export const EMISSIONS_ERRORS = ['UnknownCall'] as const;

function storage(): StorageItemSpec[] {
  const item = (name: EmissionsStorageItem, value: TypeSpec, fallback: Uint8Array, doc: string): StorageItemSpec => ({
    name,
    modifier: 'Default',
    kind: 'plain',
    value,
    fallback,
    docs: [` ${doc}`],
  });
  return [
    item('Issuance', T.Balance, new Uint8Array(16), 'Genesis issuance plus everything the schedule has minted: what the next block mints from.'),
    item('TotalMinted', T.Balance, new Uint8Array(16), 'Everything the schedule has minted since genesis.'),
    item('Epoch', T.u32, new Uint8Array(4), 'Thresholds reached (halvings so far): blocks of this epoch mint BaseRatePerDay / 2^epoch per BlocksPerDay.'),
    item('EpochStart', BlockNumber, new Uint8Array(4), 'The first block of the current epoch.'),
    {
      name: 'Minted',
      modifier: 'Default',
      kind: 'map',
      hashers: [...EMISSIONS_STORAGE.Minted],
      key: T.AccountId32,
      value: T.Balance,
      fallback: new Uint8Array(16),
      docs: [' Minted into each fund account since genesis (staking reward pot, models grants, agents grants, development fund).'],
    },
  ];
}

/** The Emissions pallet's metadata (pallet 10). */
export function emissionsPallet(opts: EmissionsPalletOptions = {}): PalletDescriptor {
  const s = { ...MAINNET_EMISSION_CONSTANTS, ...opts.schedule };
  const balance = (name: string, value: bigint, doc: string) => ({ name, type: T.Balance, value: new ScaleWriter().u128(value).finish(), docs: [` ${doc}`] });
  const percent = (name: string, value: bigint, doc: string) => ({ name, type: Percent, value: new ScaleWriter().u8(Number(value)).finish(), docs: [` ${doc}`] });
  const account = (name: string, address: string, doc: string) => ({ name, type: T.AccountId32, value: parseAccountId(address), docs: [` ${doc}`] });
  const funds = opts.funds;
  return {
    name: 'Emissions',
    index: PALLET.Emissions,
    crate: 'pallet_emissions',
    events: [
      {
        name: 'Minted',
        index: 0,
        fields: [
          f('height', BlockNumber, 'BlockNumberFor<T>'),
          f('amount', T.Balance, 'BalanceOf<T>'),
          f('staking_pot', T.Balance, 'BalanceOf<T>'),
          f('models_grants', T.Balance, 'BalanceOf<T>'),
          f('agents_grants', T.Balance, 'BalanceOf<T>'),
          f('development_fund', T.Balance, 'BalanceOf<T>'),
        ],
        docs: ['The block minted `amount`, split into the four funds.'],
      },
      {
        name: 'Halving',
        index: 1,
        fields: [f('epoch', T.u32, 'u32'), f('at_issuance', T.Balance, 'BalanceOf<T>')],
        docs: ['Issuance reached the next threshold: from the next block the rate is halved (`epoch` halvings in all).'],
      },
    ],
    errors: EMISSIONS_ERRORS.map((name, index) => ({ name, index, docs: ['Emissions has no calls.'] })),
    storage: { prefix: 'Emissions', items: storage() },
    constants: [
      ...(opts.genesisIssuance === undefined ? [] : [balance('GenesisIssuance', opts.genesisIssuance, 'Issuance at height 0, minted by genesis.')]),
      balance('MaxSupply', s.maxSupply, 'The cap: issuance never exceeds it.'),
      balance('BaseRatePerDay', s.baseRatePerDay, 'Minted per BlocksPerDay blocks in epoch 0; halved at each threshold.'),
      { name: 'BlocksPerDay', type: BlockNumber, value: new ScaleWriter().u32(Number(s.blocksPerDay)).finish(), docs: [' Blocks per schedule day.'] },
      percent('StakingShare', s.stakingPercent, 'Share of each mint for the staking reward pot (floored).'),
      percent('ModelsShare', s.modelsPercent, 'Share of each mint for the models grants fund (floored).'),
      percent('AgentsShare', s.agentsPercent, 'Share of each mint for the agents grants fund (floored); the development fund takes the rest.'),
      ...(funds
        ? [
            account('StakingRewardPot', funds.stakingRewardPot, 'The staking reward pot.'),
            account('ModelsGrantsFund', funds.modelsGrantsFund, 'The models grants fund.'),
            account('AgentsGrantsFund', funds.agentsGrantsFund, 'The agents grants fund.'),
            account('DevelopmentFund', funds.developmentFund, 'The development fund.'),
          ]
        : []),
    ],
  };
}
