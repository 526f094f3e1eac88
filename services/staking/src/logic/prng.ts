// A seeded pseudo-random generator for tests and the bench only (module logic never uses randomness).
// mulberry32: 32-bit state, deterministic across platforms because it uses only Math.imul and shifts.

export interface Prng {
  /** Uniform integer in [0, n), n <= 2^32. */
  int(n: number): number;
  /** Uniform bigint in [lo, hi], built from 32-bit draws. */
  bigint(lo: bigint, hi: bigint): bigint;
}

export function mulberry32(seed: number): Prng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return {
    int: (n) => Math.floor((next() / 2 ** 32) * n),
    bigint: (lo, hi) => {
      const span = hi - lo + 1n;
      let r = 0n;
      for (let bits = 0n; (1n << bits) < span * 2n ** 32n; bits += 32n) r = (r << 32n) | BigInt(next());
      return lo + (r % span);
    },
  };
}

/** A 20-byte 0x account id from a number, so tests and bench get sortable, distinct hex ids. */
export function accountId(n: number, prefix = 0): string {
  return '0x' + prefix.toString(16).padStart(8, '0') + n.toString(16).padStart(32, '0');
}
