import { ChainError } from './errors.js';
import { fromHex } from './hex.js';
import { type TypeSpec, MetaType } from './meta-types.js';
import {
  FeeDetailsType,
  INVALID_TRANSACTION,
  OpaqueMetadataType,
  RuntimeDispatchInfoType,
  RuntimeVersionType,
  TransactionSourceType,
  TransactionValidityType,
  UNKNOWN_TRANSACTION,
} from './runtime-api-types.js';
import { ScaleReader, ScaleWriter } from './scale.js';

/*
 * The runtime APIs this chain serves through `state_call` (consensus RuntimeCall): their ids and
 * versions for RuntimeVersion.apis, their V15 metadata descriptions, the decoders of their SCALE
 * arguments and the encoders of their SCALE results. Only methods consensus really implements are
 * listed: a client that finds a method here may call it. A trait's version is the polkadot-sdk version
 * whose signatures we follow (Core v5, TransactionPaymentApi v4…), even where we serve only some of its
 * methods (no Core_execute_block: blocks are not executed through the runtime API here).
 */

export * from './runtime-api-types.js';

export class RuntimeApiError extends ChainError {
  constructor(
    override readonly code: 'UNKNOWN_RUNTIME_API' | 'BAD_RUNTIME_CALL_ARGS',
    message: string,
  ) {
    super(code, message);
  }
}

export interface RuntimeApiMethod {
  name: string;
  inputs: Array<{ name: string; type: TypeSpec }>;
  output: TypeSpec;
  docs?: string[];
}

export interface RuntimeApiDescriptor {
  /** The trait name; `state_call` methods are `<name>_<method>`. */
  name: string;
  /** blake2_64 of the trait name, 0x hex (sp_version::ApiId). */
  id: string;
  version: number;
  methods: RuntimeApiMethod[];
  docs?: string[];
}

const T = MetaType;
const method = (name: string, inputs: Array<[string, TypeSpec]>, output: TypeSpec, docs: string): RuntimeApiMethod => ({
  name,
  inputs: inputs.map(([name, type]) => ({ name, type })),
  output,
  docs: [docs],
});
const uxt: [string, TypeSpec] = ['uxt', T.uncheckedExtrinsic];

export const RUNTIME_API_DESCRIPTORS: readonly RuntimeApiDescriptor[] = [
  {
    name: 'Core',
    id: '0xdf6acb689907609b',
    version: 5,
    methods: [method('version', [], RuntimeVersionType, 'Returns the version of the runtime.')],
    docs: [' The `Core` runtime api that every Substrate runtime needs to implement.'],
  },
  {
    name: 'Metadata',
    id: '0x37e397fc7c91f5e4',
    version: 2,
    methods: [
      method('metadata', [], OpaqueMetadataType, 'Returns the metadata of a runtime.'),
      method('metadata_at_version', [['version', T.u32]], T.option(OpaqueMetadataType), 'Returns the metadata at a given version.'),
      method('metadata_versions', [], T.vec(T.u32), 'Returns the supported metadata versions.'),
    ],
    docs: [' The `Metadata` api trait that returns metadata for the runtime.'],
  },
  {
    name: 'TaggedTransactionQueue',
    id: '0xd2bc9897eed08f15',
    version: 3,
    methods: [
      method(
        'validate_transaction',
        [['source', TransactionSourceType], ['tx', T.uncheckedExtrinsic], ['block_hash', T.H256]],
        TransactionValidityType,
        'Validate the transaction.',
      ),
    ],
    docs: [' The `TaggedTransactionQueue` api trait for interfering with the transaction queue.'],
  },
  {
    name: 'AccountNonceApi',
    id: '0xbc9d89904f5b923f',
    version: 1,
    methods: [method('account_nonce', [['account', T.AccountId32]], T.u32, 'Get current account nonce of given `AccountId`.')],
    docs: [' The API to query account nonce.'],
  },
  {
    name: 'TransactionPaymentApi',
    id: '0x37c8bb1350a9a2a8',
    version: 4,
    methods: [
      method('query_info', [uxt, ['len', T.u32]], RuntimeDispatchInfoType, 'The dispatch info (weight, class, partial fee) of an extrinsic.'),
      method('query_fee_details', [uxt, ['len', T.u32]], FeeDetailsType, 'The fee details (base, length and weight fees) of an extrinsic.'),
    ],
  },
];

/** [trait name, id, version] for RuntimeVersion.apis. */
export const RUNTIME_APIS: ReadonlyArray<readonly [string, string, number]> = RUNTIME_API_DESCRIPTORS.map((a) => [a.name, a.id, a.version] as const);

/** Every `state_call` method name served, e.g. `TransactionPaymentApi_query_info`. */
export const RUNTIME_CALL_METHODS: readonly string[] = RUNTIME_API_DESCRIPTORS.flatMap((a) => a.methods.map((m) => `${a.name}_${m.name}`));

/** The metadata versions Metadata_metadata_versions reports and Metadata_metadata_at_version serves. */
export const METADATA_VERSIONS: readonly number[] = [14, 15];

// --- RuntimeVersion ----------------------------------------------------------------------------------------

export interface RuntimeVersion {
  specName: string;
  implName: string;
  authoringVersion: number;
  specVersion: number;
  implVersion: number;
  /** [api id (0x, 8 bytes), version]. */
  apis: ReadonlyArray<readonly [string, number]>;
  transactionVersion: number;
  /** 1: the state is a V1 trie, and extrinsics root V1 (sp_version::RuntimeVersion::system_version). */
  systemVersion: number;
}

export const SPEC_NAME = 'balanceai';
export const IMPL_NAME = 'balanceai-node';

/** This chain's runtime version: the fixed names, the APIs above, and the genesis' spec and tx versions. */
export function runtimeVersion(v: { specVersion: number; transactionVersion: number }): RuntimeVersion {
  return {
    specName: SPEC_NAME,
    implName: IMPL_NAME,
    authoringVersion: 1,
    specVersion: v.specVersion,
    implVersion: 0,
    apis: RUNTIME_APIS.map(([, id, version]) => [id, version] as const),
    transactionVersion: v.transactionVersion,
    systemVersion: 1,
  };
}

/** SCALE sp_version::RuntimeVersion, the result of Core_version. */
export function encodeRuntimeVersion(v: RuntimeVersion): Uint8Array {
  return new ScaleWriter()
    .str(v.specName)
    .str(v.implName)
    .u32(v.authoringVersion)
    .u32(v.specVersion)
    .u32(v.implVersion)
    .vec(v.apis, (w, [id, version]) => w.raw(fromHex(id, 8)).u32(version))
    .u32(v.transactionVersion)
    .u8(v.systemVersion)
    .finish();
}

/**
 * The JSON of `state_getRuntimeVersion` / `chain_subscribeRuntimeVersion`, as sp_version serializes it
 * today: `systemVersion` and, for clients from before its rename, the same value as `stateVersion`.
 */
export function runtimeVersionJson(v: RuntimeVersion) {
  return {
    specName: v.specName,
    implName: v.implName,
    authoringVersion: v.authoringVersion,
    specVersion: v.specVersion,
    implVersion: v.implVersion,
    apis: v.apis.map(([id, version]) => [id, version] as [string, number]),
    transactionVersion: v.transactionVersion,
    systemVersion: v.systemVersion,
    stateVersion: v.systemVersion,
  };
}

// --- results of the other methods --------------------------------------------------------------------------

/** Metadata_metadata: OpaqueMetadata, i.e. the metadata bytes (with their "meta" magic) as a Vec<u8>. */
export function encodeOpaqueMetadata(metadata: Uint8Array): Uint8Array {
  return new ScaleWriter().bytes(metadata).finish();
}

/** Metadata_metadata_at_version: None for a version not served. */
export function encodeMetadataAtVersion(metadata: Uint8Array | undefined): Uint8Array {
  return new ScaleWriter().option(metadata, (w, m) => w.bytes(m)).finish();
}

export function encodeMetadataVersions(versions: readonly number[] = METADATA_VERSIONS): Uint8Array {
  return new ScaleWriter().vec(versions, (w, v) => w.u32(v)).finish();
}

/** AccountNonceApi_account_nonce: the account's next nonce as a u32 (frame_system's Nonce here). */
export function encodeAccountNonce(nonce: number): Uint8Array {
  return new ScaleWriter().u32(nonce).finish();
}

export type DispatchClass = 'Normal' | 'Operational' | 'Mandatory';
const DISPATCH_CLASS: Record<DispatchClass, number> = { Normal: 0, Operational: 1, Mandatory: 2 };

/** sp_weights::Weight (v2). Both parts are encoded as compacts. */
export interface Weight {
  refTime: bigint;
  proofSize: bigint;
}

export interface RuntimeDispatchInfo {
  weight: Weight;
  class: DispatchClass;
  /** The inclusion fee without the tip, base units. */
  partialFee: bigint;
}

function writeWeight(w: ScaleWriter, weight: Weight): void {
  for (const part of [weight.refTime, weight.proofSize]) {
    if (part < 0n || part >= 1n << 64n) throw new RuntimeApiError('BAD_RUNTIME_CALL_ARGS', `weight part ${part} is not a u64`);
    w.compact(part);
  }
}

/** TransactionPaymentApi_query_info's result. */
export function encodeRuntimeDispatchInfo(info: RuntimeDispatchInfo): Uint8Array {
  const w = new ScaleWriter();
  writeWeight(w, info.weight);
  return w.u8(DISPATCH_CLASS[info.class]).u128(info.partialFee).finish();
}

/** What the legacy `payment_queryInfo` RPC returns (pallet-transaction-payment's serde form). */
export function runtimeDispatchInfoJson(info: RuntimeDispatchInfo) {
  const num = (v: bigint) => {
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RuntimeApiError('BAD_RUNTIME_CALL_ARGS', `weight ${v} exceeds a JSON-safe integer`);
    return Number(v);
  };
  return {
    weight: { ref_time: num(info.weight.refTime), proof_size: num(info.weight.proofSize) },
    class: info.class.toLowerCase(),
    partialFee: info.partialFee.toString(),
  };
}

export interface InclusionFee {
  baseFee: bigint;
  lenFee: bigint;
  adjustedWeightFee: bigint;
}

export interface FeeDetails {
  /** Absent for a call that pays no fee (Pays::No). */
  inclusionFee?: InclusionFee;
  tip: bigint;
}

/** TransactionPaymentApi_query_fee_details's result (the tip is in the SCALE form, not in the JSON one). */
export function encodeFeeDetails(d: FeeDetails): Uint8Array {
  return new ScaleWriter()
    .option(d.inclusionFee, (w, f) => w.u128(f.baseFee).u128(f.lenFee).u128(f.adjustedWeightFee))
    .u128(d.tip)
    .finish();
}

/**
 * What the legacy `payment_queryFeeDetails` RPC returns: amounts as sp_rpc NumberOrHex, which a u128
 * always becomes as hex (`0x` and no leading zeros), and no tip (serde-skipped).
 */
export function feeDetailsJson(d: FeeDetails) {
  const hex = (v: bigint) => `0x${v.toString(16)}`;
  return {
    inclusionFee: d.inclusionFee
      ? { baseFee: hex(d.inclusionFee.baseFee), lenFee: hex(d.inclusionFee.lenFee), adjustedWeightFee: hex(d.inclusionFee.adjustedWeightFee) }
      : null,
  };
}

export type InvalidTransaction = Exclude<(typeof INVALID_TRANSACTION)[number], 'Custom'> | { Custom: number };
export type UnknownTransaction = Exclude<(typeof UNKNOWN_TRANSACTION)[number], 'Custom'> | { Custom: number };

export interface ValidTransaction {
  priority: bigint;
  /** Tags (opaque bytes) that must be provided by earlier transactions, e.g. the sender's previous nonce. */
  requires: Uint8Array[];
  provides: Uint8Array[];
  /** Blocks the validity holds for; 2^64-1 = forever. */
  longevity: bigint;
  propagate: boolean;
}

export type TransactionValidity = { ok: ValidTransaction } | { invalid: InvalidTransaction } | { unknown: UnknownTransaction };

function writeValidityError(w: ScaleWriter, names: readonly string[], e: string | { Custom: number }): void {
  if (typeof e === 'object') {
    w.u8(names.indexOf('Custom')).u8(e.Custom);
    return;
  }
  const index = names.indexOf(e);
  if (index < 0 || e === 'Custom') throw new RuntimeApiError('BAD_RUNTIME_CALL_ARGS', `unknown transaction validity error ${e}`);
  w.u8(index);
}

/** TaggedTransactionQueue_validate_transaction's result: Result<ValidTransaction, TransactionValidityError>. */
export function encodeTransactionValidity(v: TransactionValidity): Uint8Array {
  const w = new ScaleWriter();
  if ('ok' in v) {
    const t = v.ok;
    w.u8(0).u64(t.priority);
    w.vec(t.requires, (w, tag) => w.bytes(tag));
    w.vec(t.provides, (w, tag) => w.bytes(tag));
    w.u64(t.longevity).bool(t.propagate);
  } else if ('invalid' in v) {
    writeValidityError(w.u8(1).u8(0), INVALID_TRANSACTION, v.invalid);
  } else {
    writeValidityError(w.u8(1).u8(1), UNKNOWN_TRANSACTION, v.unknown);
  }
  return w.finish();
}

// --- arguments ------------------------------------------------------------------------------------------------

export type TransactionSource = 'InBlock' | 'Local' | 'External';
const TRANSACTION_SOURCES: readonly TransactionSource[] = ['InBlock', 'Local', 'External'];

export type RuntimeCallArgs =
  | { method: 'Core_version' | 'Metadata_metadata' | 'Metadata_metadata_versions' }
  | { method: 'Metadata_metadata_at_version'; version: number }
  | { method: 'AccountNonceApi_account_nonce'; accountId: Uint8Array }
  | {
      method: 'TaggedTransactionQueue_validate_transaction';
      source: TransactionSource;
      /** The extrinsic as it is encoded in a block: compact length prefix, then the extrinsic. */
      extrinsic: Uint8Array;
      blockHash: Uint8Array;
    }
  | { method: 'TransactionPaymentApi_query_info' | 'TransactionPaymentApi_query_fee_details'; extrinsic: Uint8Array; len: number };

/** Block::Extrinsic's SCALE form (an opaque extrinsic): compact length then that many bytes. Returned with its prefix. */
function readExtrinsic(r: ScaleReader, data: Uint8Array): Uint8Array {
  const start = r.offset;
  r.raw(r.compactU32());
  return data.slice(start, r.offset);
}

/**
 * Decodes the SCALE arguments of a `state_call` method. UNKNOWN_RUNTIME_API for a method not in
 * RUNTIME_CALL_METHODS, BAD_RUNTIME_CALL_ARGS for arguments that do not decode exactly (no trailing bytes).
 */
export function decodeRuntimeCallArgs(method: string, data: Uint8Array): RuntimeCallArgs {
  if (!RUNTIME_CALL_METHODS.includes(method)) throw new RuntimeApiError('UNKNOWN_RUNTIME_API', `runtime API method ${method} is not implemented`);
  const r = new ScaleReader(data);
  let args: RuntimeCallArgs;
  try {
    switch (method) {
      case 'Metadata_metadata_at_version':
        args = { method, version: r.u32() };
        break;
      case 'AccountNonceApi_account_nonce':
        args = { method, accountId: r.raw(32).slice() };
        break;
      case 'TaggedTransactionQueue_validate_transaction': {
        const tag = r.u8();
        const source = TRANSACTION_SOURCES[tag];
        if (source === undefined) throw new RuntimeApiError('BAD_RUNTIME_CALL_ARGS', `invalid TransactionSource ${tag}`);
        args = { method, source, extrinsic: readExtrinsic(r, data), blockHash: r.raw(32).slice() };
        break;
      }
      case 'TransactionPaymentApi_query_info':
      case 'TransactionPaymentApi_query_fee_details':
        args = { method, extrinsic: readExtrinsic(r, data), len: r.u32() };
        break;
      default:
        args = { method: method as 'Core_version' | 'Metadata_metadata' | 'Metadata_metadata_versions' };
    }
    r.assertEnd(`${method} arguments`);
  } catch (err) {
    if (err instanceof RuntimeApiError) throw err;
    if (err instanceof ChainError) throw new RuntimeApiError('BAD_RUNTIME_CALL_ARGS', `${method}: ${err.message}`);
    throw err;
  }
  return args;
}
