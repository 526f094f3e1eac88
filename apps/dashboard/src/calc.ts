// The dashboard's arithmetic, kept apart from the DOM so unit tests can run it in Node (calc.test.ts).

/** Issuance at which halving k happens: the cap less cap/2^k (k = 1: half the cap). */
export function halvingThreshold(maxSupply: bigint, k: number): bigint {
  return maxSupply - maxSupply / 2n ** BigInt(k);
}

/** Annual return of a stake from one era: reward / stake × eras per year (no compounding). */
export function annualReturn(reward: bigint, stake: bigint, eraLength: number, blockTimeMs: number): number {
  if (stake === 0n || eraLength <= 0 || blockTimeMs <= 0) return 0;
  const erasPerYear = (365.25 * 86_400_000) / (eraLength * blockTimeMs);
  return (Number((reward * 1_000_000_000n) / stake) / 1e9) * erasPerYear;
}

export interface RateBlock {
  number: number;
  timeMs: number;
  /** Successful transfers in the block. */
  transfers: number;
}

/**
 * Blocks/s and transfers/s at each block, over the last `window` blocks before it (fewer at the start of the
 * list; null where fewer than 2 blocks or a gap in the numbers). `blocks` sorted by number.
 */
export function rates(blocks: readonly RateBlock[], window: number): { x: number[]; blocksPerSecond: Array<number | null>; transfersPerSecond: Array<number | null> } {
  const x: number[] = [];
  const bps: Array<number | null> = [];
  const tps: Array<number | null> = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    const w = Math.min(window, i);
    const j = i - w;
    x.push(b.timeMs / 1000);
    if (w < 2 || blocks[j]!.number !== b.number - w) {
      bps.push(null);
      tps.push(null);
      continue;
    }
    const span = (b.timeMs - blocks[j]!.timeMs) / 1000;
    let transfers = 0;
    for (let k = j + 1; k <= i; k++) transfers += blocks[k]!.transfers;
    bps.push(span > 0 ? w / span : null);
    tps.push(span > 0 ? transfers / span : null);
  }
  return { x, blocksPerSecond: bps, transfersPerSecond: tps };
}

/** Where the current era stands: blocks done (from 1), its length, percent. */
export function eraProgress(finalized: number, eraStart: number, eraLength: number): { done: number; left: number; percent: number } {
  const done = Math.min(eraLength, Math.max(0, finalized - eraStart + 1));
  return { done, left: eraLength - done, percent: eraLength > 0 ? Math.round((done / eraLength) * 100) : 0 };
}
