import { callNames, decodeCallArgs } from './call-decode.js';
import { CallDecodeError } from './errors.js';
import { type Call, PALLET } from './extrinsic.js';
import { MetaType, type FieldSpec, type PalletDescriptor, type StorageHasher, type StorageItemSpec, type TypeSpec, type VariantSpec } from './metadata.js';
import { ScaleReader, ScaleWriter } from './scale.js';

/*
 * The Staking pallet's calls (pallet 7), SCALE-encoded exactly as polkadot-sdk pallet-staking encodes them
 * where the call exists there (wallets and @polkadot/api build them from our metadata), plus one call of
 * our own: `set_consensus_key` (index 20), the ed25519 key a validator signs consensus votes with
 * (Substrate keeps session keys in pallet-session's `set_keys`; we have no session pallet).
 */

/** pallet-staking call indices; 20 is BalanceAI's own. */
export const STAKING_CALL = {
  bond: 0,
  bond_extra: 1,
  unbond: 2,
  withdraw_unbonded: 3,
  validate: 4,
  nominate: 5,
  chill: 6,
  set_payee: 7,
  rebond: 19,
  set_consensus_key: 20,
} as const;

export type StakingCallName = keyof typeof STAKING_CALL;

/** pallet-staking's RewardDestination; BalanceAI pays only `Staked` and `Stash` (Controller is deprecated). */
export const REWARD_DESTINATION = { Staked: 0, Stash: 1, Controller: 2, Account: 3, None: 4 } as const;
export type Payee = 'Staked' | 'Stash';

/** A decoded staking call. Account ids are 32 raw bytes; amounts are base units; commission is Perbill (0..10^9). */
export type StakingCallData =
  | { readonly call: 'bond'; readonly value: bigint; readonly payee: Payee }
  | { readonly call: 'bond_extra'; readonly maxAdditional: bigint }
  | { readonly call: 'unbond'; readonly value: bigint }
  | { readonly call: 'withdraw_unbonded'; readonly numSlashingSpans: number }
  | { readonly call: 'validate'; readonly commission: bigint; readonly blocked: boolean }
  | { readonly call: 'nominate'; readonly targets: readonly Uint8Array[] }
  | { readonly call: 'chill' }
  | { readonly call: 'set_payee'; readonly payee: Payee }
  | { readonly call: 'rebond'; readonly value: bigint }
  | { readonly call: 'set_consensus_key'; readonly key: Uint8Array };

const MAX_U128 = (1n << 128n) - 1n;
const PERBILL_ONE = 1_000_000_000n;
/** More targets than this never decode (the pallet's own limit, maxNominations, is lower). */
export const MAX_DECODED_TARGETS = 64;

function writePayee(w: ScaleWriter, payee: Payee): void {
  const tag = REWARD_DESTINATION[payee];
  if (tag === undefined) throw new CallDecodeError(`payee ${String(payee)} is not supported (Staked or Stash)`);
  w.u8(tag);
}

function readPayee(r: ScaleReader): Payee {
  const tag = r.u8();
  if (tag === REWARD_DESTINATION.Staked) return 'Staked';
  if (tag === REWARD_DESTINATION.Stash) return 'Stash';
  if (tag <= REWARD_DESTINATION.None) throw new CallDecodeError(`RewardDestination variant ${tag} is not supported (only Staked 0 and Stash 1)`);
  throw new CallDecodeError(`invalid RewardDestination variant ${tag}`);
}

function balance(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_U128) throw new CallDecodeError(`${what} must be a u128`);
  return v;
}

function account(a: Uint8Array, what: string): Uint8Array {
  if (!(a instanceof Uint8Array) || a.length !== 32) throw new CallDecodeError(`${what} must be 32 bytes`);
  return a;
}

/** The call (pallet 7, call index, SCALE args) for a staking call. */
export function encodeStakingCall(c: StakingCallData): Call {
  const w = new ScaleWriter();
  switch (c.call) {
    case 'bond':
      w.compact(balance(c.value, 'value'));
      writePayee(w, c.payee);
      break;
    case 'bond_extra':
      w.compact(balance(c.maxAdditional, 'max_additional'));
      break;
    case 'unbond':
    case 'rebond':
      w.compact(balance(c.value, 'value'));
      break;
    case 'withdraw_unbonded':
      w.u32(c.numSlashingSpans);
      break;
    case 'validate':
      if (c.commission < 0n || c.commission > 0xffff_ffffn) throw new CallDecodeError('commission must be a Perbill (u32)');
      w.compact(c.commission).bool(c.blocked);
      break;
    case 'nominate':
      if (c.targets.length > MAX_DECODED_TARGETS) throw new CallDecodeError(`at most ${MAX_DECODED_TARGETS} targets`);
      w.vec(c.targets, (w, t) => w.u8(0).raw(account(t, 'a target')));
      break;
    case 'chill':
      break;
    case 'set_payee':
      writePayee(w, c.payee);
      break;
    case 'set_consensus_key':
      w.raw(account(c.key, 'the consensus key'));
      break;
    default:
      throw new CallDecodeError(`unknown staking call ${(c as { call: string }).call}`);
  }
  return { palletIndex: PALLET.Staking, callIndex: STAKING_CALL[c.call], args: w.finish() };
}

const NAME_OF = callNames(STAKING_CALL);

/**
 * Decodes a staking call's arguments (the ledger hands modules `call_index` + `args`). Strict: unknown
 * indices, unsupported variants, non-canonical compacts and trailing bytes are CallDecodeError (BAD_CALL).
 */
export function decodeStakingCall(callIndex: number, args: Uint8Array): StakingCallData {
  return decodeCallArgs('Staking', NAME_OF, callIndex, args, (name, r): StakingCallData => {
    switch (name) {
      case 'bond':
        return { call: name, value: r.compactU128(), payee: readPayee(r) };
      case 'bond_extra':
        return { call: name, maxAdditional: r.compactU128() };
      case 'unbond':
      case 'rebond':
        return { call: name, value: r.compactU128() };
      case 'withdraw_unbonded':
        return { call: name, numSlashingSpans: r.u32() };
      case 'validate': {
        const commission = BigInt(r.compactU32());
        const blocked = r.bool();
        return { call: name, commission, blocked };
      }
      case 'nominate': {
        const n = r.compactU32();
        if (n > MAX_DECODED_TARGETS) throw new CallDecodeError(`nominate lists ${n} targets; at most ${MAX_DECODED_TARGETS} decode`);
        const targets: Uint8Array[] = [];
        for (let i = 0; i < n; i++) {
          const variant = r.u8();
          if (variant !== 0) throw new CallDecodeError(`target ${i}: MultiAddress variant ${variant} is not supported (only Id)`);
          targets.push(r.raw(32).slice());
        }
        return { call: name, targets };
      }
      case 'chill':
        return { call: name };
      case 'set_payee':
        return { call: name, payee: readPayee(r) };
      case 'set_consensus_key':
        return { call: name, key: r.raw(32).slice() };
    }
  });
}

/** A full call's staking data; the pallet must be 7. */
export function decodeStakingCallOf(call: Call): StakingCallData {
  if (call.palletIndex !== PALLET.Staking) throw new CallDecodeError(`pallet ${call.palletIndex} is not Staking`);
  return decodeStakingCall(call.callIndex, call.args);
}

// --- metadata -------------------------------------------------------------------------------------------

const T = MetaType;
const f = (name: string, type: TypeSpec, typeName: string, docs?: string[]): FieldSpec => ({ name, type, typeName, docs });
const Perbill = T.composite(['sp_arithmetic', 'per_things', 'Perbill'], [{ type: T.u32, typeName: 'u32' }]);
const RewardDestination = T.variant(
  ['pallet_staking', 'RewardDestination'],
  [
    { name: 'Staked', index: 0 },
    { name: 'Stash', index: 1 },
    { name: 'Controller', index: 2 },
    { name: 'Account', index: 3, fields: [{ type: T.AccountId32, typeName: 'AccountId' }] },
    { name: 'None', index: 4 },
  ],
  [{ name: 'AccountId', type: T.AccountId32 }],
);
const ValidatorPrefs = T.composite(['pallet_staking', 'ValidatorPrefs'], [
  f('commission', T.compact(Perbill), 'Perbill'),
  f('blocked', T.bool, 'bool'),
]);

/** The errors of pallet 7, in the order their index is assigned; `Staking.<name>` is the code clients see. */
export const STAKING_ERRORS = [
  'NotController',
  'NotStash',
  'AlreadyBonded',
  'InsufficientBond',
  'NoMoreChunks',
  'NoUnlockChunk',
  'EmptyTargets',
  'TooManyTargets',
  'BadTarget',
  'CommissionTooLow',
  'CommissionTooHigh',
  'BadValue',
  'NoConsensusKey',
  'DuplicateConsensusKey',
  'BadCall',
] as const;

// --- storage ------------------------------------------------------------------------------------------
//
// The Staking storage wallets and @polkadot/api-derive read, with polkadot-sdk's item names, hashers, value
// types, modifiers and fallbacks (pallet-staking `pallet/mod.rs`, types in `lib.rs` and `sp_staking`), so a
// client decodes our values as it decodes Polkadot's. Only items whose values the staking module really
// tracks are declared; the module serves them (services/staking: staking.storage.ts).

const EraIndex = T.u32;
/** Completed eras whose summaries the module keeps (Substrate's HistoryDepth; services/staking keeps as many). */
export const STAKING_HISTORY_DEPTH = 84;
/** Nominators per `ErasStakersPaged` page: the module pays at most this many per validator and era too. */
export const STAKING_EXPOSURE_PAGE_SIZE = 512;
const enumOf = (name: string, variants: string[]): TypeSpec => T.variant(['pallet_staking', name], variants.map((v, index) => ({ name: v, index })));
/** BalanceAI's event reasons (the module's JSON carries them as their names). */
const ElectionSkipReason = enumOf('ElectionSkipReason', ['NotEnoughCandidates']);
const SlashIgnoredReason = enumOf('SlashIgnoredReason', ['AlreadySlashed', 'UnknownEra', 'NotExposed', 'UnknownValidator']);
/** frame-support's BoundedVec<T, S>: scale-info describes it as a wrapper of Vec<T>; encoded as Vec<T>. */
const boundedVec = (of: TypeSpec): TypeSpec => T.composite(['bounded_collections', 'bounded_vec', 'BoundedVec'], [{ type: T.vec(of), typeName: 'Vec<T>' }], [{ name: 'T', type: of }, { name: 'S' }]);
/** scale-info's BTreeMap<K, V>: a wrapper of Vec<(K, V)> in ascending key order. */
const btreeMap = (k: TypeSpec, v: TypeSpec): TypeSpec => T.composite(['BTreeMap'], [{ type: T.vec(T.tuple(k, v)) }], [{ name: 'K', type: k }, { name: 'V', type: v }]);
const withAccountBalance = [{ name: 'AccountId', type: T.AccountId32 }, { name: 'Balance', type: T.Balance }];

const UnlockChunk = T.composite(['pallet_staking', 'UnlockChunk'], [f('value', T.compact(T.Balance), 'Balance'), f('era', T.compact(EraIndex), 'EraIndex')], [{ name: 'Balance', type: T.Balance }]);
const StakingLedger = T.composite(['pallet_staking', 'StakingLedger'], [
  f('stash', T.AccountId32, 'T::AccountId'),
  f('total', T.compact(T.Balance), 'BalanceOf<T>'),
  f('active', T.compact(T.Balance), 'BalanceOf<T>'),
  f('unlocking', boundedVec(UnlockChunk), 'BoundedVec<UnlockChunk<BalanceOf<T>>, T::MaxUnlockingChunks>'),
  f('legacy_claimed_rewards', boundedVec(EraIndex), 'BoundedVec<EraIndex, T::HistoryDepth>'),
], [{ name: 'T' }]);
const Nominations = T.composite(['pallet_staking', 'Nominations'], [
  f('targets', boundedVec(T.AccountId32), 'BoundedVec<T::AccountId, MaxNominationsOf<T>>'),
  f('submitted_in', EraIndex, 'EraIndex'),
  f('suppressed', T.bool, 'bool'),
], [{ name: 'T' }]);
const ActiveEraInfo = T.composite(['pallet_staking', 'ActiveEraInfo'], [
  f('index', EraIndex, 'EraIndex'),
  f('start', T.option(T.u64), 'Option<u64>'),
]);
const IndividualExposure = T.composite(['sp_staking', 'IndividualExposure'], [f('who', T.AccountId32, 'AccountId'), f('value', T.compact(T.Balance), 'Balance')], withAccountBalance);
const Exposure = T.composite(['sp_staking', 'Exposure'], [
  f('total', T.compact(T.Balance), 'Balance'),
  f('own', T.compact(T.Balance), 'Balance'),
  f('others', T.vec(IndividualExposure), 'Vec<IndividualExposure<AccountId, Balance>>'),
], withAccountBalance);
const PagedExposureMetadata = T.composite(['sp_staking', 'PagedExposureMetadata'], [
  f('total', T.compact(T.Balance), 'Balance'),
  f('own', T.compact(T.Balance), 'Balance'),
  f('nominator_count', T.u32, 'u32'),
  f('page_count', T.u32, 'Page'),
], [{ name: 'Balance', type: T.Balance }]);
const ExposurePage = T.composite(['sp_staking', 'ExposurePage'], [
  f('page_total', T.compact(T.Balance), 'Balance'),
  f('others', T.vec(IndividualExposure), 'Vec<IndividualExposure<AccountId, Balance>>'),
], withAccountBalance);
const EraRewardPoints = T.composite(['pallet_staking', 'EraRewardPoints'], [
  f('total', T.u32, 'RewardPoint'),
  f('individual', btreeMap(T.AccountId32, T.u32), 'BTreeMap<AccountId, RewardPoint>'),
], [{ name: 'AccountId', type: T.AccountId32 }]);

/** The Staking storage items, as `[name, hashers]` the module keys its entries with. */
export const STAKING_STORAGE = {
  ValidatorCount: [],
  MinimumValidatorCount: [],
  Bonded: ['Twox64Concat'],
  MinNominatorBond: [],
  MinValidatorBond: [],
  MinCommission: [],
  Ledger: ['Blake2_128Concat'],
  Payee: ['Twox64Concat'],
  Validators: ['Twox64Concat'],
  CounterForValidators: [],
  Nominators: ['Twox64Concat'],
  CounterForNominators: [],
  CurrentEra: [],
  ActiveEra: [],
  ErasStakers: ['Twox64Concat', 'Twox64Concat'],
  ErasStakersOverview: ['Twox64Concat', 'Twox64Concat'],
  ErasStakersPaged: ['Twox64Concat', 'Twox64Concat', 'Twox64Concat'],
  ErasValidatorPrefs: ['Twox64Concat', 'Twox64Concat'],
  ErasValidatorReward: ['Twox64Concat'],
  ErasRewardPoints: ['Twox64Concat'],
  ErasTotalStake: ['Twox64Concat'],
} as const satisfies Record<string, readonly StorageHasher[]>;
export type StakingStorageItem = keyof typeof STAKING_STORAGE;

const zeros = (n: number) => new Uint8Array(n);
const plain = (name: StakingStorageItem, modifier: 'Optional' | 'Default', value: TypeSpec, fallback: Uint8Array, doc: string): StorageItemSpec => ({
  name,
  modifier,
  kind: 'plain',
  value,
  fallback,
  docs: [` ${doc}`],
});
const map = (name: StakingStorageItem, modifier: 'Optional' | 'Default', key: TypeSpec, value: TypeSpec, fallback: Uint8Array, doc: string): StorageItemSpec => ({
  name,
  modifier,
  kind: 'map',
  hashers: [...STAKING_STORAGE[name]],
  key,
  value,
  fallback,
  docs: [` ${doc}`],
});
const eraStash = T.tuple(EraIndex, T.AccountId32);
const counterDoc = 'Counter for the related counted storage map';

/** Storage items in polkadot-sdk's declaration order (a CountedStorageMap's counter follows its map). */
function stakingStorage(): StorageItemSpec[] {
  return [
    plain('ValidatorCount', 'Default', T.u32, zeros(4), 'The ideal number of active validators.'),
    plain('MinimumValidatorCount', 'Default', T.u32, zeros(4), 'Minimum number of staking participants before emergency conditions are imposed.'),
    map('Bonded', 'Optional', T.AccountId32, T.AccountId32, zeros(0), 'Map from all locked "stash" accounts to the controller account (BalanceAI: always the stash itself).'),
    plain('MinNominatorBond', 'Default', T.Balance, zeros(16), 'The minimum active bond to become and maintain the role of a nominator.'),
    plain('MinValidatorBond', 'Default', T.Balance, zeros(16), 'The minimum active bond to become and maintain the role of a validator.'),
    plain('MinCommission', 'Default', Perbill, zeros(4), 'The minimum amount of commission that validators can set.'),
    map('Ledger', 'Optional', T.AccountId32, StakingLedger, zeros(0), 'Map from all (unlocked) "controller" accounts to the info regarding the staking.'),
    map('Payee', 'Optional', T.AccountId32, RewardDestination, zeros(0), 'Where the reward payment should be made. Keyed by stash.'),
    map('Validators', 'Default', T.AccountId32, ValidatorPrefs, zeros(2), 'The map from (wannabe) validator stash key to the preferences of that validator.'),
    plain('CounterForValidators', 'Default', T.u32, zeros(4), counterDoc),
    map('Nominators', 'Optional', T.AccountId32, Nominations, zeros(0), 'The map from nominator stash key to their nomination preferences.'),
    plain('CounterForNominators', 'Default', T.u32, zeros(4), counterDoc),
    plain('CurrentEra', 'Optional', EraIndex, zeros(0), 'The current era index.'),
    plain('ActiveEra', 'Optional', ActiveEraInfo, zeros(0), 'The active era information, it holds index and start (BalanceAI: start is not tracked, always None).'),
    map('ErasStakers', 'Default', eraStash, Exposure, zeros(3), 'Exposure of validator at era (BalanceAI: the active era and the one before).'),
    map('ErasStakersOverview', 'Optional', eraStash, PagedExposureMetadata, zeros(0), 'Summary of validator exposure at a given era.'),
    map('ErasStakersPaged', 'Optional', T.tuple(EraIndex, T.AccountId32, T.u32), ExposurePage, zeros(0), 'Paginated exposure of a validator at given era.'),
    map('ErasValidatorPrefs', 'Default', eraStash, ValidatorPrefs, zeros(2), 'Similar to `ErasStakers`, this holds the preferences of validators.'),
    map('ErasValidatorReward', 'Optional', EraIndex, T.Balance, zeros(0), 'The total validator era payout for the last `HistoryDepth` eras.'),
    map('ErasRewardPoints', 'Default', EraIndex, EraRewardPoints, zeros(5), 'Rewards for the last `HistoryDepth` eras (BalanceAI: the era in progress).'),
    map('ErasTotalStake', 'Default', EraIndex, T.Balance, zeros(16), 'The total amount staked for the last `HistoryDepth` eras.'),
  ];
}

const stashAmount = [f('stash', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')];

/**
 * The Staking pallet's metadata (pallet 7): calls with pallet-staking's indices and argument types, the
 * events the module reports, its errors, the storage it serves, and constants (`opts` fills them).
 */
export function stakingPallet(
  opts: { bondingDuration?: number; maxNominations?: number; eraLength?: number; historyDepth?: number; maxUnlockingChunks?: number } = {},
): PalletDescriptor {
  const calls: VariantSpec[] = [
    { name: 'bond', index: STAKING_CALL.bond, fields: [f('value', T.compact(T.Balance), 'BalanceOf<T>'), f('payee', RewardDestination, 'RewardDestination<T::AccountId>')], docs: ['Lock `value` of the free balance of the signer (the stash) as stake.'] },
    { name: 'bond_extra', index: STAKING_CALL.bond_extra, fields: [f('max_additional', T.compact(T.Balance), 'BalanceOf<T>')], docs: ['Add up to `max_additional` of free balance to the stake.'] },
    { name: 'unbond', index: STAKING_CALL.unbond, fields: [f('value', T.compact(T.Balance), 'BalanceOf<T>')], docs: ['Schedule `value` of the active stake for withdrawal after the bonding duration.'] },
    { name: 'withdraw_unbonded', index: STAKING_CALL.withdraw_unbonded, fields: [f('num_slashing_spans', T.u32, 'u32')], docs: ['Return the unlocked chunks to the free balance.'] },
    { name: 'validate', index: STAKING_CALL.validate, fields: [f('prefs', ValidatorPrefs, 'ValidatorPrefs')], docs: ['Declare the intention to validate, with a commission; needs a consensus key (set_consensus_key).'] },
    { name: 'nominate', index: STAKING_CALL.nominate, fields: [f('targets', T.vec(T.MultiAddress), 'Vec<AccountIdLookupOf<T>>')], docs: ['Back up to MaxNominations validator candidates.'] },
    { name: 'chill', index: STAKING_CALL.chill, docs: ['Stop validating or nominating.'] },
    { name: 'set_payee', index: STAKING_CALL.set_payee, fields: [f('payee', RewardDestination, 'RewardDestination<T::AccountId>')], docs: ['Where rewards go: Staked or Stash.'] },
    { name: 'rebond', index: STAKING_CALL.rebond, fields: [f('value', T.compact(T.Balance), 'BalanceOf<T>')], docs: ['Move unlocking chunks (latest first) back to the active stake.'] },
    { name: 'set_consensus_key', index: STAKING_CALL.set_consensus_key, fields: [f('key', T.array(32, T.u8), '[u8; 32]')], docs: ['BalanceAI: the ed25519 public key the validator signs consensus votes with; used from the next elected set.'] },
  ];
  const events: VariantSpec[] = [
    // polkadot-sdk's events keep their index and fields; the module's JSON carries each field by its camelCase
    // name or a jsonAlias (it may carry more, e.g. Unbonded's `era`, which the encoding leaves out).
    {
      name: 'EraPaid',
      index: 0,
      fields: [{ ...f('era_index', EraIndex, 'EraIndex'), jsonAliases: ['era'] }, { ...f('validator_payout', T.Balance, 'BalanceOf<T>'), jsonAliases: ['paid'] }, f('remainder', T.Balance, 'BalanceOf<T>')],
    },
    { name: 'Rewarded', index: 1, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('dest', RewardDestination, 'RewardDestination<T::AccountId>'), f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'Slashed', index: 2, fields: [f('staker', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'StakersElected', index: 5 },
    { name: 'Bonded', index: 6, fields: stashAmount },
    { name: 'Unbonded', index: 7, fields: stashAmount },
    { name: 'Withdrawn', index: 8, fields: stashAmount },
    { name: 'Chilled', index: 10, fields: [f('stash', T.AccountId32, 'T::AccountId')] },
    { name: 'ValidatorPrefsSet', index: 13, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('prefs', ValidatorPrefs, 'ValidatorPrefs')] },
    { name: 'PayeeSet', index: 16, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('payee', RewardDestination, 'RewardDestination<T::AccountId>')] },
    // BalanceAI's own, from index 100 so that they never collide with an event polkadot-sdk adds.
    { name: 'ConsensusKeySet', index: 100, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('key', T.array(32, T.u8), '[u8; 32]')] },
    { name: 'StakerRemoved', index: 101, fields: [f('stash', T.AccountId32, 'T::AccountId')], docs: ['A stash withdrew its whole bond: its ledger, payee and roles are gone.'] },
    { name: 'Nominated', index: 102, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('targets', T.vec(T.AccountId32), 'Vec<T::AccountId>')], docs: ['A stash nominated these validator candidates.'] },
    {
      name: 'ElectionSkipped',
      index: 103,
      fields: [f('era', EraIndex, 'EraIndex'), f('reason', ElectionSkipReason, 'ElectionSkipReason'), f('candidates', T.u32, 'u32'), f('needed', T.u32, 'u32')],
      docs: ['Too few eligible candidates: the current set is kept for `era` (with fresh exposures).'],
    },
    {
      name: 'SlashIgnored',
      index: 104,
      fields: [
        f('validator_index', T.u32, 'u32'),
        f('offender', T.option(T.AccountId32), 'Option<T::AccountId>'),
        f('era', T.option(EraIndex), 'Option<EraIndex>'),
        f('height', T.u64, 'u64'),
        f('reason', SlashIgnoredReason, 'SlashIgnoredReason'),
      ],
      docs: ['An offence in this block was not slashed (already slashed, unknown era or validator, or not exposed).'],
    },
  ];
  const u32Const = (name: string, value: number, docs: string): { name: string; type: TypeSpec; value: Uint8Array; docs: string[] } => ({
    name,
    type: T.u32,
    value: new ScaleWriter().u32(value).finish(),
    docs: [docs],
  });
  return {
    name: 'Staking',
    index: PALLET.Staking,
    crate: 'pallet_staking',
    calls,
    events,
    errors: STAKING_ERRORS.map((name, index) => ({ name, index })),
    storage: { prefix: 'Staking', items: stakingStorage() },
    constants: [
      u32Const('BondingDuration', opts.bondingDuration ?? 28, ' Eras an unbonded chunk waits before it can be withdrawn.'),
      u32Const('MaxNominations', opts.maxNominations ?? 16, ' Targets a nominator may back.'),
      u32Const('SessionsPerEra', 1, ' One session per era.'),
      u32Const('EraLength', opts.eraLength ?? 7200, ' Blocks per era.'),
      u32Const('HistoryDepth', opts.historyDepth ?? STAKING_HISTORY_DEPTH, ' Completed eras whose summaries (total stake, reward) are kept; exposures are kept for the active era and the one before.'),
      u32Const('MaxExposurePageSize', STAKING_EXPOSURE_PAGE_SIZE, ' Nominators per page of `ErasStakersPaged`.'),
      u32Const('MaxUnlockingChunks', opts.maxUnlockingChunks ?? 32, ' Unlocking chunks a ledger may hold.'),
    ],
  };
}

export { PERBILL_ONE as STAKING_PERBILL_ONE };
