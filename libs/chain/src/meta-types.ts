/*
 * The type descriptions that runtime metadata is built from (scale-info's model: primitives, compacts,
 * sequences, arrays, tuples, composites and variants with their Rust paths), and the common Substrate
 * types every pallet uses. Plain data: pallet descriptors, the metadata encoder, the JSON-to-SCALE encoder
 * and the runtime API descriptors all read the same specs, so one description serves all of them.
 */

export type Primitive = 'bool' | 'char' | 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'i256';

export interface FieldSpec {
  name?: string;
  type: TypeSpec;
  /** The Rust type name, shown by explorers (`T::Balance`). */
  typeName?: string;
  docs?: string[];
  /** Other keys the JSON encoder (scale-json.ts) accepts for this field: what the service's JSON calls it. Not in metadata. */
  jsonAliases?: string[];
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
  /** The aggregate types of the whole runtime, resolved when the metadata is built from its pallets. */
  | { kind: 'runtime'; name: RuntimeTypeName };

/**
 * RuntimeCall/RuntimeEvent/RuntimeError: the enums over every pallet's calls, events and errors;
 * UncheckedExtrinsic: the extrinsic type (its Call parameter is the RuntimeCall).
 */
export type RuntimeTypeName = 'RuntimeCall' | 'RuntimeEvent' | 'RuntimeError' | 'UncheckedExtrinsic';

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
  /** Pallet documentation (metadata V15 only; V14 has no pallet docs). */
  docs?: string[];
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
  /** core::option::Option<T> as scale-info describes it (a variant at path `Option`). */
  option: (of: TypeSpec): TypeSpec => ({
    kind: 'variant',
    path: ['Option'],
    params: [{ name: 'T', type: of }],
    variants: [{ name: 'None', index: 0 }, { name: 'Some', index: 1, fields: [{ type: of }] }],
  }),
  /** core::result::Result<T, E>. */
  result: (ok: TypeSpec, err: TypeSpec): TypeSpec => ({
    kind: 'variant',
    path: ['Result'],
    params: [{ name: 'T', type: ok }, { name: 'E', type: err }],
    variants: [{ name: 'Ok', index: 0, fields: [{ type: ok }] }, { name: 'Err', index: 1, fields: [{ type: err }] }],
  }),
  runtimeCall: { kind: 'runtime', name: 'RuntimeCall' } as TypeSpec,
  runtimeEvent: { kind: 'runtime', name: 'RuntimeEvent' } as TypeSpec,
  runtimeError: { kind: 'runtime', name: 'RuntimeError' } as TypeSpec,
  uncheckedExtrinsic: { kind: 'runtime', name: 'UncheckedExtrinsic' } as TypeSpec,
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
const DispatchClass = enumOf(['frame_support', 'dispatch', 'DispatchClass'], ['Normal', 'Operational', 'Mandatory']);
const Pays = enumOf(['frame_support', 'dispatch', 'Pays'], ['Yes', 'No']);
const Weight = T.composite(['sp_weights', 'weight_v2', 'Weight'], [
  { name: 'ref_time', type: T.compact(T.u64), typeName: 'u64' },
  { name: 'proof_size', type: T.compact(T.u64), typeName: 'u64' },
]);
const DispatchInfo = T.composite(['frame_support', 'dispatch', 'DispatchInfo'], [
  { name: 'weight', type: Weight, typeName: 'Weight' },
  { name: 'class', type: DispatchClass, typeName: 'DispatchClass' },
  { name: 'pays_fee', type: Pays, typeName: 'Pays' },
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
export const MetaType = {
  ...T,
  enumOf,
  AccountId32,
  H256,
  Balance,
  MultiAddress,
  MultiSignature,
  Era,
  Weight,
  DispatchClass,
  Pays,
  DispatchInfo,
  ModuleError,
  DispatchError,
  AccountData,
  AccountInfo,
  Phase,
  EventRecord,
};
