import type { consensusV1 } from '@balanceai/contracts';
import { RpcError, serverBusy } from './errors.js';

export interface StorageBatcherLimits {
  /** Keys in one ReadStorage call (the validators refuse more than 1,000). */
  maxKeysPerCall: number;
  /** ReadStorage calls in flight to the validators at once. */
  maxCallsInFlight: number;
  /** Keys waiting for a call; past it a read is refused at once as "server is busy" (-32009). */
  maxPendingKeys: number;
}

export const DEFAULT_STORAGE_BATCHER_LIMITS: Readonly<StorageBatcherLimits> = Object.freeze({
  maxKeysPerCall: 1_000,
  maxCallsInFlight: 8,
  maxPendingKeys: 20_000,
});

type Read = (keys: string[], at: string) => Promise<consensusV1.ReadStorageResponse>;

interface Waiter {
  keys: string[];
  resolve: (r: consensusV1.ReadStorageResponse) => void;
  reject: (e: unknown) => void;
}

/**
 * Storage reads from many clients merged into few validator calls. A wallet reads one key at a time, and
 * a ReadStorage call costs the validator (and the gateway's gRPC client) about the same for 1 key as for
 * 1,000: reads of the same block that arrive while calls are in flight wait and leave together. The calls
 * in flight are bounded, so a flood cannot take a validator's event loop from consensus; the keys waiting
 * are bounded, so past saturation a read is refused at once with a retryable error instead of queueing
 * into a timeout (the goodput stays at its peak).
 */
export class StorageBatcher {
  /** Waiting reads by block (`''` = the head), in arrival order within a block. */
  private readonly queues = new Map<string, Waiter[]>();
  /** Reads that go in a call of their own (too many keys, or retried alone), served before the queues. */
  private readonly alone: Array<{ at: string; waiter: Waiter }> = [];
  private pendingKeys = 0;
  private inFlight = 0;

  constructor(
    private readonly read: Read,
    private readonly limits: StorageBatcherLimits = DEFAULT_STORAGE_BATCHER_LIMITS,
  ) {}

  readStorage(keys: string[], at: string): Promise<consensusV1.ReadStorageResponse> {
    // Too many keys for one call: the validator answers (or refuses) it alone, within the in-flight bound.
    if (keys.length > this.limits.maxKeysPerCall) {
      return new Promise((resolve, reject) => {
        this.alone.push({ at, waiter: { keys, resolve, reject } });
        this.pump();
      });
    }
    if (this.pendingKeys + keys.length > this.limits.maxPendingKeys) return Promise.reject(serverBusy());
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(at) ?? [];
      queue.push({ keys, resolve, reject });
      this.queues.set(at, queue);
      this.pendingKeys += keys.length;
      this.pump();
    });
  }

  /** Waiting keys (for tests and metrics). */
  get waiting(): number {
    return this.pendingKeys;
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxCallsInFlight && this.alone.length > 0) {
      const { at, waiter } = this.alone.shift()!;
      this.send(at, [waiter]);
    }
    while (this.inFlight < this.limits.maxCallsInFlight && this.queues.size > 0) {
      // The block waiting longest first (Map order is insertion order), so no block starves.
      const [at, queue] = this.queues.entries().next().value as [string, Waiter[]];
      const batch: Waiter[] = [];
      let size = 0;
      while (queue.length > 0 && size + queue[0]!.keys.length <= this.limits.maxKeysPerCall) {
        const w = queue.shift()!;
        batch.push(w);
        size += w.keys.length;
      }
      if (queue.length === 0) this.queues.delete(at);
      this.pendingKeys -= size;
      this.send(at, batch);
    }
  }

  private send(at: string, batch: Waiter[]): void {
    this.inFlight++;
    this.read(
      batch.flatMap((w) => w.keys),
      at,
    )
      .then(
        (response) => {
          let offset = 0;
          for (const w of batch) {
            w.resolve({ at: response.at, height: response.height, entries: response.entries.slice(offset, offset + w.keys.length) });
            offset += w.keys.length;
          }
        },
        (err: unknown) => {
          // One client's bad key must not fail the others it shared a call with: retry them one by one
          // (ahead of the queues, and still within the in-flight bound).
          if (batch.length > 1 && !(err instanceof RpcError) && isClientMistake(err)) {
            this.alone.push(...batch.map((waiter) => ({ at, waiter })));
            return;
          }
          for (const w of batch) w.reject(err);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }
}

/** A refusal caused by what one request asked (a malformed key), not by the validator or the block. */
function isClientMistake(err: unknown): boolean {
  return (err as { kind?: string }).kind === 'invalid';
}
