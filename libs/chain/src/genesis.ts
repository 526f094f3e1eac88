import { ONE_BAI, parseBaseUnits } from './amount.js';
import { AddressError, ChainError, GenesisError } from './errors.js';
import { blake2_256 } from './hash.js';
import { type Header, extrinsicsRoot, headerHash } from './header.js';
import { fromHex, toHex, utf8 } from './hex.js';
import { DEV_ACCOUNT_NAMES, keyFromUri } from './keys.js';
import { emissionsPallet, genesisEmissionsOptions } from './emissions-pallet.js';
import { type PalletDescriptor, balancesPallet, buildMetadata, systemPallet, transactionPaymentPallet } from './metadata.js';
import { type RuntimeVersion, encodeRuntimeVersion, runtimeVersion } from './runtime-api.js';
import { stakingPallet } from './staking-calls.js';
import { withGenesisBonds } from './genesis-staking.js';
import { sessionPallet } from './session-pallet.js';
import { ss58Decode, ss58Encode } from './ss58.js';
import { type ModelsGenesis, modelsGenesisFromJson, modelsGenesisToJson } from './models-genesis.js';
import { modelsPallet } from './models-calls.js';
import { type BridgeGenesis, bridgeGenesisFromJson, bridgeGenesisToJson, bridgeReleaseWindow } from './bridge-genesis.js';
import { bridgePallet } from './bridge-calls.js';
import { timestampPallet } from './timestamp-pallet.js';

export const GENESIS_SUPPLY = 5_880_000n * ONE_BAI;
export const MAX_SUPPLY = 21_000_000n * ONE_BAI;

export interface GenesisValidator {
  name: string;
  /** 0x-hex ed25519 public key that signs consensus messages. */
  consensusKey: string;
  /** SS58 address of the validator's stash account. */
  stash: string;
}

export interface GenesisParams {
  blockTimeMs: number;
  eraLength: number;
  /** Eras an unbonded stake stays locked (pallet-staking's BondingDuration; 28 on mainnet). */
  bondingDuration: number;
  existentialDeposit: bigint;
  baseFee: bigint;
  byteFee: bigint;
  maxExtrinsicBytes: number;
  maxBlockExtrinsics: number;
  maxBlockBytes: number;
  mempoolMaxTxs: number;
  specVersion: number;
  transactionVersion: number;
  timeoutProposeMs: number;
  timeoutVoteMs: number;
  timeoutDeltaMs: number;
}

export interface GenesisAccounts {
  stakingRewardPot: string;
  modelsGrantsFund: string;
  agentsGrantsFund: string;
  developmentFund: string;
}

export interface Genesis {
  chain: string;
  chainId: string;
  ss58Prefix: number;
  tokenSymbol: 'BAI';
  tokenDecimals: 18;
  genesisTimeMs: number;
  params: GenesisParams;
  accounts: GenesisAccounts;
  validators: GenesisValidator[];
  balances: Array<{ address: string; free: bigint }>;
  /** The models and agents marketplace's parameters (models-genesis.ts); absent: no marketplace. */
  models?: ModelsGenesis;
  /** The Interlink bridge's parameters (bridge-genesis.ts); absent: no bridge. */
  bridge?: BridgeGenesis;
}

// Key order of the JSON is fixed by these lists: the state root hashes the JSON text.
const NUMBER_PARAMS = [
  'blockTimeMs',
  'eraLength',
  'bondingDuration',
  'maxExtrinsicBytes',
  'maxBlockExtrinsics',
  'maxBlockBytes',
  'mempoolMaxTxs',
  'specVersion',
  'transactionVersion',
  'timeoutProposeMs',
  'timeoutVoteMs',
  'timeoutDeltaMs',
] as const satisfies ReadonlyArray<keyof GenesisParams>;
const AMOUNT_PARAMS = ['existentialDeposit', 'baseFee', 'byteFee'] as const satisfies ReadonlyArray<keyof GenesisParams>;
const PARAM_ORDER: Array<keyof GenesisParams> = [
  'blockTimeMs',
  'eraLength',
  'bondingDuration',
  'existentialDeposit',
  'baseFee',
  'byteFee',
  'maxExtrinsicBytes',
  'maxBlockExtrinsics',
  'maxBlockBytes',
  'mempoolMaxTxs',
  'specVersion',
  'transactionVersion',
  'timeoutProposeMs',
  'timeoutVoteMs',
  'timeoutDeltaMs',
];
const ACCOUNT_ORDER: Array<keyof GenesisAccounts> = ['stakingRewardPot', 'modelsGrantsFund', 'agentsGrantsFund', 'developmentFund'];
const TOP_LEVEL = ['chain', 'chainId', 'ss58Prefix', 'tokenSymbol', 'tokenDecimals', 'genesisTimeMs', 'params', 'accounts', 'validators', 'balances'];

/** Canonical JSON of a genesis: fixed key order, amounts as decimal strings of base units, 2-space indent. */
export function genesisToJson(g: Genesis): string {
  const params: Record<string, number | string> = {};
  for (const key of PARAM_ORDER) {
    const v = g.params[key];
    params[key] = typeof v === 'bigint' ? v.toString() : v;
  }
  const accounts: Record<string, string> = {};
  for (const key of ACCOUNT_ORDER) accounts[key] = g.accounts[key];
  const doc = {
    chain: g.chain,
    chainId: g.chainId,
    ss58Prefix: g.ss58Prefix,
    tokenSymbol: g.tokenSymbol,
    tokenDecimals: g.tokenDecimals,
    genesisTimeMs: g.genesisTimeMs,
    params,
    accounts,
    validators: g.validators.map((v) => ({ name: v.name, consensusKey: v.consensusKey, stash: v.stash })),
    balances: g.balances.map((b) => ({ address: b.address, free: b.free.toString() })),
    ...(g.models ? { models: modelsGenesisToJson(g.models) } : {}),
    ...(g.bridge ? { bridge: bridgeGenesisToJson(g.bridge) } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

// --- validation -------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const CHAIN_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/; // it appears in NATS subjects: no dots, spaces or wildcards

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objectAt(v: Json | undefined, field: string, keys: readonly string[], optional: readonly string[] = []): { [key: string]: Json } {
  if (!isObject(v)) throw new GenesisError(field, 'must be an object');
  for (const k of Object.keys(v)) if (!keys.includes(k) && !optional.includes(k)) throw new GenesisError(`${field}.${k}`, 'unknown field');
  for (const k of keys) if (!(k in v)) throw new GenesisError(field ? `${field}.${k}` : k, 'is missing');
  return v;
}

function stringAt(v: Json | undefined, field: string): string {
  if (typeof v !== 'string' || v.length === 0) throw new GenesisError(field, 'must be a non-empty string');
  return v;
}

function integerAt(v: Json | undefined, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new GenesisError(field, `must be an integer from ${min} to ${max}`);
  }
  return v;
}

function amountAt(v: Json | undefined, field: string): bigint {
  if (typeof v !== 'string') throw new GenesisError(field, 'must be a decimal string of base units');
  try {
    return parseBaseUnits(v);
  } catch (err) {
    if (err instanceof ChainError) throw new GenesisError(field, err.message);
    throw err;
  }
}

function addressAt(v: Json | undefined, field: string): { address: string; accountId: string } {
  const address = stringAt(v, field);
  try {
    return { address, accountId: toHex(ss58Decode(address).publicKey) };
  } catch (err) {
    if (err instanceof AddressError) throw new GenesisError(field, err.message);
    throw err;
  }
}

/** Parses and validates a genesis file; every problem is a GenesisError naming the field. */
export function genesisFromJson(text: string): Genesis {
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (err) {
    throw new GenesisError('genesis', `is not valid JSON: ${(err as Error).message}`);
  }
  const root = objectAt(doc, '', TOP_LEVEL, ['models', 'bridge']);
  const chain = stringAt(root['chain'], 'chain');
  const chainId = stringAt(root['chainId'], 'chainId');
  if (!CHAIN_ID.test(chainId)) throw new GenesisError('chainId', 'must be 1-64 of a-z, 0-9, - and _, starting with a letter or digit');
  const ss58Prefix = integerAt(root['ss58Prefix'], 'ss58Prefix', 0, 16383);
  if (ss58Prefix === 46 || ss58Prefix === 47) throw new GenesisError('ss58Prefix', 'is reserved');
  if (root['tokenSymbol'] !== 'BAI') throw new GenesisError('tokenSymbol', 'must be "BAI"');
  if (root['tokenDecimals'] !== 18) throw new GenesisError('tokenDecimals', 'must be 18');
  const genesisTimeMs = integerAt(root['genesisTimeMs'], 'genesisTimeMs', 0);

  const p = objectAt(root['params'], 'params', PARAM_ORDER);
  const numbers = {} as Record<(typeof NUMBER_PARAMS)[number], number>;
  for (const key of NUMBER_PARAMS) numbers[key] = integerAt(p[key], `params.${key}`, 1, key === 'specVersion' || key === 'transactionVersion' ? 0xffff_ffff : Number.MAX_SAFE_INTEGER);
  const amounts = {} as Record<(typeof AMOUNT_PARAMS)[number], bigint>;
  for (const key of AMOUNT_PARAMS) {
    amounts[key] = amountAt(p[key], `params.${key}`);
    if (amounts[key] <= 0n) throw new GenesisError(`params.${key}`, 'must be positive');
  }
  const params: GenesisParams = { ...numbers, ...amounts };
  if (params.maxExtrinsicBytes > params.maxBlockBytes) throw new GenesisError('params.maxExtrinsicBytes', 'exceeds params.maxBlockBytes');

  const a = objectAt(root['accounts'], 'accounts', ACCOUNT_ORDER);
  const accounts = {} as GenesisAccounts;
  const fundIds = new Set<string>();
  for (const key of ACCOUNT_ORDER) {
    const { address, accountId } = addressAt(a[key], `accounts.${key}`);
    if (fundIds.has(accountId)) throw new GenesisError(`accounts.${key}`, 'is the same account as another fund');
    fundIds.add(accountId);
    accounts[key] = address;
  }

  const rawValidators = root['validators'];
  if (!Array.isArray(rawValidators) || rawValidators.length === 0) throw new GenesisError('validators', 'must list at least one validator');
  const consensusKeys = new Set<string>();
  const names = new Set<string>();
  const validators = rawValidators.map((raw, i) => {
    const field = `validators[${i}]`;
    const v = objectAt(raw, field, ['name', 'consensusKey', 'stash']);
    const name = stringAt(v['name'], `${field}.name`);
    if (names.has(name)) throw new GenesisError(`${field}.name`, `duplicate validator name "${name}"`);
    names.add(name);
    const consensusKey = stringAt(v['consensusKey'], `${field}.consensusKey`);
    try {
      fromHex(consensusKey, 32);
    } catch (err) {
      throw new GenesisError(`${field}.consensusKey`, `must be a 0x-hex ed25519 public key of 32 bytes (${(err as Error).message})`);
    }
    const normalizedKey = consensusKey.toLowerCase();
    if (consensusKeys.has(normalizedKey)) throw new GenesisError(`${field}.consensusKey`, 'is used by another validator');
    consensusKeys.add(normalizedKey);
    const { address: stash } = addressAt(v['stash'], `${field}.stash`);
    return { name, consensusKey, stash };
  });

  const rawBalances = root['balances'];
  if (!Array.isArray(rawBalances)) throw new GenesisError('balances', 'must be a list');
  const holders = new Set<string>();
  let total = 0n;
  const balances = rawBalances.map((raw, i) => {
    const field = `balances[${i}]`;
    const b = objectAt(raw, field, ['address', 'free']);
    const { address, accountId } = addressAt(b['address'], `${field}.address`);
    if (holders.has(accountId)) throw new GenesisError(`${field}.address`, 'duplicate account');
    holders.add(accountId);
    const free = amountAt(b['free'], `${field}.free`);
    if (free < params.existentialDeposit) throw new GenesisError(`${field}.free`, `is below the existential deposit ${params.existentialDeposit}`);
    total += free;
    return { address, free };
  });
  if (total !== GENESIS_SUPPLY) throw new GenesisError('balances', `sum to ${total} base units, not the genesis supply ${GENESIS_SUPPLY}`);

  const models = root['models'] === undefined ? undefined : modelsGenesisFromJson(root['models']);
  const bridge = root['bridge'] === undefined ? undefined : bridgeGenesisFromJson(root['bridge']);
  return { chain, chainId, ss58Prefix, tokenSymbol: 'BAI', tokenDecimals: 18, genesisTimeMs, params, accounts, validators, balances, ...(models ? { models } : {}), ...(bridge ? { bridge } : {}) };
}

// --- block #0 -------------------------------------------------------------------------------------------------

const ZERO_HASH = new Uint8Array(32);

/** Block #0: the state root commits to the canonical genesis JSON, so any change to it changes the chain. */
export function genesisHeader(g: Genesis): Header {
  return {
    parentHash: ZERO_HASH,
    number: 0,
    stateRoot: blake2_256(utf8(genesisToJson(g))),
    extrinsicsRoot: extrinsicsRoot([]),
    digest: [],
  };
}

/** What every extrinsic signs (CheckGenesis) and what wallets show as the chain's genesis hash. */
export function genesisHash(g: Genesis): Uint8Array {
  return headerHash(genesisHeader(g));
}

/**
 * The runtime's pallets with this chain's parameters, in one list for metadata V14 and V15, for the
 * System.Events encoder (event-records.ts) and for error codes (dispatchErrorFor).
 */
export function runtimePallets(g: Genesis): PalletDescriptor[] {
  return [
    systemPallet({ ss58Prefix: g.ss58Prefix, version: encodeRuntimeVersion(genesisRuntimeVersion(g)) }),
    timestampPallet({ blockTimeMs: g.params.blockTimeMs }),
    balancesPallet({ existentialDeposit: g.params.existentialDeposit }),
    transactionPaymentPallet(),
    stakingPallet({ eraLength: g.params.eraLength, bondingDuration: g.params.bondingDuration }),
    sessionPallet(),
    emissionsPallet(genesisEmissionsOptions(g)),
    ...(g.models ? [modelsPallet({ params: g.models, funds: g.accounts })] : []),
    ...(g.bridge ? [bridgePallet({ params: g.bridge, releaseWindow: bridgeReleaseWindow(g.params.blockTimeMs) })] : []),
  ];
}

/** The runtime metadata for this chain (V14 by default; V15 adds the runtime APIs and outer enums). */
export function genesisMetadata(g: Genesis, version: 14 | 15 = 14): Uint8Array {
  return buildMetadata(runtimePallets(g), { version });
}

/** What Core_version and state_getRuntimeVersion report for this chain. */
export function genesisRuntimeVersion(g: Genesis): RuntimeVersion {
  return runtimeVersion({ specVersion: g.params.specVersion, transactionVersion: g.params.transactionVersion });
}

// --- development genesis ------------------------------------------------------------------------------------

export const DEVNET_PARAMS: GenesisParams = {
  blockTimeMs: 1_000,
  eraLength: 60,
  bondingDuration: 2,
  existentialDeposit: ONE_BAI / 100n,
  baseFee: ONE_BAI / 1_000n,
  byteFee: 10n ** 12n,
  maxExtrinsicBytes: 64 * 1024,
  maxBlockExtrinsics: 2_000,
  maxBlockBytes: 1024 * 1024,
  mempoolMaxTxs: 50_000,
  specVersion: 1,
  transactionVersion: 1,
  timeoutProposeMs: 1_000,
  timeoutVoteMs: 500,
  timeoutDeltaMs: 500,
};

const DEV_ACCOUNT_BALANCE = 100_000n * ONE_BAI;
const STASH_BALANCE = 100_000n * ONE_BAI;
const BENCH_ACCOUNT_BALANCE = 1_000n * ONE_BAI;
export const DEV_FUND_URIS: Record<keyof GenesisAccounts, string> = {
  stakingRewardPot: '//fund/staking-pot',
  modelsGrantsFund: '//fund/models-grants',
  agentsGrantsFund: '//fund/agents-grants',
  developmentFund: '//fund/development',
};

export interface DevGenesisOptions {
  validators: number;
  chain?: string;
  blockTimeMs?: number;
  eraLength?: number;
  bondingDuration?: number;
  /** Extra funded sr25519 accounts `//bench/<i>` (1,000 BAI each) for load tests. */
  extraAccounts?: number;
  /** Defaults to now; pass a fixed value for a reproducible genesis hash. */
  genesisTimeMs?: number;
  ss58Prefix?: number;
  /** Bond each genesis validator's stash with this much from genesis (staking module; see withGenesisBonds). */
  stakingBond?: bigint;
  /** The models marketplace's genesis section (absent: no Models pallet). */
  models?: ModelsGenesis;
  /** The bridge's genesis section (absent: no Bridge pallet). */
  bridge?: BridgeGenesis;
}

/**
 * A development genesis from the dev phrase. Validator i signs consensus with the ed25519 key
 * `//validator//<i>` (hard junctions: Substrate refuses soft derivation for ed25519) and stakes from
 * the sr25519 stash `//stash/<i>`; Alice..Ferdie and the stashes hold 100,000 BAI each, bench accounts
 * 1,000, and `//treasury` the remainder, so the supply is exactly 5,880,000 BAI.
 */
export function devGenesis(opts: DevGenesisOptions): { genesis: Genesis; validatorKeys: string[] } {
  const count = opts.validators;
  if (!Number.isInteger(count) || count < 1 || count > 100) throw new GenesisError('validators', 'a dev genesis has 1 to 100 validators');
  const extra = opts.extraAccounts ?? 0;
  if (!Number.isInteger(extra) || extra < 0 || extra > 5_000) throw new GenesisError('extraAccounts', 'must be 0 to 5000');
  const ss58Prefix = opts.ss58Prefix ?? 42;
  const address = (uri: string) => ss58Encode(keyFromUri(uri, 'sr25519').publicKey, ss58Prefix);

  const validatorKeys = Array.from({ length: count }, (_, i) => `//validator//${i}`);
  const validators = validatorKeys.map((uri, i) => ({
    name: `validator-${i}`,
    consensusKey: toHex(keyFromUri(uri, 'ed25519').publicKey),
    stash: address(`//stash/${i}`),
  }));
  const balances: Array<{ address: string; free: bigint }> = [
    ...DEV_ACCOUNT_NAMES.map((name) => ({ address: address(`//${name}`), free: DEV_ACCOUNT_BALANCE })),
    ...validators.map((v) => ({ address: v.stash, free: STASH_BALANCE })),
    ...Array.from({ length: extra }, (_, i) => ({ address: address(`//bench/${i}`), free: BENCH_ACCOUNT_BALANCE })),
  ];
  const allocated = balances.reduce((sum, b) => sum + b.free, 0n);
  const treasury = GENESIS_SUPPLY - allocated;
  if (treasury < DEVNET_PARAMS.existentialDeposit) throw new GenesisError('balances', 'the dev allocations exceed the genesis supply');
  balances.push({ address: address('//treasury'), free: treasury });

  const accounts = {} as GenesisAccounts;
  for (const key of ACCOUNT_ORDER) accounts[key] = address(DEV_FUND_URIS[key]);
  const chainId = opts.chain ?? 'balanceai-devnet';
  const genesis: Genesis = {
    chain: chainId,
    chainId,
    ss58Prefix,
    tokenSymbol: 'BAI',
    tokenDecimals: 18,
    genesisTimeMs: opts.genesisTimeMs ?? Date.now(),
    params: { ...DEVNET_PARAMS, blockTimeMs: opts.blockTimeMs ?? DEVNET_PARAMS.blockTimeMs, eraLength: opts.eraLength ?? DEVNET_PARAMS.eraLength, bondingDuration: opts.bondingDuration ?? DEVNET_PARAMS.bondingDuration },
    accounts,
    validators,
    balances,
    ...(opts.models ? { models: opts.models } : {}),
    ...(opts.bridge ? { bridge: opts.bridge } : {}),
  };
  const bonded = opts.stakingBond ? withGenesisBonds(genesis, opts.stakingBond) : genesis;
  // Round-trip through the validator so a dev genesis is never one that a node would refuse.
  return { genesis: genesisFromJson(genesisToJson(bonded)), validatorKeys };
}

