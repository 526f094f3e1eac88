import {
  CallDecodeError,
  ChainError,
  blake2_256,
  decodeStakingCall,
  moduleAccount,
  parseAccountId,
  ss58Encode,
  toHex,
  type Genesis,
  type StakingCallData,
} from '@balanceai/chain';
import type {
  ActiveValidatorInput,
  CallOutcome,
  CheckTxInput,
  CheckTxOutcome,
  EventData,
  EventOutput,
  ExecuteBlockInput,
  ExecuteBlockOutput,
  ModuleStateMachine,
  ModuleStorageView,
  TransferOutput,
} from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import { PERBILL_ONE, compareIds } from '../logic/arith.js';
import { applyCall, cloneState, totalBonded } from '../logic/calls.js';
import { endEra, genesisState, isEraEnd, notePoints, payoutEra } from '../logic/era.js';
import { applySlash } from '../logic/slashing.js';
import {
  DEFAULT_PARAMS,
  STAKING_PALLET_INDEX,
  type AccountId,
  type StakingCall,
  type StakingEvent,
  type StakingParams,
  type StakingState,
  type Transfer,
  validateParams,
} from '../logic/types.js';
import { HISTORY_DEPTH, encodeStakingModuleState, type EraSummary, type StakingModuleState } from './staking.state.js';
import { stakingStorage } from './staking.storage.js';

/**
 * How era payouts leave the staking reward pot.
 *
 * - `report-only` (today): the pot (genesis.accounts.stakingRewardPot) is a ledger account the module does
 *   not own, and the module contract only lets a module credit out of its own account. So at each era end
 *   the module computes the payout exactly (points, commission, exposures) and reports it as `Rewarded` and
 *   `EraPaid` events with `transferred: false`; nothing moves and the ledgers do not grow. The pot keeps
 *   accumulating.
 * - `credit-from-pot`: once consensus accepts credits out of the pot for the staking module, payouts are
 *   CREDIT transfers pot → stash (dest Stash) and pot → module account (dest Staked, the bond grows).
 *
 * It changes the state root and the ledger, so it is a chain-wide rule (genesis/runtime version), never an
 * operator's environment variable.
 */
export type PayoutMode = 'report-only' | 'credit-from-pot';
// Consensus lets staking credit out of the staking reward pot (a fund the genesis gives it): era
// rewards are paid, not only reported.
export const DEFAULT_PAYOUT_MODE: PayoutMode = 'credit-from-pot';

export interface GenesisStakingValidator {
  readonly stash: AccountId;
  /** 0x hex ed25519 public key, lowercase. */
  readonly consensusKey: string;
  /** Self-bond held in the module account from genesis (0 when the genesis funds none). */
  readonly bond: bigint;
}

export interface StakingSetup {
  readonly params: StakingParams;
  readonly eraLength: bigint;
  /** moduleAccount('staking'): holds every bond. */
  readonly moduleAccount: string;
  readonly rewardPot: string;
  readonly developmentFund: string;
  readonly genesisValidators: readonly GenesisStakingValidator[];
  readonly payoutMode: PayoutMode;
  readonly ss58Prefix: number;
}

export const STAKING_MODULE_NAME = 'staking';
export const STAKING_MODULE_ACCOUNT = toHex(moduleAccount(STAKING_MODULE_NAME));

const hexId = (address: string): string => toHex(parseAccountId(address));

/**
 * The staking setup of a genesis. Genesis bonds: the genesis balance of the staking module account
 * (moduleAccount('staking'), if the genesis lists it) is the genesis validators' self-bond, split equally
 * (the first validator takes the remainder). The funds are already in the account the module owns, so
 * sum(balances) == issuance stays exact and a bond's later withdrawal is an ordinary credit. Without such a
 * balance the genesis validators hold era 0's seats with no stake (see README "Genesis").
 * Params: DEFAULT_PARAMS, with `minimumValidatorCount` = the number of genesis validators (the genesis has
 * no staking params yet).
 */
export function stakingSetupFromGenesis(genesis: Genesis, overrides: { params?: Partial<StakingParams>; payoutMode?: PayoutMode } = {}): StakingSetup {
  const n = genesis.validators.length;
  const params: StakingParams = {
    ...DEFAULT_PARAMS,
    minimumValidatorCount: Math.min(n, DEFAULT_PARAMS.validatorCount),
    bondingDuration: genesis.params.bondingDuration,
    ...overrides.params,
  };
  validateParams(params);
  const account = STAKING_MODULE_ACCOUNT;
  const funded = genesis.balances.find((b) => hexId(b.address) === account)?.free ?? 0n;
  const each = funded / BigInt(n);
  if (funded > 0n && each < params.minValidatorBond) {
    throw new DomainError('BAD_STAKING_GENESIS', `the staking account's genesis balance ${funded} gives each of ${n} validators ${each}, below minValidatorBond ${params.minValidatorBond}`, 'internal');
  }
  const genesisValidators = genesis.validators.map((v, i) => ({
    stash: hexId(v.stash),
    consensusKey: v.consensusKey.toLowerCase(),
    bond: i === 0 ? funded - each * BigInt(n - 1) : each,
  }));
  if (new Set(genesisValidators.map((v) => v.stash)).size !== n) {
    throw new DomainError('BAD_STAKING_GENESIS', 'two genesis validators share a stash', 'internal');
  }
  return {
    params,
    eraLength: BigInt(genesis.params.eraLength),
    moduleAccount: account,
    rewardPot: hexId(genesis.accounts.stakingRewardPot),
    developmentFund: hexId(genesis.accounts.developmentFund),
    genesisValidators,
    payoutMode: overrides.payoutMode ?? DEFAULT_PAYOUT_MODE,
    ss58Prefix: genesis.ss58Prefix,
  };
}

/** Genesis bonds are written by @balanceai/chain (balanceai genesis, devnet); re-exported for callers. */
export { withGenesisBonds } from '@balanceai/chain';

/** Era of a height: blocks 1..L are era 0, L+1..2L era 1 (the logic's isEraEnd). */
export function eraOfHeight(height: bigint, eraLength: bigint): number {
  return height < 1n ? 0 : Number((height - 1n) / eraLength);
}

type Fail = { ok: false; code: string; message: string };
const failed = (code: string, message: string): Fail => ({ ok: false, code, message });

/** Logic call from a decoded call (or the reason it is refused before the logic sees it). */
function toLogicCall(c: StakingCallData): StakingCall | Fail | null {
  switch (c.call) {
    case 'bond':
      return { call: 'bond', value: c.value, payee: c.payee };
    case 'bond_extra':
      return { call: 'bond_extra', maxAdditional: c.maxAdditional };
    case 'unbond':
      return { call: 'unbond', value: c.value };
    case 'rebond':
      return { call: 'rebond', value: c.value };
    case 'withdraw_unbonded':
      return { call: 'withdraw_unbonded' };
    case 'validate':
      if (c.blocked) return failed('BadValue', 'blocking nominators is not supported: blocked must be false');
      return { call: 'validate', commission: c.commission };
    case 'nominate':
      return { call: 'nominate', targets: c.targets.map((t) => toHex(t)) };
    case 'chill':
      return { call: 'chill' };
    case 'set_payee':
      return { call: 'set_payee', payee: c.payee };
    case 'set_consensus_key':
      return null;
  }
}

function decode(callIndex: number, args: Uint8Array): StakingCallData | Fail {
  try {
    return decodeStakingCall(callIndex, args);
  } catch (err) {
    if (err instanceof CallDecodeError || err instanceof ChainError) return failed('BadCall', err.message);
    throw err;
  }
}

/**
 * Fields an event carries besides the logic's own, so that it has every field of its variant in the Staking
 * descriptor (libs/chain staking-calls.ts: polkadot-sdk's fields, read by camelCase name or a JSON alias) and
 * wallets decode it from System.Events. The logic's fields stay: the REST API and its clients read them.
 */
function descriptorFields(e: StakingEvent): Record<string, EventData> {
  // ValidatorPrefsSet { stash, prefs: ValidatorPrefs }: the logic reports the commission alone.
  if (e.type === 'ValidatorPrefsSet') return { prefs: { commission: e.commission, blocked: false } };
  return {};
}

function eventOf(e: StakingEvent, extrinsicIndex: number | null, extra: Record<string, EventData> = {}): EventOutput {
  const { type, ...data } = e;
  return { name: type, data: { ...(data as Record<string, EventData>), ...descriptorFields(e), ...extra }, extrinsicIndex };
}

/**
 * Staking (pallet 7) on the module host: wraps the pure logic (src/logic) with the contract.
 * Per block, in order: era points from the last commit's signers, slashes for the block's offences, the
 * calls in block order, and at the last block of an era the payout (see PayoutMode), the election and the
 * next validator set. Transfers: DEBIT signer → module account (bond, bond_extra), CREDIT module account →
 * stash (withdraw_unbonded), CREDIT module account → development fund (slash).
 */
export class StakingMachine implements ModuleStateMachine<StakingModuleState> {
  readonly name = STAKING_MODULE_NAME;
  readonly palletIndex = STAKING_PALLET_INDEX;

  constructor(readonly setup: StakingSetup) {
    validateParams(setup.params);
    if (setup.eraLength < 1n) throw new RangeError('eraLength must be at least 1');
  }

  initialState(): StakingModuleState {
    const { params, genesisValidators } = this.setup;
    const consensusKeys = new Map(genesisValidators.map((v) => [v.stash, v.consensusKey]));
    let staking: StakingState;
    if (genesisValidators.every((v) => v.bond > 0n)) {
      staking = genesisState(params, { validators: genesisValidators.map((v) => ({ stash: v.stash, bond: v.bond, commission: params.minCommission, payee: 'Staked' as const })) }).state;
    } else {
      // No genesis bonds: the genesis validators hold era 0's seats with no stake (nothing to reward pro rata
      // or to slash) until candidates bond; with fewer candidates than minimumValidatorCount the set is kept.
      const validators = genesisValidators.map((v) => v.stash).sort(compareIds);
      staking = {
        params,
        currentEra: 0,
        ledgers: new Map(),
        payees: new Map(),
        validators: new Map(),
        nominators: new Map(),
        active: {
          era: 0,
          validators,
          exposures: new Map(validators.map((v) => [v, { total: 0n, own: 0n, others: [] }])),
          commissions: new Map(validators.map((v) => [v, 0n])),
        },
        previous: null,
        points: new Map(),
        slashed: new Set(),
      };
    }
    return { height: 0n, staking, consensusKeys, eraStartHeight: 1n, eraSlashes: { count: 0, amount: 0n }, eras: [], totalIssuance: 0n };
  }

  root(state: StakingModuleState): Uint8Array {
    return blake2_256(encodeStakingModuleState(state));
  }

  /** The pallet storage wallets read as `api.query.staking.*` (staking.storage.ts). */
  storage(state: StakingModuleState): ModuleStorageView {
    return stakingStorage(state);
  }

  executeBlock(state: StakingModuleState, input: ExecuteBlockInput): { state: StakingModuleState; output: ExecuteBlockOutput } {
    const { setup } = this;
    const ctx = input.context;
    const height = ctx.height;
    if (height !== state.height + 1n) {
      throw new DomainError('HEIGHT_GAP', `staking is at ${state.height}, cannot execute ${height}`, 'conflict');
    }
    const held = input.moduleBalances.get(setup.moduleAccount);
    const bondedBefore = totalBonded(state.staking);
    if (held !== undefined && held < bondedBefore) {
      // The module account must hold every bond; less means the ledger and this module disagree: stop.
      throw new DomainError('BONDED_MISMATCH', `the staking account holds ${held}, less than the ${bondedBefore} bonded`, 'internal', {
        held: held.toString(),
        bonded: bondedBefore.toString(),
      });
    }

    const s = cloneState(state.staking);
    const keys = new Map(state.consensusKeys);
    const events: EventOutput[] = [];
    const transfers: TransferOutput[] = [];
    let eraSlashes = state.eraSlashes;
    const stashAt = new Map(ctx.validators.map((v) => [v.index, v.stash]));

    // 1. Era points: one per signer of the previous block's commit (indices into the active set).
    notePoints(s, ctx.lastCommitSigners.map((i) => stashAt.get(i)).filter((x): x is string => x !== undefined));

    // 2. Offences in this block: slash the offender's and its nominators' exposure of the offence's era.
    for (const o of ctx.offences) {
      const offender = stashAt.get(o.validator);
      // SlashIgnored has the same fields either way (offender and era null when unknown): one descriptor variant.
      if (offender === undefined || o.height < 1n) {
        const data = { validatorIndex: o.validator, offender: null, era: null, height: o.height, voteType: o.voteType, reason: 'UnknownValidator' };
        events.push({ name: 'SlashIgnored', data, extrinsicIndex: null });
        continue;
      }
      const r = applySlash(s, { offender, era: eraOfHeight(o.height, setup.eraLength) });
      for (const t of r.transfers) transfers.push(this.toWire(t));
      const offence = { height: o.height, voteType: o.voteType };
      for (const e of r.events) {
        events.push(eventOf(e, null, e.type === 'Slashed' ? offence : e.type === 'SlashIgnored' ? { ...offence, validatorIndex: o.validator } : {}));
      }
      const count = r.events.filter((e) => e.type === 'Slashed').length;
      eraSlashes = { count: eraSlashes.count + count, amount: eraSlashes.amount + r.slashed };
    }

    // 3. Calls in block order; each sees the signer's free balance left by the earlier ones.
    const free = new Map(input.signerBalances);
    const results: CallOutcome[] = [];
    for (const call of input.calls) {
      const fail = (code: string, message: string) => results.push({ extrinsicIndex: call.extrinsicIndex, success: false, errorCode: `Staking.${code}`, errorMessage: message });
      const decoded = decode(call.callIndex, call.args);
      if ('ok' in decoded) {
        fail(decoded.code, decoded.message);
        continue;
      }
      if (decoded.call === 'set_consensus_key') {
        const key = toHex(decoded.key);
        if (!s.ledgers.has(call.signer)) fail('NotController', 'not a bonded stash');
        else if (decoded.key.every((b) => b === 0)) fail('BadValue', 'the consensus key must not be zero');
        else if ([...keys].some(([stash, k]) => k === key && stash !== call.signer)) fail('DuplicateConsensusKey', 'another stash uses this consensus key');
        else {
          keys.set(call.signer, key);
          results.push({ extrinsicIndex: call.extrinsicIndex, success: true });
          events.push({ name: 'ConsensusKeySet', data: { stash: call.signer, key }, extrinsicIndex: call.extrinsicIndex });
        }
        continue;
      }
      const logicCall = toLogicCall(decoded);
      if (logicCall === null) continue; // unreachable: set_consensus_key handled above
      if ('ok' in logicCall) {
        fail(logicCall.code, logicCall.message);
        continue;
      }
      if (logicCall.call === 'validate' && !keys.has(call.signer)) {
        fail('NoConsensusKey', 'set a consensus key (set_consensus_key, call 20) before validating');
        continue;
      }
      const r = applyCall(s, call.signer, logicCall, free.get(call.signer) ?? 0n);
      if (!r.ok) {
        fail(r.error.code, r.error.message);
        continue;
      }
      for (const t of r.transfers) {
        if ('account' in t.from) free.set(t.from.account, (free.get(t.from.account) ?? 0n) - t.amount);
        if ('account' in t.to) free.set(t.to.account, (free.get(t.to.account) ?? 0n) + t.amount);
        transfers.push(this.toWire(t, call.signer));
      }
      results.push({ extrinsicIndex: call.extrinsicIndex, success: true });
      for (const e of r.events) events.push(eventOf(e, call.extrinsicIndex));
    }

    // 4. Era end: payout, election, next set.
    let validatorSetUpdate: ActiveValidatorInput[] | undefined;
    let eras = state.eras;
    let eraStartHeight = state.eraStartHeight;
    if (isEraEnd(height, setup.eraLength)) {
      const ending = s.active;
      let totalPoints = 0n;
      for (const v of ending.validators) totalPoints += s.points.get(v) ?? 0n;
      const pot = input.moduleBalances.get(setup.rewardPot) ?? 0n;
      let reward: bigint;
      let paid: bigint;
      const transferred = setup.payoutMode === 'credit-from-pot';
      let result: ReturnType<typeof endEra>;
      if (transferred) {
        result = endEra(s, pot);
        for (const t of result.transfers) transfers.push(this.toWire(t));
        paid = result.transfers.reduce((sum, t) => sum + t.amount, 0n);
        // The era reward is the whole pot (docs/architecture.md §5); what rounding leaves stays in it.
        reward = pot;
        for (const e of result.events) events.push(eventOf(e, null, e.type === 'Rewarded' || e.type === 'EraPaid' ? { transferred: true } : {}));
      } else {
        // Computed on a copy (a Staked reward would grow the ledger), reported, not transferred.
        const preview = payoutEra(cloneState(s), pot);
        reward = pot;
        paid = 0n;
        for (const e of preview.events) events.push(eventOf(e, null, { transferred: false }));
        result = endEra(s, 0n);
        for (const e of result.events) if (e.type !== 'EraPaid' && e.type !== 'Rewarded') events.push(eventOf(e, null));
      }
      const summary: EraSummary = {
        era: ending.era,
        startHeight: state.eraStartHeight,
        endHeight: height,
        validatorCount: ending.validators.length,
        totalStake: ending.validators.reduce((sum, v) => sum + (ending.exposures.get(v)?.total ?? 0n), 0n),
        totalPoints,
        reward,
        paid,
        paidOut: transferred,
        slashes: eraSlashes.count,
        slashed: eraSlashes.amount,
      };
      eras = [...state.eras, summary].slice(-HISTORY_DEPTH);
      eraSlashes = { count: 0, amount: 0n };
      eraStartHeight = height + 1n;
      validatorSetUpdate = result.nextValidators.map((v, index) => {
        const consensusKey = keys.get(v.stash);
        if (!consensusKey) throw new DomainError('MODULE_BUG', `elected ${v.stash} has no consensus key`, 'internal');
        return { index, consensusKey, stash: v.stash, backingStake: v.backing };
      });
    }

    const next: StakingModuleState = {
      height,
      staking: s,
      consensusKeys: keys,
      eraStartHeight,
      eraSlashes,
      eras,
      totalIssuance: ctx.totalIssuance ?? state.totalIssuance,
    };
    return { state: next, output: { results, events, transfers, ...(validatorSetUpdate ? { validatorSetUpdate } : {}) } };
  }

  /** Mempool check: the call decodes and passes the checks that need no state. */
  checkTx(input: CheckTxInput): CheckTxOutcome {
    const decoded = decode(input.callIndex, input.args);
    if ('ok' in decoded) return { ok: false, errorCode: `Staking.${decoded.code}`, errorMessage: decoded.message };
    const bad = (code: string, message: string): CheckTxOutcome => ({ ok: false, errorCode: `Staking.${code}`, errorMessage: message });
    const p = this.setup.params;
    switch (decoded.call) {
      case 'bond':
        if (decoded.value < p.minBond || input.signerFree < p.minBond) return bad('InsufficientBond', `a bond must be at least ${p.minBond}`);
        break;
      case 'validate':
        if (decoded.blocked) return bad('BadValue', 'blocked must be false');
        if (decoded.commission > PERBILL_ONE) return bad('CommissionTooHigh', 'commission is a Perbill: at most 1000000000');
        if (decoded.commission < p.minCommission) return bad('CommissionTooLow', `commission must be at least ${p.minCommission}`);
        break;
      case 'nominate':
        if (decoded.targets.length === 0) return bad('EmptyTargets', 'nominate at least one validator');
        if (decoded.targets.length > p.maxNominations) return bad('TooManyTargets', `at most ${p.maxNominations} targets`);
        break;
      case 'set_consensus_key':
        if (decoded.key.every((b) => b === 0)) return bad('BadValue', 'the consensus key must not be zero');
        break;
      default:
        break;
    }
    return { ok: true };
  }

  /** A logic transfer as the contract's DEBIT / CREDIT between ledger accounts. */
  private toWire(t: Transfer, signer?: string): TransferOutput {
    const { moduleAccount: mod, rewardPot, developmentFund } = this.setup;
    const accountOf = (p: Transfer['from']): string =>
      'account' in p ? p.account : p.fund === 'bonded' ? mod : p.fund === 'rewardPot' ? rewardPot : developmentFund;
    const from = accountOf(t.from);
    const to = accountOf(t.to);
    if ('account' in t.from) {
      if (t.from.account !== signer || to !== mod) throw new DomainError('MODULE_BUG', `debit of ${t.from.account} into ${to}`, 'internal');
      return { kind: 'debit', from, to, amount: t.amount };
    }
    if (from === rewardPot && this.setup.payoutMode !== 'credit-from-pot') throw new DomainError('MODULE_BUG', 'a payout transfer in report-only mode', 'internal');
    return { kind: 'credit', from, to, amount: t.amount };
  }
}
