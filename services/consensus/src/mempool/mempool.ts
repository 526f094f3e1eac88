import { eraDeath, toHex, type DecodedExtrinsic } from '@balanceai/chain';
import { accountKey, type Ledger } from '../ledger/ledger.js';
import { birthOf, checkValidity, VALIDITY_MESSAGES, type ExecutionContext, type ValidityError } from '../ledger/executor.js';
import type { ChainParams } from '../ledger/params.js';
import { SignatureCache } from './signature-cache.js';

export type MempoolError = ValidityError | 'ALREADY_IMPORTED' | 'PRIORITY_TOO_LOW' | 'MEMPOOL_FULL' | 'TOO_MANY_FUTURE';

/**
 * Why the pool refused an extrinsic: an answer to the client, not a fault, so no stack trace is captured
 * (under overload every busy refusal builds one; capturing it cost v0 2 % of its main thread).
 */
export class MempoolRejection extends Error {
  constructor(
    readonly code: MempoolError,
    message: string,
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
  }
}

interface PoolTx {
  hash: string;
  signer: string;
  nonce: number;
  bytes: Uint8Array;
  xt: DecodedExtrinsic;
  seq: number;
  /** The height being built when it was added (a tx stuck behind a nonce gap expires, see prune). */
  addedAt: number;
}

/** A tx that cannot run for a nonce gap is dropped after this many blocks (the gap's tx never came). */
export const GAP_TTL_BLOCKS = 32;

/** How far ahead of the account nonce a tx may be queued (Substrate keeps "future" txs too). */
export const FUTURE_WINDOW = 64;

/**
 * A tx that would wait behind a nonce gap is taken only while the pool is below this share of its
 * capacity. Under overload a tx accepted behind a refused predecessor waited for the client's resend
 * (seconds) and for a block with room after it: the tail of the latency. Refused, it is resent in order.
 */
export const GAPPED_SHARE = 0.5;

/**
 * ... and while the pool is shedding load: it refused a tx for lack of room within this many blocks. Right
 * after a block the pool is briefly below half, and the gapped txs taken then were the ones that waited longest.
 */
export const SHEDDING_BLOCKS = 2;

/**
 * Whether the pool would take an extrinsic, apart from what is already in it (duplicates, replacement,
 * capacity): the nonce window, then Substrate's validate (size, era, signature, nonce, fee). Also what
 * TaggedTransactionQueue_validate_transaction answers, so a wallet's pre-check and a submission agree.
 */
export function poolValidity(
  xt: DecodedExtrinsic,
  ledger: Ledger,
  params: ChainParams,
  ctx: ExecutionContext,
  signatureChecked = false,
): { code: MempoolError; message: string } | null {
  const accountNonce = ledger.get(accountKey(xt.signer)).nonce;
  if (xt.extra.nonce > accountNonce + FUTURE_WINDOW) {
    return { code: 'TOO_MANY_FUTURE', message: `the nonce is more than ${FUTURE_WINDOW} ahead of the account nonce ${accountNonce}` };
  }
  const invalid = checkValidity(xt, ledger, params, ctx, { allowFutureNonce: true, skipSignature: signatureChecked });
  return invalid ? { code: invalid, message: VALIDITY_MESSAGES[invalid] } : null;
}

/** BAI_MEMPOOL_MAX_BYTES unless set. */
export const DEFAULT_MEMPOOL_MAX_BYTES = 32 * 1024 * 1024;

/** How much the pool holds at most (node-local policy, not consensus). */
export interface MempoolLimits {
  maxTxs: number;
  maxBytes: number;
}

/**
 * Pending extrinsics, per account in nonce order. A tx is "ready" when its nonce continues the
 * account's nonce without a gap. Validity is checked on entry (signature, era, nonce, fee) against the
 * ledger at the finalized head; after each block the pool drops what was included or became stale.
 *
 * Bounded by count and bytes. When full, a tx is taken only if it pays a higher tip than the cheapest
 * evictable pending tx (the last nonce of its account, so no account is left with a gap), which is then
 * dropped; otherwise it is refused with MEMPOOL_FULL before anything costly (no signature check).
 * `capacity` may be lowered below `maxTxs` at run time (the node keeps the pool to what its blocks can
 * carry in a few intervals, so an accepted tx waits seconds, not minutes).
 */
export class Mempool {
  private readonly byHash = new Map<string, PoolTx>();
  private readonly byAccount = new Map<string, Map<number, PoolTx>>();
  /** How many pending txs pay each tip (the lowest tip decides whether a full pool can take a tx). */
  private readonly tipCounts = new Map<bigint, number>();
  private totalBytes = 0;
  private seq = 0;
  /** Blocks seen by prune, and the count at the last refusal for lack of room (see `shedding`). */
  private blocksPruned = 0;
  private fullAt = -Infinity;
  private countCap: number;
  readonly limits: MempoolLimits;
  readonly signatures: SignatureCache;

  constructor(limits: MempoolLimits | number, signatures?: SignatureCache) {
    this.limits = typeof limits === 'number' ? { maxTxs: limits, maxBytes: Number.MAX_SAFE_INTEGER } : limits;
    this.countCap = this.limits.maxTxs;
    this.signatures = signatures ?? new SignatureCache(Math.max(1_000, 2 * this.limits.maxTxs));
  }

  get size(): number {
    return this.byHash.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** The count bound in force: `limits.maxTxs` or less (see setCapacity). */
  get capacity(): number {
    return this.countCap;
  }

  /** Lowers (or restores, up to limits.maxTxs) the count bound; pending txs above it stay until included. */
  setCapacity(n: number): void {
    this.countCap = Math.max(1, Math.min(this.limits.maxTxs, Math.floor(n)));
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** Execution need not verify again an extrinsic verified here for the same birth block. */
  isVerified(hash: string, birth: number): boolean {
    return this.signatures.has(hash, birth);
  }

  private full(extraBytes: number): boolean {
    return this.byHash.size >= this.countCap || this.totalBytes + extraBytes > this.limits.maxBytes;
  }

  private minTip(): bigint | null {
    let min: bigint | null = null;
    for (const t of this.tipCounts.keys()) if (min === null || t < min) min = t;
    return min;
  }

  /**
   * Cheap pre-check (no signature, no ledger): could a new tx of this size and tip get in? False when
   * the pool is full and nothing pending pays a lower tip. Peers' gossip is dropped on false unverified.
   */
  admits(size: number, tip: bigint): boolean {
    if (!this.full(size)) return true;
    const min = this.minTip();
    return min !== null && tip > min;
  }

  /**
   * A tx that fills the gap before txs already accepted for its account is taken even over capacity
   * (up to limits.maxTxs): refusing it would strand them. Bounded by what is pending behind gaps.
   */
  private fillsGap(xt: DecodedExtrinsic, signer: string, ledger: Ledger, pending: number): boolean {
    const queue = this.byAccount.get(signer);
    return (
      queue !== undefined &&
      queue.has(xt.extra.nonce + 1) &&
      xt.extra.nonce === this.nextNonce(signer, ledger.get(signer).nonce) &&
      this.byHash.size + pending < this.limits.maxTxs &&
      this.totalBytes + xt.bytes.length <= this.limits.maxBytes
    );
  }

  /** A new tx behind a nonce gap (its predecessor neither executed nor pending) when the pool is too busy to hold it. */
  private gappedOverShare(xt: DecodedExtrinsic, signer: string, ledger: Ledger, pending: number): boolean {
    const busy = this.shedding || this.byHash.size + pending >= this.countCap * GAPPED_SHARE;
    return busy && xt.extra.nonce > this.nextNonce(signer, ledger.get(signer).nonce);
  }

  /**
   * Whether the pool refused a tx for lack of room in the last SHEDDING_BLOCKS blocks (from the block after
   * the refusal: within an interval the half-full rule decides, and a batch's order does not matter).
   */
  get shedding(): boolean {
    return this.blocksPruned > this.fullAt && this.blocksPruned - this.fullAt <= SHEDDING_BLOCKS;
  }

  private refuseForRoom(): false {
    this.fullAt = this.blocksPruned;
    return false;
  }

  /**
   * Cheap pre-check before verifying a client's tx (no signature, no validity): would add() find room
   * for it, with `pending` txs about to be added first? Replacements and gap fillers pass (add decides).
   * `predecessorPending`: its account's previous nonce is among those pending txs (then it is no gap).
   */
  hasRoomFor(xt: DecodedExtrinsic, ledger: Ledger, pending = 0, predecessorPending = false): boolean {
    const signer = accountKey(xt.signer);
    if (this.byAccount.get(signer)?.has(xt.extra.nonce)) return true;
    if (this.fillsGap(xt, signer, ledger, pending)) return true;
    if (!predecessorPending && this.gappedOverShare(xt, signer, ledger, pending)) return false;
    if (this.byHash.size + pending < this.countCap && this.totalBytes + xt.bytes.length <= this.limits.maxBytes) return true;
    const min = this.minTip(); // no room: only by evicting a cheaper tx
    return (min !== null && xt.extra.tip > min) || this.refuseForRoom();
  }

  /** The cheapest pending tx that can go without leaving a gap: lowest tip, then the newest. */
  private victim(below: bigint): PoolTx | null {
    let best: PoolTx | null = null;
    for (const q of this.byAccount.values()) {
      let last: PoolTx | undefined;
      for (const tx of q.values()) if (!last || tx.nonce > last.nonce) last = tx;
      if (!last || last.xt.extra.tip >= below) continue;
      if (!best || last.xt.extra.tip < best.xt.extra.tip || (last.xt.extra.tip === best.xt.extra.tip && last.seq > best.seq)) best = last;
    }
    return best;
  }

  /**
   * Validates and adds; throws MempoolRejection naming the cause. `signatureChecked`: the caller already
   * ran checkSignature at this height (outside the node's serial queue). `predecessorPending`: the tx's
   * previous nonce is being admitted concurrently (then a missing predecessor is no gap to refuse).
   */
  add(xt: DecodedExtrinsic, ledger: Ledger, params: ChainParams, ctx: ExecutionContext, signatureChecked = false, predecessorPending = false): string {
    const hash = toHex(xt.hash);
    if (this.byHash.has(hash)) throw new MempoolRejection('ALREADY_IMPORTED', 'the extrinsic is already in the pool');
    const signer = accountKey(xt.signer);
    const queue = this.byAccount.get(signer);
    const existing = queue?.get(xt.extra.nonce);
    if (existing && existing.xt.extra.tip >= xt.extra.tip) {
      throw new MempoolRejection('PRIORITY_TOO_LOW', 'another extrinsic with this nonce is pending; replace it with a higher tip');
    }
    const extraBytes = xt.bytes.length - (existing?.bytes.length ?? 0);
    const fillsGap = !existing && this.fillsGap(xt, signer, ledger, 0);
    if (!existing && !fillsGap && !predecessorPending && this.gappedOverShare(xt, signer, ledger, 0)) {
      throw new MempoolRejection('MEMPOOL_FULL', 'the mempool is busy and this nonce is not next for its account: send its predecessors first, retry later');
    }
    let evict: PoolTx | null = null;
    if (!fillsGap && ((!existing && this.byHash.size >= this.countCap) || this.totalBytes + extraBytes > this.limits.maxBytes)) {
      evict = this.admits(xt.bytes.length, xt.extra.tip) ? this.victim(xt.extra.tip) : null;
      // The victim must not be this tx's own predecessor (that would leave the new tx behind a gap).
      if (!evict || (evict.signer === signer && evict.nonce < xt.extra.nonce)) {
        this.refuseForRoom();
        throw new MempoolRejection('MEMPOOL_FULL', 'the mempool is full, retry later');
      }
    }
    const invalid = poolValidity(xt, ledger, params, ctx, signatureChecked);
    if (invalid) throw new MempoolRejection(invalid.code, invalid.message);
    if (existing) this.remove(existing);
    if (evict && evict !== existing) this.remove(evict);
    const tx: PoolTx = { hash, signer, nonce: xt.extra.nonce, bytes: xt.bytes, xt, seq: this.seq++, addedAt: ctx.height };
    this.byHash.set(hash, tx);
    this.totalBytes += tx.bytes.length;
    this.tipCounts.set(xt.extra.tip, (this.tipCounts.get(xt.extra.tip) ?? 0) + 1);
    let q = this.byAccount.get(signer);
    if (!q) this.byAccount.set(signer, (q = new Map()));
    q.set(tx.nonce, tx);
    this.signatures.add(hash, birthOf(xt, ctx));
    return hash;
  }

  /** Next nonce an account should sign with: its ledger nonce plus its consecutive pending txs. */
  nextNonce(signer: string, ledgerNonce: number): number {
    const q = this.byAccount.get(signer);
    let n = ledgerNonce;
    while (q?.has(n)) n++;
    return n;
  }

  /**
   * Ready extrinsics for a block proposal, oldest first: among the txs whose predecessors are executed or
   * already taken (per account, consecutive nonces from the ledger nonce), always the one that arrived
   * first, within the block's count and byte limits. So an accepted tx waits for what arrived before it,
   * never for a round over every account's queue (under overload, a later nonce waited blocks for that).
   */
  ready(ledger: Ledger, maxCount: number, maxBytes: number): Uint8Array[] {
    const heap: ReadyChain[] = [];
    for (const [signer, q] of this.byAccount) {
      const txs: PoolTx[] = [];
      for (let n = ledger.get(signer).nonce; q.has(n); n++) txs.push(q.get(n)!);
      if (txs.length > 0) heap.push({ txs, next: 0 });
    }
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    const out: Uint8Array[] = [];
    let bytes = 0;
    while (out.length < maxCount && heap.length > 0) {
      const chain = heap[0]!;
      const tx = chain.txs[chain.next]!;
      if (bytes + tx.bytes.length > maxBytes) break;
      out.push(tx.bytes);
      bytes += tx.bytes.length;
      if (++chain.next === chain.txs.length) {
        const last = heap.pop()!;
        if (last !== chain) heap[0] = last;
      }
      siftDown(heap, 0);
    }
    return out;
  }

  /**
   * After a block: drop included txs and every tx whose nonce is now used, whose era expired, or that
   * has waited behind a nonce gap for more than GAP_TTL_BLOCKS.
   */
  prune(ledger: Ledger, includedHashes: Iterable<string>, height: number): void {
    this.blocksPruned++;
    for (const h of includedHashes) {
      const tx = this.byHash.get(h);
      if (tx) this.remove(tx);
      this.signatures.delete(h);
    }
    for (const [signer, q] of this.byAccount) {
      const nonce = ledger.get(signer).nonce;
      let ready = nonce;
      while (q.has(ready)) ready++;
      for (const tx of q.values()) {
        const era = tx.xt.extra.era;
        const expired = era.kind === 'mortal' && height + 1 >= eraDeath(era, height);
        const stuck = tx.nonce > ready && height + 1 - tx.addedAt > GAP_TTL_BLOCKS;
        if (tx.nonce < nonce || expired || stuck) this.remove(tx);
      }
    }
  }

  private remove(tx: PoolTx): void {
    this.byHash.delete(tx.hash);
    this.totalBytes -= tx.bytes.length;
    const tips = (this.tipCounts.get(tx.xt.extra.tip) ?? 1) - 1;
    if (tips === 0) this.tipCounts.delete(tx.xt.extra.tip);
    else this.tipCounts.set(tx.xt.extra.tip, tips);
    const q = this.byAccount.get(tx.signer);
    q?.delete(tx.nonce);
    if (q && q.size === 0) this.byAccount.delete(tx.signer);
  }
}

/** An account's ready txs in nonce order and how many a proposal has taken; heap-ordered by the next one's arrival. */
interface ReadyChain {
  txs: PoolTx[];
  next: number;
}

function siftDown(heap: ReadyChain[], i: number): void {
  const key = (c: ReadyChain) => c.txs[c.next]!.seq;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) return;
    const child = l + 1 < heap.length && key(heap[l + 1]!) < key(heap[l]!) ? l + 1 : l;
    if (key(heap[child]!) >= key(heap[i]!)) return;
    [heap[i], heap[child]] = [heap[child]!, heap[i]!];
    i = child;
  }
}
