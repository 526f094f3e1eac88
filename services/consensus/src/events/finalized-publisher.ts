import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
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

/** The JetStream stream that holds `bai.<chainId>.>`. */
export function streamName(chainId: string): string {
  return `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Where a node sends its finalized blocks. */
export interface FinalizedSink {
  ensureStream(): Promise<void>;
  /** `publishHere`: this node is one of the block's publishers (see publishesBlock); the others only observe it. */
  publish(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[], publishHere?: boolean): void;
  close?(): void;
}

/**
 * Publishes each finalized block and its events on the event stream (`bai.<chainId>.blocks.finalized`, then
 * `bai.<chainId>.events.<module>.<event>`), with core publishes (no ack round trip per message). The
 * block's proposer and the f validators after it publish every message (consensus-node publishesBlock),
 * and JetStream keeps one copy per Nats-Msg-Id, so a block reaches the stream whole unless all f + 1
 * copies of a message are lost: no f crashes, and no single dropped publish, leave a gap. (The proposer
 * alone with the others checking for its copy was tried: a check that writes cannot tell a complete copy
 * from a partial one.) A block synced long after it was finalized (REPUBLISH_MAX_AGE_MS) is not
 * published again.
 */
export class FinalizedPublisher implements FinalizedSink {
  constructor(
    private readonly nc: NatsConnection,
    private readonly chainId: string,
    /** Replicas when this node creates the stream (BAI_NATS_STREAM_REPLICAS). */
    private readonly replicas = 1,
    private readonly now: () => number = Date.now,
  ) {}

  private readonly log = new Logger('FinalizedPublisher');

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

  publish(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[], publishHere = true): void {
    // Finalized long ago (this node is syncing): it went to the stream when it was finalized.
    if (!publishHere || this.now() - block.meta.timeMs > REPUBLISH_MAX_AGE_MS) return;
    publishWithTrace(this.nc, `bai.${this.chainId}.blocks.finalized`, JSON.stringify(blockPayload(block, commit, outcomes)), withId(block.hash));
    this.publishEvents(block, outcomes, blockEvents);
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
