// A staking chain for unit tests: the machine driven block by block with a model ledger that applies its
// transfers as consensus does. Shared by the machine's and the storage's tests; no I/O.
import assert from 'node:assert/strict';
import { blake2_256, encodeStakingCall, toHex, type StakingCallData } from '@balanceai/chain';
import type { ActiveValidatorInput, ExecuteBlockInput, ExecuteBlockOutput, OffenceInput, TransferOutput } from '@balanceai/module-host';
import type { StakingParams } from '../logic/types.js';
import { STAKING_MODULE_ACCOUNT, StakingMachine, type PayoutMode, type StakingSetup } from './staking.machine.js';
import type { StakingModuleState } from './staking.state.js';

export const acct = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
export const key = (n: number) => `0x${(0xe0 + n).toString(16).repeat(32)}`;
export const MOD = STAKING_MODULE_ACCOUNT;
export const POT = acct(0xf0);
export const DEV = acct(0xf1);
export const G = [acct(1), acct(2)];

export const PARAMS: StakingParams = {
  minBond: 1n,
  minValidatorBond: 1_000n,
  minNominatorBond: 100n,
  bondingDuration: 2,
  maxUnlockingChunks: 4,
  maxNominations: 4,
  validatorCount: 3,
  minimumValidatorCount: 2,
  minCommission: 0n,
  slashFraction: 100_000_000n,
  maxPayoutsPerValidator: 8,
};

export function setup(payoutMode: PayoutMode = 'report-only'): StakingSetup {
  return {
    params: PARAMS,
    eraLength: 5n,
    moduleAccount: MOD,
    rewardPot: POT,
    developmentFund: DEV,
    genesisValidators: G.map((stash, i) => ({ stash, consensusKey: key(i), bond: 2_000n })),
    payoutMode,
    ss58Prefix: 42,
  };
}

export type Call = { signer: string; call: StakingCallData };

/** A model ledger applying the module's transfers as consensus does (debits only from signers, credits only out of the module's account, or the pot when enabled). */
export class Chain {
  readonly free = new Map<string, bigint>();
  state: StakingModuleState;
  constructor(
    readonly machine: StakingMachine,
    balances: Array<[string, bigint]>,
  ) {
    this.state = machine.initialState();
    for (const [a, v] of balances) this.free.set(a, v);
    this.free.set(MOD, (this.free.get(MOD) ?? 0n) + BigInt(this.state.staking.ledgers.size) * 2_000n);
  }
  get(a: string) {
    return this.free.get(a) ?? 0n;
  }
  supply() {
    return [...this.free.values()].reduce((s, v) => s + v, 0n);
  }
  input(calls: Call[], opts: { signers?: number[]; offences?: OffenceInput[]; potInflow?: bigint } = {}): ExecuteBlockInput {
    const height = this.state.height + 1n;
    if (opts.potInflow) this.free.set(POT, this.get(POT) + opts.potInflow);
    const validators = this.currentSet();
    return {
      context: {
        height,
        blockHash: toHex(blake2_256(new TextEncoder().encode(`b${height}`))),
        timeMs: 1_000n * height,
        proposerIndex: 0,
        lastCommitSigners: opts.signers ?? validators.map((v) => v.index),
        offences: opts.offences ?? [],
        totalIssuance: this.supply(),
        validators,
      },
      calls: calls.map((c, i) => {
        const encoded = encodeStakingCall(c.call);
        return { extrinsicIndex: i + 1, extrinsicHash: `0x${'ab'.repeat(32)}`, signer: c.signer, callIndex: encoded.callIndex, args: encoded.args };
      }),
      signerBalances: new Map([...new Set(calls.map((c) => c.signer))].sort().map((s) => [s, this.get(s)])),
      moduleBalances: new Map([[MOD, this.get(MOD)], [POT, this.get(POT)]]),
    };
  }
  private set: ActiveValidatorInput[] | null = null;
  currentSet(): ActiveValidatorInput[] {
    return this.set ?? G.map((stash, index) => ({ index, consensusKey: key(index), stash, backingStake: 0n }));
  }
  run(calls: Call[] = [], opts: Parameters<Chain['input']>[1] = {}): ExecuteBlockOutput {
    const signers = new Set(calls.map((c) => c.signer));
    const { state, output } = this.machine.executeBlock(this.state, this.input(calls, opts));
    for (const t of output.transfers) this.apply(t, signers);
    if (output.validatorSetUpdate) this.set = [...output.validatorSetUpdate];
    assert.equal(output.results.length, calls.length);
    this.state = state;
    return output;
  }
  private apply(t: TransferOutput, signers: Set<string>) {
    assert.ok(t.amount > 0n);
    assert.notEqual(t.kind, 'mint');
    if (t.kind === 'debit') {
      assert.ok(signers.has(t.from), 'debit of a signer');
      assert.equal(t.to, MOD);
    } else if (t.kind === 'credit') {
      assert.ok(t.from === MOD || (t.from === POT && this.machine.setup.payoutMode === 'credit-from-pot'), `credit out of ${t.from}`);
    }
    if (t.kind === 'mint') return;
    assert.ok(this.get(t.from) >= t.amount, `overdraft of ${t.from}`);
    this.free.set(t.from, this.get(t.from) - t.amount);
    this.free.set(t.to, this.get(t.to) + t.amount);
  }
}

export const A = acct(0xa), B = acct(0xb), N = acct(0xc);

export function chain(mode: PayoutMode = 'report-only') {
  return new Chain(new StakingMachine(setup(mode)), [[A, 10_000n], [B, 10_000n], [N, 5_000n], ...G.map((g) => [g, 100n] as [string, bigint])]);
}

