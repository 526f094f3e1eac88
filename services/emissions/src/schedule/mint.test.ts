import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import { BAI, type EmissionSchedule, MAINNET_SCHEDULE, threshold } from './emission-schedule.js';
import {
  type EmissionState,
  cumulativeEpochMint,
  genesisEmissionState,
  mintForBlock,
  ratePerBlock,
  ratePerDay,
  splitMint,
} from './mint.js';

const M = MAINNET_SCHEDULE;

/** A mainnet state n0 blocks into epoch 0, built from the floor formula alone. */
function epochZeroState(n0: bigint): EmissionState {
  return { height: n0, issuance: M.genesisIssuance + cumulativeEpochMint(M, 0, n0), epoch: 0, epochStartHeight: 1n };
}

function mintWindow(s: EmissionSchedule, from: EmissionState, blocks: number): { total: bigint; mints: Set<bigint> } {
  let state = from;
  let total = 0n;
  const mints = new Set<bigint>();
  for (let i = 0; i < blocks; i++) {
    const r = mintForBlock(s, state);
    assert.equal(r.halving, undefined, 'window must stay inside one epoch');
    total += r.minted;
    mints.add(r.minted);
    state = r.next;
  }
  return { total, mints };
}

describe('genesisEmissionState', () => {
  it('starts at height 0 with the genesis issuance, in epoch 0, the epoch starting at block 1', () => {
    assert.deepEqual(genesisEmissionState(M), { height: 0n, issuance: 5_880_000n * BAI, epoch: 0, epochStartHeight: 1n });
  });

  it('starts a genesis above T_2 in epoch 2', () => {
    assert.equal(genesisEmissionState({ ...M, genesisIssuance: threshold(M, 2) + 1n }).epoch, 2);
  });
});

describe('mintForBlock', () => {
  it('mints exactly 2,480 BAI in any 7,200 consecutive blocks of epoch 0, though single blocks differ', () => {
    for (const n0 of [0n, 1n, 3_599n, 7_199n, 1_234_567n, 13_000_000n]) {
      const { total, mints } = mintWindow(M, epochZeroState(n0), 7_200);
      assert.equal(total, 2_480n * BAI, `window from n=${n0}`);
      // 2,480 BAI / 7,200 is not a whole number of base units: a per-block rate divided first would lose 3,200 units a day.
      assert.deepEqual([...mints].sort(), [344_444_444_444_444_444n, 344_444_444_444_444_445n]);
    }
  });

  it('mints exactly 1,240 BAI in any 7,200 consecutive blocks of epoch 1', () => {
    for (const n0 of [0n, 5_000n, 20_000_000n]) {
      const start: EmissionState = {
        height: 100_000_000n + n0,
        issuance: threshold(M, 1) + 7n + cumulativeEpochMint(M, 1, n0),
        epoch: 1,
        epochStartHeight: 100_000_001n,
      };
      assert.equal(mintWindow(M, start, 7_200).total, 1_240n * BAI, `window from n=${n0}`);
    }
  });

  it('mints R0/2^k floored or one unit more per day once 2^k no longer divides R0 (epoch 25)', () => {
    const start: EmissionState = { height: 5_000n, issuance: threshold(M, 25) + 3n, epoch: 25, epochStartHeight: 4_000n };
    const day = M.baseRatePerDay >> 25n;
    assert.notEqual(day << 25n, M.baseRatePerDay);
    const { total } = mintWindow(M, start, 7_200);
    assert.ok(total === day || total === day + 1n, `got ${total}, nominal ${day}`);
  });

  it('reports the halving on the block that reaches T_1 and mints at half rate from the next block, n = 0', () => {
    const perBlock = M.baseRatePerDay / M.blocksPerDay;
    // Two blocks below T_1: the third one from here reaches it.
    const n0 = 500n;
    const issuance = threshold(M, 1) - 2n * perBlock - 5n;
    let state: EmissionState = { height: n0, issuance, epoch: 0, epochStartHeight: 1n };
    const heights: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const r = mintForBlock(M, state);
      if (r.halving) heights.push(r.next.height);
      state = r.next;
    }
    assert.deepEqual(heights, [n0 + 3n]);
    assert.ok(state.issuance >= threshold(M, 1));
    assert.deepEqual([state.epoch, state.epochStartHeight], [1, n0 + 4n]);
    const first = mintForBlock(M, state);
    assert.equal(first.minted, cumulativeEpochMint(M, 1, 1n));
    assert.equal(first.minted, (M.baseRatePerDay) / (2n * M.blocksPerDay));
  });

  it('moves the epoch past every threshold a single block reaches', () => {
    // A devnet with a tiny cap: 400 units a block against thresholds 500, 750, 875, …
    const s: EmissionSchedule = { ...M, maxSupply: 1_000n, genesisIssuance: 400n, baseRatePerDay: 400n, blocksPerDay: 1n };
    const r = mintForBlock(s, genesisEmissionState(s));
    assert.equal(r.minted, 400n);
    assert.deepEqual(r.halving, { epoch: 2, atIssuance: 800n });
    assert.deepEqual(r.next, { height: 1n, issuance: 800n, epoch: 2, epochStartHeight: 2n });
  });

  it('caps the block that reaches the cap, then mints nothing and reports no further halving', () => {
    // 40 units a block in epoch 7 (5,120 / 2^7), and only 5 units of headroom.
    const s: EmissionSchedule = { ...M, maxSupply: 1_000n, genesisIssuance: 995n, baseRatePerDay: 5_120n, blocksPerDay: 1n };
    let state = genesisEmissionState(s);
    assert.equal(state.epoch, 7); // T_7 = 1000 − 7 = 993 <= 995 < T_8 = 997
    const r = mintForBlock(s, state);
    assert.equal(r.minted, 5n);
    assert.deepEqual(r.halving, { epoch: 10, atIssuance: 1_000n });
    state = r.next;
    for (let i = 0; i < 10; i++) {
      const after = mintForBlock(s, state);
      assert.equal(after.minted, 0n);
      assert.equal(after.halving, undefined);
      assert.equal(after.next.issuance, 1_000n);
      state = after.next;
    }
    assert.equal(state.height, 11n);
  });

  it('refuses a state whose epoch starts after the block it would mint', () => {
    assert.throws(
      () => mintForBlock(M, { height: 10n, issuance: M.genesisIssuance, epoch: 0, epochStartHeight: 12n }),
      (e: unknown) => e instanceof DomainError && e.code === 'CORRUPT_EMISSION_STATE' && e.kind === 'internal',
    );
  });

  it('refuses a state whose epoch is not the one its issuance is in', () => {
    const corrupt = (epoch: number, issuance: bigint): void =>
      assert.throws(
        () => mintForBlock(M, { height: 10n, issuance, epoch, epochStartHeight: 1n }),
        (e: unknown) => e instanceof DomainError && e.code === 'CORRUPT_EMISSION_STATE',
        `epoch ${epoch} at ${issuance}`,
      );
    corrupt(1, M.genesisIssuance);
    corrupt(0, threshold(M, 1));
    corrupt(84, M.maxSupply);
    corrupt(86, M.maxSupply);
    assert.equal(mintForBlock(M, { height: 10n, issuance: M.maxSupply, epoch: 85, epochStartHeight: 1n }).minted, 0n);
  });

  it('refuses a state above the cap', () => {
    assert.throws(
      () => mintForBlock(M, { height: 10n, issuance: M.maxSupply + 1n, epoch: 85, epochStartHeight: 1n }),
      (e: unknown) => e instanceof DomainError && e.code === 'CORRUPT_EMISSION_STATE',
    );
  });
});

describe('splitMint', () => {
  it('floors staking 44%, models 24%, agents 24% and gives the development fund the rest', () => {
    assert.deepEqual(splitMint(M, 100n), { stakingPot: 44n, modelsGrants: 24n, agentsGrants: 24n, developmentFund: 8n });
    assert.deepEqual(splitMint(M, 99n), { stakingPot: 43n, modelsGrants: 23n, agentsGrants: 23n, developmentFund: 10n });
    assert.deepEqual(splitMint(M, 0n), { stakingPot: 0n, modelsGrants: 0n, agentsGrants: 0n, developmentFund: 0n });
  });

  it('splits the 48% as the genesis says between models and agents', () => {
    const s = { ...M, modelsPercent: 30n, agentsPercent: 18n };
    assert.deepEqual(splitMint(s, 1_000n), { stakingPot: 440n, modelsGrants: 300n, agentsGrants: 180n, developmentFund: 80n });
  });

  it('sums the four shares to the mint for every amount, with the fund getting at least its 8%', () => {
    const amounts = [...Array.from({ length: 1_000 }, (_, i) => BigInt(i)), 344_444_444_444_444_444n, 344_444_444_444_444_445n, M.maxSupply];
    for (const m of amounts) {
      const p = splitMint(M, m);
      assert.equal(p.stakingPot + p.modelsGrants + p.agentsGrants + p.developmentFund, m, `m=${m}`);
      assert.ok(p.developmentFund * 100n >= m * 8n, `m=${m}`);
    }
  });

  it('refuses a negative mint', () => {
    assert.throws(() => splitMint(M, -1n), (e: unknown) => e instanceof DomainError && e.code === 'INVALID_AMOUNT');
  });
});

describe('ratePerDay and ratePerBlock', () => {
  it('halve per epoch from 2,480 BAI a day and fall to 0 at the cap', () => {
    const at = (epoch: number, issuance = threshold(M, epoch) + 1n): EmissionState => ({ height: 1n, issuance, epoch, epochStartHeight: 1n });
    assert.equal(ratePerDay(M, at(0, M.genesisIssuance)), 2_480n * BAI);
    assert.equal(ratePerDay(M, at(1)), 1_240n * BAI);
    assert.equal(ratePerDay(M, at(3)), 310n * BAI);
    assert.equal(ratePerBlock(M, at(0, M.genesisIssuance)), 344_444_444_444_444_444n);
    assert.equal(ratePerBlock(M, at(1)), 172_222_222_222_222_222n);
    assert.equal(ratePerDay(M, at(85, M.maxSupply)), 0n);
    assert.equal(ratePerBlock(M, at(85, M.maxSupply)), 0n);
  });
});
