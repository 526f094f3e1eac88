// Eras: points from commit signers, the era-end payout of the whole reward pot, and the election of
// the next set by sequential Phragmén. Also the genesis state, whose validators are bonded from block 0.
//
// Reward rounding (all floors, so the sum paid never exceeds the pot):
//   validator share  = floor(pot * points / totalPoints)          equal points -> equal share, any stake
//   commission       = floor(share * commission / 10^9)
//   staker's part    = floor((share - commission) * exposure / exposure.total), for own stake and each
//                      paid nominator (the largest `maxPayoutsPerValidator` exposures)
// What the floors leave, and the parts of nominators beyond the bound, stay in the pot for next era.
import { type Perbill, compareIds, perbillOf } from './arith.js';
import { seqPhragmen, type PhragmenVoter, type PhragmenResult } from './phragmen.js';
import {
  type AccountId,
  type EraSnapshot,
  type Exposure,
  type IndividualExposure,
  type RewardDestination,
  type StakingEvent,
  type StakingParams,
  type StakingState,
  type Transfer,
  validateParams,
} from './types.js';

/** True at the last block of an era: blocks 1..L are era 0, L+1..2L era 1, and so on. */
export function isEraEnd(height: bigint, eraLength: bigint): boolean {
  return height > 0n && height % eraLength === 0n;
}

/** One point per distinct signer of a commit who validates in the current era; others are ignored. */
export function notePoints(state: StakingState, signers: readonly AccountId[]): void {
  for (const s of new Set(signers)) {
    if (state.active.exposures.has(s)) state.points.set(s, (state.points.get(s) ?? 0n) + 1n);
  }
}

export interface PayoutResult {
  readonly transfers: Transfer[];
  readonly events: StakingEvent[];
  readonly paid: bigint;
}

/**
 * Pays the whole `rewardPot` (its balance now) for the current era to the active set by points,
 * then inside each validator by commission and exposure. Re-staked rewards grow the ledger here and
 * move rewardPot -> bonded; the rest move rewardPot -> stash.
 */
export function payoutEra(state: StakingState, rewardPot: bigint): PayoutResult {
  const transfers: Transfer[] = [];
  const events: StakingEvent[] = [];
  const era = state.active.era;
  let totalPoints = 0n;
  for (const v of state.active.validators) totalPoints += state.points.get(v) ?? 0n;
  let paid = 0n;
  if (totalPoints > 0n && rewardPot > 0n) {
    const pay = (stash: AccountId, amount: bigint): void => {
      if (amount <= 0n) return;
      paid += amount;
      const ledger = state.ledgers.get(stash);
      const dest: RewardDestination = ledger ? (state.payees.get(stash) ?? 'Stash') : 'Stash';
      if (dest === 'Staked' && ledger) {
        state.ledgers.set(stash, { ...ledger, total: ledger.total + amount, active: ledger.active + amount });
        transfers.push({ from: { fund: 'rewardPot' }, to: { fund: 'bonded' }, amount });
      } else {
        transfers.push({ from: { fund: 'rewardPot' }, to: { account: stash }, amount });
      }
      events.push({ type: 'Rewarded', stash, dest, amount });
    };
    for (const v of state.active.validators) {
      const points = state.points.get(v) ?? 0n;
      if (points === 0n) continue;
      const share = (rewardPot * points) / totalPoints;
      const exposure = state.active.exposures.get(v)!;
      const commission = perbillOf(state.active.commissions.get(v) ?? 0n, share);
      const leftover = share - commission;
      const partOf = (stake: bigint): bigint => (exposure.total > 0n ? (leftover * stake) / exposure.total : 0n);
      pay(v, commission + partOf(exposure.own));
      for (const n of rewardedNominators(exposure, state.params.maxPayoutsPerValidator)) pay(n.who, partOf(n.value));
    }
  }
  events.push({ type: 'EraPaid', era, paid, remainder: rewardPot - paid });
  return { transfers, events, paid };
}

/** The nominators paid for an exposure: the `max` largest, ties by account, paid in account order. */
export function rewardedNominators(exposure: Exposure, max: number): IndividualExposure[] {
  if (exposure.others.length <= max) return exposure.others.slice();
  return exposure.others
    .slice()
    .sort((a, b) => (a.value > b.value ? -1 : a.value < b.value ? 1 : compareIds(a.who, b.who)))
    .slice(0, max)
    .sort((a, b) => compareIds(a.who, b.who));
}

/** Validator candidates that may be elected: still validating, with at least the validator minimum active. */
export function eligibleCandidates(state: StakingState): AccountId[] {
  const out: AccountId[] = [];
  for (const [stash] of state.validators) {
    const l = state.ledgers.get(stash);
    if (l && l.active >= state.params.minValidatorBond) out.push(stash);
  }
  return out.sort(compareIds);
}

/** Phragmén voters: each candidate's self vote with its active bond, and every nominator, by account. */
function electionVoters(state: StakingState, candidates: readonly AccountId[]): PhragmenVoter[] {
  const voters: PhragmenVoter[] = [];
  for (const c of candidates) {
    const l = state.ledgers.get(c);
    if (l && l.active > 0n) voters.push({ who: c, stake: l.active, targets: [c] });
  }
  for (const [who, n] of state.nominators) {
    const l = state.ledgers.get(who);
    if (l && l.active > 0n) voters.push({ who, stake: l.active, targets: n.targets });
  }
  return voters.sort((a, b) => compareIds(a.who, b.who));
}

function snapshotOf(era: number, result: PhragmenResult, commissionOf: (v: AccountId) => Perbill): EraSnapshot {
  const own = new Map<AccountId, bigint>();
  const others = new Map<AccountId, IndividualExposure[]>();
  for (const w of result.winners) {
    own.set(w.who, 0n);
    others.set(w.who, []);
  }
  for (const a of result.assignments) {
    for (const { target, weight } of a.distribution) {
      if (a.who === target) own.set(target, own.get(target)! + weight);
      else others.get(target)!.push({ who: a.who, value: weight });
    }
  }
  const validators = result.winners.map((w) => w.who).sort(compareIds);
  const exposures = new Map<AccountId, Exposure>();
  const commissions = new Map<AccountId, Perbill>();
  for (const v of validators) {
    const o = own.get(v)!;
    const list = others.get(v)!.sort((a, b) => compareIds(a.who, b.who));
    exposures.set(v, { total: list.reduce((s, x) => s + x.value, o), own: o, others: list });
    commissions.set(v, commissionOf(v));
  }
  return { era, validators, exposures, commissions };
}

export interface ElectionOutcome {
  readonly snapshot: EraSnapshot;
  readonly events: StakingEvent[];
  readonly kept: boolean;
}

/**
 * Elects the set of era `currentEra + 1`. With fewer eligible candidates than
 * `minimumValidatorCount`, the current members keep their seats (the chain never halts for want of
 * candidates); their exposures are still recomputed from today's bonds and nominations.
 */
export function electNextSet(state: StakingState): ElectionOutcome {
  const era = state.currentEra + 1;
  const p = state.params;
  const candidates = eligibleCandidates(state);
  const commissionOf = (v: AccountId): Perbill =>
    state.validators.get(v)?.commission ?? state.active.commissions.get(v) ?? 0n;
  if (candidates.length < p.minimumValidatorCount) {
    const members = state.active.validators.slice();
    const result = seqPhragmen(members.length, members, electionVoters(state, members));
    return {
      snapshot: snapshotOf(era, result, commissionOf),
      kept: true,
      events: [
        { type: 'ElectionSkipped', era, reason: 'NotEnoughCandidates', candidates: candidates.length, needed: p.minimumValidatorCount },
        { type: 'StakersElected', era, validators: members },
      ],
    };
  }
  const result = seqPhragmen(p.validatorCount, candidates, electionVoters(state, candidates));
  const snapshot = snapshotOf(era, result, commissionOf);
  return { snapshot, kept: false, events: [{ type: 'StakersElected', era, validators: snapshot.validators }] };
}

export interface EraEndResult {
  readonly transfers: Transfer[];
  readonly events: StakingEvent[];
  /** The set consensus uses from the next block on, with each validator's backing stake. */
  readonly nextValidators: ReadonlyArray<{ readonly stash: AccountId; readonly backing: bigint }>;
}

/**
 * Ends the current era: pays it out of `rewardPot` (the pot's balance when staking's turn begins),
 * elects the next set, and moves to the next era. Payout comes first so re-staked rewards count in
 * the election.
 */
export function endEra(state: StakingState, rewardPot: bigint): EraEndResult {
  const payout = payoutEra(state, rewardPot);
  const election = electNextSet(state);
  state.previous = state.active;
  state.active = election.snapshot;
  state.currentEra = election.snapshot.era;
  state.points.clear();
  for (const key of state.slashed) {
    if (Number(key.slice(0, key.indexOf(':'))) < state.previous.era) state.slashed.delete(key);
  }
  const nextValidators = election.snapshot.validators.map((stash) => ({
    stash,
    backing: election.snapshot.exposures.get(stash)!.total,
  }));
  return { transfers: payout.transfers, events: [...payout.events, ...election.events], nextValidators };
}

export interface GenesisStaking {
  readonly validators: ReadonlyArray<{ stash: AccountId; bond: bigint; commission: Perbill; payee?: RewardDestination }>;
  readonly nominators?: ReadonlyArray<{ stash: AccountId; bond: bigint; targets: readonly AccountId[]; payee?: RewardDestination }>;
}

/**
 * The state at block 0: genesis validators and nominators bonded, era 0's set elected from them.
 * `bonded` is what genesis must place in the `bonded` fund (their bonds never were free balance).
 */
export function genesisState(params: StakingParams, genesis: GenesisStaking): { state: StakingState; bonded: bigint } {
  validateParams(params);
  const state: StakingState = {
    params,
    currentEra: 0,
    ledgers: new Map(),
    payees: new Map(),
    validators: new Map(),
    nominators: new Map(),
    active: { era: 0, validators: [], exposures: new Map(), commissions: new Map() },
    previous: null,
    points: new Map(),
    slashed: new Set(),
  };
  let bonded = 0n;
  const bad = (why: string): never => {
    throw new RangeError(`invalid staking genesis: ${why}`);
  };
  for (const v of genesis.validators) {
    if (state.ledgers.has(v.stash)) bad(`${v.stash} listed twice`);
    if (v.bond < params.minValidatorBond) bad(`validator ${v.stash} bonds less than minValidatorBond`);
    if (v.commission < params.minCommission || v.commission > 1_000_000_000n) bad(`validator ${v.stash} commission`);
    state.ledgers.set(v.stash, { stash: v.stash, total: v.bond, active: v.bond, unlocking: [] });
    state.payees.set(v.stash, v.payee ?? 'Staked');
    state.validators.set(v.stash, { commission: v.commission });
    bonded += v.bond;
  }
  for (const n of genesis.nominators ?? []) {
    if (state.ledgers.has(n.stash)) bad(`${n.stash} listed twice`);
    if (n.bond < params.minNominatorBond) bad(`nominator ${n.stash} bonds less than minNominatorBond`);
    if (n.targets.length === 0 || n.targets.length > params.maxNominations) bad(`nominator ${n.stash} targets`);
    for (const t of n.targets) if (!state.validators.has(t)) bad(`nominator ${n.stash} targets non-validator ${t}`);
    state.ledgers.set(n.stash, { stash: n.stash, total: n.bond, active: n.bond, unlocking: [] });
    state.payees.set(n.stash, n.payee ?? 'Staked');
    state.nominators.set(n.stash, { targets: [...new Set(n.targets)].sort(compareIds), submittedIn: 0 });
    bonded += n.bond;
  }
  const candidates = eligibleCandidates(state);
  if (candidates.length === 0) bad('no validators');
  const result = seqPhragmen(params.validatorCount, candidates, electionVoters(state, candidates));
  state.active = snapshotOf(0, result, (v) => state.validators.get(v)!.commission);
  return { state, bonded };
}
