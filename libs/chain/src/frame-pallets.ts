import { ONE_BAI } from './amount.js';
import { BALANCES_CALL, PALLET } from './extrinsic.js';
import { type FieldSpec, type PalletDescriptor, type StorageItemSpec, type TypeSpec, MetaType } from './meta-types.js';
import { ScaleWriter } from './scale.js';

/* The System (frame_system) and Balances (pallet_balances) pallets, the ones the ledger itself runs. */

const { AccountId32, Balance, DispatchError, DispatchInfo, EventRecord, H256, MultiAddress, AccountInfo } = MetaType;
const T = MetaType;
const field = (name: string, type: TypeSpec, typeName: string): FieldSpec => ({ name, type, typeName });
const u32Bytes = (v: number) => new ScaleWriter().u32(v).finish();

// --- Balances' per-account lists, as pallet_balances declares them -----------------------------------------
const LockIdentifier = T.array(8, T.u8);
const BalanceLock = T.composite(
  ['pallet_balances', 'types', 'BalanceLock'],
  [
    field('id', LockIdentifier, 'LockIdentifier'),
    field('amount', Balance, 'Balance'),
    field('reasons', T.variant(['pallet_balances', 'types', 'Reasons'], ['Fee', 'Misc', 'All'].map((name, index) => ({ name, index }))), 'Reasons'),
  ],
  [{ name: 'Balance', type: Balance }],
);
const ReserveData = T.composite(
  ['pallet_balances', 'types', 'ReserveData'],
  [field('id', LockIdentifier, 'ReserveIdentifier'), field('amount', Balance, 'Balance')],
  [{ name: 'ReserveIdentifier', type: LockIdentifier }, { name: 'Balance', type: Balance }],
);
/** The runtime's hold and freeze reasons: no pallet here declares any, so the enums have no variants. */
const idAmount = (reason: 'RuntimeHoldReason' | 'RuntimeFreezeReason'): TypeSpec => {
  const id = T.variant(['balanceai_runtime', reason], []);
  return T.composite(['frame_support', 'traits', 'tokens', 'misc', 'IdAmount'], [field('id', id, 'Id'), field('amount', Balance, 'Balance')], [
    { name: 'Id', type: id },
    { name: 'Balance', type: Balance },
  ]);
};
function accountList(name: string, bound: 'BoundedVec' | 'WeakBoundedVec', item: TypeSpec, doc: string): StorageItemSpec {
  const module = bound === 'BoundedVec' ? 'bounded_vec' : 'weak_bounded_vec';
  const value = T.composite(['bounded_collections', module, bound], [{ type: T.vec(item), typeName: 'Vec<T>' }], [{ name: 'T', type: item }, { name: 'S' }]);
  return { name, modifier: 'Default', kind: 'map', hashers: ['Blake2_128Concat'], key: AccountId32, value, fallback: Uint8Array.of(0), docs: [doc] };
}

const RuntimeVersionType = T.composite(['sp_version', 'RuntimeVersion'], [
  field('spec_name', T.str, 'Cow<'+"'static, str>"),
  field('impl_name', T.str, 'Cow<'+"'static, str>"),
  field('authoring_version', T.u32, 'u32'),
  field('spec_version', T.u32, 'u32'),
  field('impl_version', T.u32, 'u32'),
  field('apis', T.vec(T.tuple(T.array(8, T.u8), T.u32)), 'ApisVec'),
  field('transaction_version', T.u32, 'u32'),
  field('system_version', T.u8, 'u8'),
]);

export function systemPallet(opts: { ss58Prefix?: number; blockHashCount?: number; version?: Uint8Array } = {}): PalletDescriptor {
  return {
    name: 'System',
    index: PALLET.System,
    crate: 'frame_system',
    events: [
      { name: 'ExtrinsicSuccess', index: 0, fields: [field('dispatch_info', DispatchInfo, 'DispatchInfo')], docs: ['An extrinsic completed successfully.'] },
      {
        name: 'ExtrinsicFailed',
        index: 1,
        fields: [field('dispatch_error', DispatchError, 'DispatchError'), field('dispatch_info', DispatchInfo, 'DispatchInfo')],
        docs: ['An extrinsic failed.'],
      },
      { name: 'NewAccount', index: 3, fields: [field('account', AccountId32, 'T::AccountId')], docs: ['A new account was created.'] },
      { name: 'KilledAccount', index: 4, fields: [field('account', AccountId32, 'T::AccountId')], docs: ['An account was reaped.'] },
    ],
    errors: ['InvalidSpecName', 'SpecVersionNeedsToIncrease', 'FailedToExtractRuntimeVersion', 'NonDefaultComposite', 'NonZeroRefCount', 'CallFiltered'].map(
      (name, index) => ({ name, index }),
    ),
    storage: {
      prefix: 'System',
      items: [
        {
          name: 'Account',
          modifier: 'Default',
          kind: 'map',
          hashers: ['Blake2_128Concat'],
          key: AccountId32,
          value: AccountInfo,
          fallback: new Uint8Array(4 * 4 + 16 * 4),
          docs: [' The full account information for a particular account ID.'],
        },
        { name: 'Number', modifier: 'Default', kind: 'plain', value: T.u32, fallback: new Uint8Array(4), docs: [' The current block number being processed.'] },
        {
          name: 'BlockHash',
          modifier: 'Default',
          kind: 'map',
          hashers: ['Twox64Concat'],
          key: T.u32,
          value: H256,
          fallback: new Uint8Array(32),
          docs: [' Map of block numbers to block hashes.'],
        },
        { name: 'ParentHash', modifier: 'Default', kind: 'plain', value: H256, fallback: new Uint8Array(32), docs: [' Hash of the previous block.'] },
        { name: 'Events', modifier: 'Default', kind: 'plain', value: T.vec(EventRecord), fallback: Uint8Array.of(0), docs: [' Events deposited for the current block.'] },
      ],
    },
    constants: [
      { name: 'BlockHashCount', type: T.u32, value: u32Bytes(opts.blockHashCount ?? 4096), docs: [' Maximum number of block number to block hash mappings to keep.'] },
      ...(opts.version ? [{ name: 'Version', type: RuntimeVersionType, value: opts.version, docs: [' Get the chain\'s in-code version.'] }] : []),
      { name: 'SS58Prefix', type: T.u16, value: new ScaleWriter().u16(opts.ss58Prefix ?? 42).finish(), docs: [' The designated SS58 prefix of this chain.'] },
    ],
  };
}

const transferFields = [field('dest', MultiAddress, 'AccountIdLookupOf<T>'), field('value', T.compact(Balance), 'T::Balance')];

export function balancesPallet(opts: { existentialDeposit?: bigint } = {}): PalletDescriptor {
  const accountAmount = (who: string) => [field(who, AccountId32, 'T::AccountId'), field('amount', Balance, 'T::Balance')];
  return {
    name: 'Balances',
    index: PALLET.Balances,
    crate: 'pallet_balances',
    calls: [
      { name: 'transfer_allow_death', index: BALANCES_CALL.transfer_allow_death, fields: transferFields, docs: ['Transfer some liquid free balance to another account.'] },
      {
        name: 'transfer_keep_alive',
        index: BALANCES_CALL.transfer_keep_alive,
        fields: transferFields,
        docs: ['Same as the transfer_allow_death call, but with a check that the transfer will not kill the origin account.'],
      },
    ],
    events: [
      { name: 'Endowed', index: 0, fields: [field('account', AccountId32, 'T::AccountId'), field('free_balance', Balance, 'T::Balance')] },
      { name: 'DustLost', index: 1, fields: accountAmount('account') },
      {
        name: 'Transfer',
        index: 2,
        fields: [field('from', AccountId32, 'T::AccountId'), field('to', AccountId32, 'T::AccountId'), field('amount', Balance, 'T::Balance')],
        docs: ['Transfer succeeded.'],
      },
      { name: 'BalanceSet', index: 3, fields: [field('who', AccountId32, 'T::AccountId'), field('free', Balance, 'T::Balance')] },
      { name: 'Deposit', index: 7, fields: accountAmount('who') },
      { name: 'Withdraw', index: 8, fields: accountAmount('who') },
      { name: 'Slashed', index: 9, fields: accountAmount('who') },
      // The ledger reports a mint like a transfer, `{ to, amount }`: `to` is the account minted to.
      { name: 'Minted', index: 10, fields: [{ ...field('who', AccountId32, 'T::AccountId'), jsonAliases: ['to'] }, field('amount', Balance, 'T::Balance')] },
    ],
    errors: [
      'VestingBalance',
      'LiquidityRestrictions',
      'InsufficientBalance',
      'ExistentialDeposit',
      'Expendability',
      'ExistingVestingSchedule',
      'DeadAccount',
      'TooManyReserves',
      'TooManyHolds',
      'TooManyFreezes',
      'IssuanceDeactivated',
      'DeltaZero',
    ].map((name, index) => ({ name, index })),
    storage: {
      prefix: 'Balances',
      items: [
        { name: 'TotalIssuance', modifier: 'Default', kind: 'plain', value: Balance, fallback: new Uint8Array(16), docs: [' The total units issued in the system.'] },
        // Wallets read these four when the existential deposit is above zero. BalanceAI bonds by moving stake
        // into the staking module's account, so no account has a lock, reserve, hold or freeze: every key
        // answers "not present" and clients fall back to the empty default declared here.
        accountList('Locks', 'WeakBoundedVec', BalanceLock, ' Any liquidity locks on some account balances.'),
        accountList('Reserves', 'BoundedVec', ReserveData, ' Named reserves on some account balances.'),
        accountList('Holds', 'BoundedVec', idAmount('RuntimeHoldReason'), ' Holds on account balances.'),
        accountList('Freezes', 'BoundedVec', idAmount('RuntimeFreezeReason'), ' Freeze locks on account balances.'),
      ],
    },
    constants: [
      {
        name: 'ExistentialDeposit',
        type: Balance,
        value: new ScaleWriter().u128(opts.existentialDeposit ?? ONE_BAI / 100n).finish(),
        docs: [' The minimum amount required to keep an account open.'],
      },
    ],
  };
}

/**
 * pallet_transaction_payment: no calls, only the fee event the ledger reports for every applied
 * extrinsic (its JSON `{ who, actualFee, tip }`). Fees come from TransactionPaymentApi, not its storage.
 */
export function transactionPaymentPallet(): PalletDescriptor {
  return {
    name: 'TransactionPayment',
    index: PALLET.TransactionPayment,
    crate: 'pallet_transaction_payment',
    events: [
      {
        name: 'TransactionFeePaid',
        index: 0,
        fields: [field('who', AccountId32, 'T::AccountId'), field('actual_fee', Balance, 'BalanceOf<T>'), field('tip', Balance, 'BalanceOf<T>')],
        docs: ['A transaction fee `actual_fee`, of which `tip` was added to the minimum inclusion fee, has been paid by `who`.'],
      },
    ],
    docs: ['Fees of extrinsics: a base fee and a fee per byte (TransactionPaymentApi_query_info tells them).'],
  };
}

export const SYSTEM_PALLET: PalletDescriptor = systemPallet();
export const BALANCES_PALLET: PalletDescriptor = balancesPallet();
