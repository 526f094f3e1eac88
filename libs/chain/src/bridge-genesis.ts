import { ONE_BAI, parseBaseUnits } from './amount.js';
import { ChainError, GenesisError } from './errors.js';
import { toHex } from './hex.js';
import { parseAccountId } from './ss58.js';

/*
 * The genesis parameters of the Interlink bridge (pallet Bridge, 30; docs/architecture.md §7), the optional
 * `bridge` section of the genesis JSON. A genesis without it runs no bridge (no Bridge pallet in its
 * metadata); with it, fields left out take DEFAULT_BRIDGE_GENESIS — except `relayers` and `threshold`,
 * which have no sensible default and are required. genesisToJson writes every field, so the canonical
 * JSON (hashed into block #0) states exactly what the chain runs with.
 *
 * Deadlines are block-time based: a lock made in a block with time t (ms) gets the Unix-seconds deadline
 * floor(t / 1000) + lockTtlSecs, the value relayers sign into the Ethereum Mint message (BaiBridge compares
 * it with the Ethereum block timestamp). The 24 h release limit is counted in blocks at the genesis block
 * time: window = ceil(86,400,000 / blockTimeMs) blocks.
 */

export interface BridgeGenesis {
  /** The relayers' BAI accounts (SS58 or 0x hex, distinct): only they may attest. */
  readonly relayers: readonly string[];
  /** M: matching attestations needed to release, to mark minted or to refund (2M > N, like BaiBridge). */
  readonly threshold: number;
  /** Seconds from a lock's block time to its Ethereum mint deadline. */
  readonly lockTtlSecs: number;
  /** The smallest lock (base units). */
  readonly minLock: bigint;
  /** BAI released from escrow per 24 h (token bucket, Wormhole's governor); 0 = no limit. */
  readonly releaseLimit: bigint;
}

export const DEFAULT_BRIDGE_GENESIS = Object.freeze({
  lockTtlSecs: 86_400,
  minLock: ONE_BAI / 1_000n,
  releaseLimit: 0n,
});

/** At most this many relayers (BaiBridge's own bound). */
export const BRIDGE_MAX_RELAYERS = 32;
export const BRIDGE_DAY_MS = 86_400_000;

/** Blocks in the 24 h release window at this block time. */
export function bridgeReleaseWindow(blockTimeMs: number): number {
  if (!Number.isSafeInteger(blockTimeMs) || blockTimeMs < 1) throw new RangeError('blockTimeMs must be a positive integer');
  return Math.ceil(BRIDGE_DAY_MS / blockTimeMs);
}

const ORDER = ['relayers', 'threshold', 'lockTtlSecs', 'minLock', 'releaseLimit'] as const satisfies ReadonlyArray<keyof BridgeGenesis>;
const MAX_U128 = (1n << 128n) - 1n;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Checks a parsed or hand-built section; every problem is a GenesisError naming the field. */
export function validateBridgeGenesis(b: BridgeGenesis, field = 'bridge'): BridgeGenesis {
  if (!Array.isArray(b.relayers) || b.relayers.length < 1 || b.relayers.length > BRIDGE_MAX_RELAYERS) {
    throw new GenesisError(`${field}.relayers`, `must list 1 to ${BRIDGE_MAX_RELAYERS} accounts`);
  }
  const seen = new Set<string>();
  b.relayers.forEach((r, i) => {
    let id: string;
    try {
      id = toHex(parseAccountId(r));
    } catch (err) {
      if (err instanceof ChainError || err instanceof Error) throw new GenesisError(`${field}.relayers[${i}]`, `is not an account: ${err.message}`);
      throw err;
    }
    if (seen.has(id)) throw new GenesisError(`${field}.relayers[${i}]`, 'is listed twice');
    seen.add(id);
  });
  const n = b.relayers.length;
  if (!Number.isSafeInteger(b.threshold) || b.threshold < 1 || b.threshold > n || 2 * b.threshold <= n) {
    throw new GenesisError(`${field}.threshold`, `must be a strict majority of the ${n} relayers (2M > N, M ≤ N)`);
  }
  if (!Number.isSafeInteger(b.lockTtlSecs) || b.lockTtlSecs < 1 || b.lockTtlSecs > 31_536_000) throw new GenesisError(`${field}.lockTtlSecs`, 'must be an integer from 1 to 31536000');
  if (typeof b.minLock !== 'bigint' || b.minLock < 1n || b.minLock > MAX_U128) throw new GenesisError(`${field}.minLock`, 'must be a positive u128 of base units');
  if (typeof b.releaseLimit !== 'bigint' || b.releaseLimit < 0n || b.releaseLimit > MAX_U128) throw new GenesisError(`${field}.releaseLimit`, 'must be a u128 of base units (0 = no limit)');
  return b;
}

/** The `bridge` section of a genesis JSON document. */
export function bridgeGenesisFromJson(v: Json | undefined, field = 'bridge'): BridgeGenesis {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new GenesisError(field, 'must be an object');
  for (const k of Object.keys(v)) if (!(ORDER as readonly string[]).includes(k)) throw new GenesisError(`${field}.${k}`, 'unknown field');
  const relayers = v['relayers'];
  if (!Array.isArray(relayers) || !relayers.every((r) => typeof r === 'string')) throw new GenesisError(`${field}.relayers`, 'must be a list of account addresses');
  const threshold = v['threshold'];
  if (typeof threshold !== 'number') throw new GenesisError(`${field}.threshold`, 'must be an integer');
  const amount = (key: 'minLock' | 'releaseLimit'): bigint => {
    const raw = v[key];
    if (raw === undefined) return DEFAULT_BRIDGE_GENESIS[key];
    if (typeof raw !== 'string') throw new GenesisError(`${field}.${key}`, 'must be a decimal string of base units');
    try {
      return parseBaseUnits(raw);
    } catch (err) {
      if (err instanceof ChainError) throw new GenesisError(`${field}.${key}`, err.message);
      throw err;
    }
  };
  const ttl = v['lockTtlSecs'];
  if (ttl !== undefined && typeof ttl !== 'number') throw new GenesisError(`${field}.lockTtlSecs`, 'must be an integer');
  return validateBridgeGenesis(
    {
      relayers: relayers as string[],
      threshold,
      lockTtlSecs: ttl ?? DEFAULT_BRIDGE_GENESIS.lockTtlSecs,
      minLock: amount('minLock'),
      releaseLimit: amount('releaseLimit'),
    },
    field,
  );
}

/** The section as canonical JSON: every field, in a fixed order, amounts as decimal strings. */
export function bridgeGenesisToJson(b: BridgeGenesis): Record<string, string | number | string[]> {
  return {
    relayers: [...b.relayers],
    threshold: b.threshold,
    lockTtlSecs: b.lockTtlSecs,
    minLock: b.minLock.toString(),
    releaseLimit: b.releaseLimit.toString(),
  };
}
