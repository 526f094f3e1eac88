// Sequential Phragmén against the published test vectors of Substrate's sp-npos-elections
// (paritytech/polkadot-sdk, substrate/primitives/npos-elections/src/tests.rs; test names cited per
// case), and against a line-by-line port of Substrate's `seq_phragmen_core` loops on random inputs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { U128_MAX, normalize, PERBILL_ONE } from './arith.js';
import { type PhragmenVoter, seqPhragmen, toPerbillAssignment, toSupportMap } from './phragmen.js';
import { mulberry32 } from './prng.js';

const s = (n: number | bigint): string => String(n);
const U64_MAX = (1n << 64n) - 1n;

/** tests.rs `create_stake_of` + the `(who, stake_of(who), targets)` mapping its tests do. */
function votersOf(list: Array<[number, number[]]>, stakes: Record<number, bigint>): PhragmenVoter[] {
  return list.map(([who, targets]) => ({ who: s(who), stake: stakes[who] ?? 0n, targets: targets.map(s) }));
}
/** tests.rs `auto_generate_self_voters`. */
const selfVoters = (cands: number[]): Array<[number, number[]]> => cands.map((c) => [c, [c]]);

function winnersOf(r: ReturnType<typeof seqPhragmen>): Array<[string, bigint, number]> {
  return r.winners.map((w) => [w.who, w.backedStake, w.round]);
}
function stakedOf(r: ReturnType<typeof seqPhragmen>): Array<[string, Array<[string, bigint]>]> {
  return r.assignments.map((a) => [a.who, a.distribution.map((d) => [d.target, d.weight] as [string, bigint])]);
}
/** tests.rs `check_assignments_sum`: every ratio assignment adds up to exactly 100%. */
function checkAssignmentsSum(r: ReturnType<typeof seqPhragmen>, voters: PhragmenVoter[]): void {
  for (const a of r.assignments) {
    const stake = voters.find((v) => v.who === a.who)!.stake;
    const parts = toPerbillAssignment(a, stake);
    assert.equal(
      parts.reduce((x, p) => x + p.part, 0n),
      PERBILL_ONE,
      `assignment of ${a.who} sums to 100%`,
    );
  }
}

describe('seqPhragmen reproduces sp-npos-elections tests.rs', () => {
  it('phragmen_poc_works / phragmen_core_poc_works: winners, staked edges, ratios and supports', () => {
    const voters = votersOf(
      [
        [10, [1, 2]],
        [20, [1, 3]],
        [30, [2, 3]],
      ],
      { 10: 10n, 20: 20n, 30: 30n },
    );
    const r = seqPhragmen(2, ['1', '2', '3'], voters);
    assert.deepEqual(winnersOf(r), [
      ['3', 35n, 0],
      ['2', 25n, 1],
    ]);
    assert.deepEqual(stakedOf(r), [
      ['10', [['2', 10n]]],
      ['20', [['3', 20n]]],
      [
        '30',
        [
          ['2', 15n],
          ['3', 15n],
        ],
      ],
    ]);
    assert.deepEqual(
      r.assignments.map((a, i) => toPerbillAssignment(a, voters[i]!.stake).map((p) => [p.target, p.part])),
      [[['2', PERBILL_ONE]], [['3', PERBILL_ONE]], [['2', 500_000_000n], ['3', 500_000_000n]]],
    );
    const support = toSupportMap(r);
    assert.deepEqual(support.get('2'), { total: 25n, voters: [{ who: '10', weight: 10n }, { who: '30', weight: 15n }] });
    assert.deepEqual(support.get('3'), { total: 35n, voters: [{ who: '20', weight: 20n }, { who: '30', weight: 15n }] });
  });

  it('phragmen_accuracy_on_large_scale_only_candidates: u64::MAX-sized self votes, no overflow', () => {
    const cands = [1, 2, 3, 4, 5];
    const voters = votersOf(selfVoters(cands), {
      1: U64_MAX - 1n,
      2: U64_MAX - 4n,
      3: U64_MAX - 5n,
      4: U64_MAX - 3n,
      5: U64_MAX - 2n,
    });
    const r = seqPhragmen(2, cands.map(s), voters);
    assert.deepEqual(winnersOf(r), [
      ['1', 18446744073709551614n, 0],
      ['5', 18446744073709551613n, 1],
    ]);
    assert.equal(r.assignments.length, 2);
    checkAssignmentsSum(r, voters);
  });

  it('phragmen_accuracy_on_large_scale_voters_and_candidates', () => {
    const cands = [1, 2, 3, 4, 5];
    const voters = votersOf([[13, [1, 3, 5]], [14, [2, 4]], ...selfVoters(cands)], {
      1: U64_MAX - 1n,
      2: U64_MAX - 4n,
      3: U64_MAX - 5n,
      4: U64_MAX - 3n,
      5: U64_MAX - 2n,
      13: U64_MAX - 10n,
      14: U64_MAX,
    });
    const r = seqPhragmen(2, cands.map(s), voters);
    assert.deepEqual(winnersOf(r), [
      ['2', 36893488147419103226n, 0],
      ['1', 36893488147419103219n, 1],
    ]);
    assert.deepEqual(
      r.assignments.map((a) => [a.who, toPerbillAssignment(a, voters.find((v) => v.who === a.who)!.stake).map((p) => [p.target, p.part])]),
      [
        ['13', [['1', PERBILL_ONE]]],
        ['14', [['2', PERBILL_ONE]]],
        ['1', [['1', PERBILL_ONE]]],
        ['2', [['2', PERBILL_ONE]]],
      ],
    );
    checkAssignmentsSum(r, voters);
  });

  it('phragmen_accuracy_on_small_scale_self_vote: tiny stakes, a zero-stake candidate never wins', () => {
    const cands = [40, 10, 20, 30];
    const voters = votersOf(selfVoters(cands), { 40: 0n, 10: 1n, 20: 2n, 30: 1n });
    const r = seqPhragmen(3, cands.map(s), voters);
    assert.deepEqual(winnersOf(r), [
      ['20', 2n, 0],
      ['10', 1n, 1],
      ['30', 1n, 2],
    ]);
    checkAssignmentsSum(r, voters);
  });

  it('phragmen_accuracy_on_small_scale_no_self_vote', () => {
    const voters = votersOf(
      [
        [1, [10]],
        [2, [20]],
        [3, [30]],
        [4, [40]],
      ],
      { 40: 1000n, 10: 1000n, 20: 1000n, 30: 1000n, 4: 0n, 1: 1n, 2: 2n, 3: 1n },
    );
    const r = seqPhragmen(3, ['40', '10', '20', '30'], voters);
    assert.deepEqual(winnersOf(r), [
      ['20', 2n, 0],
      ['10', 1n, 1],
      ['30', 1n, 2],
    ]);
    checkAssignmentsSum(r, voters);
  });

  it('phragmen_large_scale_test: one huge voter over twelve candidates elects 24 and 22', () => {
    const cands = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24];
    const voters = votersOf([[50, cands], ...selfVoters(cands)], {
      2: 1n,
      4: 100n,
      6: 1000000n,
      8: 100000000001000n,
      10: 100000000002000n,
      12: 100000000003000n,
      14: 400000000000000n,
      16: 400000000001000n,
      18: 18000000000000000n,
      20: 20000000000000000n,
      22: 500000000000100000n,
      24: 500000000000200000n,
      50: 990000000000000000n,
    });
    const r = seqPhragmen(2, cands.map(s), voters);
    assert.deepEqual(r.winners.map((w) => w.who).sort(), ['22', '24']);
    checkAssignmentsSum(r, voters);
  });

  it('phragmen_large_scale_test_2: a 10^18 nominator split 50/50 over two 4*10^6 candidates', () => {
    const voters = votersOf([[50, [2, 4]], ...selfVoters([2, 4])], {
      2: 4_000_000n,
      4: 4_000_000n,
      50: 1_000_000_000_000_000_000n,
    });
    const r = seqPhragmen(2, ['2', '4'], voters);
    assert.deepEqual(winnersOf(r), [
      ['2', 500000000005000000n, 0],
      ['4', 500000000003000000n, 1],
    ]);
    assert.deepEqual(
      r.assignments.map((a) => [a.who, toPerbillAssignment(a, voters.find((v) => v.who === a.who)!.stake).map((p) => [p.target, p.part])]),
      [
        ['50', [['2', 500_000_000n], ['4', 500_000_000n]]],
        ['2', [['2', PERBILL_ONE]]],
        ['4', [['4', PERBILL_ONE]]],
      ],
    );
    checkAssignmentsSum(r, voters);
  });

  it('elect_has_no_entry_barrier: an unbacked candidate is elected last with zero backing', () => {
    const voters = votersOf(
      [
        [1, [10]],
        [2, [20]],
      ],
      { 1: 10n, 2: 10n },
    );
    const r = seqPhragmen(3, ['10', '20', '30'], voters);
    assert.deepEqual(winnersOf(r), [
      ['10', 10n, 0],
      ['20', 10n, 1],
      ['30', 0n, 2],
    ]);
  });

  it('phragmen_self_votes_should_be_kept: self votes and a shared nominator make the supports', () => {
    const voters = votersOf(
      [
        [5, [5]],
        [10, [10]],
        [20, [20]],
        [1, [10, 20]],
      ],
      { 5: 5n, 10: 10n, 20: 20n, 1: 8n },
    );
    const r = seqPhragmen(2, ['5', '10', '20', '30'], voters);
    assert.deepEqual(winnersOf(r), [
      ['20', 24n, 0],
      ['10', 14n, 1],
    ]);
    assert.deepEqual(
      r.assignments.map((a) => [a.who, toPerbillAssignment(a, voters.find((v) => v.who === a.who)!.stake).map((p) => [p.target, p.part])]),
      [
        ['10', [['10', PERBILL_ONE]]],
        ['20', [['20', PERBILL_ONE]]],
        ['1', [['10', 500_000_000n], ['20', 500_000_000n]]],
      ],
    );
    const support = toSupportMap(r);
    assert.equal(support.get('5'), undefined);
    assert.deepEqual(support.get('10'), { total: 14n, voters: [{ who: '10', weight: 10n }, { who: '1', weight: 4n }] });
    assert.deepEqual(support.get('20'), { total: 24n, voters: [{ who: '20', weight: 20n }, { who: '1', weight: 4n }] });
  });

  it('duplicate_target_is_ignored', () => {
    const voters: PhragmenVoter[] = [
      { who: '10', stake: 100n, targets: ['1', '1', '2', '3'] },
      { who: '20', stake: 100n, targets: ['2', '3'] },
      { who: '30', stake: 50n, targets: ['1', '1', '2'] },
    ];
    const r = seqPhragmen(2, ['1', '2', '3'], voters);
    assert.deepEqual(winnersOf(r), [
      ['2', 140n, 0],
      ['3', 110n, 1],
    ]);
    assert.deepEqual(
      r.assignments.map((a) => [a.who, a.distribution.map((d) => d.target)]),
      [
        ['10', ['2', '3']],
        ['20', ['2', '3']],
        ['30', ['2']],
      ],
    );
  });

  it('duplicate_target_is_ignored_when_winner', () => {
    const voters: PhragmenVoter[] = [
      { who: '10', stake: 100n, targets: ['1', '1', '2', '3'] },
      { who: '20', stake: 100n, targets: ['1', '2'] },
    ];
    const r = seqPhragmen(2, ['1', '2', '3'], voters);
    assert.deepEqual(winnersOf(r), [
      ['1', 100n, 0],
      ['2', 100n, 1],
    ]);
    assert.deepEqual(
      r.assignments.map((a) => [a.who, a.distribution.map((d) => d.target)]),
      [
        ['10', ['1', '2']],
        ['20', ['1', '2']],
      ],
    );
  });

  it('winners_are_sorted_by_round', () => {
    const voters: PhragmenVoter[] = [
      { who: '10', stake: 10n, targets: ['1', '2'] },
      { who: '20', stake: 20n, targets: ['2', '3'] },
      { who: '30', stake: 30n, targets: ['3', '4'] },
      { who: '40', stake: 40n, targets: ['4', '5'] },
    ];
    const r = seqPhragmen(3, ['1', '2', '3', '4', '5'], voters);
    r.winners.forEach((w, i) => assert.equal(w.round, i));
  });
});

/**
 * A literal port of Substrate's `seq_phragmen_core` (phragmen.rs): every round recomputes every score
 * from every edge, `min_by_key` picks the first minimum, then weights and `try_normalize_elected`.
 * Scores are [numerator, denominator] like Rational128; `lazy_saturating_*` ignore denominators.
 */
function substrateSeqPhragmenCore(toElect: number, candidates: string[], voters: PhragmenVoter[]) {
  const DEN = U128_MAX;
  const satAdd = (a: bigint, b: bigint) => (a + b > U128_MAX ? U128_MAX : a + b);
  const satSub = (a: bigint, b: bigint) => (a > b ? a - b : 0n);
  const mulDiv = (a: bigint, b: bigint, c: bigint) => (c === 0n ? U128_MAX : (a * b) / c > U128_MAX ? U128_MAX : (a * b) / c);
  type R = [bigint, bigint];
  const cmp = (x: R, y: R) => {
    const l = x[0] * y[1];
    const r = y[0] * x[1];
    return l < r ? -1 : l > r ? 1 : 0;
  };
  const cands = candidates.map((who) => ({ who, score: [0n, 1n] as R, approval: 0n, backed: 0n, elected: false, round: 0 }));
  const idx = new Map(candidates.map((c, i) => [c, i]));
  const vs = voters
    .map((v) => {
      const edges: Array<{ c: number; load: R; weight: bigint }> = [];
      for (const t of v.targets) {
        const c = idx.get(t);
        if (c === undefined || edges.some((e) => e.c === c)) continue;
        cands[c]!.approval = satAdd(cands[c]!.approval, v.stake);
        edges.push({ c, load: [0n, 1n], weight: 0n });
      }
      return { who: v.who, budget: v.stake, load: [0n, 1n] as R, edges };
    })
    .filter((v) => v.edges.length > 0);
  for (let round = 0; round < Math.min(toElect, cands.length); round++) {
    for (const c of cands) if (!c.elected) c.score = c.approval === 0n ? [U128_MAX, 1n] : [DEN / c.approval, DEN];
    for (const v of vs)
      for (const e of v.edges) {
        const c = cands[e.c]!;
        if (!c.elected && c.approval !== 0n) {
          const n = mulDiv(v.load[0], v.budget, c.approval);
          if (n !== 0n) c.score = [satAdd(c.score[0], n), c.score[1]];
        }
      }
    let w: (typeof cands)[number] | undefined;
    for (const c of cands) if (!c.elected && (w === undefined || cmp(c.score, w.score) < 0)) w = c;
    if (!w) break;
    w.elected = true;
    w.round = round;
    for (const v of vs)
      for (const e of v.edges)
        if (cands[e.c] === w) {
          e.load = v.load[0] === 0n ? w.score : [satSub(w.score[0], v.load[0]), w.score[1]];
          v.load = w.score;
        }
  }
  const assignments: Array<[string, Array<[string, bigint]>]> = [];
  for (const v of vs) {
    for (const e of v.edges) {
      e.weight = cands[e.c]!.elected ? mulDiv(v.budget, e.load[0], v.load[0]) : 0n;
      cands[e.c]!.backed += e.weight;
    }
    v.edges = v.edges.filter((e) => e.weight > 0n);
    const norm = normalize(
      v.edges.map((e) => e.weight),
      v.budget,
    );
    v.edges.forEach((e, i) => {
      cands[e.c]!.backed += norm[i]! - e.weight;
      e.weight = norm[i]!;
    });
    const dist = v.edges.filter((e) => e.weight > 0n).map((e) => [candidates[e.c]!, e.weight] as [string, bigint]);
    if (dist.length > 0) assignments.push([v.who, dist]);
  }
  const winners = cands
    .filter((c) => c.elected)
    .sort((a, b) => a.round - b.round)
    .map((c) => [c.who, c.backed, c.round] as [string, bigint, number]);
  return { winners, assignments };
}

describe('seqPhragmen equals a literal port of Substrate seq_phragmen_core', () => {
  it('the published poc case gives the same answer through the literal port (the port is faithful)', () => {
    const voters: PhragmenVoter[] = [
      { who: '10', stake: 10n, targets: ['1', '2'] },
      { who: '20', stake: 20n, targets: ['1', '3'] },
      { who: '30', stake: 30n, targets: ['2', '3'] },
    ];
    assert.deepEqual(substrateSeqPhragmenCore(2, ['1', '2', '3'], voters).winners, [
      ['3', 35n, 0],
      ['2', 25n, 1],
    ]);
  });

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`random election #${seed}: same winners, rounds, backing and every edge weight`, () => {
      const rng = mulberry32(seed);
      const nc = 5 + rng.int(40);
      const candidates = Array.from({ length: nc }, (_, i) => `c${String(i).padStart(3, '0')}`);
      const voters: PhragmenVoter[] = [];
      for (const c of candidates) if (rng.int(4) > 0) voters.push({ who: c, stake: rng.bigint(0n, 10n ** 24n), targets: [c] });
      const nv = 20 + rng.int(200);
      for (let v = 0; v < nv; v++) {
        const k = 1 + rng.int(16);
        const targets = Array.from({ length: k }, () => candidates[rng.int(nc)]!);
        // mixed magnitudes, tiny stakes included, so rounding and ties are exercised
        const stake = rng.int(5) === 0 ? rng.bigint(0n, 50n) : rng.bigint(10n ** 18n, 10n ** 24n);
        voters.push({ who: `v${v}`, stake, targets });
      }
      const toElect = 1 + rng.int(nc);
      const fast = seqPhragmen(toElect, candidates, voters);
      const ref = substrateSeqPhragmenCore(toElect, candidates, voters);
      assert.deepEqual(winnersOf(fast), ref.winners);
      assert.deepEqual(stakedOf(fast), ref.assignments);
      for (const a of fast.assignments) {
        const stake = voters.find((v) => v.who === a.who)!.stake;
        assert.equal(
          a.distribution.reduce((x, d) => x + d.weight, 0n),
          stake,
          'a voter backs its winners with exactly its stake',
        );
      }
    });
  }
});
