import { ONE_BAI, parseBaseUnits } from './amount.js';
import { ChainError, GenesisError } from './errors.js';

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
});

const ORDER = ['modelMinLock', 'agentMinLock', 'unlockDelay', 'slashFraction', 'modelsPercent', 'agentsPercent', 'maxWeights'] as const satisfies ReadonlyArray<keyof ModelsGenesis>;

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
  if (m.modelsPercent + m.agentsPercent > 100) throw new GenesisError(`${field}.agentsPercent`, 'models and agents shares exceed 100 %');
  int('maxWeights', 1, 65_535);
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
    },
    field,
  );
}

/** The section as canonical JSON: every field, in a fixed order, amounts as decimal strings. */
export function modelsGenesisToJson(m: ModelsGenesis): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const key of ORDER) {
    const v = m[key];
    out[key] = typeof v === 'bigint' ? v.toString() : v;
  }
  return out;
}
