import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { Logger } from '@nestjs/common';
import { toHex } from '@balanceai/chain';
import { publishWithTrace } from '@balanceai/platform';
import type { Block, Commit } from '../block/block.js';
import type { ExtrinsicOutcome } from '../ledger/executor.js';
import type { LedgerEvent } from '../ledger/ledger.js';

const STREAM_DUPLICATE_WINDOW_NS = 120_000_000_000; // the validators' copies of one block dedupe by Nats-Msg-Id
/**
 * A block older than this (by its own time) is not published: a node catching up by block sync would
 * otherwise add copies the stream can no longer recognise as duplicates (half the duplicate window).
 */
export const REPUBLISH_MAX_AGE_MS = 60_000;
const STREAM_MAX_AGE_NS = 7 * 24 * 3600 * 1_000_000_000;
/** How long a follower waits for the proposer's copy of a block before it checks the stream. */
export const FALLBACK_AFTER_MS = 2_000;
const PROBE_TIMEOUT_MS = 5_000;

/** The JetStream stream that holds `bai.<chainId>.>`. */
export function streamName(chainId: string): string {
  return `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Where a node sends its finalized blocks. */
export interface FinalizedSink {
  ensureStream(): Promise<void>;
  /** `proposedHere`: this node proposed the block (it publishes at once; others only make sure it arrived). */
  publish(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[], proposedHere?: boolean): void;
  close?(): void;
}

/**
 * Publishes each finalized block and its events on the event stream (`bai.<chainId>.blocks.finalized`, then
 * `bai.<chainId>.events.<module>.<event>`). The block's proposer publishes, with core publishes (no ack
 * round trip per message). Every other validator waits FALLBACK_AFTER_MS, then sends the proposer's last
 * message of the block again as a JetStream publish with its Nats-Msg-Id: the ack says `duplicate` when the
 * proposer's copy is in the stream (nothing more to do); otherwise the proposer died or was cut off, and the
 * follower publishes the block and its events. JetStream keeps one copy per message id, so late or
 * concurrent copies are harmless. One full copy per block instead of one per validator.
 * A block synced long after it was finalized (REPUBLISH_MAX_AGE_MS) is not published again.
 */
export class FinalizedPublisher implements FinalizedSink {
  private readonly log = new Logger('FinalizedPublisher');
  private readonly js: JetStreamClient;
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly chainId: string,
    /** Replicas when this node creates the stream (BAI_NATS_STREAM_REPLICAS). */
    private readonly replicas = 1,
    private readonly fallbackAfterMs = FALLBACK_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {
    this.js = jetstream(nc);
  }

  async ensureStream(): Promise<void> {
    const jsm = await jetstreamManager(this.nc);
    const name = streamName(this.chainId);
    try {
      const info = await jsm.streams.info(name);
      // Validators may create the stream but not change it (their NATS permissions): an operator must.
      const have = info.config.num_replicas || 1;
      if (have < this.replicas) this.log.warn(`stream ${name} has ${have} replica(s), ${this.replicas} wanted: an operator must raise it (nats stream edit ${name} --replicas ${this.replicas})`);
    } catch {
      try {
        await jsm.streams.add({ name, subjects: [`bai.${this.chainId}.>`], duplicate_window: STREAM_DUPLICATE_WINDOW_NS, max_age: STREAM_MAX_AGE_NS, num_replicas: this.replicas });
      } catch (err) {
        // another validator created it at the same moment
        await jsm.streams.info(name).catch(() => {
          throw err;
        });
      }
    }
  }

  publish(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[], proposedHere = true): void {
    // Finalized long ago (this node is syncing): it went to the stream when it was finalized.
    if (this.now() - block.meta.timeMs > REPUBLISH_MAX_AGE_MS) return;
    if (proposedHere) {
      publishWithTrace(this.nc, this.blockSubject, JSON.stringify(blockPayload(block, commit, outcomes)), withId(block.hash));
      this.publishEvents(block, outcomes, blockEvents);
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void this.fallback(block, commit, outcomes, blockEvents);
    }, this.fallbackAfterMs);
    timer.unref?.();
    this.pending.add(timer);
  }

  /** Pending fallbacks are dropped: the other validators' cover the blocks of a node that stops. */
  close(): void {
    for (const t of this.pending) clearTimeout(t);
    this.pending.clear();
  }

  private get blockSubject(): string {
    return `bai.${this.chainId}.blocks.finalized`;
  }

  /**
   * A follower's check, FALLBACK_AFTER_MS after it committed the block: the proposer's LAST message of the
   * block (its last event, or the block message when there is none) sent again as a JetStream publish.
   * A duplicate ack means the proposer's whole sequence went through (one connection, in order); any other
   * answer means it did not, and this node publishes the block message and every event (deduped by id).
   */
  private async fallback(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): Promise<void> {
    const last = this.lastMessage(block, commit, outcomes, blockEvents);
    try {
      const ack = await this.js.publish(last.subject, last.body, { msgID: last.id, timeout: PROBE_TIMEOUT_MS });
      if (ack.duplicate) return;
      this.log.warn(`block ${block.number}: the proposer's copy did not reach the stream; publishing it from here`);
    } catch (err) {
      // No ack (the stream is unreachable for now): send everything as every validator did, best effort.
      this.log.warn(`block ${block.number}: no stream ack (${(err as Error).message}); publishing the block and its events`);
    }
    this.nc.publish(this.blockSubject, JSON.stringify(blockPayload(block, commit, outcomes)), withId(block.hash));
    this.publishEvents(block, outcomes, blockEvents);
  }

  /** The block's last message in publishing order (the follower's probe). */
  private lastMessage(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): { subject: string; body: string; id: string } {
    let count = blockEvents.length;
    let lastTx: ExtrinsicOutcome | null = null;
    for (const o of outcomes) {
      count += o.events.length;
      if (o.events.length > 0) lastTx = o;
    }
    if (count === 0) return { subject: this.blockSubject, body: JSON.stringify(blockPayload(block, commit, outcomes)), id: block.hash };
    const head = eventHead(block);
    const ev = lastTx ? lastTx.events[lastTx.events.length - 1]! : blockEvents[blockEvents.length - 1]!;
    return {
      subject: `bai.${this.chainId}.events.${ev.module}.${ev.name}`,
      body: lastTx ? `${head}${eventFields(ev)}${extrinsicTail(lastTx)}` : `${head}${eventFields(ev)}}`,
      id: `${block.hash}:${count - 1}`,
    };
  }

  /** One message per event, block events first, then each extrinsic's in block order; ids `<block hash>:<i>`. */
  private publishEvents(block: Block, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): void {
    const prefix = `bai.${this.chainId}.events.`;
    const head = eventHead(block);
    let i = 0;
    for (const ev of blockEvents) {
      this.nc.publish(`${prefix}${ev.module}.${ev.name}`, `${head}${eventFields(ev)}}`, withId(`${block.hash}:${i++}`));
    }
    for (const o of outcomes) {
      if (o.events.length === 0) continue;
      const tail = extrinsicTail(o);
      for (const ev of o.events) {
        this.nc.publish(`${prefix}${ev.module}.${ev.name}`, `${head}${eventFields(ev)}${tail}`, withId(`${block.hash}:${i++}`));
      }
    }
  }
}

/** An event message's JSON up to its own fields: `{"blockNumber":…,"blockHash":…,`. */
function eventHead(block: Block): string {
  return `{"blockNumber":${block.number},"blockHash":${JSON.stringify(block.hash)},`;
}

/** The end of an extrinsic's event message: `,"extrinsicHash":…}`. */
function extrinsicTail(o: ExtrinsicOutcome): string {
  return `,"extrinsicHash":${JSON.stringify(o.hash)}}`;
}

/** `"module":…,"name":…,"data":…` plus any further fields, as JSON.stringify({ ...ev }) would write them. */
function eventFields(ev: LedgerEvent): string {
  const json = JSON.stringify(ev);
  return json.slice(1, -1);
}

function withId(id: string) {
  const h = natsHeaders();
  h.set('Nats-Msg-Id', id);
  return { headers: h };
}

/** The `blocks.finalized` message (its JSON is the gateway's and the bench's contract). */
export function blockPayload(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[]) {
  return {
    type: 'block',
    number: block.number,
    hash: block.hash,
    parentHash: toHex(block.header.parentHash),
    stateRoot: toHex(block.header.stateRoot),
    timeMs: block.meta.timeMs,
    extrinsicCount: block.extrinsics.length,
    extrinsics: outcomes.map((o) => ({ hash: o.hash, success: o.success, errorCode: o.errorCode })),
    proposerIndex: block.meta.proposer,
    round: block.meta.round,
    commitSigners: commit.precommits.map((v) => v.validator),
    evidenceCount: block.evidence.length,
  };
}
