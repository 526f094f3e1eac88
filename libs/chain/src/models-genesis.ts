import { ONE_BAI, parseBaseUnits } from './amount.js';
import { ChainError, GenesisError } from './errors.js';
import type { Genesis } from './genesis.js';
import { toHex } from './hex.js';
import { moduleAccount } from './module-account.js';
import { parseAccountId, ss58Encode } from './ss58.js';

/*
 * The genesis parameters of the models and agents marketplace (pallet Models, 20; docs/architecture.md §6),
 * the optional `models` section of the genesis JSON. A genesis without the section runs no marketplace
 * (its metadata has no Models pallet); one with the section gets every field it leaves out from
 * DEFAULT_MODELS_GENESIS. genesisToJson writes every field, so the canonical JSON (hashed into block #0)
 * says exactly what the chain runs with.
 */

/** The parameters every node reads from the genesis: changing one changes the chain. */
export interface ModelsGenesis {
  /** The smallest validation lock a model provider may register with (base units). */
  readonly modelMinLock: bigint;
  /** The smallest validation lock an agent provider may register with (base units). */
  readonly agentMinLock: bigint;
  /** Eras between deregistering (or a slash) and the lock's return; slashable until then. */
  readonly unlockDelay: number;
  /** Perbill (0..10^9) of a provider's lock slashed into the development fund when >2/3 of the validators report it. */
  readonly slashFraction: number;
  /** Whole percentages of each block's mint for the models and the agents grants funds (emissions' split, §4). */
  readonly modelsPercent: number;
  readonly agentsPercent: number;
  /** Most (provider, score) pairs one set_weights call may carry. */
  readonly maxWeights: number;
  /**
   * Providers registered at genesis (ids 0, 1, … in this order), e.g. the expert system as the first agent.
   * Their locks are the models module account's genesis balance (withGenesisProviders moves them there).
   */
  readonly providers: readonly GenesisProvider[];
}

export interface GenesisProvider {
  /** SS58 address (or 0x hex) of the owner, who gets the grants and the lock back. */
  readonly owner: string;
  readonly kind: 'Model' | 'Agent';
  readonly name: string;
  readonly metadataUri: string;
  readonly endpoint: string;
  readonly minAccessHolding: bigint;
  readonly lock: bigint;
}

/** A provider name: 1-64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit (names appear in URLs). */
export const MODELS_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** An endpoint the gateway may proxy to: an http(s) URL without credentials. */
export function isProviderEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password && endpoint.length <= 256;
}

export const MODELS_PERBILL_ONE = 1_000_000_000;

export const DEFAULT_MODELS_GENESIS: ModelsGenesis = Object.freeze({
  modelMinLock: 1_000n * ONE_BAI,
  agentMinLock: 1_000n * ONE_BAI,
  unlockDelay: 7,
  slashFraction: 100_000_000,
  modelsPercent: 24,
  agentsPercent: 24,
  maxWeights: 10_000,
  providers: [],
});

const ORDER = ['modelMinLock', 'agentMinLock', 'unlockDelay', 'slashFraction', 'modelsPercent', 'agentsPercent', 'maxWeights', 'providers'] as const satisfies ReadonlyArray<keyof ModelsGenesis>;
const PROVIDER_FIELDS = ['owner', 'kind', 'name', 'metadataUri', 'endpoint', 'minAccessHolding', 'lock'] as const satisfies ReadonlyArray<keyof GenesisProvider>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Checks a parsed or hand-built section; every problem is a GenesisError naming the field. */
export function validateModelsGenesis(m: ModelsGenesis, field = 'models'): ModelsGenesis {
  const int = (key: keyof ModelsGenesis, min: number, max: number) => {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) throw new GenesisError(`${field}.${key}`, `must be an integer from ${min} to ${max}`);
  };
  for (const key of ['modelMinLock', 'agentMinLock'] as const) {
    const v = m[key];
    if (typeof v !== 'bigint' || v <= 0n || v >= 1n << 128n) throw new GenesisError(`${field}.${key}`, 'must be a positive u128 of base units');
  }
  int('unlockDelay', 1, 100_000);
  int('slashFraction', 0, MODELS_PERBILL_ONE);
  int('modelsPercent', 0, 100);
  int('agentsPercent', 0, 100);
  // The grants funds take 48 % of every mint between them (staking 44 %, development 8 %): only the split moves.
  if (m.modelsPercent + m.agentsPercent !== 48) throw new GenesisError(`${field}.agentsPercent`, `modelsPercent + agentsPercent must be 48 (the grants funds' share of each mint), got ${m.modelsPercent + m.agentsPercent}`);
  int('maxWeights', 1, 65_535);
  const names = new Set<string>();
  m.providers.forEach((p, i) => {
    const at = `${field}.providers[${i}]`;
    try {
      parseAccountId(p.owner);
    } catch (err) {
      throw new GenesisError(`${at}.owner`, (err as Error).message);
    }
    if (p.kind !== 'Model' && p.kind !== 'Agent') throw new GenesisError(`${at}.kind`, 'is Model or Agent');
    if (!MODELS_NAME_PATTERN.test(p.name)) throw new GenesisError(`${at}.name`, 'is 1-64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit');
    if (names.has(`${p.kind}:${p.name}`)) throw new GenesisError(`${at}.name`, `another ${p.kind} is called ${p.name}`);
    names.add(`${p.kind}:${p.name}`);
    if (p.metadataUri.length === 0 || p.metadataUri.length > 512) throw new GenesisError(`${at}.metadataUri`, 'is 1-512 characters');
    if (!isProviderEndpoint(p.endpoint)) throw new GenesisError(`${at}.endpoint`, 'is an http(s) URL without credentials, at most 256 characters');
    if (p.minAccessHolding < 0n || p.minAccessHolding >= 1n << 128n) throw new GenesisError(`${at}.minAccessHolding`, 'is a u128');
    const min = p.kind === 'Model' ? m.modelMinLock : m.agentMinLock;
    if (p.lock < min || p.lock >= 1n << 128n) throw new GenesisError(`${at}.lock`, `is at least the ${p.kind} minimum ${min}`);
  });
  return m;
}

/** The `models` section of a genesis JSON document (fields left out take the defaults). */
export function modelsGenesisFromJson(v: Json | undefined, field = 'models'): ModelsGenesis {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GenesisError(field, 'must be an object');
  for (const k of Object.keys(v)) if (!(ORDER as readonly string[]).includes(k)) throw new GenesisError(`${field}.${k}`, 'unknown field');
  const amount = (key: 'modelMinLock' | 'agentMinLock'): bigint => {
    const raw = v[key];
    if (raw === undefined) return DEFAULT_MODELS_GENESIS[key];
    if (typeof raw !== 'string') throw new GenesisError(`${field}.${key}`, 'must be a decimal string of base units');
    try {
      return parseBaseUnits(raw);
    } catch (err) {
      if (err instanceof ChainError) throw new GenesisError(`${field}.${key}`, err.message);
      throw err;
    }
  };
  const rawProviders = v['providers'];
  if (rawProviders !== undefined && !Array.isArray(rawProviders)) throw new GenesisError(`${field}.providers`, 'must be a list');
  const providers = (rawProviders ?? []).map((raw, i): GenesisProvider => {
    const at = `${field}.providers[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new GenesisError(at, 'must be an object');
    for (const k of Object.keys(raw)) if (!(PROVIDER_FIELDS as readonly string[]).includes(k)) throw new GenesisError(`${at}.${k}`, 'unknown field');
    const str = (k: (typeof PROVIDER_FIELDS)[number]): string => {
      const x = raw[k];
      if (typeof x !== 'string') throw new GenesisError(`${at}.${k}`, 'must be a string');
      return x;
    };
    const units = (k: 'minAccessHolding' | 'lock'): bigint => {
      try {
        return parseBaseUnits(str(k));
      } catch (err) {
        if (err instanceof ChainError && !(err instanceof GenesisError)) throw new GenesisError(`${at}.${k}`, err.message);
        throw err;
      }
    };
    return { owner: str('owner'), kind: str('kind') as GenesisProvider['kind'], name: str('name'), metadataUri: str('metadataUri'), endpoint: str('endpoint'), minAccessHolding: units('minAccessHolding'), lock: units('lock') };
  });
  const num = (key: 'unlockDelay' | 'slashFraction' | 'modelsPercent' | 'agentsPercent' | 'maxWeights'): number => {
    const raw = v[key];
    if (raw === undefined) return DEFAULT_MODELS_GENESIS[key];
    if (typeof raw !== 'number') throw new GenesisError(`${field}.${key}`, 'must be an integer');
    return raw;
  };
  return validateModelsGenesis(
    {
      modelMinLock: amount('modelMinLock'),
      agentMinLock: amount('agentMinLock'),
      unlockDelay: num('unlockDelay'),
      slashFraction: num('slashFraction'),
      modelsPercent: num('modelsPercent'),
      agentsPercent: num('agentsPercent'),
      maxWeights: num('maxWeights'),
      providers,
    },
    field,
  );
}

/** The section as canonical JSON: every field, in a fixed order, amounts as decimal strings. */
export function modelsGenesisToJson(m: ModelsGenesis): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ORDER) {
    const v = m[key];
    out[key] =
      key === 'providers'
        ? m.providers.map((p) => ({ owner: p.owner, kind: p.kind, name: p.name, metadataUri: p.metadataUri, endpoint: p.endpoint, minAccessHolding: p.minAccessHolding.toString(), lock: p.lock.toString() }))
        : typeof v === 'bigint'
          ? v.toString()
          : v;
  }
  return out;
}

/**
 * A genesis with these providers registered from block 0: each lock moves from its owner's genesis balance
 * to the models module account's (issuance unchanged), and the `models` section lists them. The models
 * service refuses a genesis whose module account balance is not exactly the sum of the genesis locks.
 */
export function withGenesisProviders(genesis: Genesis, providers: readonly GenesisProvider[]): Genesis {
  const models = validateModelsGenesis({ ...(genesis.models ?? DEFAULT_MODELS_GENESIS), providers: [...(genesis.models?.providers ?? []), ...providers] });
  const hexId = (address: string) => toHex(parseAccountId(address));
  const account = toHex(moduleAccount('models'));
  const owed = new Map<string, bigint>();
  for (const p of providers) owed.set(hexId(p.owner), (owed.get(hexId(p.owner)) ?? 0n) + p.lock);
  let moved = 0n;
  const balances = genesis.balances
    .filter((b) => hexId(b.address) !== account)
    .map((b) => {
      const lock = owed.get(hexId(b.address));
      if (lock === undefined) return b;
      if (b.free - lock < genesis.params.existentialDeposit) throw new GenesisError('balances', `${b.address} cannot lock ${lock}`);
      moved += lock;
      owed.delete(hexId(b.address));
      return { ...b, free: b.free - lock };
    });
  if (owed.size > 0) throw new GenesisError('models.providers', `owner ${[...owed.keys()][0]} has no genesis balance`);
  const already = genesis.balances.find((b) => hexId(b.address) === account)?.free ?? 0n;
  if (already + moved > 0n) balances.push({ address: ss58Encode(moduleAccount('models'), genesis.ss58Prefix), free: already + moved });
  return { ...genesis, balances, models };
}
