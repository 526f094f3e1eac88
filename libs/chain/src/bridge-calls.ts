import { DEFAULT_BRIDGE_GENESIS, type BridgeGenesis } from './bridge-genesis.js';
import { callNames, decodeCallArgs } from './call-decode.js';
import { CallDecodeError } from './errors.js';
import { type Call, PALLET } from './extrinsic.js';
import { blake2_256 } from './hash.js';
import { fromHex, toHex } from './hex.js';
import { type FieldSpec, type PalletDescriptor, type StorageHasher, type StorageItemSpec, type TypeSpec, type VariantSpec, MetaType } from './meta-types.js';
import { ScaleWriter } from './scale.js';
import { parseAccountId } from './ss58.js';

export * from './bridge-genesis.js';

/*
 * The Bridge pallet (30): the BalanceAI end of the Interlink bridge (docs/architecture.md §7), run by the
 * bridge module service (services/bridge). Its calls' SCALE codec, errors (`Bridge.<name>`, stable),
 * events, storage items and constants; the Ethereum end is the `ethereum/` workspace (BaiBridge).
 */

/** Call indices of pallet 30. */
export const BRIDGE_CALL = {
  lock: 0,
  attest_burn: 1,
  refund: 2,
  attest_minted: 3,
} as const;
export type BridgeCallName = keyof typeof BRIDGE_CALL;

/**
 * A decoded Bridge call. Ids are 0x hex (lowercase): lockId / burnId 32 bytes, ethRecipient 20 bytes,
 * recipient a 32-byte account id. Amounts in base units (18 decimals on both chains: 1:1).
 */
export type BridgeCallData =
  | { readonly call: 'lock'; readonly ethRecipient: string; readonly amount: bigint }
  | { readonly call: 'attest_burn'; readonly burnId: string; readonly recipient: string; readonly amount: bigint }
  | { readonly call: 'refund'; readonly lockId: string }
  | { readonly call: 'attest_minted'; readonly lockId: string };

const MAX_U128 = (1n << 128n) - 1n;

function balance(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_U128) throw new CallDecodeError(`${what} must be a u128`);
  return v;
}

function fixed(hex: string, len: number, what: string): Uint8Array {
  try {
    return fromHex(hex, len);
  } catch {
    throw new CallDecodeError(`${what} must be ${len} bytes of 0x hex`);
  }
}

function account(v: string, what: string): Uint8Array {
  try {
    return parseAccountId(v);
  } catch {
    throw new CallDecodeError(`${what} must be an account id (SS58 or 32 bytes of 0x hex)`);
  }
}

/** The call (pallet 30, call index, SCALE args) for a Bridge call. */
export function encodeBridgeCall(c: BridgeCallData): Call {
  const w = new ScaleWriter();
  switch (c.call) {
    case 'lock':
      w.raw(fixed(c.ethRecipient, 20, 'eth_recipient')).compact(balance(c.amount, 'amount'));
      break;
    case 'attest_burn':
      w.raw(fixed(c.burnId, 32, 'burn_id')).raw(account(c.recipient, 'recipient')).compact(balance(c.amount, 'amount'));
      break;
    case 'refund':
    case 'attest_minted':
      w.raw(fixed(c.lockId, 32, 'lock_id'));
      break;
    default:
      throw new CallDecodeError(`unknown bridge call ${(c as { call: string }).call}`);
  }
  return { palletIndex: PALLET.Bridge, callIndex: BRIDGE_CALL[c.call], args: w.finish() };
}

const NAME_OF = callNames(BRIDGE_CALL);

/** Decodes a Bridge call's arguments. Strict: unknown indices, non-canonical compacts and trailing bytes are CallDecodeError. */
export function decodeBridgeCall(callIndex: number, args: Uint8Array): BridgeCallData {
  return decodeCallArgs('Bridge', NAME_OF, callIndex, args, (name, r): BridgeCallData => {
    switch (name) {
      case 'lock':
        return { call: name, ethRecipient: toHex(r.raw(20)), amount: r.compactU128() };
      case 'attest_burn':
        return { call: name, burnId: toHex(r.raw(32)), recipient: toHex(r.raw(32)), amount: r.compactU128() };
      case 'refund':
      case 'attest_minted':
        return { call: name, lockId: toHex(r.raw(32)) };
    }
  });
}

/** A full call's Bridge data; the pallet must be 30. */
export function decodeBridgeCallOf(call: Call): BridgeCallData {
  if (call.palletIndex !== PALLET.Bridge) throw new CallDecodeError(`pallet ${call.palletIndex} is not Bridge`);
  return decodeBridgeCall(call.callIndex, call.args);
}

/**
 * The id of the `nonce`-th lock (0, 1, …) of the chain `chainId`: blake2_256(SCALE("bai/bridge/lock",
 * chainId, u64 nonce)). BaiBridge mints each id once; binding the chain id keeps ids of two BalanceAI
 * networks apart.
 */
export function bridgeLockId(chainId: string, nonce: bigint): string {
  return toHex(blake2_256(new ScaleWriter().str('bai/bridge/lock').str(chainId).u64(nonce).finish()));
}

/**
 * The errors of pallet 30, in index order; `Bridge.<name>` is the stable code a failed call reports
 * (services/bridge README says when each is returned). Append only: the index is part of the wire.
 */
export const BRIDGE_ERRORS = [
  'BadCall',
  'ZeroAmount',
  'BelowMinLock',
  'InsufficientBalance',
  'ZeroEthRecipient',
  'NotRelayer',
  'UnknownLock',
  'LockMinted',
  'LockRefunded',
  'AlreadyAttested',
  'ConflictingAttestation',
  'DeadlineNotPassed',
  'BurnAlreadyConfirmed',
  'ZeroRecipient',
  'EscrowShortfall',
] as const;
export type BridgeError = (typeof BRIDGE_ERRORS)[number];

// --- metadata -------------------------------------------------------------------------------------------

const T = MetaType;
const f = (name: string, type: TypeSpec, typeName: string, docs?: string[]): FieldSpec => ({ name, type, typeName, docs });
export const BridgeH160 = T.composite(['primitive_types', 'H160'], [{ type: T.array(20, T.u8), typeName: '[u8; 20]' }]);
const H256 = T.H256;
const BlockNumber = T.u64;

/** LockStatus: Locked until M relayers report it minted on Ethereum, or M attest it refundable and it is refunded. */
export const LOCK_STATUS = { Locked: 0, Minted: 1, Refunded: 2 } as const;
export type LockStatus = keyof typeof LOCK_STATUS;
export const LOCK_STATUSES: readonly LockStatus[] = ['Locked', 'Minted', 'Refunded'];
const LockStatusType = T.variant(['pallet_bridge', 'LockStatus'], [
  { name: 'Locked', index: 0 },
  { name: 'Minted', index: 1, fields: [f('at', BlockNumber, 'BlockNumber')] },
  { name: 'Refunded', index: 2, fields: [f('at', BlockNumber, 'BlockNumber')] },
]);

/** The storage value of `Locks`: field order is the SCALE order the module writes. */
export const LockInfoType = T.composite(['pallet_bridge', 'LockInfo'], [
  f('nonce', T.u64, 'u64'),
  f('owner', T.AccountId32, 'T::AccountId'),
  f('eth_recipient', BridgeH160, 'H160'),
  f('amount', T.Balance, 'BalanceOf<T>'),
  f('deadline', T.u64, 'u64', ['Unix seconds: the Ethereum mint must happen by then.']),
  f('locked_at', BlockNumber, 'BlockNumber'),
  f('status', LockStatusType, 'LockStatus'),
  f('mint_attestations', T.vec(T.AccountId32), 'Vec<T::AccountId>'),
  f('refund_attestations', T.vec(T.AccountId32), 'Vec<T::AccountId>'),
]);

/** BurnStatus: Attesting until M relayers agree on (recipient, amount); Queued while the 24 h limit holds it; Released. */
export const BURN_STATUS = { Attesting: 0, Queued: 1, Released: 2 } as const;
export type BurnStatus = keyof typeof BURN_STATUS;
export const BURN_STATUSES: readonly BurnStatus[] = ['Attesting', 'Queued', 'Released'];
const BurnStatusType = T.variant(['pallet_bridge', 'BurnStatus'], [
  { name: 'Attesting', index: 0 },
  { name: 'Queued', index: 1, fields: [f('recipient', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>'), f('since', BlockNumber, 'BlockNumber')] },
  { name: 'Released', index: 2, fields: [f('recipient', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>'), f('at', BlockNumber, 'BlockNumber')] },
]);
const BurnAttestation = T.composite(['pallet_bridge', 'BurnAttestation'], [
  f('relayer', T.AccountId32, 'T::AccountId'),
  f('recipient', T.AccountId32, 'T::AccountId'),
  f('amount', T.Balance, 'BalanceOf<T>'),
]);
export const BurnInfoType = T.composite(['pallet_bridge', 'BurnInfo'], [
  f('status', BurnStatusType, 'BurnStatus'),
  f('attestations', T.vec(BurnAttestation), 'Vec<BurnAttestation<T>>'),
]);
const Totals = T.composite(['pallet_bridge', 'Totals'], [
  f('locked', T.Balance, 'BalanceOf<T>'),
  f('released', T.Balance, 'BalanceOf<T>'),
  f('refunded', T.Balance, 'BalanceOf<T>'),
]);
const Allowance = T.composite(['pallet_bridge', 'ReleaseAllowance'], [f('left', T.Balance, 'BalanceOf<T>'), f('updated_at', BlockNumber, 'BlockNumber')]);

/** The Bridge storage items with their hashers, as the module keys its entries. */
export const BRIDGE_STORAGE = {
  NextLockNonce: [],
  Escrow: [],
  Totals: [],
  ReleaseAllowance: [],
  ReleaseQueue: [],
  Relayers: [],
  OpenLocks: [],
  Locks: ['Blake2_128Concat'],
  Burns: ['Blake2_128Concat'],
} as const satisfies Record<string, readonly StorageHasher[]>;
export type BridgeStorageItem = keyof typeof BRIDGE_STORAGE;

function storage(): StorageItemSpec[] {
  const plain = (name: BridgeStorageItem, value: TypeSpec, fallback: Uint8Array, doc: string): StorageItemSpec => ({ name, modifier: 'Default', kind: 'plain', value, fallback, docs: [` ${doc}`] });
  const map = (name: BridgeStorageItem, key: TypeSpec, value: TypeSpec, doc: string): StorageItemSpec => ({
    name,
    modifier: 'Optional',
    kind: 'map',
    hashers: [...BRIDGE_STORAGE[name]],
    key,
    value,
    fallback: new Uint8Array(0),
    docs: [` ${doc}`],
  });
  return [
    plain('NextLockNonce', T.u64, new Uint8Array(8), 'The nonce the next lock gets (its id is bridgeLockId(chain id, nonce)).'),
    plain('Escrow', T.Balance, new Uint8Array(16), 'BAI held for the bridge: locked − released − refunded. wBAI supply on Ethereum never exceeds it.'),
    plain('Totals', Totals, new Uint8Array(48), 'All-time locked, released and refunded amounts.'),
    plain('ReleaseAllowance', Allowance, new Uint8Array(24), 'The 24 h release limit\'s token bucket (unused when ReleaseLimit is 0).'),
    plain('ReleaseQueue', T.vec(H256), Uint8Array.of(0), 'Confirmed burns waiting for the release limit, oldest first.'),
    plain('Relayers', T.vec(T.AccountId32), Uint8Array.of(0), 'The relayer set (genesis), ascending.'),
    plain('OpenLocks', T.vec(H256), Uint8Array.of(0), 'Ids of the locks still Locked (neither minted nor refunded), ascending: what relayers watch.'),
    map('Locks', H256, LockInfoType, 'Every lock by its id.'),
    map('Burns', H256, BurnInfoType, 'Every attested Ethereum burn by its burn id (keccak256(chainId, bridge, nonce)).'),
  ];
}

export interface BridgePalletOptions {
  readonly params?: BridgeGenesis;
  /** Blocks in the 24 h release window (bridgeReleaseWindow of the genesis block time). */
  readonly releaseWindow?: number;
}

/** The Bridge pallet's metadata (pallet 30). */
export function bridgePallet(opts: BridgePalletOptions = {}): PalletDescriptor {
  const p: BridgeGenesis = opts.params ?? { ...DEFAULT_BRIDGE_GENESIS, relayers: [], threshold: 1 };
  const lockId = f('lock_id', H256, 'H256');
  const relayer = f('relayer', T.AccountId32, 'T::AccountId');
  const calls: VariantSpec[] = [
    {
      name: 'lock',
      index: BRIDGE_CALL.lock,
      fields: [f('eth_recipient', BridgeH160, 'H160'), f('amount', T.compact(T.Balance), 'BalanceOf<T>')],
      docs: ['Lock `amount` of the free balance in the bridge escrow, to be minted as wBAI to `eth_recipient` on Ethereum before the deadline.'],
    },
    {
      name: 'attest_burn',
      index: BRIDGE_CALL.attest_burn,
      fields: [f('burn_id', H256, 'H256'), f('recipient', T.AccountId32, 'T::AccountId'), f('amount', T.compact(T.Balance), 'BalanceOf<T>')],
      docs: ['A relayer attests a confirmed Ethereum burn; at Threshold matching attestations `recipient` is paid `amount` from escrow, once.'],
    },
    {
      name: 'refund',
      index: BRIDGE_CALL.refund,
      fields: [lockId],
      docs: ['A relayer attests that a lock can never be minted (cancelled, or unprocessed past its deadline); at Threshold attestations the locker is refunded, once.'],
    },
    {
      name: 'attest_minted',
      index: BRIDGE_CALL.attest_minted,
      fields: [lockId],
      docs: ['A relayer reports a lock minted on Ethereum; at Threshold reports the lock is final and can never be refunded.'],
    },
  ];
  const events: VariantSpec[] = [
    {
      name: 'Locked',
      index: 0,
      fields: [lockId, f('owner', T.AccountId32, 'T::AccountId'), f('eth_recipient', BridgeH160, 'H160'), f('amount', T.Balance, 'BalanceOf<T>'), f('deadline', T.u64, 'u64'), f('nonce', T.u64, 'u64')],
    },
    { name: 'MintAttested', index: 1, fields: [lockId, relayer, f('attestations', T.u32, 'u32')] },
    { name: 'Minted', index: 2, fields: [lockId, f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'RefundAttested', index: 3, fields: [lockId, relayer, f('attestations', T.u32, 'u32')] },
    { name: 'Refunded', index: 4, fields: [lockId, f('owner', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')] },
    {
      name: 'BurnAttested',
      index: 5,
      fields: [f('burn_id', H256, 'H256'), relayer, f('recipient', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>'), f('attestations', T.u32, 'u32')],
      docs: ['attestations: how many relayers attested this exact (recipient, amount).'],
    },
    { name: 'BurnQueued', index: 6, fields: [f('burn_id', H256, 'H256'), f('recipient', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'Released', index: 7, fields: [f('burn_id', H256, 'H256'), f('recipient', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')] },
  ];
  const balanceConst = (name: string, value: bigint, doc: string) => ({ name, type: T.Balance, value: new ScaleWriter().u128(value).finish(), docs: [` ${doc}`] });
  const u32Const = (name: string, value: number, doc: string) => ({ name, type: T.u32, value: new ScaleWriter().u32(value).finish(), docs: [` ${doc}`] });
  return {
    name: 'Bridge',
    index: PALLET.Bridge,
    crate: 'pallet_bridge',
    calls,
    events,
    errors: BRIDGE_ERRORS.map((name, index) => ({ name, index })),
    storage: { prefix: 'Bridge', items: storage() },
    constants: [
      u32Const('Threshold', p.threshold, 'Matching relayer attestations needed (M of the N relayers).'),
      { name: 'LockTtl', type: T.u64, value: new ScaleWriter().u64(BigInt(p.lockTtlSecs)).finish(), docs: [' Seconds from a lock\'s block time to its mint deadline.'] },
      balanceConst('MinLock', p.minLock, 'The smallest lock.'),
      balanceConst('ReleaseLimit', p.releaseLimit, 'BAI released per 24 h (0 = no limit).'),
      u32Const('ReleaseWindow', opts.releaseWindow ?? 0, 'Blocks in the 24 h release window.'),
    ],
  };
}
export * from './bridge-storage.js';
