import type { consensusV1 } from '@balanceai/contracts';
import type { BlockListener } from '../stream/block-stream.js';
import type { ChainData } from './chain-data.js';
import { decodeHeader, type HeaderJson } from './substrate-json.js';

/** One finalized block as the RPC serves it, decoded once for every subscriber. */
export interface FinalizedHead {
  number: number;
  hash: string;
  header: HeaderJson;
  /** `header` as JSON: what a head notification carries, serialised once per block. */
  headerJson: string;
  /** The block announces a runtime change (DigestItem::RuntimeEnvironmentUpdated). */
  runtimeUpdated: boolean;
  /** The validator's GetBlock answer: extrinsic hashes and bytes, justification. */
  block: consensusV1.GetBlockResponse;
}

export type HeadListener = (head: FinalizedHead) => void;

/** Where finalized blocks come from: the gateway's verified stream (stream/block-stream.ts). */
export interface BlockSource {
  subscribe(listener: BlockListener): () => void;
}

export function headOf(block: consensusV1.GetBlockResponse): FinalizedHead {
  const decoded = decodeHeader(block.header);
  return {
    number: decoded.number,
    hash: block.hash.toLowerCase(),
    header: decoded.json,
    headerJson: JSON.stringify(decoded.json),
    runtimeUpdated: decoded.runtimeUpdated,
    block,
  };
}

/** How far a seeded head may lie behind the stream's next block and still be filled in, block by block. */
const MAX_FILL = 256;

/**
 * The finalized chain for subscriptions: every head once, in order, with no gap. The block stream
 * already guarantees that across NATS reconnects and validator failovers (it fetches each block from a
 * healthy validator); this adds a starting point. Before the stream's first block, a subscriber is
 * served the head a validator reports (`current()`), and the blocks between it and the stream's first
 * are fetched and sent. Heads are published one at a time, so listeners see a strictly increasing
 * sequence whoever triggered it.
 */
export class FinalizedHeads {
  private readonly listeners = new Set<HeadListener>();
  private last: FinalizedHead | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly detach: () => void;

  constructor(
    source: BlockSource,
    private readonly chain: ChainData,
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.detach = source.subscribe((_message, _json, block) => this.enqueue(() => this.advance(block)));
  }

  /** The newest head published, if any yet. */
  get latest(): FinalizedHead | undefined {
    return this.last;
  }

  subscribe(listener: HeadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The newest head: the last published, else the validator's finalized head, published to every
   * listener (so a subscriber that registered before calling this receives it as its first head).
   */
  async current(): Promise<FinalizedHead> {
    if (this.last) return this.last;
    const status = await this.chain.status();
    const block = await this.chain.block({ hash: status.finalizedHash });
    if (!block) throw new Error(`the validator's head ${status.finalizedHash} is not served`);
    await this.enqueue(() => this.advance(block));
    return this.last ?? headOf(block);
  }

  /** Resolves once every block received so far has been published (for tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  close(): void {
    this.detach();
    this.listeners.clear();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step).catch((err: unknown) => this.warn(`finalized heads: ${err instanceof Error ? err.message : String(err)}`));
    return this.queue;
  }

  private async advance(block: consensusV1.GetBlockResponse): Promise<void> {
    const head = headOf(block);
    const last = this.last;
    // Already past it: a head seeded from a validator ran ahead of the stream.
    if (last && head.number <= last.number) return;
    if (last && head.number > last.number + 1) {
      // Only after a seeded head: fill what lies between it and the stream (the stream itself has no gaps).
      const to = Math.min(head.number - 1, last.number + MAX_FILL);
      for (let n = last.number + 1; n <= to; n++) {
        const missing = await this.chain.block({ number: n }).catch(() => undefined);
        if (!missing) {
          this.warn(`finalized heads: block #${n} unavailable; continuing at #${head.number}`);
          break;
        }
        this.publish(headOf(missing));
      }
    }
    this.publish(head);
  }

  private publish(head: FinalizedHead): void {
    this.last = head;
    this.chain.remember(head.block);
    if (head.runtimeUpdated) this.chain.invalidateRuntime();
    for (const listener of this.listeners) {
      try {
        listener(head);
      } catch (err) {
        this.warn(`a head listener failed at #${head.number}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
