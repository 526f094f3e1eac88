import { palletPrefix, toHex } from '@balanceai/chain';
import { DomainError, ERROR_CODE_METADATA_KEY, fromGrpcError } from '@balanceai/platform';
import type { StateAt, StorageSource } from './storage-source.js';

/** The part of ModuleClient storage reads use (a fake in tests). */
export interface ModuleStorageClient {
  readStorage(height: number, keys: string[]): Promise<{ entries: Array<{ key: string; present: boolean; value: string }> }>;
  storageKeys(height: number, prefix: string, count: number, startKey: string | null): Promise<{ keys: string[] }>;
}

/**
 * A module's pallet storage, read over its ModuleStorageService at the block's height: the module keeps
 * the same window of committed states, and has committed every height consensus has adopted (Commit
 * comes before the adopt), so a height this node serves is one the module can answer.
 */
export class ModuleStorage implements StorageSource {
  readonly prefix: string;

  constructor(
    readonly pallet: string,
    private readonly client: ModuleStorageClient,
  ) {
    this.prefix = toHex(palletPrefix(pallet));
  }

  async read(keys: readonly string[], at: StateAt): Promise<Array<string | null>> {
    const res = await this.ask(() => this.client.readStorage(at.height, [...keys]));
    if (res.entries.length !== keys.length) throw new DomainError('MODULE_BAD_ANSWER', `module ${this.pallet} answered ${res.entries.length} of ${keys.length} keys`, 'internal');
    return res.entries.map((e) => (e.present ? e.value.toLowerCase() : null));
  }

  async keys(prefix: string, count: number, startKey: string | null, at: StateAt): Promise<string[]> {
    const res = await this.ask(() => this.client.storageKeys(at.height, prefix, count, startKey));
    return res.keys.map((k) => k.toLowerCase());
  }

  /** The module's own refusal (STATE_DISCARDED, BAD_STORAGE_KEY…) passes through; a module that cannot answer is unavailable. */
  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { metadata?: { get(k: string): unknown[] } }).metadata?.get(ERROR_CODE_METADATA_KEY)?.[0];
      if (typeof code === 'string') throw fromGrpcError(err);
      throw new DomainError('MODULE_UNAVAILABLE', `the ${this.pallet} module cannot serve storage now`, 'unavailable');
    }
  }
}
