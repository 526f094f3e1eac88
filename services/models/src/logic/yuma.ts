// Era-end scoring (Bittensor's Yuma consensus, simplified) and the pro-rata grant split. Exact integers.

/** One validator's vote of an era: its stake and its (provider id, score) pairs (a provider left out scores 0). */
export interface ValidatorVote {
  readonly stake: bigint;
  readonly scores: ReadonlyArray<readonly [provider: number, score: number]>;
}

export interface ConsensusScore {
  /** The stake-weighted median of the validators' scores. */
  readonly consensus: number;
  /** Σ_v stake_v × min(score_v, consensus). */
  readonly weight: bigint;
}

/**
 * The stake-weighted median of (score, stake) pairs: the largest score s such that the validators scoring
 * at least s hold MORE than half the total stake (0 when nobody votes or the stake is 0). A minority of
 * stake can neither raise nor lower it past the majority's scores; exactly half the stake is not enough
 * to raise it.
 */
export function stakeWeightedMedian(pairs: ReadonlyArray<readonly [score: number, stake: bigint]>): number {
  let total = 0n;
  for (const [, stake] of pairs) total += stake;
  if (total === 0n) return 0;
  const sorted = [...pairs].sort((a, b) => b[0] - a[0]);
  let cum = 0n;
  for (const [score, stake] of sorted) {
    cum += stake;
    if (2n * cum > total) return score;
  }
  return 0;
}

/**
 * Each provider's consensus score and weight from the validators' votes. Every voting validator counts for
 * every provider (a provider it left out scores 0 from it). A score above the provider's consensus is
 * clipped to it, so one validator's inflated score cannot move its weight beyond what the majority of
 * stake supports. When the voters' stakes sum to 0 (a chain whose validators bond nothing), each counts 1.
 *
 * Same result as stakeWeightedMedian + the clipped sum per provider, computed on dense typed arrays (one
 * native numeric sort of (score, voter) keys per provider) so 10,000 providers × 100 validators take well
 * under a second; only the sums are bigints.
 */
export function consensusScores(votes: readonly ValidatorVote[], providers: readonly number[]): Map<number, ConsensusScore> {
  const out = new Map<number, ConsensusScore>();
  const n = votes.length;
  if (n > 0xffff) throw new RangeError('at most 65,535 voters');
  let staked = 0n;
  for (const v of votes) staked += v.stake;
  const stakes = votes.map((v) => (staked === 0n ? 1n : v.stake));
  const total = staked === 0n ? BigInt(n) : staked;
  // provider id → its column; the scores of voter i are row i of a dense matrix.
  let maxId = -1;
  for (const p of providers) if (p > maxId) maxId = p;
  const column = new Int32Array(maxId + 1).fill(-1);
  providers.forEach((p, c) => (column[p] = c));
  const m = providers.length;
  const matrix = new Uint16Array(n * m);
  votes.forEach((v, i) => {
    for (const [p, score] of v.scores) {
      const c = p <= maxId ? column[p]! : -1;
      if (c >= 0) matrix[i * m + c] = score;
    }
  });
  const keys = new Uint32Array(n);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) keys[i] = (matrix[i * m + c]! << 16) | i;
    keys.sort(); // ascending score, then voter: walk it from the top
    let consensus = 0;
    if (total > 0n) {
      let cum = 0n;
      for (let k = n - 1; k >= 0; k--) {
        cum += stakes[keys[k]! & 0xffff]!;
        if (2n * cum > total) {
          consensus = keys[k]! >>> 16;
          break;
        }
      }
    }
    let weight = 0n;
    if (consensus > 0) {
      let above = 0n;
      for (let k = 0; k < n; k++) {
        const score = keys[k]! >>> 16;
        const stake = stakes[keys[k]! & 0xffff]!;
        if (score >= consensus) above += stake;
        else if (score > 0) weight += stake * BigInt(score);
      }
      weight += above * BigInt(consensus);
    }
    out.set(providers[c]!, { consensus, weight });
  }
  return out;
}

/**
 * floor(fund × weight_p / Σ weight) for each provider with a positive weight, in the given order; nothing
 * when the total weight or the fund is 0. The sum never exceeds the fund; what rounding leaves stays in it.
 */
export function proRata(fund: bigint, weights: ReadonlyArray<readonly [provider: number, weight: bigint]>): Array<[number, bigint]> {
  let total = 0n;
  for (const [, w] of weights) total += w;
  if (total === 0n || fund <= 0n) return [];
  const out: Array<[number, bigint]> = [];
  for (const [p, w] of weights) {
    if (w <= 0n) continue;
    const amount = (fund * w) / total;
    if (amount > 0n) out.push([p, amount]);
  }
  return out;
}
