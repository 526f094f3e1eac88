// Era-end scoring (Bittensor's Yuma consensus, simplified) and the pro-rata grant split. Exact integers.

/** One validator's vote of an era: its stake and its scores by provider id (absent = 0). */
export interface ValidatorVote {
  readonly stake: bigint;
  readonly scores: ReadonlyMap<number, number>;
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
 */
export function consensusScores(votes: readonly ValidatorVote[], providers: readonly number[]): Map<number, ConsensusScore> {
  const out = new Map<number, ConsensusScore>();
  let staked = 0n;
  for (const v of votes) staked += v.stake;
  const stakes = votes.map((v) => (staked === 0n ? 1n : v.stake));
  const pairs: Array<[number, bigint]> = votes.map((_, i) => [0, stakes[i]!]);
  for (const p of providers) {
    for (let i = 0; i < votes.length; i++) pairs[i]![0] = votes[i]!.scores.get(p) ?? 0;
    const consensus = stakeWeightedMedian(pairs);
    let weight = 0n;
    for (const [score, stake] of pairs) weight += stake * BigInt(score < consensus ? score : consensus);
    out.set(p, { consensus, weight });
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
