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
 * Publishes each finalized block and its events on the event stream (`bai.<chainId>.events.<module>.<event>`,
 * then `bai.<chainId>.blocks.finalized`: the block message follows its events). The block's proposer
 * publishes, with core publishes (no ack round trip per message). Every other validator waits
 * FALLBACK_AFTER_MS, then sends the block message as a JetStream publish with its Nats-Msg-Id: the ack says
 * `duplicate` when the proposer's copy is in the stream (nothing more to do); otherwise the proposer died or
 * was cut off, this copy is stored and the follower publishes the events too. JetStream keeps one copy per
 * message id, so late or concurrent copies are harmless. One full copy per block instead of one per validator.
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
    const payload = JSON.stringify(blockPayload(block, commit, outcomes));
    if (proposedHere) {
      this.publishEvents(block, outcomes, blockEvents);
      publishWithTrace(this.nc, this.blockSubject, payload, withId(block.hash));
      return;
    }
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void this.fallback(block, payload, outcomes, blockEvents);
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

  private async fallback(block: Block, payload: string, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): Promise<void> {
    try {
      const ack = await this.js.publish(this.blockSubject, payload, { msgID: block.hash, timeout: PROBE_TIMEOUT_MS });
      if (ack.duplicate) return;
      this.log.warn(`block ${block.number}: the proposer's copy did not reach the stream; publishing its events from here`);
      this.publishEvents(block, outcomes, blockEvents);
    } catch (err) {
      // No ack (the stream is unreachable for now): send everything as every validator did, best effort.
      this.log.warn(`block ${block.number}: no stream ack (${(err as Error).message}); publishing the block and its events`);
      this.publishEvents(block, outcomes, blockEvents);
      this.nc.publish(this.blockSubject, payload, withId(block.hash));
    }
  }

  /** One message per event, block events first, then each extrinsic's in block order; ids `<block hash>:<i>`. */
  private publishEvents(block: Block, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): void {
    const prefix = `bai.${this.chainId}.events.`;
    const head = `{"blockNumber":${block.number},"blockHash":${JSON.stringify(block.hash)},`;
    let i = 0;
    for (const ev of blockEvents) {
      this.nc.publish(`${prefix}${ev.module}.${ev.name}`, `${head}${eventFields(ev)}}`, withId(`${block.hash}:${i++}`));
    }
    for (const o of outcomes) {
      if (o.events.length === 0) continue;
      const tail = `,"extrinsicHash":${JSON.stringify(o.hash)}}`;
      for (const ev of o.events) {
        this.nc.publish(`${prefix}${ev.module}.${ev.name}`, `${head}${eventFields(ev)}${tail}`, withId(`${block.hash}:${i++}`));
      }
    }
  }
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
