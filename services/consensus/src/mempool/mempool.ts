import { eraDeath, toHex, type DecodedExtrinsic } from '@balanceai/chain';
import { accountKey, type Ledger } from '../ledger/ledger.js';
import { birthOf, checkValidity, VALIDITY_MESSAGES, type ExecutionContext, type ValidityError } from '../ledger/executor.js';
import type { ChainParams } from '../ledger/params.js';

export type MempoolError = ValidityError | 'ALREADY_IMPORTED' | 'PRIORITY_TOO_LOW' | 'MEMPOOL_FULL' | 'TOO_MANY_FUTURE';

export class MempoolRejection extends Error {
  constructor(
    readonly code: MempoolError,
    message: string,
  ) {
    super(message);
  }
}

interface PoolTx {
  hash: string;
  signer: string;
  nonce: number;
  bytes: Uint8Array;
  xt: DecodedExtrinsic;
  seq: number;
}

/** How far ahead of the account nonce a tx may be queued (Substrate keeps "future" txs too). */
export const FUTURE_WINDOW = 64;

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

/**
 * Pending extrinsics, per account in nonce order. A tx is "ready" when its nonce continues the
 * account's nonce without a gap. Validity is checked on entry (signature, era, nonce, fee) against the
 * ledger at the finalized head; after each block the pool drops what was included or became stale.
 */
export class Mempool {
  private readonly byHash = new Map<string, PoolTx>();
  private readonly byAccount = new Map<string, Map<number, PoolTx>>();
  /** Hashes whose signature was verified here, with the birth block it was verified for. */
  private readonly verified = new Map<string, number>();
  private seq = 0;

  constructor(private readonly maxTxs: number) {}

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** Execution need not verify again an extrinsic verified here for the same birth block. */
  isVerified(hash: string, birth: number): boolean {
    return this.verified.get(hash) === birth;
  }

  /**
   * Validates and adds; throws MempoolRejection naming the cause. `signatureChecked`: the caller already
   * ran checkSignature at this height (outside the node's serial queue).
   */
  add(xt: DecodedExtrinsic, ledger: Ledger, params: ChainParams, ctx: ExecutionContext, signatureChecked = false): string {
    const hash = toHex(xt.hash);
    if (this.byHash.has(hash)) throw new MempoolRejection('ALREADY_IMPORTED', 'the extrinsic is already in the pool');
    const signer = accountKey(xt.signer);
    const queue = this.byAccount.get(signer);
    const existing = queue?.get(xt.extra.nonce);
    if (existing && existing.xt.extra.tip >= xt.extra.tip) {
      throw new MempoolRejection('PRIORITY_TOO_LOW', 'another extrinsic with this nonce is pending; replace it with a higher tip');
    }
    if (!existing && this.byHash.size >= this.maxTxs) throw new MempoolRejection('MEMPOOL_FULL', 'the mempool is full, retry later');
    const invalid = poolValidity(xt, ledger, params, ctx, signatureChecked);
    if (invalid) throw new MempoolRejection(invalid.code, invalid.message);
    if (existing) this.remove(existing);
    const tx: PoolTx = { hash, signer, nonce: xt.extra.nonce, bytes: xt.bytes, xt, seq: this.seq++ };
    this.byHash.set(hash, tx);
    let q = queue;
    if (!q) this.byAccount.set(signer, (q = new Map()));
    q.set(tx.nonce, tx);
    this.verified.set(hash, birthOf(xt, ctx));
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
   * Ready extrinsics for a block proposal: per account consecutive nonces from the ledger nonce,
   * accounts interleaved by arrival, within the block's count and byte limits.
   */
  ready(ledger: Ledger, maxCount: number, maxBytes: number): Uint8Array[] {
    const heads: PoolTx[][] = [];
    for (const [signer, q] of this.byAccount) {
      const chain: PoolTx[] = [];
      for (let n = ledger.get(signer).nonce; q.has(n); n++) chain.push(q.get(n)!);
      if (chain.length > 0) heads.push(chain);
    }
    heads.sort((a, b) => a[0]!.seq - b[0]!.seq);
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (let i = 0; out.length < maxCount; i++) {
      let progressed = false;
      for (const chain of heads) {
        const tx = chain[i];
        if (!tx) continue;
        if (bytes + tx.bytes.length > maxBytes || out.length >= maxCount) return out;
        out.push(tx.bytes);
        bytes += tx.bytes.length;
        progressed = true;
      }
      if (!progressed) break;
    }
    return out;
  }

  /** After a block: drop included txs and every tx whose nonce is now used, or whose era expired. */
  prune(ledger: Ledger, includedHashes: Iterable<string>, height: number): void {
    for (const h of includedHashes) {
      const tx = this.byHash.get(h);
      if (tx) this.remove(tx);
      this.verified.delete(h);
    }
    for (const [signer, q] of this.byAccount) {
      const nonce = ledger.get(signer).nonce;
      for (const tx of q.values()) {
        const era = tx.xt.extra.era;
        const expired = era.kind === 'mortal' && height + 1 >= eraDeath(era, height);
        if (tx.nonce < nonce || expired) this.remove(tx);
      }
    }
  }

  private remove(tx: PoolTx): void {
    this.byHash.delete(tx.hash);
    this.verified.delete(tx.hash);
    const q = this.byAccount.get(tx.signer);
    q?.delete(tx.nonce);
    if (q && q.size === 0) this.byAccount.delete(tx.signer);
  }
}
