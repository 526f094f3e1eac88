import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import {
  BAI,
  type EmissionSchedule,
  MAINNET_SCHEDULE,
  epochOfIssuance,
  finalEpoch,
  threshold,
  validateSchedule,
} from './emission-schedule.js';

const M = MAINNET_SCHEDULE;

describe('MAINNET_SCHEDULE', () => {
  it('carries the §4 numbers in base units', () => {
    assert.equal(BAI, 1_000_000_000_000_000_000n);
    assert.equal(M.genesisIssuance, 5_880_000_000_000_000_000_000_000n);
    assert.equal(M.maxSupply, 21_000_000_000_000_000_000_000_000n);
    assert.equal(M.baseRatePerDay, 2_480_000_000_000_000_000_000n);
    assert.equal(M.blocksPerDay, 7_200n);
    assert.deepEqual([M.stakingPercent, M.modelsPercent, M.agentsPercent], [44n, 24n, 24n]);
    assert.equal(M.modelsPercent + M.agentsPercent, 48n);
    validateSchedule(M);
  });
});

describe('threshold', () => {
  it('gives 0, 10.5M, 15.75M, 18.375M BAI for k = 0..3 on mainnet', () => {
    assert.equal(threshold(M, 0), 0n);
    assert.equal(threshold(M, 1), 10_500_000n * BAI);
    assert.equal(threshold(M, 2), 15_750_000n * BAI);
    assert.equal(threshold(M, 3), 18_375_000n * BAI);
  });

  it('is exactly 21M·(1 − 2^−k) while 2^k divides the cap (k <= 24 on mainnet)', () => {
    for (let k = 0; k <= 24; k++) {
      const pow = 1n << BigInt(k);
      assert.equal(threshold(M, k) * pow, M.maxSupply * (pow - 1n), `k=${k}`);
    }
  });

  it('rounds up once 21M/2^k stops being a whole number of base units (k >= 25)', () => {
    // The rounding is real from k = 25 on: the exact value is not an integer there.
    assert.notEqual((M.maxSupply * ((1n << 25n) - 1n)) % (1n << 25n), 0n);
    for (let k = 25; k <= 90; k++) {
      const pow = 1n << BigInt(k);
      const exactTimesPow = M.maxSupply * (pow - 1n);
      const t = threshold(M, k);
      // t = ceil(exact): t >= exact > t − 1
      assert.ok(t * pow >= exactTimesPow, `k=${k} below exact`);
      assert.ok((t - 1n) * pow < exactTimesPow, `k=${k} not the ceiling`);
    }
  });

  it('rises strictly up to K* = 85 on mainnet and equals the cap from there', () => {
    assert.equal(finalEpoch(M), 85);
    for (let k = 1; k <= 85; k++) assert.ok(threshold(M, k) > threshold(M, k - 1), `k=${k}`);
    assert.equal(threshold(M, 84), M.maxSupply - 1n);
    assert.equal(threshold(M, 85), M.maxSupply);
    assert.equal(threshold(M, 500), M.maxSupply);
  });

  it('refuses a negative or fractional epoch', () => {
    assert.throws(() => threshold(M, -1), (e: unknown) => e instanceof DomainError && e.code === 'INVALID_EPOCH');
    assert.throws(() => threshold(M, 1.5), (e: unknown) => e instanceof DomainError && e.code === 'INVALID_EPOCH');
  });
});

describe('epochOfIssuance', () => {
  it('counts the thresholds reached, a threshold counting from the base unit that reaches it', () => {
    const t1 = threshold(M, 1);
    const t2 = threshold(M, 2);
    assert.equal(epochOfIssuance(M, M.genesisIssuance), 0);
    assert.equal(epochOfIssuance(M, t1 - 1n), 0);
    assert.equal(epochOfIssuance(M, t1), 1);
    assert.equal(epochOfIssuance(M, t2 - 1n), 1);
    assert.equal(epochOfIssuance(M, t2), 2);
  });

  it('stops at K* when issuance is at the cap, although every later threshold equals the cap', () => {
    assert.equal(epochOfIssuance(M, M.maxSupply), 85);
    assert.equal(epochOfIssuance(M, M.maxSupply - 1n), 84);
  });
});

describe('validateSchedule', () => {
  const refuses = (change: Partial<EmissionSchedule>): void =>
    assert.throws(
      () => validateSchedule({ ...M, ...change }),
      (e: unknown) => e instanceof DomainError && e.code === 'INVALID_EMISSION_SCHEDULE',
    );

  it('refuses parameters that would mint past the cap or pay a negative development fund', () => {
    refuses({ genesisIssuance: M.maxSupply + 1n });
    refuses({ maxSupply: 0n });
    refuses({ blocksPerDay: 0n });
    refuses({ baseRatePerDay: -1n });
    refuses({ modelsPercent: 30n, agentsPercent: 30n });
    refuses({ agentsPercent: -1n });
  });

  it('accepts another split of the 48% between models and agents', () => {
    validateSchedule({ ...M, modelsPercent: 30n, agentsPercent: 18n });
  });
});
