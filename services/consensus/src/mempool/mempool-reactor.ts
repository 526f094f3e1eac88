import { blake2_256, decodeExtrinsic, toHex, type DecodedExtrinsic } from '@balanceai/chain';
import { linkTo, traceparentOf } from '@balanceai/platform';
import type { Link } from '@opentelemetry/api';
import type { Block } from '../block/block.js';
import { checkSignature, type ExecutionContext } from '../ledger/executor.js';
import type { ChainParams } from '../ledger/params.js';
import type { ChainView } from '../node/chain-view.js';
import { decodeTxBatch, encodeTxBatch } from '../node/wire.js';
import type { P2PTransport } from '../p2p/transport.js';
import type { Mempool } from './mempool.js';

/** Gossip batching window: one message per batch instead of one per tx. */
const TX_FLUSH_MS = 10;
/** Submissions whose trace a block may link to (only while tracing is on); the oldest are dropped. */
const MAX_SUBMIT_TRACES = 10_000;

/**
 * The mempool's network side (CometBFT's mempool reactor): admits clients' and peers' extrinsics,
 * gossips admitted ones in batches, and remembers submitters' traces for the including block's span.
 */
export class MempoolReactor {
  private outbox: Uint8Array[] = [];
  private flushing = false;
  private readonly submitTraces = new Map<string, string>();
  private closed = false;

  constructor(
    readonly mempool: Mempool,
    private readonly transport: P2PTransport,
    private readonly chain: ChainView,
    private readonly params: ChainParams,
    private readonly contextAt: (height: number) => ExecutionContext,
    private readonly later: (ms: number, fn: () => void) => void,
  ) {}

  start(): void {
    this.transport.subscribe('txs', (data) => this.onPeerBatch(data));
  }

  close(): void {
    this.closed = true;
  }

  get traceCount(): number {
    return this.submitTraces.size;
  }

  /**
   * Admits a client's extrinsic (throws MempoolRejection naming the cause) and gossips it. Reads the
   * committed ledger, which changes only when a block is adopted: never a half-executed state.
   */
  submit(xt: DecodedExtrinsic): string {
    const hash = this.mempool.add(xt, this.chain.ledger, this.params, this.contextAt(this.chain.height + 1));
    const traceparent = traceparentOf();
    if (traceparent) {
      if (this.submitTraces.size >= MAX_SUBMIT_TRACES) this.submitTraces.delete(this.submitTraces.keys().next().value!);
      this.submitTraces.set(hash, traceparent);
    }
    this.gossip(xt.bytes);
    return hash;
  }

  private gossip(bytes: Uint8Array): void {
    this.outbox.push(bytes);
    if (this.flushing) return;
    this.flushing = true;
    this.later(TX_FLUSH_MS, () => {
      this.flushing = false;
      const batch = this.outbox.splice(0);
      if (batch.length > 0 && !this.closed) this.transport.publish('txs', encodeTxBatch(batch));
    });
  }

  /** Peers' txs: signatures are checked before anything is kept. */
  private onPeerBatch(data: Uint8Array): void {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      return;
    }
    const height = this.chain.height + 1;
    const ctx = this.contextAt(height);
    for (const bytes of txs) {
      try {
        const xt = decodeExtrinsic(bytes);
        if (this.mempool.has(toHex(xt.hash))) continue;
        if (checkSignature(xt, this.params, ctx) === null) this.tryAdd(xt, true);
      } catch {
        // a peer's tx that does not decode: drop it
      }
    }
  }

  /** Verify the signatures of a proposal's extrinsics we have not seen yet, so execution needs none. */
  prevalidate(block: Block): void {
    for (const bytes of block.extrinsics) {
      try {
        const xt = decodeExtrinsic(bytes);
        if (!this.mempool.has(toHex(xt.hash))) this.tryAdd(xt, false);
      } catch {
        // malformed: execution will skip it
      }
    }
  }

  private tryAdd(xt: DecodedExtrinsic, signatureChecked: boolean): void {
    try {
      this.mempool.add(xt, this.chain.ledger, this.params, this.contextAt(this.chain.height + 1), signatureChecked);
    } catch {
      // invalid for us now (already included, stale, …): the proposer's view may differ, which is fine
    }
  }

  /** Trace links of a block's extrinsics to their submissions here (hashes only while tracing recorded any). */
  takeTraceLinks(block: Block): Link[] {
    if (this.submitTraces.size === 0) return [];
    const links: Link[] = [];
    for (const x of block.extrinsics) {
      const h = toHex(blake2_256(x));
      links.push(...linkTo(this.submitTraces.get(h)));
      this.submitTraces.delete(h);
    }
    return links;
  }
}
