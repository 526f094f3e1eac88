import { callNames, decodeCallArgs } from './call-decode.js';
import { CallDecodeError, ScaleError } from './errors.js';
import { type Call, PALLET } from './extrinsic.js';
import type { GenesisAccounts } from './genesis.js';
import { fromUtf8 } from './hex.js';
import { type FieldSpec, type PalletDescriptor, type StorageHasher, type StorageItemSpec, type TypeSpec, type VariantSpec, MetaType } from './meta-types.js';
import { DEFAULT_MODELS_GENESIS, type ModelsGenesis } from './models-genesis.js';
import { ScaleReader, ScaleWriter } from './scale.js';
import { parseAccountId } from './ss58.js';

export * from './models-genesis.js';

/*
 * The Models pallet (20): the models and agents marketplace of docs/architecture.md §6, run by the models
 * module service (services/models). Its calls' SCALE codec (what wallets build from the metadata and the
 * module decodes), its errors (`Models.<name>`, stable), events, storage items and constants.
 */

/** Call indices of pallet 20. */
export const MODELS_CALL = {
  register: 0,
  update: 1,
  top_up: 2,
  deregister: 3,
  set_weights: 4,
  report: 5,
} as const;
export type ModelsCallName = keyof typeof MODELS_CALL;

/** ProviderKind: a model or an agent; each kind has its own grants fund and minimum lock. */
export const PROVIDER_KIND = { Model: 0, Agent: 1 } as const;
export type ProviderKind = keyof typeof PROVIDER_KIND;
export const PROVIDER_KINDS: readonly ProviderKind[] = ['Model', 'Agent'];

/** Why a validator reports a provider (kept in the Reported event; reports agree on the provider). */
export const REPORT_REASON = { Unreachable: 0, WrongOutput: 1, Fraud: 2, Other: 3 } as const;
export type ReportReason = keyof typeof REPORT_REASON;
export const REPORT_REASONS: readonly ReportReason[] = ['Unreachable', 'WrongOutput', 'Fraud', 'Other'];

/** Byte limits of a registration's texts (decoding refuses longer ones). */
export const MODELS_MAX_NAME_BYTES = 64;
export const MODELS_MAX_METADATA_URI_BYTES = 512;
export const MODELS_MAX_ENDPOINT_BYTES = 256;
/** More (provider, score) pairs than this never decode (the genesis' maxWeights is at most this). */
export const MODELS_MAX_DECODED_WEIGHTS = 65_535;

/** A decoded Models call. Texts are UTF-8; amounts base units; scores 0..65535. */
export type ModelsCallData =
  | {
      readonly call: 'register';
      readonly kind: ProviderKind;
      readonly name: string;
      readonly metadataUri: string;
      readonly endpoint: string;
      readonly minAccessHolding: bigint;
      readonly lock: bigint;
    }
  | { readonly call: 'update'; readonly provider: number; readonly metadataUri: string; readonly endpoint: string; readonly minAccessHolding: bigint }
  | { readonly call: 'top_up'; readonly provider: number; readonly amount: bigint }
  | { readonly call: 'deregister'; readonly provider: number }
  | { readonly call: 'set_weights'; readonly weights: ReadonlyArray<readonly [provider: number, score: number]> }
  | { readonly call: 'report'; readonly provider: number; readonly reason: ReportReason };

const MAX_U128 = (1n << 128n) - 1n;
const te = new TextEncoder();

function balance(v: bigint, what: string): bigint {
  if (typeof v !== 'bigint' || v < 0n || v > MAX_U128) throw new CallDecodeError(`${what} must be a u128`);
  return v;
}

function text(w: ScaleWriter, v: string, max: number, what: string): void {
  const b = te.encode(v);
  if (b.length > max) throw new CallDecodeError(`${what} is longer than ${max} bytes`);
  w.bytes(b);
}

function readText(r: ScaleReader, max: number, what: string): string {
  const n = r.compactU32();
  if (n > max) throw new CallDecodeError(`${what} is longer than ${max} bytes`);
  try {
    return fromUtf8(r.raw(n));
  } catch (err) {
    if (err instanceof ScaleError) throw err;
    throw new CallDecodeError(`${what} is not UTF-8`);
  }
}

function providerId(v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new CallDecodeError('provider must be a u32');
  return v;
}

/** The call (pallet 20, call index, SCALE args) for a Models call. */
export function encodeModelsCall(c: ModelsCallData): Call {
  const w = new ScaleWriter();
  switch (c.call) {
    case 'register': {
      const kind = PROVIDER_KIND[c.kind];
      if (kind === undefined) throw new CallDecodeError(`kind must be Model or Agent`);
      w.u8(kind);
      text(w, c.name, MODELS_MAX_NAME_BYTES, 'name');
      text(w, c.metadataUri, MODELS_MAX_METADATA_URI_BYTES, 'metadata_uri');
      text(w, c.endpoint, MODELS_MAX_ENDPOINT_BYTES, 'endpoint');
      w.compact(balance(c.minAccessHolding, 'min_access_holding')).compact(balance(c.lock, 'lock'));
      break;
    }
    case 'update':
      w.u32(providerId(c.provider));
      text(w, c.metadataUri, MODELS_MAX_METADATA_URI_BYTES, 'metadata_uri');
      text(w, c.endpoint, MODELS_MAX_ENDPOINT_BYTES, 'endpoint');
      w.compact(balance(c.minAccessHolding, 'min_access_holding'));
      break;
    case 'top_up':
      w.u32(providerId(c.provider)).compact(balance(c.amount, 'amount'));
      break;
    case 'deregister':
      w.u32(providerId(c.provider));
      break;
    case 'set_weights':
      if (c.weights.length > MODELS_MAX_DECODED_WEIGHTS) throw new CallDecodeError(`at most ${MODELS_MAX_DECODED_WEIGHTS} weights`);
      w.vec(c.weights, (w, [p, score]) => {
        if (!Number.isInteger(score) || score < 0 || score > 0xffff) throw new CallDecodeError('a score must be a u16');
        w.u32(providerId(p)).u16(score);
      });
      break;
    case 'report': {
      const reason = REPORT_REASON[c.reason];
      if (reason === undefined) throw new CallDecodeError(`unknown report reason ${String(c.reason)}`);
      w.u32(providerId(c.provider)).u8(reason);
      break;
    }
    default:
      throw new CallDecodeError(`unknown models call ${(c as { call: string }).call}`);
  }
  return { palletIndex: PALLET.Models, callIndex: MODELS_CALL[c.call], args: w.finish() };
}

const NAME_OF = callNames(MODELS_CALL);

/**
 * Decodes a Models call's arguments. Strict: unknown indices or variants, texts over their limit or not
 * UTF-8, non-canonical compacts and trailing bytes are CallDecodeError.
 */
export function decodeModelsCall(callIndex: number, args: Uint8Array): ModelsCallData {
  return decodeCallArgs('Models', NAME_OF, callIndex, args, (name, r): ModelsCallData => {
    switch (name) {
      case 'register': {
        const tag = r.u8();
        const kind = PROVIDER_KINDS[tag];
        if (!kind) throw new CallDecodeError(`invalid ProviderKind variant ${tag}`);
        return {
          call: name,
          kind,
          name: readText(r, MODELS_MAX_NAME_BYTES, 'name'),
          metadataUri: readText(r, MODELS_MAX_METADATA_URI_BYTES, 'metadata_uri'),
          endpoint: readText(r, MODELS_MAX_ENDPOINT_BYTES, 'endpoint'),
          minAccessHolding: r.compactU128(),
          lock: r.compactU128(),
        };
      }
      case 'update':
        return {
          call: name,
          provider: r.u32(),
          metadataUri: readText(r, MODELS_MAX_METADATA_URI_BYTES, 'metadata_uri'),
          endpoint: readText(r, MODELS_MAX_ENDPOINT_BYTES, 'endpoint'),
          minAccessHolding: r.compactU128(),
        };
      case 'top_up':
        return { call: name, provider: r.u32(), amount: r.compactU128() };
      case 'deregister':
        return { call: name, provider: r.u32() };
      case 'set_weights': {
        const n = r.compactU32();
        if (n > MODELS_MAX_DECODED_WEIGHTS) throw new CallDecodeError(`set_weights lists ${n} weights; at most ${MODELS_MAX_DECODED_WEIGHTS} decode`);
        const weights: Array<readonly [number, number]> = [];
        for (let i = 0; i < n; i++) weights.push([r.u32(), r.u16()]);
        return { call: name, weights };
      }
      case 'report': {
        const provider = r.u32();
        const tag = r.u8();
        const reason = REPORT_REASONS[tag];
        if (!reason) throw new CallDecodeError(`invalid ReportReason variant ${tag}`);
        return { call: name, provider, reason };
      }
    }
  });
}

/** A full call's Models data; the pallet must be 20. */
export function decodeModelsCallOf(call: Call): ModelsCallData {
  if (call.palletIndex !== PALLET.Models) throw new CallDecodeError(`pallet ${call.palletIndex} is not Models`);
  return decodeModelsCall(call.callIndex, call.args);
}

/**
 * The errors of pallet 20, in index order; `Models.<name>` is the stable code a failed call reports
 * (README of services/models says when each is returned). Append only: the index is part of the wire.
 */
export const MODELS_ERRORS = [
  'BadCall',
  'BadName',
  'BadMetadataUri',
  'BadEndpoint',
  'NameTaken',
  'LockTooLow',
  'InsufficientBalance',
  'UnknownProvider',
  'NotOwner',
  'NotActive',
  'ZeroAmount',
  'NotValidator',
  'WeightsAlreadySet',
  'TooManyWeights',
  'DuplicateWeight',
  'AlreadyReported',
] as const;
export type ModelsError = (typeof MODELS_ERRORS)[number];

// --- metadata -------------------------------------------------------------------------------------------

const T = MetaType;
const f = (name: string, type: TypeSpec, typeName: string, docs?: string[]): FieldSpec => ({ name, type, typeName, docs });
const EraIndex = T.u32;
const ProviderId = T.u32;
const Bytes = T.vec(T.u8);
const Perbill = T.composite(['sp_arithmetic', 'per_things', 'Perbill'], [{ type: T.u32, typeName: 'u32' }]);
const Percent = T.composite(['sp_arithmetic', 'per_things', 'Percent'], [{ type: T.u8, typeName: 'u8' }]);
const Kind = T.variant(['pallet_models', 'ProviderKind'], PROVIDER_KINDS.map((name, index) => ({ name, index })));
const Reason = T.variant(['pallet_models', 'ReportReason'], REPORT_REASONS.map((name, index) => ({ name, index })));

/** ProviderStatus: Active; Deregistered / Slashed until `unlock_era`, when the lock returns; Closed after. */
export const PROVIDER_STATUS = { Active: 0, Deregistered: 1, Slashed: 2, Closed: 3 } as const;
export type ProviderStatus = keyof typeof PROVIDER_STATUS;
export const PROVIDER_STATUSES: readonly ProviderStatus[] = ['Active', 'Deregistered', 'Slashed', 'Closed'];
const Status = T.variant(['pallet_models', 'ProviderStatus'], [
  { name: 'Active', index: 0 },
  { name: 'Deregistered', index: 1, fields: [f('unlock_era', EraIndex, 'EraIndex')] },
  { name: 'Slashed', index: 2, fields: [f('unlock_era', EraIndex, 'EraIndex')] },
  { name: 'Closed', index: 3 },
]);

/** The storage value of `Providers`: field order is the SCALE order the module writes. */
export const ProviderInfoType = T.composite(['pallet_models', 'ProviderInfo'], [
  f('owner', T.AccountId32, 'T::AccountId'),
  f('kind', Kind, 'ProviderKind'),
  f('name', Bytes, 'Vec<u8>'),
  f('metadata_uri', Bytes, 'Vec<u8>'),
  f('endpoint', Bytes, 'Vec<u8>'),
  f('min_access_holding', T.Balance, 'BalanceOf<T>'),
  f('lock', T.Balance, 'BalanceOf<T>'),
  f('status', Status, 'ProviderStatus'),
  f('registered_era', EraIndex, 'EraIndex'),
  f('earned', T.Balance, 'BalanceOf<T>'),
  f('slashed', T.Balance, 'BalanceOf<T>'),
]);
const EraScore = T.composite(['pallet_models', 'EraScore'], [
  f('consensus', T.u16, 'u16'),
  f('weight', T.u128, 'u128'),
  f('paid', T.Balance, 'BalanceOf<T>'),
]);
const EraFund = T.composite(['pallet_models', 'EraFund'], [
  f('fund', T.Balance, 'BalanceOf<T>'),
  f('paid', T.Balance, 'BalanceOf<T>'),
  f('total_weight', T.u128, 'u128'),
  f('providers', T.u32, 'u32'),
]);

/** The Models storage items with their hashers, as the module keys its entries. */
export const MODELS_STORAGE = {
  CurrentEra: [],
  NextProviderId: [],
  TotalLocked: [],
  Providers: ['Twox64Concat'],
  ProviderByName: ['Twox64Concat', 'Blake2_128Concat'],
  Weights: ['Twox64Concat'],
  Reports: ['Twox64Concat'],
  EraScores: ['Twox64Concat', 'Twox64Concat'],
  EraFunds: ['Twox64Concat', 'Twox64Concat'],
} as const satisfies Record<string, readonly StorageHasher[]>;
export type ModelsStorageItem = keyof typeof MODELS_STORAGE;

/** Completed eras whose scores and payouts the module keeps (EraScores, EraFunds). */
export const MODELS_HISTORY_DEPTH = 8;

function storage(): StorageItemSpec[] {
  const plain = (name: ModelsStorageItem, value: TypeSpec, fallback: Uint8Array, doc: string): StorageItemSpec => ({ name, modifier: 'Default', kind: 'plain', value, fallback, docs: [` ${doc}`] });
  const map = (name: ModelsStorageItem, key: TypeSpec, value: TypeSpec, doc: string): StorageItemSpec => ({
    name,
    modifier: 'Optional',
    kind: 'map',
    hashers: [...MODELS_STORAGE[name]],
    key,
    value,
    fallback: new Uint8Array(0),
    docs: [` ${doc}`],
  });
  return [
    plain('CurrentEra', EraIndex, new Uint8Array(4), 'The era in progress.'),
    plain('NextProviderId', ProviderId, new Uint8Array(4), 'The id the next registration gets (ids start at 0 and are never reused).'),
    plain('TotalLocked', T.Balance, new Uint8Array(16), 'Every validation lock the module account holds.'),
    map('Providers', ProviderId, ProviderInfoType, 'Every provider ever registered, by id.'),
    map('ProviderByName', T.tuple(Kind, Bytes), ProviderId, 'The provider holding a name, per kind (released when it is closed).'),
    map('Weights', T.AccountId32, T.vec(T.tuple(ProviderId, T.u16)), 'The scores each active validator set in the era in progress.'),
    map('Reports', ProviderId, T.vec(T.tuple(T.AccountId32, Reason)), 'The validators that reported a provider in the era in progress.'),
    map('EraScores', T.tuple(EraIndex, ProviderId), EraScore, 'Each provider\'s consensus score, weight and grant of a completed era (the last MODELS_HISTORY_DEPTH).'),
    map('EraFunds', T.tuple(EraIndex, Kind), EraFund, 'Each grants fund at a completed era\'s end: its balance, what it paid and the total weight.'),
  ];
}

export interface ModelsPalletOptions {
  readonly params?: ModelsGenesis;
  /** The genesis funds (the grants funds the module pays from, the development fund slashes go to). */
  readonly funds?: GenesisAccounts;
}

/** The Models pallet's metadata (pallet 20). */
export function modelsPallet(opts: ModelsPalletOptions = {}): PalletDescriptor {
  const p = opts.params ?? DEFAULT_MODELS_GENESIS;
  const pid = (doc?: string) => f('provider', ProviderId, 'ProviderId', doc ? [doc] : undefined);
  const calls: VariantSpec[] = [
    {
      name: 'register',
      index: MODELS_CALL.register,
      fields: [
        f('kind', Kind, 'ProviderKind'),
        f('name', Bytes, 'Vec<u8>'),
        f('metadata_uri', Bytes, 'Vec<u8>'),
        f('endpoint', Bytes, 'Vec<u8>'),
        f('min_access_holding', T.compact(T.Balance), 'BalanceOf<T>'),
        f('lock', T.compact(T.Balance), 'BalanceOf<T>'),
      ],
      docs: ['Register a model or an agent, locking `lock` (at least the kind\'s minimum) of the free balance as its validation lock.'],
    },
    {
      name: 'update',
      index: MODELS_CALL.update,
      fields: [pid(), f('metadata_uri', Bytes, 'Vec<u8>'), f('endpoint', Bytes, 'Vec<u8>'), f('min_access_holding', T.compact(T.Balance), 'BalanceOf<T>')],
      docs: ['The owner replaces an active provider\'s metadata URI, endpoint and access threshold.'],
    },
    { name: 'top_up', index: MODELS_CALL.top_up, fields: [pid(), f('amount', T.compact(T.Balance), 'BalanceOf<T>')], docs: ['Add to an active provider\'s lock.'] },
    { name: 'deregister', index: MODELS_CALL.deregister, fields: [pid()], docs: ['Stop offering a provider: its lock returns `UnlockDelay` eras later, slashable until then.'] },
    { name: 'set_weights', index: MODELS_CALL.set_weights, fields: [f('weights', T.vec(T.tuple(ProviderId, T.u16)), 'Vec<(ProviderId, u16)>')], docs: ['An active validator\'s scores of providers for this era (once per era).'] },
    { name: 'report', index: MODELS_CALL.report, fields: [pid(), f('reason', Reason, 'ReportReason')], docs: ['An active validator reports a provider; reports from more than 2/3 of them slash and deactivate it.'] },
  ];
  const events: VariantSpec[] = [
    { name: 'Registered', index: 0, fields: [pid(), f('owner', T.AccountId32, 'T::AccountId'), f('kind', Kind, 'ProviderKind'), f('lock', T.Balance, 'BalanceOf<T>')] },
    { name: 'Updated', index: 1, fields: [pid()] },
    { name: 'ToppedUp', index: 2, fields: [pid(), f('amount', T.Balance, 'BalanceOf<T>'), f('lock', T.Balance, 'BalanceOf<T>')] },
    { name: 'Deregistered', index: 3, fields: [pid(), f('unlock_era', EraIndex, 'EraIndex')] },
    { name: 'LockReturned', index: 4, fields: [pid(), f('owner', T.AccountId32, 'T::AccountId'), f('amount', T.Balance, 'BalanceOf<T>')] },
    { name: 'WeightsSet', index: 5, fields: [f('validator', T.AccountId32, 'T::AccountId'), f('era', EraIndex, 'EraIndex'), f('count', T.u32, 'u32')] },
    { name: 'Reported', index: 6, fields: [pid(), f('validator', T.AccountId32, 'T::AccountId'), f('reason', Reason, 'ReportReason'), f('reports', T.u32, 'u32'), f('validators', T.u32, 'u32')] },
    { name: 'ProviderSlashed', index: 7, fields: [pid(), f('amount', T.Balance, 'BalanceOf<T>'), f('unlock_era', EraIndex, 'EraIndex')] },
    {
      name: 'GrantPaid',
      index: 8,
      fields: [pid(), f('owner', T.AccountId32, 'T::AccountId'), f('kind', Kind, 'ProviderKind'), f('era', EraIndex, 'EraIndex'), f('weight', T.u128, 'u128'), f('amount', T.Balance, 'BalanceOf<T>')],
    },
    {
      name: 'EraScored',
      index: 9,
      fields: [f('era', EraIndex, 'EraIndex'), f('kind', Kind, 'ProviderKind'), f('fund', T.Balance, 'BalanceOf<T>'), f('paid', T.Balance, 'BalanceOf<T>'), f('total_weight', T.u128, 'u128'), f('providers', T.u32, 'u32')],
      docs: ['A grants fund at the era end: its balance, what it paid pro rata to the weights (the rest stays in it).'],
    },
  ];
  const balanceConst = (name: string, value: bigint, doc: string) => ({ name, type: T.Balance, value: new ScaleWriter().u128(value).finish(), docs: [` ${doc}`] });
  const u32Const = (name: string, value: number, doc: string) => ({ name, type: T.u32, value: new ScaleWriter().u32(value).finish(), docs: [` ${doc}`] });
  const account = (name: string, address: string, doc: string) => ({ name, type: T.AccountId32, value: parseAccountId(address), docs: [` ${doc}`] });
  return {
    name: 'Models',
    index: PALLET.Models,
    crate: 'pallet_models',
    calls,
    events,
    errors: MODELS_ERRORS.map((name, index) => ({ name, index })),
    storage: { prefix: 'Models', items: storage() },
    constants: [
      balanceConst('ModelMinLock', p.modelMinLock, 'The smallest validation lock of a model.'),
      balanceConst('AgentMinLock', p.agentMinLock, 'The smallest validation lock of an agent.'),
      u32Const('UnlockDelay', p.unlockDelay, 'Eras from deregistering (or a slash) to the lock\'s return.'),
      { name: 'SlashFraction', type: Perbill, value: new ScaleWriter().u32(p.slashFraction).finish(), docs: [' Share of the lock slashed when more than 2/3 of the validators report a provider.'] },
      { name: 'ModelsShare', type: Percent, value: Uint8Array.of(p.modelsPercent), docs: [' Share of each mint for the models grants fund.'] },
      { name: 'AgentsShare', type: Percent, value: Uint8Array.of(p.agentsPercent), docs: [' Share of each mint for the agents grants fund.'] },
      u32Const('MaxWeights', p.maxWeights, '(provider, score) pairs one set_weights may carry.'),
      u32Const('HistoryDepth', MODELS_HISTORY_DEPTH, 'Completed eras whose scores and payouts are kept.'),
      ...(opts.funds
        ? [
            account('ModelsGrantsFund', opts.funds.modelsGrantsFund, 'Pays model providers at each era end.'),
            account('AgentsGrantsFund', opts.funds.agentsGrantsFund, 'Pays agent providers at each era end.'),
          ]
        : []),
    ],
  };
}

// --- storage values, decoded (the gateway's /v1/models and any client without @polkadot/types) ----------

/** Models.Providers value. */
export interface ProviderInfo {
  readonly owner: Uint8Array;
  readonly kind: ProviderKind;
  readonly name: string;
  readonly metadataUri: string;
  readonly endpoint: string;
  readonly minAccessHolding: bigint;
  readonly lock: bigint;
  readonly status: ProviderStatus;
  /** For Deregistered / Slashed: the era at whose start the lock returns. */
  readonly unlockEra: number | null;
  readonly registeredEra: number;
  readonly earned: bigint;
  readonly slashed: bigint;
}

const strict = <T>(bytes: Uint8Array, what: string, read: (r: ScaleReader) => T): T => {
  const r = new ScaleReader(bytes);
  const v = read(r);
  r.assertEnd(what);
  return v;
};

export function decodeProviderInfo(bytes: Uint8Array): ProviderInfo {
  return strict(bytes, 'ProviderInfo', (r) => {
    const owner = r.raw(32).slice();
    const kind = PROVIDER_KINDS[r.u8()];
    if (!kind) throw new ScaleError('bad ProviderKind');
    const name = fromUtf8(r.bytes());
    const metadataUri = fromUtf8(r.bytes());
    const endpoint = fromUtf8(r.bytes());
    const minAccessHolding = r.u128();
    const lock = r.u128();
    const status = PROVIDER_STATUSES[r.u8()];
    if (!status) throw new ScaleError('bad ProviderStatus');
    const unlockEra = status === 'Deregistered' || status === 'Slashed' ? r.u32() : null;
    return { owner, kind, name, metadataUri, endpoint, minAccessHolding, lock, status, unlockEra, registeredEra: r.u32(), earned: r.u128(), slashed: r.u128() };
  });
}

/** Models.EraScores value. */
export function decodeEraScore(bytes: Uint8Array): { consensus: number; weight: bigint; paid: bigint } {
  return strict(bytes, 'EraScore', (r) => ({ consensus: r.u16(), weight: r.u128(), paid: r.u128() }));
}

/** Models.EraFunds value. */
export function decodeEraFund(bytes: Uint8Array): { fund: bigint; paid: bigint; totalWeight: bigint; providers: number } {
  return strict(bytes, 'EraFund', (r) => ({ fund: r.u128(), paid: r.u128(), totalWeight: r.u128(), providers: r.u32() }));
}

/** SCALE key parts of the Models storage maps, in MODELS_STORAGE's hasher order. */
export const modelsKeyParts = {
  provider: (id: number): Uint8Array[] => [new ScaleWriter().u32(id).finish()],
  eraScore: (era: number, id: number): Uint8Array[] => [new ScaleWriter().u32(era).finish(), new ScaleWriter().u32(id).finish()],
  eraFund: (era: number, kind: ProviderKind): Uint8Array[] => [new ScaleWriter().u32(era).finish(), Uint8Array.of(PROVIDER_KIND[kind])],
};
