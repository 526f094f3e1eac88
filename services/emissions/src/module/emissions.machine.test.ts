import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODELS_GENESIS, blake2_256, devGenesis, parseAccountId, toHex } from '@balanceai/chain';
import type { ExecuteBlockInput } from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import { BAI, MAINNET_SCHEDULE, issuanceAtHeight, mintForBlock, splitMint, type EmissionSchedule } from '../schedule/index.js';
import { EmissionsMachine, emissionsSetupFromGenesis, encodeEmissionState, type EmissionsModuleState, type EmissionsSetup } from './emissions.machine.js';
import { capHeight, curveView, fundsView, scheduleView } from './emissions.queries.js';

const FUNDS = {
  stakingPot: `0x${'01'.repeat(32)}`,
  modelsGrants: `0x${'02'.repeat(32)}`,
  agentsGrants: `0x${'03'.repeat(32)}`,
  developmentFund: `0x${'04'.repeat(32)}`,
};

function setup(schedule: EmissionSchedule = MAINNET_SCHEDULE): EmissionsSetup {
  return { schedule, funds: FUNDS, genesisTimeMs: 1_000_000n, blockTimeMs: 12_000n, ss58Prefix: 42 };
}

function input(height: bigint, opts: { totalIssuance?: bigint | null; calls?: number } = {}): ExecuteBlockInput {
  return {
    context: {
      height,
      blockHash: toHex(blake2_256(new TextEncoder().encode(String(height)))),
      timeMs: 1_000_000n + height * 12_000n,
      proposerIndex: 0,
      lastCommitSigners: [],
      offences: [],
      totalIssuance: opts.totalIssuance === undefined ? null : opts.totalIssuance,
      validators: [],
    },
    calls: Array.from({ length: opts.calls ?? 0 }, (_, i) => ({
      extrinsicIndex: i + 1,
      extrinsicHash: `0x${'ab'.repeat(32)}`,
      signer: `0x${'aa'.repeat(32)}`,
      callIndex: 0,
      args: new Uint8Array(0),
    })),
    signerBalances: new Map(),
    moduleBalances: new Map(),
  };
}

function runBlocks(machine: EmissionsMachine, blocks: number, from = machine.initialState()) {
  let state = from;
  const outputs = [];
  for (let i = 0; i < blocks; i++) {
    const r = machine.executeBlock(state, input(state.emission.height + 1n));
    outputs.push(r.output);
    state = r.state;
  }
  return { state, outputs };
}

describe('EmissionsMachine', () => {
  it('mints the schedule amount as four MINT transfers to the funds, summing to the mint', () => {
    const machine = new EmissionsMachine(setup());
    const state = machine.initialState();
    const { output, state: next } = machine.executeBlock(state, input(1n, { totalIssuance: 5_880_000n * BAI }));
    const expected = mintForBlock(MAINNET_SCHEDULE, state.emission);
    const split = splitMint(MAINNET_SCHEDULE, expected.minted);
    assert.deepEqual(output.transfers, [
      { kind: 'mint', to: FUNDS.stakingPot, amount: split.stakingPot },
      { kind: 'mint', to: FUNDS.modelsGrants, amount: split.modelsGrants },
      { kind: 'mint', to: FUNDS.agentsGrants, amount: split.agentsGrants },
      { kind: 'mint', to: FUNDS.developmentFund, amount: split.developmentFund },
    ]);
    assert.equal(output.transfers.reduce((sum, t) => sum + t.amount, 0n), expected.minted);
    assert.equal(expected.minted, 344_444_444_444_444_444n);
    assert.deepEqual(next.emission, expected.next);
    assert.equal(next.lastBlockTimeMs, 1_012_000n);
  });

  it('reports a Minted event with the amount and its split', () => {
    const machine = new EmissionsMachine(setup());
    const { output } = machine.executeBlock(machine.initialState(), input(1n));
    const split = splitMint(MAINNET_SCHEDULE, 344_444_444_444_444_444n);
    assert.deepEqual(output.events, [
      { name: 'Minted', data: { height: 1n, amount: 344_444_444_444_444_444n, ...split }, extrinsicIndex: null },
    ]);
  });

  it('reports Halving on the block that crosses a threshold, and mints at half the rate after it', () => {
    // A tiny chain: cap 1,000 units, 100 at genesis, 360 per 10-block day: T_1 = 500 is reached at block 12.
    const tiny: EmissionSchedule = { ...MAINNET_SCHEDULE, genesisIssuance: 100n, maxSupply: 1000n, baseRatePerDay: 360n, blocksPerDay: 10n };
    const machine = new EmissionsMachine(setup(tiny));
    const { outputs, state } = runBlocks(machine, 14);
    const halvings = outputs.flatMap((o, i) => o.events.filter((e) => e.name === 'Halving').map((e) => ({ height: i + 1, data: e.data })));
    assert.deepEqual(halvings, [{ height: 12, data: { epoch: 1, atIssuance: 532n } }]);
    const mintedAt = (h: number) => outputs[h - 1]!.transfers.reduce((sum, t) => sum + t.amount, 0n);
    assert.equal(mintedAt(12), 36n);
    assert.equal(mintedAt(13), 18n);
    assert.equal(state.emission.issuance, issuanceAtHeight(tiny, 14n));
  });

  it('is deterministic and leaves the input state untouched', () => {
    const machine = new EmissionsMachine(setup());
    const state = machine.initialState();
    const snapshot = structuredClone(state);
    const a = machine.executeBlock(state, input(1n));
    const b = machine.executeBlock(state, input(1n));
    assert.deepEqual(a, b);
    assert.deepEqual(state, snapshot);
    assert.deepEqual(machine.root(a.state), machine.root(b.state));
  });

  it('roots the canonical encoding of the emission state only', () => {
    const machine = new EmissionsMachine(setup());
    const { state } = runBlocks(machine, 3);
    assert.equal(toHex(machine.root(state)), toHex(blake2_256(encodeEmissionState(state.emission))));
    // height u64 + issuance u128 + epoch u32 + epochStartHeight u64
    assert.equal(encodeEmissionState(state.emission).length, 36);
    const other: EmissionsModuleState = { ...state, lastBlockTimeMs: 0n };
    assert.deepEqual(machine.root(other), machine.root(state));
    assert.notDeepEqual(machine.root(state), machine.root(machine.initialState()));
  });

  it('fails every call addressed to it, still minting the block', () => {
    const machine = new EmissionsMachine(setup());
    const { output } = machine.executeBlock(machine.initialState(), input(1n, { calls: 2 }));
    assert.deepEqual(output.results.map((r) => [r.extrinsicIndex, r.success, r.errorCode]), [[1, false, 'Emissions.UnknownCall'], [2, false, 'Emissions.UnknownCall']]);
    assert.equal(output.transfers.length, 4);
    assert.equal(machine.checkTx({ callIndex: 0 }).errorCode, 'Emissions.UnknownCall');
  });

  it('refuses a block whose ledger issuance differs from what it emitted', () => {
    const machine = new EmissionsMachine(setup());
    assert.throws(
      () => machine.executeBlock(machine.initialState(), input(1n, { totalIssuance: 5_880_000n * BAI + 1n })),
      (err: unknown) => err instanceof DomainError && err.code === 'ISSUANCE_MISMATCH' && err.kind === 'conflict',
    );
  });

  it('mints nothing and reports no event once issuance is at the cap', () => {
    const capped: EmissionSchedule = { ...MAINNET_SCHEDULE, genesisIssuance: 10n, maxSupply: 10n };
    const machine = new EmissionsMachine(setup(capped));
    const { output } = machine.executeBlock(machine.initialState(), input(1n));
    assert.deepEqual(output.events, []);
    assert.equal(output.transfers.reduce((sum, t) => sum + t.amount, 0n), 0n);
  });

  it('takes genesis issuance and fund accounts from the genesis', () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000 });
    const s = emissionsSetupFromGenesis(genesis);
    assert.equal(s.schedule.genesisIssuance, 5_880_000n * BAI);
    assert.equal(s.schedule.baseRatePerDay, MAINNET_SCHEDULE.baseRatePerDay);
    assert.match(s.funds.stakingPot, /^0x[0-9a-f]{64}$/);
    assert.equal(new Set(Object.values(s.funds)).size, 4);
    assert.equal(s.blockTimeMs, 1_000n);
  });

  it('splits 24/24 without a models section and with the default one', () => {
    for (const models of [undefined, DEFAULT_MODELS_GENESIS]) {
      const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000, ...(models ? { models } : {}) });
      const s = emissionsSetupFromGenesis(genesis);
      assert.equal(s.schedule.modelsPercent, 24n);
      assert.equal(s.schedule.agentsPercent, 24n);
      assert.equal(s.schedule.stakingPercent, 44n);
    }
  });

  it("mints the models/agents split of the genesis models section (30/18) in exact base units", () => {
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000, models: { ...DEFAULT_MODELS_GENESIS, modelsPercent: 30, agentsPercent: 18 } });
    const s = emissionsSetupFromGenesis(genesis);
    assert.equal(s.schedule.modelsPercent, 30n);
    assert.equal(s.schedule.agentsPercent, 18n);
    const machine = new EmissionsMachine(s);
    const { output } = machine.executeBlock(machine.initialState(), input(1n));
    // Block 1 mints R0 / blocksPerDay = 2,480 BAI / 7,200 = 344,444,444,444,444,444 base units (floored).
    const minted = 344_444_444_444_444_444n;
    const by = (account: string) => output.transfers.filter((t) => t.to === account).reduce((sum, t) => sum + t.amount, 0n);
    const id = (address: string) => toHex(parseAccountId(address));
    assert.equal(by(id(genesis.accounts.stakingRewardPot)), 151_555_555_555_555_555n); // floor(minted · 44 / 100)
    assert.equal(by(id(genesis.accounts.modelsGrantsFund)), 103_333_333_333_333_333n); // floor(minted · 30 / 100)
    assert.equal(by(id(genesis.accounts.agentsGrantsFund)), 61_999_999_999_999_999n); // floor(minted · 18 / 100)
    assert.equal(by(id(genesis.accounts.developmentFund)), 27_555_555_555_555_557n); // the rest: 8 % and the rounding units
    assert.equal(output.transfers.reduce((sum, t) => sum + t.amount, 0n), minted);
  });

  it('refuses a genesis whose models and agents shares do not add up to 48', () => {
    // libs/chain refuses such a genesis when it is built or read; emissions checks again, for a genesis
    // object that did not come through it.
    const { genesis: valid } = devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000, models: DEFAULT_MODELS_GENESIS });
    for (const [modelsPercent, agentsPercent] of [[30, 30], [24, 23], [0, 0], [48, 1]] as const) {
      assert.throws(() => devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000, models: { ...DEFAULT_MODELS_GENESIS, modelsPercent, agentsPercent } }), /must be 48/);
      const genesis = { ...valid, models: { ...valid.models!, modelsPercent, agentsPercent } };
      assert.throws(
        () => emissionsSetupFromGenesis(genesis),
        (err: unknown) => err instanceof DomainError && err.code === 'INVALID_EMISSION_SCHEDULE' && /must be 48/.test(err.message),
      );
    }
    const { genesis } = devGenesis({ validators: 1, genesisTimeMs: 1_700_000_000_000, models: { ...DEFAULT_MODELS_GENESIS, modelsPercent: 48, agentsPercent: 0 } });
    assert.equal(emissionsSetupFromGenesis(genesis).schedule.agentsPercent, 0n);
  });
});

describe('emissions queries', () => {
  it('estimates the first halving at block 13,412,904 and dates it at the genesis block time', () => {
    const machine = new EmissionsMachine(setup());
    const { state } = runBlocks(machine, 2);
    const view = scheduleView(setup(), state);
    assert.equal(view.epoch, 0);
    assert.equal(view.ratePerDay, (2_480n * BAI).toString());
    assert.equal(view.nextHalving?.estimatedHeight, '13412904');
    assert.equal(view.nextHalving?.threshold, (10_500_000n * BAI).toString());
    assert.equal(view.nextHalving?.estimatedTimeMs, (1_024_000n + (13_412_904n - 2n) * 12_000n).toString());
  });

  it('draws the curve from genesis to the cap at block 2,593,006,844', () => {
    const cap = capHeight(MAINNET_SCHEDULE);
    assert.equal(cap, 2_593_006_844n);
    const curve = curveView(setup(), cap, 5);
    assert.equal(curve.points.length, 5);
    assert.deepEqual(curve.points[0], { height: '0', issuance: (5_880_000n * BAI).toString(), estimatedTimeMs: '1000000' });
    assert.equal(curve.points[4]!.issuance, (21_000_000n * BAI).toString());
    assert.throws(() => curveView(setup(), cap, 1), (err: unknown) => err instanceof DomainError && err.code === 'BAD_POINTS');
    assert.throws(() => curveView(setup(), cap, 1001), (err: unknown) => err instanceof DomainError && err.code === 'BAD_POINTS');
    assert.equal(curveView(setup(), cap, 0).points.length, 100);
  });

  it('reports what each fund received, summing to the issuance minted since genesis', () => {
    const machine = new EmissionsMachine(setup());
    const { state } = runBlocks(machine, 7);
    const view = fundsView(setup(), state);
    assert.deepEqual(view.funds.map((f) => [f.name, f.percent]), [['staking_reward_pot', 44], ['models_grants_fund', 24], ['agents_grants_fund', 24], ['development_fund', 8]]);
    assert.equal(BigInt(view.totalMinted), state.emission.issuance - MAINNET_SCHEDULE.genesisIssuance);
    assert.equal(view.funds.reduce((sum, f) => sum + BigInt(f.minted), 0n), BigInt(view.totalMinted));
  });
});
