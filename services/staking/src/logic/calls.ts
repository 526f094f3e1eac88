// The signed calls of the staking pallet: bond, bond_extra, unbond, withdraw_unbonded, rebond,
// validate, nominate, chill, set_payee. Semantics follow polkadot-sdk pallet-staking.
//
// Atomicity: every check runs before anything changes. A call that fails returns its pallet error
// and leaves the state exactly as it was; a call that succeeds updates `state` in place and returns
// the transfers for the ledger. In place rather than copy-on-write because the maps hold every
// nominator (tens of thousands) and a copy per call would cost more than the call; a caller that
// needs the old state keeps a `cloneState` of it.
import { PERBILL_ONE } from './arith.js';
import type {
  AccountId,
  RewardDestination,
  StakingCall,
  StakingError,
  StakingErrorCode,
  StakingEvent,
  StakingLedger,
  StakingState,
  Transfer,
  UnlockChunk,
} from './types.js';

export type CallOutcome =
  | { readonly ok: true; readonly transfers: Transfer[]; readonly events: StakingEvent[] }
  | { readonly ok: false; readonly error: StakingError };

const fail = (code: StakingErrorCode, message: string): CallOutcome => ({ ok: false, error: { code, message } });
const done = (transfers: Transfer[], events: StakingEvent[]): CallOutcome => ({ ok: true, transfers, events });
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);

/**
 * Applies one signed staking call. `signerFree` is the signer's free balance as it stands for this
 * call (the caller carries it across the calls of a block). Like pallet-staking, `bond` and
 * `bond_extra` bond at most what is free.
 */
export function applyCall(state: StakingState, signer: AccountId, call: StakingCall, signerFree: bigint): CallOutcome {
  switch (call.call) {
    case 'bond':
      return bond(state, signer, call.value, call.payee, signerFree);
    case 'bond_extra':
      return bondExtra(state, signer, call.maxAdditional, signerFree);
    case 'unbond':
      return unbond(state, signer, call.value);
    case 'withdraw_unbonded':
      return withdrawUnbonded(state, signer);
    case 'rebond':
      return rebond(state, signer, call.value);
    case 'validate':
      return validate(state, signer, call.commission);
    case 'nominate':
      return nominate(state, signer, call.targets);
    case 'chill':
      return chill(state, signer);
    case 'set_payee':
      return setPayee(state, signer, call.payee);
  }
}

function bond(state: StakingState, stash: AccountId, value: bigint, payee: RewardDestination, free: bigint): CallOutcome {
  if (state.ledgers.has(stash)) return fail('AlreadyBonded', 'this stash is already bonded; use bond_extra');
  if (value < 0n) return fail('BadValue', 'value must not be negative');
  if (!isPayee(payee)) return fail('BadValue', 'payee must be Staked or Stash');
  const amount = min(value, free < 0n ? 0n : free);
  if (amount < state.params.minBond) {
    return fail('InsufficientBond', `a bond must be at least ${state.params.minBond} (free: ${free})`);
  }
  state.ledgers.set(stash, { stash, total: amount, active: amount, unlocking: [] });
  state.payees.set(stash, payee);
  return done([{ from: { account: stash }, to: { fund: 'bonded' }, amount }], [{ type: 'Bonded', stash, amount }]);
}

function bondExtra(state: StakingState, stash: AccountId, maxAdditional: bigint, free: bigint): CallOutcome {
  const ledger = state.ledgers.get(stash);
  if (!ledger) return fail('NotStash', 'not a bonded stash');
  if (maxAdditional < 0n) return fail('BadValue', 'value must not be negative');
  const extra = min(maxAdditional, free < 0n ? 0n : free);
  const active = ledger.active + extra;
  if (active < state.params.minBond) return fail('InsufficientBond', `active bond would stay below ${state.params.minBond}`);
  if (extra === 0n) return done([], []);
  state.ledgers.set(stash, { ...ledger, total: ledger.total + extra, active });
  return done([{ from: { account: stash }, to: { fund: 'bonded' }, amount: extra }], [{ type: 'Bonded', stash, amount: extra }]);
}

function unbond(state: StakingState, stash: AccountId, value: bigint): CallOutcome {
  const ledger = state.ledgers.get(stash);
  if (!ledger) return fail('NotController', 'not a bonded stash');
  if (value < 0n) return fail('BadValue', 'value must not be negative');
  const p = state.params;
  const era = state.currentEra + p.bondingDuration;
  const last = ledger.unlocking[ledger.unlocking.length - 1];
  const merges = last !== undefined && last.era === era;
  if (!merges && ledger.unlocking.length >= p.maxUnlockingChunks) {
    return fail('NoMoreChunks', `already ${p.maxUnlockingChunks} unlocking chunks; withdraw or rebond first`);
  }
  let amount = min(value, ledger.active);
  let active = ledger.active - amount;
  // No dust left bonded: a remainder below the minimum bond is unbonded too.
  if (active < p.minBond) {
    amount += active;
    active = 0n;
  }
  const roleMin = state.validators.has(stash) ? p.minValidatorBond : state.nominators.has(stash) ? p.minNominatorBond : 0n;
  if (active < roleMin) {
    return fail('InsufficientBond', `a ${state.validators.has(stash) ? 'validator' : 'nominator'} must keep ${roleMin} active; chill first`);
  }
  if (amount === 0n) return done([], []);
  const unlocking: UnlockChunk[] = merges
    ? [...ledger.unlocking.slice(0, -1), { value: last.value + amount, era }]
    : [...ledger.unlocking, { value: amount, era }];
  state.ledgers.set(stash, { ...ledger, active, unlocking });
  return done([], [{ type: 'Unbonded', stash, amount, era }]);
}

function withdrawUnbonded(state: StakingState, stash: AccountId): CallOutcome {
  const ledger = state.ledgers.get(stash);
  if (!ledger) return fail('NotController', 'not a bonded stash');
  const p = state.params;
  const remaining = ledger.unlocking.filter((c) => c.era > state.currentEra);
  let amount = ledger.unlocking.reduce((s, c) => (c.era <= state.currentEra ? s + c.value : s), 0n);
  // Nothing left unlocking and the active bond below the minimum (a full unbond, or a slash): the
  // stash is reaped and whatever is left goes back with it, as pallet-staking's kill_stash.
  const reap = remaining.length === 0 && ledger.active < p.minBond;
  if (amount === 0n && !reap) {
    const next = remaining[0];
    return fail('NoUnlockChunk', next ? `nothing to withdraw before era ${next.era}` : 'nothing is unbonding');
  }
  const events: StakingEvent[] = [];
  if (reap) {
    amount += ledger.active;
    removeStaker(state, stash);
  } else {
    state.ledgers.set(stash, { ...ledger, total: ledger.total - amount, unlocking: remaining });
  }
  const transfers: Transfer[] = [];
  if (amount > 0n) {
    transfers.push({ from: { fund: 'bonded' }, to: { account: stash }, amount });
    events.push({ type: 'Withdrawn', stash, amount });
  }
  if (reap) events.push({ type: 'StakerRemoved', stash });
  return done(transfers, events);
}

function rebond(state: StakingState, stash: AccountId, value: bigint): CallOutcome {
  const ledger = state.ledgers.get(stash);
  if (!ledger) return fail('NotController', 'not a bonded stash');
  if (ledger.unlocking.length === 0) return fail('NoUnlockChunk', 'nothing is unbonding');
  if (value < 0n) return fail('BadValue', 'value must not be negative');
  // Rebond the latest chunks first (pallet-staking's StakingLedger::rebond).
  const unlocking = ledger.unlocking.slice();
  let left = value;
  while (left > 0n && unlocking.length > 0) {
    const last = unlocking[unlocking.length - 1]!;
    if (last.value <= left) {
      left -= last.value;
      unlocking.pop();
    } else {
      unlocking[unlocking.length - 1] = { value: last.value - left, era: last.era };
      left = 0n;
    }
  }
  const amount = value - left;
  const active = ledger.active + amount;
  if (active < state.params.minBond) return fail('InsufficientBond', `active bond would stay below ${state.params.minBond}`);
  if (amount === 0n) return done([], []);
  state.ledgers.set(stash, { ...ledger, active, unlocking });
  return done([], [{ type: 'Bonded', stash, amount }]);
}

function validate(state: StakingState, stash: AccountId, commission: bigint): CallOutcome {
  const ledger = state.ledgers.get(stash);
  if (!ledger) return fail('NotController', 'not a bonded stash');
  const p = state.params;
  if (ledger.active < p.minValidatorBond) {
    return fail('InsufficientBond', `a validator must have at least ${p.minValidatorBond} active (has ${ledger.active})`);
  }
  if (commission > PERBILL_ONE) return fail('CommissionTooHigh', 'commission is a Perbill: at most 1000000000 (100%)');
  if (commission < p.minCommission) return fail('CommissionTooLow', `commission must be at least ${p.minCommission} parts per billion`);
  state.nominators.delete(stash);
  state.validators.set(stash, { commission });
  return done([], [{ type: 'ValidatorPrefsSet', stash, commission }]);
}

function nominate(state: StakingState, stash: AccountId, targets: readonly AccountId[]): CallOutcome {
  const ledger = state.ledgers.get(stash);
  if (!ledger) return fail('NotController', 'not a bonded stash');
  const p = state.params;
  if (ledger.active < p.minNominatorBond) {
    return fail('InsufficientBond', `a nominator must have at least ${p.minNominatorBond} active (has ${ledger.active})`);
  }
  if (targets.length === 0) return fail('EmptyTargets', 'nominate at least one validator');
  if (targets.length > p.maxNominations) return fail('TooManyTargets', `at most ${p.maxNominations} targets`);
  for (const t of targets) {
    if (t === stash || !state.validators.has(t)) return fail('BadTarget', `${t} is not a validator candidate`);
  }
  const sorted = [...new Set(targets)].sort();
  state.validators.delete(stash);
  state.nominators.set(stash, { targets: sorted, submittedIn: state.currentEra });
  return done([], [{ type: 'Nominated', stash, targets: sorted }]);
}

function chill(state: StakingState, stash: AccountId): CallOutcome {
  if (!state.ledgers.has(stash)) return fail('NotController', 'not a bonded stash');
  return done([], chillStaker(state, stash));
}

function setPayee(state: StakingState, stash: AccountId, payee: RewardDestination): CallOutcome {
  if (!state.ledgers.has(stash)) return fail('NotController', 'not a bonded stash');
  if (!isPayee(payee)) return fail('BadValue', 'payee must be Staked or Stash');
  state.payees.set(stash, payee);
  return done([], [{ type: 'PayeeSet', stash, payee }]);
}

/** Stops validating and nominating; `Chilled` only if it did either. */
export function chillStaker(state: StakingState, stash: AccountId): StakingEvent[] {
  const wasValidator = state.validators.delete(stash);
  const wasNominator = state.nominators.delete(stash);
  return wasValidator || wasNominator ? [{ type: 'Chilled', stash }] : [];
}

function removeStaker(state: StakingState, stash: AccountId): void {
  state.ledgers.delete(stash);
  state.payees.delete(stash);
  state.validators.delete(stash);
  state.nominators.delete(stash);
}

function isPayee(x: string): x is RewardDestination {
  return x === 'Staked' || x === 'Stash';
}

/** Only for callers that need the state before a call; a deep copy of the mutable containers. */
export function cloneState(state: StakingState): StakingState {
  return {
    ...state,
    ledgers: new Map(state.ledgers),
    payees: new Map(state.payees),
    validators: new Map(state.validators),
    nominators: new Map(state.nominators),
    points: new Map(state.points),
    slashed: new Set(state.slashed),
  };
}

/** Total of every ledger: must always equal the balance of the `bonded` fund. */
export function totalBonded(state: StakingState): bigint {
  let sum = 0n;
  for (const l of state.ledgers.values()) sum += l.total;
  return sum;
}

export type { StakingLedger };
