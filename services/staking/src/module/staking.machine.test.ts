import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { cryptoReady, devGenesis, encodeStakingCall, parseAccountId, type StakingCallData } from '@balanceai/chain';
import type { ExecuteBlockOutput } from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import { StakingMachine, eraOfHeight, stakingSetupFromGenesis, withGenesisBonds } from './staking.machine.js';
import { erasView, nominatorView, totalsView, validatorsView } from './staking.queries.js';
import { decodeStakingModuleState, encodeStakingModuleState } from './staking.state.js';
import { A, B, DEV, G, MOD, N, PARAMS, POT, chain, key, setup } from './staking.fixture.js';

before(async () => {
  await cryptoReady();
});

describe('StakingMachine: calls → transfers and events', () => {
  it('bond debits the signer into the module account; a second bond fails with Staking.AlreadyBonded', () => {
    const c = chain();
    const out = c.run([{ signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } }, { signer: A, call: { call: 'bond', value: 1n, payee: 'Staked' } }]);
    assert.deepEqual(out.transfers, [{ kind: 'debit', from: A, to: MOD, amount: 3_000n }]);
    assert.deepEqual(out.results.map((r) => [r.extrinsicIndex, r.success, r.errorCode]), [[1, true, undefined], [2, false, 'Staking.AlreadyBonded']]);
    assert.deepEqual(out.events, [{ name: 'Bonded', data: { stash: A, amount: 3_000n }, extrinsicIndex: 1 }]);
    assert.equal(c.get(A), 7_000n);
    assert.equal(c.get(MOD), 7_000n);
  });

  it('refuses undecodable calls as Staking.BadCall and blocked validators as Staking.BadValue', () => {
    const c = chain();
    const input = c.input([{ signer: A, call: { call: 'chill' } }]);
    const bad = { ...input, calls: [{ ...input.calls[0]!, callIndex: 8 }, { ...input.calls[0]!, extrinsicIndex: 2, args: Uint8Array.of(1) }] };
    const { output } = c.machine.executeBlock(c.state, bad);
    assert.deepEqual(output.results.map((r) => r.errorCode), ['Staking.BadCall', 'Staking.BadCall']);
    c.run([{ signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } }]);
    const out = c.run([{ signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(7)) } }, { signer: A, call: { call: 'validate', commission: 0n, blocked: true } }]);
    assert.deepEqual(out.results.map((r) => r.errorCode ?? 'ok'), ['ok', 'Staking.BadValue']);
  });

  it('validate needs a consensus key (set_consensus_key, call 20), unique across stashes', () => {
    const c = chain();
    c.run([{ signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } }, { signer: B, call: { call: 'bond', value: 3_000n, payee: 'Stash' } }]);
    const out = c.run([
      { signer: A, call: { call: 'validate', commission: 50_000_000n, blocked: false } },
      { signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(0)) } }, // genesis validator 0's key
      { signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(5)) } },
      { signer: A, call: { call: 'validate', commission: 50_000_000n, blocked: false } },
      { signer: N, call: { call: 'set_consensus_key', key: parseAccountId(key(6)) } }, // not bonded
    ]);
    assert.deepEqual(out.results.map((r) => r.errorCode ?? 'ok'), ['Staking.NoConsensusKey', 'Staking.DuplicateConsensusKey', 'ok', 'ok', 'Staking.NotController']);
    assert.deepEqual(out.events.map((e) => e.name), ['ConsensusKeySet', 'ValidatorPrefsSet']);
    assert.equal(c.state.consensusKeys.get(A), key(5));
  });

  it('ends the era every eraLength blocks: elects by Phragmén, returns the set with consensus keys, reports the payout without moving the pot', () => {
    const c = chain();
    c.run([
      { signer: A, call: { call: 'bond', value: 5_000n, payee: 'Stash' } },
      { signer: N, call: { call: 'bond', value: 4_000n, payee: 'Staked' } },
    ]);
    c.run([{ signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(5)) } }, { signer: A, call: { call: 'validate', commission: 100_000_000n, blocked: false } }]);
    c.run([{ signer: N, call: { call: 'nominate', targets: [parseAccountId(A), parseAccountId(G[0]!)] } }]);
    assert.equal(c.run([], { potInflow: 1_000n }).validatorSetUpdate, undefined);
    const potBefore = c.get(POT);
    const end = c.run([], { potInflow: 1_000n }); // height 5: era 0 ends
    assert.ok(end.validatorSetUpdate, 'era end returns the next set');
    const set = end.validatorSetUpdate!;
    assert.deepEqual(set.map((v) => v.stash), [...G, A].sort());
    assert.deepEqual(set.map((v) => v.index), [0, 1, 2]);
    assert.equal(set.find((v) => v.stash === A)!.consensusKey, key(5));
    assert.equal(set.find((v) => v.stash === G[0])!.consensusKey, key(0));
    assert.equal(set.reduce((s, v) => s + v.backingStake, 0n), 2_000n * 2n + 5_000n + 4_000n);
    // report-only: no transfer out of the pot, and the computed payout is in EraPaid/Rewarded (transferred: false)
    assert.deepEqual(end.transfers, []);
    assert.equal(c.get(POT), potBefore + 1_000n, "the pot only grew by its inflow");
    const paid = end.events.find((e) => e.name === 'EraPaid')!;
    assert.deepEqual(paid.data, { era: 0, paid: 2_000n, remainder: 0n, transferred: false });
    const rewarded = end.events.filter((e) => e.name === 'Rewarded');
    assert.deepEqual(rewarded.map((e) => (e.data as { stash: string }).stash), G); // era 0's set: the genesis validators
    assert.ok(rewarded.every((e) => (e.data as { transferred: boolean }).transferred === false));
    assert.deepEqual(end.events.find((e) => e.name === 'StakersElected')!.data, { era: 1, validators: [...G, A].sort() });
    assert.equal(c.state.staking.currentEra, 1);
    assert.equal(c.state.eraStartHeight, 6n);
    assert.equal(c.state.staking.ledgers.get(G[0]!)!.active, 2_000n, 'a Staked reward does not grow the bond while it is not transferred');
    const eras = erasView(c.machine.setup, c.state);
    assert.deepEqual(eras.eras.map((e) => [e.era, e.startHeight, e.endHeight, e.reward, e.paid, e.paidOut, e.totalPoints]), [[0, '1', '5', '2000', '0', false, '10']]);
    // queries
    const v = validatorsView(c.machine.setup, c.state);
    assert.equal(v.active.length, 3);
    assert.equal(v.active.find((x) => x.account === A)!.commission, 100_000_000);
    const n = nominatorView(c.machine.setup, c.state, N);
    assert.equal(n.role, 'nominator');
    assert.equal(n.exposures.reduce((s, e) => s + BigInt(e.value), 0n), 4_000n);
    const t = totalsView(c.state);
    assert.equal(t.totalStaked, String(4_000n + 5_000n + 4_000n));
    assert.equal(BigInt(t.stakingRatioPpb), (13_000n * 1_000_000_000n) / c.supply());
  });

  it('in credit-from-pot mode pays the era reward as credits out of the pot (Staked grows the bond)', () => {
    const c = chain('credit-from-pot');
    for (let i = 0; i < 4; i++) c.run([], { potInflow: 250n });
    const end = c.run([], { potInflow: 1_001n });
    assert.deepEqual(end.transfers.map((t) => [t.kind, 'from' in t ? t.from : '', t.to, t.amount]), [['credit', POT, MOD, 1_000n], ['credit', POT, MOD, 1_000n]]);
    assert.equal(c.get(POT), 1n, 'the floor remainder stays in the pot');
    assert.equal(c.state.staking.ledgers.get(G[0]!)!.active, 3_000n);
    assert.equal(c.get(MOD), 6_000n);
    assert.equal(c.state.eras[0]!.paid, 2_000n);
  });

  it('slashes an offence: credit module account → development fund, offender chilled; unbond and withdraw after the bonding duration', () => {
    const c = chain();
    c.run([{ signer: N, call: { call: 'bond', value: 1_000n, payee: 'Stash' } }]);
    c.run([{ signer: N, call: { call: 'nominate', targets: [parseAccountId(G[1]!)] } }]);
    for (let i = 0; i < 3; i++) c.run();
    // era 1: N backs G[1]
    const slash = c.run([], { offences: [{ validator: 1, height: 6n, round: 0, voteType: 'prevote' }] });
    const expected = [['credit', MOD, DEV, 200n], ['credit', MOD, DEV, 100n]];
    assert.deepEqual(slash.transfers.map((t) => [t.kind, 'from' in t ? t.from : '', t.to, t.amount]), expected);
    assert.deepEqual(slash.events.map((e) => e.name), ['Slashed', 'Slashed', 'Chilled']);
    assert.equal(c.get(DEV), 300n);
    assert.equal(c.state.staking.validators.has(G[1]!), false);
    assert.equal(c.state.eraSlashes.amount, 300n);
    // the same offence again is ignored
    assert.deepEqual(c.run([], { offences: [{ validator: 1, height: 7n, round: 1, voteType: 'precommit' }] }).events.map((e) => [e.name, (e.data as { reason: string }).reason]), [['SlashIgnored', 'AlreadySlashed']]);
    const unbond = c.run([{ signer: N, call: { call: 'unbond', value: 400n } }]);
    assert.deepEqual(unbond.events[0]!.data, { stash: N, amount: 400n, era: 3 });
    assert.equal(c.run([{ signer: N, call: { call: 'withdraw_unbonded', numSlashingSpans: 0 } }]).results[0]!.errorCode, 'Staking.NoUnlockChunk');
    while (c.state.staking.currentEra < 3) c.run();
    const before = c.get(N);
    const w = c.run([{ signer: N, call: { call: 'withdraw_unbonded', numSlashingSpans: 0 } }]);
    assert.deepEqual(w.transfers, [{ kind: 'credit', from: MOD, to: N, amount: 400n }]);
    assert.equal(c.get(N), before + 400n);
    assert.equal(c.state.eras.find((e) => e.era === 1)!.slashed, 300n);
  });

  it('is pure: the same input gives the same output and root, and the input state is untouched', () => {
    const c = chain();
    c.run([{ signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } }]);
    const before = encodeStakingModuleState(c.state);
    const input = c.input([{ signer: A, call: { call: 'unbond', value: 100n } }, { signer: B, call: { call: 'bond', value: 2_000n, payee: 'Staked' } }]);
    const x = c.machine.executeBlock(c.state, input);
    const y = c.machine.executeBlock(c.state, input);
    assert.deepEqual(x.output, y.output);
    assert.deepEqual(c.machine.root(x.state), c.machine.root(y.state));
    assert.deepEqual(encodeStakingModuleState(c.state), before);
    assert.throws(() => c.machine.executeBlock(c.state, { ...input, context: { ...input.context, height: 5n } }), (e: unknown) => e instanceof DomainError && e.code === 'HEIGHT_GAP');
  });

  it('refuses a block when the module account holds less than the bonds (BONDED_MISMATCH)', () => {
    const c = chain();
    const input = c.input([]);
    assert.throws(
      () => c.machine.executeBlock(c.state, { ...input, moduleBalances: new Map([[MOD, 3_999n]]) }),
      (e: unknown) => e instanceof DomainError && e.code === 'BONDED_MISMATCH',
    );
  });

  it('encodes the state canonically: decode(encode(s)) re-encodes to the same bytes after many eras', () => {
    const c = chain();
    c.run([{ signer: A, call: { call: 'bond', value: 5_000n, payee: 'Stash' } }, { signer: N, call: { call: 'bond', value: 1_000n, payee: 'Staked' } }]);
    c.run([{ signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(5)) } }, { signer: A, call: { call: 'validate', commission: 1n, blocked: false } }]);
    c.run([{ signer: N, call: { call: 'nominate', targets: [parseAccountId(A)] } }, { signer: A, call: { call: 'unbond', value: 10n } }]);
    for (let i = 0; i < 14; i++) c.run([], { potInflow: 10n, offences: i === 7 ? [{ validator: 0, height: c.state.height, round: 0, voteType: 'prevote' }] : [] });
    const bytes = encodeStakingModuleState(c.state);
    const back = decodeStakingModuleState(bytes, PARAMS);
    assert.deepEqual(encodeStakingModuleState(back), bytes);
    assert.deepEqual(back.staking.ledgers, c.state.staking.ledgers);
    assert.deepEqual(back.staking.active, c.state.staking.active);
    assert.deepEqual(back.staking.slashed, c.state.staking.slashed);
    assert.deepEqual(back.eras, c.state.eras);
    assert.deepEqual(c.machine.root(back), c.machine.root(c.state));
  });

  it('checkTx decodes and applies the stateless checks', () => {
    const m = new StakingMachine(setup());
    const enc = (call: StakingCallData) => encodeStakingCall(call);
    const check = (call: StakingCallData, signerFree = 10_000n) => m.checkTx({ signer: A, callIndex: enc(call).callIndex, args: enc(call).args, signerFree });
    assert.equal(check({ call: 'bond', value: 10n, payee: 'Staked' }).ok, true);
    assert.equal(check({ call: 'validate', commission: 2_000_000_000n, blocked: false }).errorCode, 'Staking.CommissionTooHigh');
    assert.equal(check({ call: 'nominate', targets: [] }).errorCode, 'Staking.EmptyTargets');
    assert.equal(m.checkTx({ signer: A, callIndex: 42, args: new Uint8Array(0), signerFree: 0n }).errorCode, 'Staking.BadCall');
  });

  it('maps a height to its era', () => {
    assert.deepEqual([1n, 5n, 6n, 10n, 11n].map((h) => eraOfHeight(h, 5n)), [0, 0, 1, 1, 2]);
  });
});

describe('staking genesis', () => {
  it('bonds the genesis validators from the staking account\'s genesis balance; issuance unchanged', () => {
    const { genesis } = devGenesis({ validators: 3, genesisTimeMs: 1 });
    const bonded = withGenesisBonds(genesis, 20_000n * 10n ** 18n);
    const sum = (g: typeof genesis) => g.balances.reduce((s, b) => s + b.free, 0n);
    assert.equal(sum(bonded), sum(genesis));
    const s = stakingSetupFromGenesis(bonded);
    assert.deepEqual(s.genesisValidators.map((v) => v.bond), [20_000n * 10n ** 18n, 20_000n * 10n ** 18n, 20_000n * 10n ** 18n]);
    assert.equal(s.params.minimumValidatorCount, 3);
    const m = new StakingMachine(s);
    const state = m.initialState();
    assert.equal(state.staking.active.validators.length, 3);
    assert.equal(state.staking.ledgers.size, 3);
    assert.deepEqual([...state.consensusKeys.values()].sort(), genesis.validators.map((v) => v.consensusKey.toLowerCase()).sort());
  });

  it('without genesis bonds the genesis validators hold era 0 seats with no stake, and keep them until enough candidates bond', () => {
    const { genesis } = devGenesis({ validators: 2, genesisTimeMs: 1, eraLength: 3 });
    const s = stakingSetupFromGenesis(genesis);
    assert.ok(s.genesisValidators.every((v) => v.bond === 0n));
    const m = new StakingMachine(s);
    let state = m.initialState();
    assert.equal(state.staking.active.validators.length, 2);
    assert.equal(state.staking.ledgers.size, 0);
    let last: ExecuteBlockOutput | null = null;
    for (let h = 1n; h <= 3n; h++) {
      const r = m.executeBlock(state, {
        context: { height: h, blockHash: '', timeMs: h, proposerIndex: 0, lastCommitSigners: [0, 1], offences: [], totalIssuance: null, validators: [] },
        calls: [],
        signerBalances: new Map(),
        moduleBalances: new Map(),
      });
      state = r.state;
      last = r.output;
    }
    assert.deepEqual(last!.validatorSetUpdate!.map((v) => v.stash).sort(), s.genesisValidators.map((v) => v.stash).sort());
    assert.ok(last!.events.some((e) => e.name === 'ElectionSkipped'));
  });
});
