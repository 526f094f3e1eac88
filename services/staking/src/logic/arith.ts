// Integer arithmetic the staking logic shares: Perbill, floor(a*b/c), and Substrate's `normalize`.
// bigint only; every division rounds down unless a function says otherwise.

/** Parts per billion: 0 ..= PERBILL_ONE stands for 0% ..= 100% (Substrate's `Perbill`). */
export type Perbill = bigint;
export const PERBILL_ONE: Perbill = 1_000_000_000n;

/** 2^128 - 1: Substrate's `u128::MAX`, used as the Phragmén load denominator and as the saturation bound. */
export const U128_MAX = (1n << 128n) - 1n;

/** floor(a * b / c); c must be positive. Exact for any size (bigint). */
export function mulDivFloor(a: bigint, b: bigint, c: bigint): bigint {
  if (c <= 0n) throw new RangeError('mulDivFloor: divisor must be positive');
  return (a * b) / c;
}

/** floor(value * perbill / 10^9): `Perbill * Balance` rounded down. */
export function perbillOf(perbill: Perbill, value: bigint): bigint {
  return (value * perbill) / PERBILL_ONE;
}

/** Perbill::from_rational(p, q) with Rounding::Down; q = 0 gives 100%, as Substrate does. */
export function perbillFromRational(p: bigint, q: bigint): Perbill {
  if (q === 0n || p >= q) return PERBILL_ONE;
  return (p * PERBILL_ONE) / q;
}

export function isPerbill(x: bigint): boolean {
  return x >= 0n && x <= PERBILL_ONE;
}

/**
 * Port of sp-arithmetic's `normalize(input, targeted_sum)`: returns values summing to exactly `target`,
 * moving each by as little as the algorithm allows, order preserved. Bumps start at the smallest
 * value, cuts at the largest; ties keep input order (a stable sort, as Rust's `sort_by_key`).
 * Used by Phragmén so every voter's edge weights add up to its stake, to the base unit.
 */
export function normalize(input: readonly bigint[], target: bigint): bigint[] {
  const count = input.length;
  if (count === 0) return [];
  let sum = 0n;
  for (const x of input) sum += x;
  const diff = target > sum ? target - sum : sum - target;
  if (diff === 0n) return input.slice();
  const n = BigInt(count);
  const perRound = diff / n;
  let leftover = diff % n;
  const out = input.map((value, index) => ({ index, value }));
  out.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.index - b.index));

  if (target > sum) {
    let min = 0;
    const threshold = target / n;
    if (perRound !== 0n) {
      for (let i = 0; i < count; i++) {
        out[min]!.value += perRound;
        if (out[min]!.value >= threshold) min = (min + 1) % count;
      }
    }
    while (leftover !== 0n) {
      out[min]!.value += 1n;
      if (out[min]!.value >= threshold) min = (min + 1) % count;
      leftover -= 1n;
    }
  } else {
    let max = count - 1;
    const threshold = out[0]!.value;
    if (perRound !== 0n) {
      for (let i = 0; i < count; i++) {
        const cur = out[max]!;
        if (cur.value >= perRound) cur.value -= perRound;
        else {
          leftover += perRound - cur.value;
          cur.value = 0n;
        }
        if (cur.value <= threshold) max = max === 0 ? count - 1 : max - 1;
      }
    }
    while (leftover !== 0n) {
      const cur = out[max]!;
      if (cur.value >= 1n) {
        cur.value -= 1n;
        if (cur.value <= threshold) max = max === 0 ? count - 1 : max - 1;
        leftover -= 1n;
      } else {
        max = max === 0 ? count - 1 : max - 1;
      }
    }
  }
  out.sort((a, b) => a.index - b.index);
  return out.map((x) => x.value);
}

/** Ascending comparison of 0x-hex account ids (or any strings), code-unit order, never locale order. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
