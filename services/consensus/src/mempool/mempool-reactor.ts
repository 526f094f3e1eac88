import { blake2_256, decodeExtrinsic, signingPayload, toHex, verifySignature, type DecodedExtrinsic } from '@balanceai/chain';
import { linkTo, traceparentOf } from '@balanceai/platform';
import type { Link } from '@opentelemetry/api';
import type { Block } from '../block/block.js';
import { decodeOnce } from '../ledger/decoded.js';
import { additionalSigned, birthHashOf, birthOf, checkSignature, type ExecutionContext } from '../ledger/executor.js';
import type { ChainParams } from '../ledger/params.js';
import type { ChainView } from '../node/chain-view.js';
import { decodeTxBatch, encodeTxBatch } from '../node/wire.js';
import type { P2PTransport } from '../p2p/transport.js';
import { MempoolRejection, type Mempool } from './mempool.js';
import type { SignatureVerifier, VerifyItem } from './verify-pool.js';

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
  /** `<signer>:<nonce>` of clients' txs between the room check and their add, across concurrent batches. */
  private readonly admitting = new Set<string>();
  private closed = false;

  constructor(
    readonly mempool: Mempool,
    private readonly transport: P2PTransport,
    private readonly chain: ChainView,
    private readonly params: ChainParams,
    private readonly contextAt: (height: number) => ExecutionContext,
    private readonly later: (ms: number, fn: () => void) => void,
    /** Worker threads for signature checks; none: inline (the tests' deterministic nodes). */
    private readonly verifier: SignatureVerifier | null = null,
    /** Batches of fewer signatures than this are checked inline: the thread hand-off would cost more. */
    private readonly inlineBelow = 0,
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
    return this.admit(xt);
  }

  /**
   * As submit, with the signature verified in a worker thread first (when there is a verifier): the
   * cheap refusals (duplicate, full pool) come before it, and the pool's own check then finds the
   * signature in the shared cache. The ledger checks run against the head at admission.
   */
  async submitAsync(xt: DecodedExtrinsic): Promise<string> {
    const [r] = await this.submitMany([xt]);
    if (r instanceof MempoolRejection) throw r;
    return r!;
  }

  /**
   * Admits a batch of clients' extrinsics in order, one result each (a hash, or the rejection): the
   * cheap refusals first (duplicate, no room, counting the batch's own earlier txs), then one batch to
   * the signature workers for the rest, then the pool's checks tx by tx. Never throws for one tx.
   */
  async submitMany(xts: DecodedExtrinsic[], traceparents?: ReadonlyArray<string | undefined>): Promise<Array<string | MempoolRejection>> {
    const out: Array<string | MempoolRejection | null> = xts.map(() => null);
    // A tx whose predecessor is being admitted (this batch or another still verifying) is no gap.
    const afterPending = xts.map((xt) => this.admitting.has(`${toHex(xt.signer)}:${xt.extra.nonce - 1}`));
    const claimed: string[] = [];
    if (this.verifier) {
      const candidates: DecodedExtrinsic[] = [];
      const seen = new Set<string>();
      /** Each signer's last nonce among the candidates: its successor in the same batch is no gap. */
      const lastNonce = new Map<string, number>();
      xts.forEach((xt, i) => {
        const hash = toHex(xt.hash);
        const signer = toHex(xt.signer);
        if (this.mempool.has(hash) || seen.has(hash)) out[i] = new MempoolRejection('ALREADY_IMPORTED', 'the extrinsic is already in the pool');
        else if (!this.mempool.hasRoomFor(xt, this.chain.ledger, candidates.length, afterPending[i] || lastNonce.get(signer) === xt.extra.nonce - 1)) {
          out[i] = new MempoolRejection('MEMPOOL_FULL', 'the mempool is full, retry later');
        } else {
          seen.add(hash);
          lastNonce.set(signer, xt.extra.nonce);
          candidates.push(xt);
          const key = `${signer}:${xt.extra.nonce}`;
          if (!this.admitting.has(key)) {
            this.admitting.add(key);
            claimed.push(key);
          }
        }
      });
      try {
        await this.verifyOffThread(candidates);
      } catch (err) {
        for (const key of claimed) this.admitting.delete(key);
        throw err;
      }
    }
    try {
      return xts.map((xt, i) => {
        if (out[i]) return out[i]!;
        try {
          return this.admit(xt, traceparents?.[i], afterPending[i]);
        } catch (err) {
          if (err instanceof MempoolRejection) return err;
          throw err;
        }
      });
    } finally {
      for (const key of claimed) this.admitting.delete(key);
    }
  }

  /**
   * `traceparent`: the submission's own trace when it came in a batch (else the active span's).
   * `afterPending`: its predecessor was being admitted by another batch when this one was checked.
   */
  private admit(xt: DecodedExtrinsic, submissionTrace?: string, afterPending = false): string {
    const hash = this.mempool.add(xt, this.chain.ledger, this.params, this.contextAt(this.chain.height + 1), false, afterPending);
    const traceparent = submissionTrace ?? traceparentOf();
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

  /**
   * Peers' txs: signatures are checked before anything is kept. A peer gossips only what it admitted,
   * so each of these txs will be in a block: its signature is verified now, off the proposal's critical
   * path, and remembered in the shared cache even when the pool is full and does not keep the tx (the
   * proposal that carries it then needs no verification on the consensus queue).
   */
  private onPeerBatch(data: Uint8Array): void {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      return;
    }
    const height = this.chain.height + 1;
    const ctx = this.contextAt(height);
    const fresh: DecodedExtrinsic[] = [];
    for (const bytes of txs) {
      try {
        const xt = decodeExtrinsic(bytes);
        if (!this.mempool.has(toHex(xt.hash))) fresh.push(xt);
      } catch {
        // a peer's tx that does not decode: drop it
      }
    }
    if (!this.verifier) {
      for (const xt of fresh) if (this.verify(xt, ctx)) this.keepPeerTx(xt);
      return;
    }
    void this.verifyOffThread(fresh).then((ok) => {
      if (this.closed) return;
      fresh.forEach((xt, i) => ok[i] && !this.mempool.has(toHex(xt.hash)) && this.keepPeerTx(xt));
    });
  }

  private keepPeerTx(xt: DecodedExtrinsic): void {
    if (this.mempool.admits(xt.bytes.length, xt.extra.tip)) this.tryAdd(xt, false);
    else this.peerTxsNotKept++;
  }

  /**
   * Verifies in the worker threads what the cache does not hold yet, remembering each success; true
   * per tx whose signature holds. A worker failure falls back to checking inline.
   */
  private async verifyOffThread(txs: DecodedExtrinsic[]): Promise<boolean[]> {
    const ctx = this.contextAt(this.chain.height + 1);
    const ok = txs.map((xt) => this.mempool.isVerified(toHex(xt.hash), birthOf(xt, ctx)));
    const items: VerifyItem[] = [];
    const at: number[] = [];
    txs.forEach((xt, i) => {
      if (ok[i]) return;
      const birthHash = birthHashOf(xt, this.params, ctx);
      if (!birthHash) return;
      items.push({ type: xt.signatureType, publicKey: xt.signer, message: signingPayload(xt.callBytes, xt.extra, additionalSigned(this.params, birthHash)), signature: xt.signature });
      at.push(i);
    });
    let results: boolean[];
    if (items.length < (this.verifier?.inlineBelow ?? this.inlineBelow)) {
      results = items.map((it) => verifySignature(it.type, it.publicKey, it.message, it.signature));
    } else {
      try {
        results = await this.verifier!.verify(items);
      } catch {
        results = at.map((i) => checkSignature(txs[i]!, this.params, ctx) === null);
      }
    }
    at.forEach((i, j) => {
      if (!results[j]) return;
      ok[i] = true;
      this.mempool.signatures.add(toHex(txs[i]!.hash), birthOf(txs[i]!, ctx));
    });
    return ok;
  }

  /** Peers' txs verified but not kept because the pool was full (for /metrics). */
  peerTxsNotKept = 0;

  /** checkSignature, remembering a success in the shared cache even when the pool cannot keep the tx. */
  private verify(xt: DecodedExtrinsic, ctx: ExecutionContext): boolean {
    if (checkSignature(xt, this.params, ctx) !== null) return false;
    this.mempool.signatures.add(toHex(xt.hash), birthOf(xt, ctx));
    return true;
  }

  /**
   * Verify the signatures of a proposal's extrinsics we have not seen yet, so execution needs none:
   * each success goes to the shared cache whether or not the pool has room for the tx.
   */
  prevalidate(block: Block): void {
    const ctx = this.contextAt(this.chain.height + 1);
    for (const bytes of block.extrinsics) {
      try {
        const xt = decodeOnce(bytes); // execution of this block takes the same decoded form
        if (this.mempool.has(toHex(xt.hash))) continue;
        if (this.verify(xt, ctx)) this.tryAdd(xt, true);
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
