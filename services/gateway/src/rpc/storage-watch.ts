import type { ChainData } from './chain-data.js';
import type { FinalizedHead, FinalizedHeads } from './finalized-heads.js';
import type { SubscriptionSink, Teardown } from './registry.js';

/** `state_storage` notifications: StorageChangeSet { block, changes: [key, value | null][] }. */
export interface StorageChangeSet {
  block: string;
  changes: Array<[string, string | null]>;
}

interface Watcher {
  keys: readonly string[];
  sink: SubscriptionSink;
  /** What this subscriber was last told per key; undefined until its first notification. */
  last: Map<string, string | null> | undefined;
  /** Height of the block its last notification was read at. */
  height: number;
}

/** Keys per ReadStorage call: one call per block per chunk, whatever the number of subscribers. */
const KEYS_PER_READ = 1000;

/**
 * `state_subscribeStorage` for every connection. On each finalized block the union of all subscribed
 * keys is read in one batched ReadStorage at that block, and each subscriber is told only what changed
 * for its keys; its first notification carries every key's current value. Reads run one at a time in
 * block order, so a subscriber's notifications never go back in height. A read that fails (no
 * validator reachable) is not a lost change: the next block compares against what was last sent.
 */
export class StorageWatch {
  private readonly watchers = new Set<Watcher>();
  private queue: Promise<void> = Promise.resolve();
  private readonly detach: () => void;

  constructor(
    private readonly heads: FinalizedHeads,
    private readonly chain: ChainData,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.detach = heads.subscribe((head) => this.enqueue(() => this.onHead(head)));
  }

  get size(): number {
    return this.watchers.size;
  }

  /** Starts watching `keys` for a subscriber; the first notification follows as soon as they are read. */
  watch(keys: readonly string[], sink: SubscriptionSink): Teardown {
    const watcher: Watcher = { keys: [...new Set(keys)], sink, last: undefined, height: -1 };
    this.watchers.add(watcher);
    this.enqueue(() => this.initial(watcher));
    return () => this.watchers.delete(watcher);
  }

  /** Resolves once every queued read is done (for tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  close(): void {
    this.detach();
    this.watchers.clear();
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((err: unknown) => this.warn(`storage subscriptions: ${err instanceof Error ? err.message : String(err)}`));
  }

  private async initial(watcher: Watcher): Promise<void> {
    if (!this.watchers.has(watcher) || watcher.last) return;
    const at = this.heads.latest?.hash;
    const read = await this.chain.readStorage([...watcher.keys], at);
    const values = new Map(read.entries.map((e) => [e.key.toLowerCase(), e.present ? e.value : null]));
    this.tell(watcher, read.at.toLowerCase(), Number(read.height), values, JSON.stringify);
  }

  private async onHead(head: FinalizedHead): Promise<void> {
    const due = [...this.watchers].filter((w) => w.height < head.number);
    if (due.length === 0) return;
    const keys = [...new Set(due.flatMap((w) => w.keys))];
    const values = new Map<string, string | null>();
    const chunks = Array.from({ length: Math.ceil(keys.length / KEYS_PER_READ) }, (_, i) => keys.slice(i * KEYS_PER_READ, (i + 1) * KEYS_PER_READ));
    const reads = await Promise.all(chunks.map((chunk) => this.chain.readStorage(chunk, head.hash)));
    for (const read of reads) for (const e of read.entries) values.set(e.key.toLowerCase(), e.present ? e.value : null);
    // Subscribers told the same changes share one serialisation.
    const encoded = new Map<string, string>();
    const encode = (set: StorageChangeSet): string => {
      const signature = set.changes.map(([k]) => k).join(',');
      let json = encoded.get(signature);
      if (json === undefined) encoded.set(signature, (json = JSON.stringify(set)));
      return json;
    };
    for (const watcher of due) if (this.watchers.has(watcher)) this.tell(watcher, head.hash, head.number, values, encode);
  }

  /** Notifies `watcher` of its keys that differ from what it was last told (all of them the first time). */
  private tell(watcher: Watcher, block: string, height: number, values: Map<string, string | null>, encode: (set: StorageChangeSet) => string): void {
    const changes: Array<[string, string | null]> = [];
    const last = watcher.last ?? new Map<string, string | null>();
    for (const key of watcher.keys) {
      const value = values.get(key) ?? null;
      if (watcher.last && last.get(key) === value) continue;
      changes.push([key, value]);
      last.set(key, value);
    }
    const first = watcher.last === undefined;
    watcher.last = last;
    watcher.height = height;
    if (changes.length > 0 || first) watcher.sink.sendJson(encode({ block, changes }));
  }
}
