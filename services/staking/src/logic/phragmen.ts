// Sequential Phragmén, the election Substrate's staking runs (sp-npos-elections `seq_phragmen`).
//
// Arithmetic, chosen to give Substrate's results to the base unit: every load and score is a
// fixed-point number with denominator DEN = 2^128 - 1 (Substrate's `Rational128` with `DEN =
// u128::MAX`). A candidate's score is floor(DEN / approval) plus, per voter backing it,
// floor(voterLoad * budget / approval): each term rounds down on its own, and a sum that would exceed
// u128 saturates at u128::MAX, as `lazy_saturating_add` does. A candidate nobody approves scores
// +infinity. The lowest score wins each round; equal scores go to the earlier candidate in input order.
// Final edge weights are floor(budget * edgeLoad / voterLoad), then each voter's weights are
// normalized (sp-arithmetic `normalize`) so they add up to its stake exactly.
//
// Speed: Substrate recomputes every score from every edge in each round, O(rounds x edges). Here a
// score is a sum of per-edge terms and a term changes only when its voter's load changes, which
// happens only to the voters of the round's winner. So each round updates the terms of those voters'
// edges and nothing else: the same sums, hence the same results (phragmen.test.ts checks this against
// a direct port of Substrate's loops on random inputs), in O(edges of the winners' voters).
import { U128_MAX, normalize, perbillFromRational, PERBILL_ONE, type Perbill } from './arith.js';

export interface PhragmenVoter {
  readonly who: string;
  readonly stake: bigint;
  /** Votes for non-candidates are dropped, duplicates ignored (as `setup_inputs` does). */
  readonly targets: readonly string[];
}

export interface Winner {
  readonly who: string;
  /** Sum of the normalized edge weights this winner received. */
  readonly backedStake: bigint;
  /** The round it was elected in; `winners` is sorted by it. */
  readonly round: number;
}

/** A voter's stake split over the winners it backs: the weights add up to its stake exactly. */
export interface StakedAssignment {
  readonly who: string;
  readonly distribution: ReadonlyArray<{ readonly target: string; readonly weight: bigint }>;
}

export interface PhragmenResult {
  readonly winners: Winner[];
  /** In voter input order; voters with no weight on any winner are left out. */
  readonly assignments: StakedAssignment[];
}

const DEN = U128_MAX;
const sat = (x: bigint): bigint => (x > U128_MAX ? U128_MAX : x);

/**
 * Elects up to `toElect` of `candidates` (fewer only if there are fewer candidates; a candidate with
 * no approval can still be elected last, as in Substrate: the caller strips or refuses those).
 * Deterministic: the result depends only on the inputs and their order.
 */
export function seqPhragmen(
  toElect: number,
  candidates: readonly string[],
  voters: readonly PhragmenVoter[],
): PhragmenResult {
  const nc = candidates.length;
  const candIndex = new Map<string, number>();
  candidates.forEach((c, i) => {
    if (!candIndex.has(c)) candIndex.set(c, i);
  });

  // setup_inputs: edges to known candidates, duplicates dropped, voters without edges dropped.
  const approval: bigint[] = new Array<bigint>(nc).fill(0n);
  const vWho: string[] = [];
  const vBudget: bigint[] = [];
  const edgeStart: number[] = [0];
  const edgeCand: number[] = [];
  for (const v of voters) {
    const start = edgeCand.length;
    for (const t of v.targets) {
      const ci = candIndex.get(t);
      if (ci === undefined) continue;
      let dup = false;
      for (let e = start; e < edgeCand.length; e++) if (edgeCand[e] === ci) dup = true;
      if (dup) continue;
      edgeCand.push(ci);
      approval[ci] = sat(approval[ci]! + v.stake);
    }
    if (edgeCand.length === start) continue;
    vWho.push(v.who);
    vBudget.push(v.stake);
    edgeStart.push(edgeCand.length);
  }
  const nv = vWho.length;
  const ne = edgeCand.length;

  // Incidence candidate -> edges (counting sort), so a winner finds its voters without a full scan.
  const edgeVoter = new Int32Array(ne);
  for (let v = 0; v < nv; v++) for (let e = edgeStart[v]!; e < edgeStart[v + 1]!; e++) edgeVoter[e] = v;
  const incStart = new Int32Array(nc + 1);
  for (let e = 0; e < ne; e++) incStart[edgeCand[e]! + 1]!++;
  for (let c = 0; c < nc; c++) incStart[c + 1]! += incStart[c]!;
  const incEdge = new Int32Array(ne);
  const fill = incStart.slice(0, nc);
  for (let e = 0; e < ne; e++) incEdge[fill[edgeCand[e]!]!++] = e;

  const elected = new Uint8Array(nc);
  const round = new Int32Array(nc).fill(-1);
  // score = raw (uncapped sum of capped terms); compared as sat(raw). Infinite when approval is zero.
  const raw: bigint[] = approval.map((a) => (a === 0n ? 0n : DEN / a));
  const voterLoad: bigint[] = new Array<bigint>(nv).fill(0n);
  const edgeLoad: bigint[] = new Array<bigint>(ne).fill(0n);
  // The term each edge currently contributes to its candidate's score.
  const edgeTerm: bigint[] = new Array<bigint>(ne).fill(0n);

  const rounds = Math.min(toElect, nc);
  const winnersInOrder: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let best = -1;
    let bestScore = 0n;
    let bestInfinite = true;
    for (let c = 0; c < nc; c++) {
      if (elected[c]) continue;
      const infinite = approval[c] === 0n;
      const score = infinite ? U128_MAX : sat(raw[c]!);
      if (best === -1 || (!infinite && (bestInfinite || score < bestScore))) {
        best = c;
        bestScore = score;
        bestInfinite = infinite;
      }
    }
    if (best === -1) break;
    elected[best] = 1;
    round[best] = r;
    winnersInOrder.push(best);

    for (let k = incStart[best]!; k < incStart[best + 1]!; k++) {
      const e = incEdge[k]!;
      const v = edgeVoter[e]!;
      const old = voterLoad[v]!;
      // edge.load = winner.score.lazy_saturating_sub(voter.load); voter.load = winner.score.
      edgeLoad[e] = old === 0n ? bestScore : bestScore > old ? bestScore - old : 0n;
      voterLoad[v] = bestScore;
      if (bestInfinite) continue; // only zero-stake voters back a zero-approval winner: their terms stay 0
      const budget = vBudget[v]!;
      for (let f = edgeStart[v]!; f < edgeStart[v + 1]!; f++) {
        const c = edgeCand[f]!;
        if (elected[c] || approval[c] === 0n) continue;
        const term = sat((bestScore * budget) / approval[c]!);
        raw[c] = raw[c]! + term - edgeTerm[f]!;
        edgeTerm[f] = term;
      }
    }
  }

  // Edge weights from loads, zero edges dropped, then normalized to the voter's stake.
  const backed: bigint[] = new Array<bigint>(nc).fill(0n);
  const assignments: StakedAssignment[] = [];
  for (let v = 0; v < nv; v++) {
    const targets: number[] = [];
    const weights: bigint[] = [];
    const load = voterLoad[v]!;
    for (let e = edgeStart[v]!; e < edgeStart[v + 1]!; e++) {
      const c = edgeCand[e]!;
      if (!elected[c]) continue;
      const w = load === 0n ? U128_MAX : sat((vBudget[v]! * edgeLoad[e]!) / load);
      if (w === 0n) continue;
      targets.push(c);
      weights.push(w);
    }
    if (targets.length === 0) continue;
    const normalized = normalize(weights, vBudget[v]!);
    const distribution: Array<{ target: string; weight: bigint }> = [];
    targets.forEach((c, i) => {
      const w = normalized[i]!;
      backed[c] = backed[c]! + w;
      // Normalizing down can zero an edge; Substrate strips zero edges when it converts to ratios.
      if (w > 0n) distribution.push({ target: candidates[c]!, weight: w });
    });
    if (distribution.length > 0) assignments.push({ who: vWho[v]!, distribution });
  }

  const winners = winnersInOrder.map((c) => ({ who: candidates[c]!, backedStake: backed[c]!, round: round[c]! }));
  return { winners, assignments };
}

/** Per-winner support: total and each voter's weight (Substrate's `to_support_map`), winners in round order. */
export interface Support {
  readonly total: bigint;
  readonly voters: ReadonlyArray<{ readonly who: string; readonly weight: bigint }>;
}

export function toSupportMap(result: PhragmenResult): Map<string, Support> {
  const acc = new Map<string, { total: bigint; voters: Array<{ who: string; weight: bigint }> }>();
  for (const w of result.winners) acc.set(w.who, { total: 0n, voters: [] });
  for (const a of result.assignments) {
    for (const { target, weight } of a.distribution) {
      const s = acc.get(target)!;
      s.total += weight;
      s.voters.push({ who: a.who, weight });
    }
  }
  return acc;
}

/**
 * Substrate's ratio view of an assignment (`Voter::into_assignment` then `try_normalize`):
 * Perbill::from_rational(weight, stake) rounded down, zero parts dropped, parts normalized to 100%.
 * Only used to compare with published test vectors; exposures use the exact staked weights.
 */
export function toPerbillAssignment(a: StakedAssignment, stake: bigint): Array<{ target: string; part: Perbill }> {
  const kept = a.distribution
    .map(({ target, weight }) => ({ target, part: perbillFromRational(weight, stake) }))
    .filter((x) => x.part > 0n);
  const parts = normalize(
    kept.map((x) => x.part),
    PERBILL_ONE,
  );
  return kept.map((x, i) => ({ target: x.target, part: parts[i]! }));
}
