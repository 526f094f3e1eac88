import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Logger } from '@nestjs/common';
import { toHex } from '@balanceai/chain';
import { publishWithTrace } from '@balanceai/platform';
import type { Block, Commit } from '../block/block.js';
import type { ExtrinsicOutcome } from '../ledger/executor.js';
import type { LedgerEvent } from '../ledger/ledger.js';

const STREAM_DUPLICATE_WINDOW_NS = 120_000_000_000; // the validators' copies of one block dedupe by Nats-Msg-Id
const STREAM_MAX_AGE_NS = 7 * 24 * 3600 * 1_000_000_000;

/** The JetStream stream that holds `bai.<chainId>.>`. */
export function streamName(chainId: string): string {
  return `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Where a node sends its finalized blocks. */
export interface FinalizedSink {
  ensureStream(): Promise<void>;
  publish(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): void;
}

/**
 * Publishes each finalized block and its events on the event stream (`bai.<chainId>.blocks.finalized`,
 * `bai.<chainId>.events.<module>.<event>`). Every validator publishes; the stream keeps one copy per
 * Nats-Msg-Id. Core publishes (no ack round trip per message): the redundancy is the delivery guarantee.
 */
export class FinalizedPublisher implements FinalizedSink {
  private readonly log = new Logger('FinalizedPublisher');

  constructor(
    private readonly nc: NatsConnection,
    private readonly chainId: string,
    /** Replicas when this node creates the stream (BAI_NATS_STREAM_REPLICAS). */
    private readonly replicas = 1,
  ) {}

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

  publish(block: Block, commit: Commit, outcomes: readonly ExtrinsicOutcome[], blockEvents: readonly LedgerEvent[]): void {
    const payload = {
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
    const withId = (id: string) => {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', id);
      return { headers: h };
    };
    publishWithTrace(this.nc, `bai.${this.chainId}.blocks.finalized`, JSON.stringify(payload), withId(block.hash));
    let i = 0;
    const txEvents = outcomes.flatMap((o) => o.events.map((e) => ({ ...e, extrinsicHash: o.hash })));
    for (const ev of [...blockEvents, ...txEvents]) {
      const body = JSON.stringify({ blockNumber: block.number, blockHash: block.hash, ...ev });
      this.nc.publish(`bai.${this.chainId}.events.${ev.module}.${ev.name}`, body, withId(`${block.hash}:${i++}`));
    }
  }
}
