import { ScaleWriter, TIMESTAMP_NOW_KEY, palletPrefix, toHex } from '@balanceai/chain';
import type { ChainView } from '../node/chain-view.js';
import { discarded } from './ledger-storage.js';
import { pageOf, type StateAt, type StorageSource } from './storage-source.js';

export const TIMESTAMP = {
  prefix: toHex(palletPrefix('Timestamp')),
  now: toHex(TIMESTAMP_NOW_KEY),
};

/**
 * pallet_timestamp storage: `Now` at a block is the time consensus put in that block (its proposer's clock,
 * after the parent's and checked by every validator), in ms, as a u64. Block 0's is the genesis time. Any
 * block in the state window answers; the chain view keeps those blocks' times in memory.
 */
export class TimestampStorage implements StorageSource {
  readonly prefix = TIMESTAMP.prefix;

  constructor(private readonly chain: () => ChainView) {}

  async read(keys: readonly string[], at: StateAt): Promise<Array<string | null>> {
    const chain = this.chain();
    return keys.map((key) => {
      if (key !== TIMESTAMP.now) return null;
      const time = chain.timeAt(at.height);
      if (time === undefined) throw discarded(at, chain.window.oldest);
      return toHex(new ScaleWriter().u64(BigInt(time)).finish());
    });
  }

  async keys(prefix: string, count: number, startKey: string | null, at: StateAt): Promise<string[]> {
    const chain = this.chain();
    if (!chain.window.holds(at.height)) throw discarded(at, chain.window.oldest);
    return pageOf([TIMESTAMP.now], prefix, startKey, count);
  }
}
