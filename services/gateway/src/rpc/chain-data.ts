import type { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { ConsensusClient } from '../consensus/consensus-client.js';
import { StorageBatcher, type StorageBatcherLimits } from './storage-batcher.js';
import { decodeRuntimeVersion, type RuntimeVersionJson } from './substrate-json.js';

/** The validator reads the RPC makes (ConsensusClient, with its failover; a fake in unit tests). */
export type ConsensusReads = Pick<ConsensusClient, 'call' | 'submit'>;

/**
 * Runtime calls whose answer depends on the runtime alone, not on the block's state: cached until the
 * runtime changes. A thousand wallets connecting at once then cost the validators one metadata call.
 */
const PURE_RUNTIME_CALLS = new Set(['Core_version', 'Metadata_metadata', 'Metadata_metadata_at_version', 'Metadata_metadata_versions']);

const BLOCK_CACHE_SIZE = 512;
const STATUS_TTL_MS = 200;

/**
 * Reads of the chain for the RPC methods, through the validators, with the caches that make many
 * clients cheap: finalized blocks never change (cached by hash and number), the runtime changes only
 * with a block announcing it (RuntimeEnvironmentUpdated, see `invalidateRuntime`), and the chain status
 * is shared for a fraction of a block time. Concurrent identical reads share one call.
 */
export class ChainData {
  private runtimeInfo: Promise<consensusV1.GetRuntimeResponse> | undefined;
  private version: Promise<RuntimeVersionJson> | undefined;
  private genesis: Promise<string> | undefined;
  private statusAt = 0;
  private statusRead: Promise<consensusV1.GetChainStatusResponse> | undefined;
  private readonly pureCalls = new Map<string, Promise<string>>();
  private readonly byHash = new Map<string, consensusV1.GetBlockResponse>();
  private readonly hashByNumber = new Map<number, string>();
  private readonly inFlight = new Map<string, Promise<consensusV1.GetBlockResponse | undefined>>();

  private readonly storage: StorageBatcher;

  constructor(
    readonly consensus: ConsensusReads,
    private readonly now: () => number = Date.now,
    storageLimits?: StorageBatcherLimits,
  ) {
    this.storage = new StorageBatcher((keys, at) => this.consensus.call('readStorage', { at, keys }), storageLimits);
  }

  /** GetRuntime: chain name, properties, metadata. */
  runtime(): Promise<consensusV1.GetRuntimeResponse> {
    return cached(
      () => this.runtimeInfo,
      (p) => (this.runtimeInfo = p),
      () => this.consensus.call('getRuntime', {}),
    );
  }

  /** The runtime version at the head (`Core_version`). */
  runtimeVersion(): Promise<RuntimeVersionJson> {
    return cached(
      () => this.version,
      (p) => (this.version = p),
      () => this.runtimeCall('Core_version', '0x').then((r) => decodeRuntimeVersion(r.result)),
    );
  }

  /** Hash of block 0: what every extrinsic signs (CheckGenesis). Never changes. */
  genesisHash(): Promise<string> {
    return cached(
      () => this.genesis,
      (p) => (this.genesis = p),
      () =>
        this.block({ number: 0 }).then((b) => {
          if (!b) throw new DomainError('NODE_UNAVAILABLE', 'the validator has no genesis block yet', 'unavailable');
          return b.hash;
        }),
    );
  }

  /** GetChainStatus, shared for STATUS_TTL_MS (system_health every 10 s from every client). */
  status(): Promise<consensusV1.GetChainStatusResponse> {
    if (this.now() - this.statusAt > STATUS_TTL_MS) this.statusRead = undefined;
    return cached(
      () => this.statusRead,
      (p) => {
        this.statusRead = p;
        this.statusAt = this.now();
      },
      () => this.consensus.call('getChainStatus', {}),
    );
  }

  /** A finalized block by hash or number; undefined when the validators do not have it. */
  block(id: { hash: string } | { number: number }): Promise<consensusV1.GetBlockResponse | undefined> {
    const hash = 'hash' in id ? id.hash.toLowerCase() : this.hashByNumber.get(id.number);
    const cached = hash === undefined ? undefined : this.byHash.get(hash);
    if (cached) return Promise.resolve(cached);
    const key = hash ?? `#${(id as { number: number }).number}`;
    let read = this.inFlight.get(key);
    if (!read) {
      const request = hash !== undefined ? { hash } : { number: String((id as { number: number }).number) };
      read = this.consensus.call('getBlock', request).then(
        (block) => {
          this.remember(block);
          return block;
        },
        (err: unknown) => {
          if (err instanceof DomainError && err.kind === 'not_found') return undefined;
          throw err;
        },
      );
      this.inFlight.set(key, read);
      void read.finally(() => this.inFlight.delete(key)).catch(() => undefined);
    }
    return read;
  }

  /** A block hash param must name a block the validators have (Substrate: 4003 "UnknownBlock"). */
  async requireBlock(hash: string): Promise<consensusV1.GetBlockResponse> {
    const block = await this.block({ hash });
    if (!block) throw new DomainError('UNKNOWN_BLOCK', `Header was not found in the database: ${hash}`, 'not_found');
    return block;
  }

  /** The runtime version at a block: the one runtime, once the block is known to exist. */
  async runtimeVersionAt(hash: string): Promise<RuntimeVersionJson> {
    await this.requireBlock(hash);
    return this.runtimeVersion();
  }

  /** Keeps a finalized block (from the block stream) for the lookups that follow its notification. */
  remember(block: consensusV1.GetBlockResponse): void {
    const hash = block.hash.toLowerCase();
    if (this.byHash.has(hash)) return;
    this.byHash.set(hash, block);
    this.hashByNumber.set(Number(block.number), hash);
    if (this.byHash.size > BLOCK_CACHE_SIZE) {
      const [oldest, old] = this.byHash.entries().next().value as [string, consensusV1.GetBlockResponse];
      this.byHash.delete(oldest);
      this.hashByNumber.delete(Number(old.number));
    }
  }

  /** A runtime API call (`state_call`); runtime-only calls are answered from the cache. */
  async runtimeCall(method: string, data: string, at?: string): Promise<consensusV1.RuntimeCallResponse> {
    if (!PURE_RUNTIME_CALLS.has(method)) return this.consensus.call('runtimeCall', { at: at ?? '', method, data });
    if (at) await this.requireBlock(at);
    // The runtime does not change between blocks without a RuntimeEnvironmentUpdated digest, so the
    // answer at the head is the answer at any recent block.
    const key = `${method}:${data}`;
    const result = cached(
      () => this.pureCalls.get(key),
      (p) => (p ? this.pureCalls.set(key, p) : this.pureCalls.delete(key)),
      () => this.consensus.call('runtimeCall', { at: at ?? '', method, data }).then((r) => r.result),
    );
    return result.then((r) => ({ at: at ?? '', height: '0', result: r }));
  }

  /** Storage values; concurrent reads of one block share validator calls (see StorageBatcher). */
  readStorage(keys: string[], at?: string): Promise<consensusV1.ReadStorageResponse> {
    return this.storage.readStorage(keys, at ?? '');
  }

  storageKeys(prefix: string, count: number, startKey: string, at?: string): Promise<consensusV1.StorageKeysResponse> {
    return this.consensus.call('storageKeys', { at: at ?? '', prefix, count, startKey });
  }

  /** A block announced a new runtime: forget what was read of the old one. */
  invalidateRuntime(): void {
    this.runtimeInfo = undefined;
    this.version = undefined;
    this.pureCalls.clear();
  }
}

/** The cached read, or a new one that callers share until it settles, forgotten if it fails (the next caller retries). */
function cached<T>(get: () => Promise<T> | undefined, set: (p: Promise<T> | undefined) => void, read: () => Promise<T>): Promise<T> {
  const existing = get();
  if (existing) return existing;
  const fresh = read();
  set(fresh);
  fresh.catch(() => {
    if (get() === fresh) set(undefined);
  });
  return fresh;
}
