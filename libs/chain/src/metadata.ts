import { ChainError } from './errors.js';
import { ScaleWriter } from './scale.js';
import { PALLET, BALANCES_CALL } from './extrinsic.js';
import { ONE_BAI } from './amount.js';

/*
 * Runtime metadata V14 (what @polkadot/api, polkadot-api and wallets read to build calls and decode
 * storage and events), encoded here from plain descriptors so that each module service can declare its
 * pallet's calls, events, errors, storage and constants without @polkadot/types at runtime.
 */

export type Primitive = 'bool' | 'char' | 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'i256';

export interface FieldSpec {
  name?: string;
  type: TypeSpec;
  /** The Rust type name, shown by explorers (`T::Balance`). */
  typeName?: string;
  docs?: string[];
}

export interface VariantSpec {
  name: string;
  index: number;
  fields?: FieldSpec[];
  docs?: string[];
}

export interface TypeParamSpec {
  name: string;
  type?: TypeSpec;
}

export type TypeSpec =
  | { kind: 'primitive'; primitive: Primitive }
  | { kind: 'compact'; of: TypeSpec }
  | { kind: 'sequence'; of: TypeSpec }
  | { kind: 'array'; len: number; of: TypeSpec }
  | { kind: 'tuple'; items: TypeSpec[] }
  | { kind: 'composite'; path: string[]; params?: TypeParamSpec[]; fields: FieldSpec[]; docs?: string[] }
  | { kind: 'variant'; path: string[]; params?: TypeParamSpec[]; variants: VariantSpec[]; docs?: string[] }
  /** The aggregate enums of the whole runtime, resolved when the metadata is built. */
  | { kind: 'runtime'; name: 'RuntimeCall' | 'RuntimeEvent' };

export type StorageHasher = 'Blake2_128' | 'Blake2_256' | 'Blake2_128Concat' | 'Twox128' | 'Twox256' | 'Twox64Concat' | 'Identity';

export type StorageItemSpec = {
  name: string;
  modifier: 'Optional' | 'Default';
  /** SCALE bytes returned for a missing key (the Default value); empty for Optional. */
  fallback: Uint8Array;
  docs?: string[];
} & ({ kind: 'plain'; value: TypeSpec } | { kind: 'map'; hashers: StorageHasher[]; key: TypeSpec; value: TypeSpec });

export interface ConstantSpec {
  name: string;
  type: TypeSpec;
  value: Uint8Array;
  docs?: string[];
}

export interface PalletDescriptor {
  name: string;
  index: number;
  /** Rust crate path of the pallet's types, e.g. `pallet_balances` (types live in `<crate>::pallet::Call`…). */
  crate: string;
  calls?: VariantSpec[];
  events?: VariantSpec[];
  errors?: VariantSpec[];
  storage?: { prefix: string; items: StorageItemSpec[] };
  constants?: ConstantSpec[];
}

// --- type helpers, named after the Rust types they describe ---------------------------------------------

const prim = (primitive: Primitive): TypeSpec => ({ kind: 'primitive', primitive });
const T = {
  bool: prim('bool'),
  str: prim('str'),
  u8: prim('u8'),
  u16: prim('u16'),
  u32: prim('u32'),
  u64: prim('u64'),
  u128: prim('u128'),
  unit: { kind: 'tuple', items: [] } as TypeSpec,
  compact: (of: TypeSpec): TypeSpec => ({ kind: 'compact', of }),
  vec: (of: TypeSpec): TypeSpec => ({ kind: 'sequence', of }),
  array: (len: number, of: TypeSpec): TypeSpec => ({ kind: 'array', len, of }),
  tuple: (...items: TypeSpec[]): TypeSpec => ({ kind: 'tuple', items }),
  composite: (path: string[], fields: FieldSpec[], params?: TypeParamSpec[]): TypeSpec => ({ kind: 'composite', path, fields, params }),
  variant: (path: string[], variants: VariantSpec[], params?: TypeParamSpec[]): TypeSpec => ({ kind: 'variant', path, variants, params }),
  runtimeCall: { kind: 'runtime', name: 'RuntimeCall' } as TypeSpec,
  runtimeEvent: { kind: 'runtime', name: 'RuntimeEvent' } as TypeSpec,
};

const bytes32 = T.array(32, T.u8);
const AccountId32 = T.composite(['sp_core', 'crypto', 'AccountId32'], [{ type: bytes32, typeName: '[u8; 32]' }]);
const H256 = T.composite(['primitive_types', 'H256'], [{ type: bytes32, typeName: '[u8; 32]' }]);
const Balance: TypeSpec = T.u128;
const MultiAddress = T.variant(
  ['sp_runtime', 'multiaddress', 'MultiAddress'],
  [
    { name: 'Id', index: 0, fields: [{ type: AccountId32, typeName: 'AccountId' }] },
    { name: 'Index', index: 1, fields: [{ type: T.compact(T.unit), typeName: 'AccountIndex' }] },
    { name: 'Raw', index: 2, fields: [{ type: T.vec(T.u8), typeName: 'Vec<u8>' }] },
    { name: 'Address32', index: 3, fields: [{ type: bytes32, typeName: '[u8; 32]' }] },
    { name: 'Address20', index: 4, fields: [{ type: T.array(20, T.u8), typeName: '[u8; 20]' }] },
  ],
  [{ name: 'AccountId', type: AccountId32 }, { name: 'AccountIndex', type: T.unit }],
);
const signature64 = (scheme: string): TypeSpec => T.composite(['sp_core', scheme, 'Signature'], [{ type: T.array(64, T.u8), typeName: '[u8; 64]' }]);
const MultiSignature = T.variant(['sp_runtime', 'MultiSignature'], [
  { name: 'Ed25519', index: 0, fields: [{ type: signature64('ed25519'), typeName: 'ed25519::Signature' }] },
  { name: 'Sr25519', index: 1, fields: [{ type: signature64('sr25519'), typeName: 'sr25519::Signature' }] },
  { name: 'Ecdsa', index: 2, fields: [{ type: T.composite(['sp_core', 'ecdsa', 'Signature'], [{ type: T.array(65, T.u8), typeName: '[u8; 65]' }]), typeName: 'ecdsa::Signature' }] },
]);

/** sp_runtime::generic::era::Era as scale-info describes it: Immortal, then Mortal1..Mortal255 each carrying the second byte. */
const Era = T.variant(['sp_runtime', 'generic', 'era', 'Era'], [
  { name: 'Immortal', index: 0 },
  ...Array.from({ length: 255 }, (_, i) => ({ name: `Mortal${i + 1}`, index: i + 1, fields: [{ type: T.u8 }] })),
]);

const enumOf = (path: string[], names: string[]): TypeSpec => T.variant(path, names.map((name, index) => ({ name, index })));
const Weight = T.composite(['sp_weights', 'weight_v2', 'Weight'], [
  { name: 'ref_time', type: T.compact(T.u64), typeName: 'u64' },
  { name: 'proof_size', type: T.compact(T.u64), typeName: 'u64' },
]);
const DispatchInfo = T.composite(['frame_support', 'dispatch', 'DispatchInfo'], [
  { name: 'weight', type: Weight, typeName: 'Weight' },
  { name: 'class', type: enumOf(['frame_support', 'dispatch', 'DispatchClass'], ['Normal', 'Operational', 'Mandatory']), typeName: 'DispatchClass' },
  { name: 'pays_fee', type: enumOf(['frame_support', 'dispatch', 'Pays'], ['Yes', 'No']), typeName: 'Pays' },
]);
const ModuleError = T.composite(['sp_runtime', 'ModuleError'], [
  { name: 'index', type: T.u8, typeName: 'u8' },
  { name: 'error', type: T.array(4, T.u8), typeName: '[u8; MAX_MODULE_ERROR_ENCODED_SIZE]' },
]);
const TokenError = enumOf(['sp_runtime', 'TokenError'], ['FundsUnavailable', 'OnlyProvider', 'BelowMinimum', 'CannotCreate', 'UnknownAsset', 'Frozen', 'Unsupported', 'CannotCreateHold', 'NotExpendable', 'Blocked']);
const ArithmeticError = enumOf(['sp_arithmetic', 'ArithmeticError'], ['Underflow', 'Overflow', 'DivisionByZero']);
const TransactionalError = enumOf(['sp_runtime', 'TransactionalError'], ['LimitReached', 'NoLayer']);
const DispatchError = T.variant(['sp_runtime', 'DispatchError'], [
  { name: 'Other', index: 0 },
  { name: 'CannotLookup', index: 1 },
  { name: 'BadOrigin', index: 2 },
  { name: 'Module', index: 3, fields: [{ type: ModuleError, typeName: 'ModuleError' }] },
  { name: 'ConsumerRemaining', index: 4 },
  { name: 'NoProviders', index: 5 },
  { name: 'TooManyConsumers', index: 6 },
  { name: 'Token', index: 7, fields: [{ type: TokenError, typeName: 'TokenError' }] },
  { name: 'Arithmetic', index: 8, fields: [{ type: ArithmeticError, typeName: 'ArithmeticError' }] },
  { name: 'Transactional', index: 9, fields: [{ type: TransactionalError, typeName: 'TransactionalError' }] },
  { name: 'Exhausted', index: 10 },
  { name: 'Corruption', index: 11 },
  { name: 'Unavailable', index: 12 },
  { name: 'RootNotAllowed', index: 13 },
]);

const AccountData = T.composite(
  ['pallet_balances', 'types', 'AccountData'],
  [
    { name: 'free', type: Balance, typeName: 'Balance' },
    { name: 'reserved', type: Balance, typeName: 'Balance' },
    { name: 'frozen', type: Balance, typeName: 'Balance' },
    { name: 'flags', type: T.composite(['pallet_balances', 'types', 'ExtraFlags'], [{ type: T.u128, typeName: 'u128' }]), typeName: 'ExtraFlags' },
  ],
  [{ name: 'Balance', type: Balance }],
);
const AccountInfo = T.composite(
  ['frame_system', 'AccountInfo'],
  [
    { name: 'nonce', type: T.u32, typeName: 'Nonce' },
    { name: 'consumers', type: T.u32, typeName: 'RefCount' },
    { name: 'providers', type: T.u32, typeName: 'RefCount' },
    { name: 'sufficients', type: T.u32, typeName: 'RefCount' },
    { name: 'data', type: AccountData, typeName: 'AccountData' },
  ],
  [{ name: 'Nonce', type: T.u32 }, { name: 'AccountData', type: AccountData }],
);
const Phase = T.variant(['frame_system', 'Phase'], [
  { name: 'ApplyExtrinsic', index: 0, fields: [{ type: T.u32, typeName: 'u32' }] },
  { name: 'Finalization', index: 1 },
  { name: 'Initialization', index: 2 },
]);
const EventRecord = T.composite(
  ['frame_system', 'EventRecord'],
  [
    { name: 'phase', type: Phase, typeName: 'Phase' },
    { name: 'event', type: T.runtimeEvent, typeName: 'E' },
    { name: 'topics', type: T.vec(H256), typeName: 'Vec<T>' },
  ],
  [{ name: 'E', type: T.runtimeEvent }, { name: 'T', type: H256 }],
);

/** Type helpers and the common Substrate types, for building pallet descriptors. */
export const MetaType = { ...T, AccountId32, H256, Balance, MultiAddress, MultiSignature, DispatchError, AccountInfo, EventRecord };

const field = (name: string, type: TypeSpec, typeName: string): FieldSpec => ({ name, type, typeName });
const u32Bytes = (v: number) => new ScaleWriter().u32(v).finish();

// --- the System and Balances pallets -------------------------------------------------------------------------

export function systemPallet(opts: { ss58Prefix?: number; blockHashCount?: number } = {}): PalletDescriptor {
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
        { name: 'Events', modifier: 'Default', kind: 'plain', value: T.vec(EventRecord), fallback: Uint8Array.of(0), docs: [' Events deposited for the current block.'] },
      ],
    },
    constants: [
      { name: 'BlockHashCount', type: T.u32, value: u32Bytes(opts.blockHashCount ?? 4096), docs: [' Maximum number of block number to block hash mappings to keep.'] },
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
      { name: 'Minted', index: 10, fields: accountAmount('who') },
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
      items: [{ name: 'TotalIssuance', modifier: 'Default', kind: 'plain', value: Balance, fallback: new Uint8Array(16), docs: [' The total units issued in the system.'] }],
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

export const SYSTEM_PALLET: PalletDescriptor = systemPallet();
export const BALANCES_PALLET: PalletDescriptor = balancesPallet();

/** The signed extensions, in order, with their extrinsic and additional-signed types (see extrinsic.ts). */
const SIGNED_EXTENSIONS: Array<{ identifier: string; type: TypeSpec; additional: TypeSpec }> = [
  { identifier: 'CheckNonZeroSender', type: T.composite(['frame_system', 'extensions', 'check_non_zero_sender', 'CheckNonZeroSender'], []), additional: T.unit },
  { identifier: 'CheckSpecVersion', type: T.composite(['frame_system', 'extensions', 'check_spec_version', 'CheckSpecVersion'], []), additional: T.u32 },
  { identifier: 'CheckTxVersion', type: T.composite(['frame_system', 'extensions', 'check_tx_version', 'CheckTxVersion'], []), additional: T.u32 },
  { identifier: 'CheckGenesis', type: T.composite(['frame_system', 'extensions', 'check_genesis', 'CheckGenesis'], []), additional: H256 },
  { identifier: 'CheckMortality', type: T.composite(['frame_system', 'extensions', 'check_mortality', 'CheckMortality'], [{ type: Era, typeName: 'Era' }]), additional: H256 },
  { identifier: 'CheckNonce', type: T.composite(['frame_system', 'extensions', 'check_nonce', 'CheckNonce'], [{ type: T.compact(T.u32), typeName: 'T::Nonce' }]), additional: T.unit },
  { identifier: 'CheckWeight', type: T.composite(['frame_system', 'extensions', 'check_weight', 'CheckWeight'], []), additional: T.unit },
  {
    identifier: 'ChargeTransactionPayment',
    type: T.composite(['pallet_transaction_payment', 'ChargeTransactionPayment'], [{ type: T.compact(Balance), typeName: 'BalanceOf<T>' }]),
    additional: T.unit,
  },
];

// --- encoding ------------------------------------------------------------------------------------------------

const PRIMITIVE_INDEX: Record<Primitive, number> = {
  bool: 0, char: 1, str: 2, u8: 3, u16: 4, u32: 5, u64: 6, u128: 7, u256: 8, i8: 9, i16: 10, i32: 11, i64: 12, i128: 13, i256: 14,
};
const HASHER_INDEX: Record<StorageHasher, number> = {
  Blake2_128: 0, Blake2_256: 1, Blake2_128Concat: 2, Twox128: 3, Twox256: 4, Twox64Concat: 5, Identity: 6,
};

export class MetadataError extends ChainError {
  constructor(message: string) {
    super('BAD_METADATA', message);
  }
}

function writeField(w: ScaleWriter, f: FieldSpec & { id: number }): void {
  w.option(f.name, (w, n) => w.str(n));
  w.compact(f.id);
  w.option(f.typeName, (w, n) => w.str(n));
  w.vec(f.docs ?? [], (w, d) => w.str(d));
}

/** The portable type registry: each distinct type once, ids in registration order. */
class PortableRegistry {
  private readonly ids = new Map<string, number>();
  private readonly entries: Uint8Array[] = [];

  constructor(private readonly runtimeTypes: Partial<Record<'RuntimeCall' | 'RuntimeEvent', () => number>>) {}

  get count(): number {
    return this.entries.length;
  }

  add(spec: TypeSpec): number {
    if (spec.kind === 'runtime') {
      const resolve = this.runtimeTypes[spec.name];
      if (!resolve) throw new MetadataError(`${spec.name} is not available here`);
      return resolve();
    }
    // Children first, so the structural key below can refer to them by id.
    const w = new ScaleWriter();
    let path: string[] = [];
    let params: Array<{ name: string; id?: number }> = [];
    let docs: string[] = [];
    const def = new ScaleWriter();
    switch (spec.kind) {
      case 'primitive':
        def.u8(5).u8(PRIMITIVE_INDEX[spec.primitive]);
        break;
      case 'compact':
        def.u8(6).compact(this.add(spec.of));
        break;
      case 'sequence':
        def.u8(2).compact(this.add(spec.of));
        break;
      case 'array':
        def.u8(3).u32(spec.len).compact(this.add(spec.of));
        break;
      case 'tuple': {
        const ids = spec.items.map((t) => this.add(t));
        def.u8(4).vec(ids, (w, id) => w.compact(id));
        break;
      }
      case 'composite':
      case 'variant': {
        path = spec.path;
        docs = spec.docs ?? [];
        params = (spec.params ?? []).map((p) => ({ name: p.name, id: p.type ? this.add(p.type) : undefined }));
        const body = new ScaleWriter();
        if (spec.kind === 'composite') {
          body.u8(0);
          const resolved = spec.fields.map((f) => ({ ...f, id: this.add(f.type) }));
          body.vec(resolved, writeField);
        } else {
          const seen = new Set<number>();
          for (const v of spec.variants) {
            if (seen.has(v.index)) throw new MetadataError(`${path.join('::')}: duplicate variant index ${v.index}`);
            seen.add(v.index);
          }
          body.u8(1);
          const variants = spec.variants.map((v) => ({ ...v, fields: (v.fields ?? []).map((f) => ({ ...f, id: this.add(f.type) })) }));
          body.vec(variants, (w, v) => {
            w.str(v.name);
            w.vec(v.fields, writeField);
            w.u8(v.index);
            w.vec(v.docs ?? [], (w, d) => w.str(d));
          });
        }
        def.raw(body.finish());
        break;
      }
    }
    w.vec(path, (w, s) => w.str(s));
    w.vec(params, (w, p) => {
      w.str(p.name);
      w.option(p.id, (w, id) => w.compact(id));
    });
    w.raw(def.finish());
    w.vec(docs, (w, d) => w.str(d));
    const typeBytes = w.finish();
    const key = Buffer.from(typeBytes).toString('base64');
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const id = this.entries.length;
    this.ids.set(key, id);
    this.entries.push(new ScaleWriter().compact(id).raw(typeBytes).finish());
    return id;
  }

  encode(): Uint8Array {
    const w = new ScaleWriter().compact(this.entries.length);
    for (const e of this.entries) w.raw(e);
    return w.finish();
  }
}

const METADATA_MAGIC = Uint8Array.of(0x6d, 0x65, 0x74, 0x61); // "meta"
const RUNTIME_CRATE = 'balanceai_runtime';

/**
 * Runtime metadata V14 ("meta" magic, version 14) for the given pallets, by default System and Balances.
 * Later pallets (Staking 7, Emissions 10, …) add their descriptors to the list.
 */
export function buildMetadata(pallets: PalletDescriptor[] = [SYSTEM_PALLET, BALANCES_PALLET]): Uint8Array {
  const sorted = [...pallets].sort((a, b) => a.index - b.index);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.index === sorted[i - 1]!.index) throw new MetadataError(`two pallets use index ${sorted[i]!.index}`);
  }
  const palletType = (p: PalletDescriptor, what: 'Call' | 'Event' | 'Error', variants: VariantSpec[]): TypeSpec =>
    T.variant([p.crate, 'pallet', what], variants, [{ name: 'T' }]);

  let runtimeCallId: number | undefined;
  let runtimeEventId: number | undefined;
  const registry: PortableRegistry = new PortableRegistry({
    RuntimeCall: () => (runtimeCallId ??= registry.add(runtimeEnum('RuntimeCall', 'calls', 'Call'))),
    RuntimeEvent: () => (runtimeEventId ??= registry.add(runtimeEnum('RuntimeEvent', 'events', 'Event'))),
  });
  function runtimeEnum(name: string, key: 'calls' | 'events', what: 'Call' | 'Event'): TypeSpec {
    return T.variant(
      [RUNTIME_CRATE, name],
      sorted
        .filter((p) => p[key] !== undefined)
        .map((p) => ({ name: p.name, index: p.index, fields: [{ type: palletType(p, what, p[key]!), typeName: `${p.crate}::${what}<Runtime>` }] })),
    );
  }

  const w = new ScaleWriter();
  w.vec(sorted, (w, p) => {
    w.str(p.name);
    w.option(p.storage, (w, s) => {
      w.str(s.prefix);
      w.vec(s.items, (w, item) => {
        w.str(item.name);
        w.u8(item.modifier === 'Optional' ? 0 : 1);
        if (item.kind === 'plain') {
          w.u8(0).compact(registry.add(item.value));
        } else {
          w.u8(1);
          w.vec(item.hashers, (w, h) => w.u8(HASHER_INDEX[h]));
          w.compact(registry.add(item.key));
          w.compact(registry.add(item.value));
        }
        w.bytes(item.fallback);
        w.vec(item.docs ?? [], (w, d) => w.str(d));
      });
    });
    w.option(p.calls, (w, calls) => w.compact(registry.add(palletType(p, 'Call', calls))));
    w.option(p.events, (w, events) => w.compact(registry.add(palletType(p, 'Event', events))));
    w.vec(p.constants ?? [], (w, c) => {
      w.str(c.name);
      w.compact(registry.add(c.type));
      w.bytes(c.value);
      w.vec(c.docs ?? [], (w, d) => w.str(d));
    });
    w.option(p.errors, (w, errors) => w.compact(registry.add(palletType(p, 'Error', errors))));
    w.u8(p.index);
  });
  const pallets_ = w.finish();

  const extensionIds = SIGNED_EXTENSIONS.map((e) => ({ identifier: e.identifier, type: registry.add(e.type), additional: registry.add(e.additional) }));
  const hasCalls = sorted.some((p) => p.calls !== undefined);
  const extrinsicType = registry.add(
    T.composite(
      ['sp_runtime', 'generic', 'unchecked_extrinsic', 'UncheckedExtrinsic'],
      [{ type: T.vec(T.u8) }],
      [
        { name: 'Address', type: MultiAddress },
        { name: 'Call', type: hasCalls ? T.runtimeCall : T.unit },
        { name: 'Signature', type: MultiSignature },
        { name: 'Extra', type: T.tuple(...SIGNED_EXTENSIONS.map((e) => e.type)) },
      ],
    ),
  );
  const extrinsic = new ScaleWriter()
    .compact(extrinsicType)
    .u8(4)
    .vec(extensionIds, (w, e) => w.str(e.identifier).compact(e.type).compact(e.additional))
    .finish();
  const runtimeType = registry.add(T.composite([RUNTIME_CRATE, 'Runtime'], []));

  return new ScaleWriter().raw(METADATA_MAGIC).u8(14).raw(registry.encode()).raw(pallets_).raw(extrinsic).compact(runtimeType).finish();
}
