import type { FinalizedNotice } from './finalized-block.js';

/**
 * The next height the WebSocket feed owes its clients. Heights leave exactly once and in order: a
 * notice below it (a catching-up validator republishing old blocks past JetStream's dedupe window, a
 * duplicate) is dropped, and a notice above it first fills the gap.
 */
export class HeightSequencer {
  private nextHeight: number | undefined;

  /** `maxGap`: after a long outage, send at most this many blocks before the new head (clients ask REST for older ones). */
  constructor(private readonly maxGap = 1024) {}

  get next(): number | undefined {
    return this.nextHeight;
  }

  /** Whether a notice of this height can still lead to a send. */
  wants(height: number): boolean {
    return this.nextHeight === undefined || height >= this.nextHeight;
  }

  /** Heights to send, in order, now that `height` is known final: the gap before it, then it. */
  heightsThrough(height: number): number[] {
    if (!this.wants(height)) return [];
    // The feed starts with the first block seen: a new gateway owes nobody history.
    const from = Math.max(this.nextHeight ?? height, height - this.maxGap + 1);
    return Array.from({ length: height - from + 1 }, (_, i) => from + i);
  }

  /** Records that `height` went out; the next one owed is the one after it. */
  sent(height: number): void {
    if (!this.wants(height)) throw new RangeError(`height ${height} was already sent (next is ${this.nextHeight})`);
    this.nextHeight = height + 1;
  }
}

/** A block as the relay needs to know it: which height, which hash; the rest is the caller's. */
export type RelayedBlock = FinalizedNotice;

export interface FinalizedRelayOptions<B extends RelayedBlock = RelayedBlock> {
  /**
   * The finalized block at `height` as a validator the gateway trusts serves it; undefined when that
   * validator does not have it (yet). Throws when no validator answers.
   */
  fetchBlock(height: number): Promise<B | undefined>;
  /** Sends one block to the clients. */
  emit(block: B): void;
  /** Highest finalized height the validators report, if known: a notice far beyond it is not waited for. */
  bestKnownHeight(): number | undefined;
  /** Waits before asking again for a block the validator does not have yet (it may be a moment behind the publisher). */
  retryDelaysMs?: readonly number[];
  /** How far above the best known height a notice may be and still be waited for. */
  aheadTolerance?: number;
  maxGap?: number;
  warn?(message: string): void;
}

/**
 * Turns finalized-block notices from NATS into the WebSocket feed. A notice is a hint, never the
 * payload: anyone able to publish on the subject could forge one. For each notice the block at its
 * height is fetched from a healthy validator over gRPC; only when the hashes agree is it sent, built
 * from the validator's answer. Missing heights before it are fetched and sent first. Notices are handled
 * one at a time, so sends are ordered.
 */
export class FinalizedRelay<B extends RelayedBlock = RelayedBlock> {
  private readonly sequencer: HeightSequencer;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: FinalizedRelayOptions<B>) {
    this.sequencer = new HeightSequencer(options.maxGap);
  }

  /** The next height clients are owed (for tests and logs). */
  get nextHeight(): number | undefined {
    return this.sequencer.next;
  }

  /** Queues one notice; the returned promise settles once it has been handled (never rejects). */
  notify(notice: FinalizedNotice): Promise<void> {
    this.queue = this.queue.then(() => this.handle(notice)).catch((err: unknown) => this.warn(`finalized notice #${notice.number}: ${String(err)}`));
    return this.queue;
  }

  /** Settles once every notice queued so far has been handled. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async handle(notice: FinalizedNotice): Promise<void> {
    if (!this.sequencer.wants(notice.number)) return;
    const block = await this.fetchNotified(notice);
    if (!block) return;
    if (block.hash !== notice.hash) {
      this.warn(`dropped a finalized notice for #${notice.number} whose hash ${notice.hash} is not the validator's ${block.hash}`);
      return;
    }
    for (const height of this.sequencer.heightsThrough(notice.number)) {
      const next = height === notice.number ? block : await this.options.fetchBlock(height);
      // A gap block the validator cannot give now is filled on the next notice: never skipped.
      if (!next) return;
      this.options.emit(next);
      this.sequencer.sent(height);
    }
  }

  private async fetchNotified(notice: FinalizedNotice): Promise<B | undefined> {
    const delays = this.options.retryDelaysMs ?? [100, 200, 400, 800, 1500];
    for (let attempt = 0; ; attempt++) {
      const block = await this.options.fetchBlock(notice.number);
      if (block) return block;
      // Wait only for a height the chain is about to reach, so forged far-future notices cost one call.
      const best = this.options.bestKnownHeight();
      const plausible = best !== undefined && notice.number <= best + (this.options.aheadTolerance ?? 3);
      if (!plausible || attempt >= delays.length) {
        this.warn(`dropped a finalized notice for #${notice.number}: no validator has that block (best known ${best ?? '-'})`);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
    }
  }

  private warn(message: string): void {
    this.options.warn?.(message);
  }
}
