/**
 * How many extrinsics this node puts in a proposal so that executing and persisting the block fits in
 * a share of the block interval, whatever the load (a block of the protocol's maximum that takes longer
 * than the interval to execute stretches every interval after it, and goodput falls as load rises).
 *
 * Learnt from this node's own finalized blocks: an estimate of the fixed cost of a block and of the cost
 * per extrinsic (moving averages of the measured wall time, which on a busy machine includes the waits
 * the CPU contention imposes: the quantity that decides the interval). Local policy only: the size of a
 * proposal is the proposer's choice, and any size within the protocol's limits is valid for the others.
 */
export class ProposalBudget {
  private fixedMs = 0;
  private perTxMs: number | null = null;

  constructor(
    /** Execution + persistence may take this much of each interval (ms). */
    readonly budgetMs: number,
    /** The protocol's limit (maxBlockExtrinsics): never more. */
    readonly maxTxs: number,
    /** Never fewer (a mis-measured slow block must not starve the chain). */
    readonly minTxs: number,
    private readonly alpha = 0.3,
  ) {
    if (!(budgetMs > 0) || !Number.isInteger(maxTxs) || maxTxs < 1 || !Number.isInteger(minTxs) || minTxs < 1) {
      throw new RangeError('budgetMs must be positive, maxTxs and minTxs positive integers');
    }
  }

  /** A finalized block of `txs` extrinsics took `ms` from the start of its execution to its adoption. */
  observe(txs: number, ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) return;
    if (txs < 16) {
      this.fixedMs += this.alpha * (ms - this.fixedMs);
      return;
    }
    const perTx = Math.max(0, ms - this.fixedMs) / txs;
    this.perTxMs = this.perTxMs === null ? perTx : this.perTxMs + this.alpha * (perTx - this.perTxMs);
  }

  /** The most extrinsics the next proposal should carry. */
  get limit(): number {
    if (this.perTxMs === null || this.perTxMs === 0) return this.maxTxs;
    const n = Math.floor(Math.max(0, this.budgetMs - this.fixedMs) / this.perTxMs);
    return Math.max(this.minTxs, Math.min(this.maxTxs, n));
  }
}
