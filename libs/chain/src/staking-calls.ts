import { CallDecodeError, ScaleError } from './errors.js';
import { type Call, PALLET } from './extrinsic.js';
import { MetaType, type FieldSpec, type PalletDescriptor, type TypeSpec, type VariantSpec } from './metadata.js';
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

const NAME_OF = new Map<number, StakingCallName>(Object.entries(STAKING_CALL).map(([name, index]) => [index, name as StakingCallName]));

/**
 * Decodes a staking call's arguments (the ledger hands modules `call_index` + `args`). Strict: unknown
 * indices, unsupported variants, non-canonical compacts and trailing bytes are CallDecodeError (BAD_CALL).
 */
export function decodeStakingCall(callIndex: number, args: Uint8Array): StakingCallData {
  const name = NAME_OF.get(callIndex);
  if (!name) throw new CallDecodeError(`unknown Staking call index ${callIndex}`);
  try {
    const r = new ScaleReader(args);
    let out: StakingCallData;
    switch (name) {
      case 'bond':
        out = { call: name, value: r.compactU128(), payee: readPayee(r) };
        break;
      case 'bond_extra':
        out = { call: name, maxAdditional: r.compactU128() };
        break;
      case 'unbond':
      case 'rebond':
        out = { call: name, value: r.compactU128() };
        break;
      case 'withdraw_unbonded':
        out = { call: name, numSlashingSpans: r.u32() };
        break;
      case 'validate': {
        const commission = BigInt(r.compactU32());
        const blocked = r.bool();
        out = { call: name, commission, blocked };
        break;
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
        out = { call: name, targets };
        break;
      }
      case 'chill':
        out = { call: name };
        break;
      case 'set_payee':
        out = { call: name, payee: readPayee(r) };
        break;
      case 'set_consensus_key':
        out = { call: name, key: r.raw(32).slice() };
        break;
    }
    r.assertEnd(`${name} arguments`);
    return out;
  } catch (err) {
    if (err instanceof ScaleError) throw new CallDecodeError(`bad ${name} arguments: ${err.message}`);
    throw err;
  }
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

const stashAmount = [f('stash', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')];

/**
 * The Staking pallet's metadata (pallet 7): calls with pallet-staking's indices and argument types, the
 * events the module reports and its errors. `opts` fills the constants.
 */
export function stakingPallet(opts: { bondingDuration?: number; maxNominations?: number; eraLength?: number } = {}): PalletDescriptor {
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
    { name: 'EraPaid', index: 0, fields: [f('era_index', T.u32, 'EraIndex'), f('validator_payout', T.Balance, 'BalanceOf<T>'), f('remainder', T.Balance, 'BalanceOf<T>')] },
    { name: 'Rewarded', index: 1, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('dest', RewardDestination, 'RewardDestination<T::AccountId>'), f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'Slashed', index: 2, fields: [f('staker', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'StakersElected', index: 5 },
    { name: 'Bonded', index: 6, fields: stashAmount },
    { name: 'Unbonded', index: 7, fields: stashAmount },
    { name: 'Withdrawn', index: 8, fields: stashAmount },
    { name: 'Chilled', index: 10, fields: [f('stash', T.AccountId32, 'T::AccountId')] },
    { name: 'ValidatorPrefsSet', index: 13, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('prefs', ValidatorPrefs, 'ValidatorPrefs')] },
    { name: 'PayeeSet', index: 16, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('payee', RewardDestination, 'RewardDestination<T::AccountId>')] },
    { name: 'ConsensusKeySet', index: 100, fields: [f('stash', T.AccountId32, 'T::AccountId'), f('key', T.array(32, T.u8), '[u8; 32]')] },
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
    constants: [
      u32Const('BondingDuration', opts.bondingDuration ?? 28, ' Eras an unbonded chunk waits before it can be withdrawn.'),
      u32Const('MaxNominations', opts.maxNominations ?? 16, ' Targets a nominator may back.'),
      u32Const('SessionsPerEra', 1, ' One session per era.'),
      u32Const('EraLength', opts.eraLength ?? 7200, ' Blocks per era.'),
    ],
  };
}

export { PERBILL_ONE as STAKING_PERBILL_ONE };
