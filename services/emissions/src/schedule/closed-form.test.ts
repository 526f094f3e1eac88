import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import { BAI, type EmissionSchedule, MAINNET_SCHEDULE, finalEpoch, threshold } from './emission-schedule.js';
import { type EmissionState, genesisEmissionState, mintForBlock } from './mint.js';
import { advanceEmissionState, issuanceAtHeight, issuanceCurve, nextHalving, stateAtHeight } from './closed-form.js';

const M = MAINNET_SCHEDULE;

/**
 * Mints block by block from `start` for `blocks` blocks and checks, at every height, that the closed form
 * (`closedForm(height)`) gives the very same state. Returns the last state and the halvings seen.
 */
function simulateAndCompare(
  s: EmissionSchedule,
  start: EmissionState,
  blocks: number,
  closedForm: (height: bigint) => EmissionState,
): { last: EmissionState; halvings: Array<{ height: bigint; epoch: number }> } {
  let state = start;
  const halvings: Array<{ height: bigint; epoch: number }> = [];
  for (let i = 0; i < blocks; i++) {
    const r = mintForBlock(s, state);
    assert.ok(r.next.issuance >= state.issuance, 'issuance only grows');
    assert.ok(r.next.issuance <= s.maxSupply, 'issuance never exceeds the cap');
    if (r.halving) halvings.push({ height: r.next.height, epoch: r.halving.epoch });
    state = r.next;
    assert.deepEqual(closedForm(state.height), state, `height ${state.height}`);
  }
  return { last: state, halvings };
}

/** A deterministic generator, so the randomised schedules are the same on every run. */
function* xorshift(seed: bigint): Generator<bigint> {
  let x = seed;
  const mask = (1n << 64n) - 1n;
  for (;;) {
    x ^= (x << 13n) & mask;
    x ^= x >> 7n;
    x ^= (x << 17n) & mask;
    yield x;
  }
}

describe('stateAtHeight equals a block-by-block simulation of mintForBlock', () => {
  it('on mainnet rates across the first halving (genesis 5 blocks below T_1)', () => {
    const s: EmissionSchedule = { ...M, genesisIssuance: threshold(M, 1) - 5n * 344_444_444_444_444_444n - 3n };
    const { halvings } = simulateAndCompare(s, genesisEmissionState(s), 20_000, (h) => stateAtHeight(s, h));
    assert.deepEqual(halvings, [{ height: 6n, epoch: 1 }]);
  });

  it('on mainnet rates across the second halving (genesis in epoch 1, 3 blocks below T_2)', () => {
    const s: EmissionSchedule = { ...M, genesisIssuance: threshold(M, 2) - 3n * 172_222_222_222_222_222n + 17n };
    assert.equal(genesisEmissionState(s).epoch, 1);
    const { halvings } = simulateAndCompare(s, genesisEmissionState(s), 20_000, (h) => stateAtHeight(s, h));
    assert.deepEqual(halvings, [{ height: 3n, epoch: 2 }]);
  });

  it('with a small cap, through T_2, T_3, … every threshold to the cap and past it', () => {
    // Odd numbers, so that neither the cap nor the rate divides evenly by 2^k or by blocksPerDay.
    const s: EmissionSchedule = { ...M, maxSupply: 100_003n, genesisIssuance: 0n, baseRatePerDay: 7_001n, blocksPerDay: 97n };
    const end = nextCapHeight(s);
    const { last, halvings } = simulateAndCompare(s, genesisEmissionState(s), Number(end) + 500, (h) => stateAtHeight(s, h));
    assert.equal(last.issuance, s.maxSupply);
    assert.deepEqual(
      halvings.map((h) => h.epoch),
      Array.from({ length: finalEpoch(s) }, (_, i) => i + 1),
    );
    assert.equal(halvings.at(-1)?.height, end);
  });

  it('for 40 random small schedules, including blocks that jump several thresholds', () => {
    const rnd = xorshift(0x9e3779b97f4a7c15n);
    const next = (bound: bigint): bigint => rnd.next().value % bound;
    let skipped = 0;
    for (let i = 0; i < 40; i++) {
      const maxSupply = 1n + next(5_000n);
      const s: EmissionSchedule = {
        ...M,
        maxSupply,
        genesisIssuance: next(maxSupply + 1n),
        baseRatePerDay: next(4_000n),
        blocksPerDay: 1n + next(60n),
      };
      const { halvings } = simulateAndCompare(s, genesisEmissionState(s), 3_000, (h) => stateAtHeight(s, h));
      for (let j = 1; j < halvings.length; j++) if (halvings[j]!.epoch - halvings[j - 1]!.epoch > 1) skipped++;
    }
    assert.ok(skipped > 0, 'the sample must exercise a block reaching several thresholds');
  });

  it('on mainnet around every halving up to the cap, from the closed-form state 300 blocks before', () => {
    let state = genesisEmissionState(M);
    // Bounded by K* + 1 so that a schedule that never reaches the cap fails instead of hanging.
    for (let epochs = 0; ; epochs++) {
      assert.ok(epochs <= finalEpoch(M), 'more halvings than thresholds below the cap');
      const halving = nextHalving(M, state);
      if (halving === null) break;
      const from = stateAtHeight(M, halving.estimatedHeight - 300n);
      const { halvings, last } = simulateAndCompare(M, from, 600, (h) => advanceEmissionState(M, from, h));
      assert.deepEqual(halvings, [{ height: halving.estimatedHeight, epoch: halving.epoch }]);
      assert.deepEqual(stateAtHeight(M, last.height), last);
      state = stateAtHeight(M, halving.estimatedHeight);
    }
    assert.equal(state.issuance, M.maxSupply);
  });

  it('at height 10^9, from a known state 20,000 blocks earlier', () => {
    const target = 1_000_000_000n;
    const from = stateAtHeight(M, target - 20_000n);
    const { last } = simulateAndCompare(M, from, 20_000, (h) => advanceEmissionState(M, from, h));
    assert.deepEqual(stateAtHeight(M, target), last);
    assert.equal(last.epoch, 33);
    // Consensus-critical: a change to any rounding rule moves this figure.
    assert.equal(last.issuance, 20_999_999_998_000_502_917_501_643n);
  });
});

/** The height at which a schedule reaches its cap, from the closed form's own halvings. */
function nextCapHeight(s: EmissionSchedule): bigint {
  let state = genesisEmissionState(s);
  let height = 0n;
  let epochs = 0;
  for (let h = nextHalving(s, state); h !== null; h = nextHalving(s, state)) {
    assert.ok(++epochs <= finalEpoch(s), 'more halvings than thresholds below the cap');
    height = h.estimatedHeight;
    state = stateAtHeight(s, height);
  }
  return height;
}

describe('mainnet figures', () => {
  it('reaches T_1 on block 13,412,904 (docs/architecture.md §4), 4.62M BAI after genesis', () => {
    const halving = nextHalving(M, genesisEmissionState(M));
    // Independent of the code: the smallest n with n·2,480/7,200 >= 4,620,000.
    const expected = (4_620_000n * 7_200n + 2_480n - 1n) / 2_480n;
    assert.equal(expected, 13_412_904n);
    assert.deepEqual(halving, { epoch: 1, threshold: 10_500_000n * BAI, remaining: 4_620_000n * BAI, estimatedHeight: expected });
    assert.ok(issuanceAtHeight(M, expected - 1n) < threshold(M, 1));
    assert.ok(issuanceAtHeight(M, expected) >= threshold(M, 1));
    assert.deepEqual(stateAtHeight(M, expected), {
      height: expected,
      issuance: M.genesisIssuance + (expected * M.baseRatePerDay) / M.blocksPerDay,
      epoch: 1,
      epochStartHeight: expected + 1n,
    });
  });

  it('makes epochs 1 to 58 last 30,483,871 blocks to within one block (later, one base unit spans many blocks)', () => {
    // Ideal length: (21M/2^(k+1)) / (2,480/2^k / 7,200) = 21M·3,600/2,480 = 30,483,870.97 blocks.
    const lengths: bigint[] = [];
    let state = stateAtHeight(M, 13_412_904n);
    for (let k = 1; k <= 58; k++) {
      const h = nextHalving(M, state);
      assert.ok(h !== null);
      lengths.push(h.estimatedHeight - state.height);
      state = stateAtHeight(M, h.estimatedHeight);
    }
    assert.deepEqual(lengths.slice(0, 4), [30_483_870n, 30_483_870n, 30_483_871n, 30_483_871n]);
    for (const [i, len] of lengths.entries()) {
      assert.ok(len * 2_480n > 21_000_000n * 3_600n - 2_480n && len * 2_480n < 21_000_000n * 3_600n + 2_480n, `epoch ${i + 1}: ${len}`);
    }
  });

  it('reaches the cap of exactly 21M BAI on block 2,593,006,844 and stays there', () => {
    const capHeight = nextCapHeight(M);
    assert.equal(capHeight, 2_593_006_844n);
    assert.equal(issuanceAtHeight(M, capHeight - 1n), M.maxSupply - 1n);
    assert.equal(issuanceAtHeight(M, capHeight), M.maxSupply);
    assert.deepEqual(stateAtHeight(M, 10n ** 12n), { height: 10n ** 12n, issuance: M.maxSupply, epoch: 85, epochStartHeight: capHeight + 1n });
    assert.equal(nextHalving(M, stateAtHeight(M, capHeight)), null);
  });

  it('never lets issuance decrease or exceed the cap, from genesis to 10^12', () => {
    const curve = issuanceCurve(M, 0n, 10n ** 12n, 5_001);
    assert.equal(curve[0]!.issuance, M.genesisIssuance);
    assert.equal(curve.at(-1)!.issuance, M.maxSupply);
    for (let i = 1; i < curve.length; i++) {
      assert.ok(curve[i]!.issuance >= curve[i - 1]!.issuance, `at ${curve[i]!.height}`);
      assert.ok(curve[i]!.issuance <= M.maxSupply);
    }
  });
});

describe('issuanceCurve', () => {
  it('samples evenly with both ends included, each point equal to issuanceAtHeight', () => {
    const curve = issuanceCurve(M, 100n, 50_000_100n, 11);
    assert.deepEqual(
      curve.map((p) => p.height),
      Array.from({ length: 11 }, (_, i) => 100n + BigInt(i) * 5_000_000n),
    );
    for (const p of curve) assert.equal(p.issuance, issuanceAtHeight(M, p.height));
  });

  it('returns each height once when the range holds fewer heights than points', () => {
    assert.deepEqual(
      issuanceCurve(M, 7n, 9n, 10).map((p) => p.height),
      [7n, 8n, 9n],
    );
  });

  it('refuses a reversed range and a non-positive number of points', () => {
    const invalid = (e: unknown): boolean => e instanceof DomainError && e.kind === 'invalid';
    assert.throws(() => issuanceCurve(M, 10n, 9n, 5), invalid);
    assert.throws(() => issuanceCurve(M, 0n, 9n, 0), invalid);
  });
});

describe('stateAtHeight and nextHalving', () => {
  it('gives the genesis state at height 0 and refuses a negative height', () => {
    assert.deepEqual(stateAtHeight(M, 0n), genesisEmissionState(M));
    assert.throws(() => stateAtHeight(M, -1n), (e: unknown) => e instanceof DomainError && e.code === 'INVALID_HEIGHT');
  });

  it('counts the remaining amount from the current issuance, mid-epoch', () => {
    const state = stateAtHeight(M, 1_000_000n);
    const h = nextHalving(M, state);
    assert.equal(h?.remaining, threshold(M, 1) - state.issuance);
    assert.equal(h?.estimatedHeight, 13_412_904n);
  });

  it('never reports a halving for a schedule that mints nothing', () => {
    const s = { ...M, baseRatePerDay: 0n };
    assert.equal(nextHalving(s, genesisEmissionState(s)), null);
    assert.equal(issuanceAtHeight(s, 10n ** 9n), M.genesisIssuance);
  });
});
