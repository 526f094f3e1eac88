import { type TypeSpec, MetaType } from './meta-types.js';

/*
 * The scale-info descriptions of the runtime API inputs and outputs, as polkadot-sdk's crates define them
 * (sp_version, sp_runtime::transaction_validity, pallet_transaction_payment::types). Metadata V15 lists
 * them under `apis`, and clients (polkadot.js `api.call.*`, polkadot-api, dedot) decode our results
 * with them, so the Rust paths and field names matter as much as the byte layout.
 */

const T = MetaType;
const field = (name: string, type: TypeSpec, typeName: string) => ({ name, type, typeName });

export const RuntimeVersionType = T.composite(['sp_version', 'RuntimeVersion'], [
  field('spec_name', T.str, "Cow<'static, str>"),
  field('impl_name', T.str, "Cow<'static, str>"),
  field('authoring_version', T.u32, 'u32'),
  field('spec_version', T.u32, 'u32'),
  field('impl_version', T.u32, 'u32'),
  field('apis', T.vec(T.tuple(T.array(8, T.u8), T.u32)), 'ApisVec'),
  field('transaction_version', T.u32, 'u32'),
  field('system_version', T.u8, 'u8'),
]);

export const OpaqueMetadataType = T.composite(['sp_core', 'OpaqueMetadata'], [{ type: T.vec(T.u8), typeName: 'Vec<u8>' }]);

const validity = (name: string) => ['sp_runtime', 'transaction_validity', name];

export const TransactionSourceType = T.enumOf(validity('TransactionSource'), ['InBlock', 'Local', 'External']);

/** sp_runtime's variants in declaration order: the order is the SCALE index. */
export const INVALID_TRANSACTION = [
  'Call',
  'Payment',
  'Future',
  'Stale',
  'BadProof',
  'AncientBirthBlock',
  'ExhaustsResources',
  'Custom',
  'BadMandatory',
  'MandatoryValidation',
  'BadSigner',
  'IndeterminateImplicit',
  'UnknownOrigin',
] as const;
export const UNKNOWN_TRANSACTION = ['CannotLookup', 'NoUnsignedValidator', 'Custom'] as const;

const withCustom = (path: string[], names: readonly string[]): TypeSpec =>
  T.variant(path, names.map((name, index) => (name === 'Custom' ? { name, index, fields: [{ type: T.u8, typeName: 'u8' }] } : { name, index })));

export const InvalidTransactionType = withCustom(validity('InvalidTransaction'), INVALID_TRANSACTION);
export const UnknownTransactionType = withCustom(validity('UnknownTransaction'), UNKNOWN_TRANSACTION);
export const TransactionValidityErrorType = T.variant(validity('TransactionValidityError'), [
  { name: 'Invalid', index: 0, fields: [{ type: InvalidTransactionType, typeName: 'InvalidTransaction' }] },
  { name: 'Unknown', index: 1, fields: [{ type: UnknownTransactionType, typeName: 'UnknownTransaction' }] },
]);
export const ValidTransactionType = T.composite(validity('ValidTransaction'), [
  field('priority', T.u64, 'TransactionPriority'),
  field('requires', T.vec(T.vec(T.u8)), 'Vec<TransactionTag>'),
  field('provides', T.vec(T.vec(T.u8)), 'Vec<TransactionTag>'),
  field('longevity', T.u64, 'TransactionLongevity'),
  field('propagate', T.bool, 'bool'),
]);
export const TransactionValidityType = T.result(ValidTransactionType, TransactionValidityErrorType);

const payment = (name: string) => ['pallet_transaction_payment', 'types', name];
const balanceParam = [{ name: 'Balance', type: T.Balance }];

export const RuntimeDispatchInfoType = T.composite(
  payment('RuntimeDispatchInfo'),
  [field('weight', T.Weight, 'Weight'), field('class', T.DispatchClass, 'DispatchClass'), field('partial_fee', T.Balance, 'Balance')],
  [...balanceParam, { name: 'Weight', type: T.Weight }],
);
export const InclusionFeeType = T.composite(
  payment('InclusionFee'),
  [field('base_fee', T.Balance, 'Balance'), field('len_fee', T.Balance, 'Balance'), field('adjusted_weight_fee', T.Balance, 'Balance')],
  balanceParam,
);
export const FeeDetailsType = T.composite(
  payment('FeeDetails'),
  [field('inclusion_fee', T.option(InclusionFeeType), 'Option<InclusionFee<Balance>>'), field('tip', T.Balance, 'Balance')],
  balanceParam,
);
