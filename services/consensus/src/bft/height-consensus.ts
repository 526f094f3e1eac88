import type { BftAction, BftConfig, LockState, Proposal, Step, Vote, VoteType } from './types.js';
import { isOneThird, isTwoThirds, VoteTally } from './vote-tally.js';

/**
 * A validator may occupy at most this many rounds beyond round+1 in our store (CometBFT's
 * "peer catch-up rounds"): an honest validator is in one round at a time, and without a bound one
 * byzantine validator could make us store votes for millions of rounds. Dropped messages come back
 * through re-gossip once we reach those rounds.
 */
const MAX_FUTURE_ROUNDS_PER_VALIDATOR = 2;

interface KnownValue<V> {
  value: V;
  /** isValid is asked once per block hash; undefined = not asked yet. */
  valid: boolean | undefined;
}

/** Everything the height holds about one round, plus the "for the first time" flags of Algorithm 1. */
class RoundState<V> {
  readonly prevotes: VoteTally;
  readonly precommits: VoteTally;
  proposal: Proposal<V> | undefined;
  /** Validators seen with any message in this round, for the f+1 round skip (line 55). */
  readonly senders = new Set<number>();
  prevoteTimeoutScheduled = false; // line 34
  precommitTimeoutScheduled = false; // line 47
  proofOfLockHandled = false; // line 36

  constructor(validatorCount: number) {
    this.prevotes = new VoteTally(validatorCount);
    this.precommits = new VoteTally(validatorCount);
  }

  tally(type: VoteType): VoteTally {
    return type === 'prevote' ? this.prevotes : this.precommits;
  }
}

/**
 * Tendermint consensus for one height (Buchman, Kwon, Milosevic 2018, Algorithm 1) as a pure,
 * deterministic state machine: inputs are verified messages and fired timeouts, outputs are actions.
 * Line numbers in comments refer to Algorithm 1 of the paper.
 */
export class HeightConsensus<V> {
  private readonly height: number;
  private readonly validatorCount: number;
  private readonly rounds = new Map<number, RoundState<V>>();
  private readonly values = new Map<string, KnownValue<V>>();
  /** For each block hash with +2/3 precommits, the first round in which that happened. */
  private readonly commitRounds = new Map<string, number>();
  /** Hashes whose commit (value + precommit quorum) may have just become complete. */
  private readonly commitCandidates: string[] = [];
  private readonly futureRounds = new Map<number, Set<number>>();
  private actions: BftAction<V>[] = [];

  private currentRound: number;
  private currentStep: Step = 'propose';
  private started = false;
  private decision: { value: V; round: number } | undefined;
  private lockedRound: number;
  private lockedValue: V | null;
  private validRound: number;
  private validValue: V | null;
  /** Highest round above the current one in which f+1 validators have sent something. */
  private skipRound = -1;

  constructor(
    private readonly config: BftConfig<V>,
    restored?: LockState<V>,
  ) {
    this.height = config.height;
    this.validatorCount = config.validatorCount;
    this.currentRound = restored !== undefined ? Math.max(0, restored.round) : 0;
    this.lockedRound = restored?.lockedRound ?? -1;
    this.lockedValue = restored?.lockedValue ?? null;
    this.validRound = restored?.validRound ?? -1;
    this.validValue = restored?.validValue ?? null;
    if (this.lockedValue === null) this.lockedRound = -1;
    if (this.validValue === null) this.validRound = -1;
  }

  get round(): number {
    return this.currentRound;
  }

  get step(): Step {
    return this.currentStep;
  }

  get decided(): boolean {
    return this.decision !== undefined;
  }

  /** Line 10: StartRound(0), or the restored round. Messages received before start are acted on now. */
  start(): BftAction<V>[] {
    if (this.started) return [];
    this.started = true;
    // Messages stored before start were counted already; flush acts on them (skip, commit, prevote).
    this.startRound(this.currentRound);
    return this.flush();
  }

  onProposal(proposal: Proposal<V>): BftAction<V>[] {
    if (!this.isWellFormedProposal(proposal)) return [];
    if (!this.admitRound(proposal.proposer, proposal.round)) return [];
    this.recordProposal(proposal);
    return this.flush();
  }

  onVote(vote: Vote): BftAction<V>[] {
    if (!this.isWellFormedVote(vote)) return [];
    if (!this.admitRound(vote.validator, vote.round)) return [];
    this.recordVote({ ...vote });
    return this.flush();
  }

  /** Lines 57, 61, 65. A timeout for another height, round or step is stale and does nothing. */
  onTimeout(step: Step, height: number, round: number): BftAction<V>[] {
    if (!this.started || this.decided || height !== this.height || round !== this.currentRound) return [];
    if (step === 'propose' && this.currentStep === 'propose') {
      this.castVote('prevote', null);
      this.currentStep = 'prevote';
    } else if (step === 'prevote' && this.currentStep === 'prevote') {
      this.castVote('precommit', null);
      this.currentStep = 'precommit';
    } else if (step === 'precommit') {
      this.startRound(round + 1);
    }
    return this.flush();
  }

  lockState(): LockState<V> {
    return {
      lockedRound: this.lockedRound,
      lockedValue: this.lockedValue,
      validRound: this.validRound,
      validValue: this.validValue,
      round: this.currentRound,
    };
  }

  votesFor(round: number, type: VoteType): Vote[] {
    return this.rounds.get(round)?.tally(type).votes() ?? [];
  }

  proposalFor(round: number): Proposal<V> | undefined {
    return this.rounds.get(round)?.proposal;
  }

  // ---- input validation: bad network input is ignored, never thrown ----

  private isWellFormedVote(vote: Vote): boolean {
    return (
      typeof vote === 'object' &&
      vote !== null &&
      (vote.type === 'prevote' || vote.type === 'precommit') &&
      vote.height === this.height &&
      isRound(vote.round) &&
      this.isValidatorIndex(vote.validator) &&
      (vote.blockHash === null || typeof vote.blockHash === 'string')
    );
  }

  private isWellFormedProposal(proposal: Proposal<V>): boolean {
    if (typeof proposal !== 'object' || proposal === null) return false;
    if (proposal.height !== this.height || !isRound(proposal.round)) return false;
    // A proof-of-lock must come from an earlier round (line 28: vr < round); -1 = none.
    if (!Number.isSafeInteger(proposal.validRound) || proposal.validRound < -1 || proposal.validRound >= proposal.round) {
      return false;
    }
    return this.isValidatorIndex(proposal.proposer) && this.config.proposer(this.height, proposal.round) === proposal.proposer;
  }

  private isValidatorIndex(index: number): boolean {
    return Number.isSafeInteger(index) && index >= 0 && index < this.validatorCount;
  }

  /** Whether a message of `sender` for `round` would be kept (without recording it): callers store nothing else. */
  admits(sender: number, round: number): boolean {
    if (!isRound(round) || round <= this.currentRound + 1) return isRound(round);
    const rounds = this.futureRounds.get(sender);
    if (rounds?.has(round)) return true;
    let live = 0;
    for (const r of rounds ?? []) if (r > this.currentRound + 1) live++;
    return live < MAX_FUTURE_ROUNDS_PER_VALIDATOR;
  }

  private admitRound(sender: number, round: number): boolean {
    if (round <= this.currentRound + 1) return true;
    let rounds = this.futureRounds.get(sender);
    if (rounds === undefined) {
      rounds = new Set();
      this.futureRounds.set(sender, rounds);
    }
    if (rounds.has(round)) return true;
    for (const r of rounds) if (r <= this.currentRound + 1) rounds.delete(r);
    if (rounds.size >= MAX_FUTURE_ROUNDS_PER_VALIDATOR) return false;
    rounds.add(round);
    return true;
  }

  // ---- storing messages ----

  private roundState(round: number): RoundState<V> {
    let state = this.rounds.get(round);
    if (state === undefined) {
      state = new RoundState<V>(this.validatorCount);
      this.rounds.set(round, state);
    }
    return state;
  }

  private noteSender(round: number, sender: number): void {
    const state = this.roundState(round);
    state.senders.add(sender);
    if (round > this.currentRound && round > this.skipRound && isOneThird(state.senders.size, this.validatorCount)) {
      this.skipRound = round;
    }
  }

  private recordProposal(proposal: Proposal<V>): void {
    const hash = this.safeHash(proposal.value);
    if (hash === undefined) return;
    const state = this.roundState(proposal.round);
    if (state.proposal === undefined) {
      state.proposal = { ...proposal };
    } else if (this.config.hashOf(state.proposal.value) !== hash) {
      // The proposer equivocated. The first proposal stays the one we prevote on, but we still learn a
      // second value when votes of this round name it, so a commit for it can be decided; values nobody
      // voted for are not stored, which bounds what a byzantine proposer can make us keep.
      if (!state.prevotes.has(hash) && !state.precommits.has(hash)) return;
    }
    this.noteSender(proposal.round, proposal.proposer);
    this.learnValue(hash, proposal.value);
  }

  private learnValue(hash: string, value: V): void {
    if (this.values.has(hash)) return;
    this.values.set(hash, { value, valid: undefined });
    if (this.commitRounds.has(hash)) this.commitCandidates.push(hash);
  }

  private recordVote(vote: Vote): void {
    const state = this.roundState(vote.round);
    const tally = state.tally(vote.type);
    const result = tally.add(vote);
    if (result.kind === 'duplicate') return;
    if (result.kind === 'conflict') {
      if (result.reportable) this.actions.push({ type: 'equivocation', first: result.first, second: vote });
    } else {
      this.noteSender(vote.round, vote.validator);
    }
    if (vote.type === 'precommit' && vote.blockHash !== null && !this.commitRounds.has(vote.blockHash)) {
      if (isTwoThirds(tally.count(vote.blockHash), this.validatorCount)) {
        this.commitRounds.set(vote.blockHash, vote.round);
        this.commitCandidates.push(vote.blockHash);
      }
    }
  }

  // ---- the rules ----

  /** Applies every rule whose condition holds until none does, then hands out the actions. */
  private flush(): BftAction<V>[] {
    if (this.started) {
      while (!this.decided && (this.tryDecide() || this.tryRoundSkip() || this.tryCurrentRoundRules())) {
        // each pass changed state; the loop ends because every rule is guarded by step or a once-flag
      }
    }
    const out = this.actions;
    this.actions = [];
    return out;
  }

  /** Line 49: a proposal of any round r for v and +2/3 precommits for id(v) in r decide v. */
  private tryDecide(): boolean {
    while (this.commitCandidates.length > 0) {
      const hash = this.commitCandidates.pop() as string;
      const round = this.commitRounds.get(hash);
      const known = this.values.get(hash);
      if (round === undefined || known === undefined || !this.isValidValue(hash, known)) continue;
      this.decision = { value: known.value, round };
      const precommits = this.roundState(round).precommits.votesFor(hash);
      this.actions.push({ type: 'decide', height: this.height, round, value: known.value, precommits });
      return true;
    }
    return false;
  }

  /** Line 55: f+1 validators in a higher round means at least one honest one is there: follow it. */
  private tryRoundSkip(): boolean {
    if (this.skipRound <= this.currentRound) return false;
    this.startRound(this.skipRound);
    return true;
  }

  private tryCurrentRoundRules(): boolean {
    const round = this.currentRound;
    const state = this.roundState(round);

    if (this.currentStep === 'propose' && state.proposal !== undefined && this.prevoteOnProposal(state.proposal)) {
      return true;
    }
    // Line 34
    if (this.currentStep === 'prevote' && !state.prevoteTimeoutScheduled && state.prevotes.hasTwoThirdsAny()) {
      state.prevoteTimeoutScheduled = true;
      this.scheduleTimeout('prevote', round);
      return true;
    }
    const prevoteQuorum = state.prevotes.quorum;
    // Line 36: a proof-of-lock for a valid value in this round; validValue is updated even at precommit.
    if (!state.proofOfLockHandled && this.currentStep !== 'propose' && prevoteQuorum !== undefined && prevoteQuorum.hash !== null) {
      const known = this.values.get(prevoteQuorum.hash);
      if (known !== undefined && this.isValidValue(prevoteQuorum.hash, known)) {
        state.proofOfLockHandled = true;
        if (this.currentStep === 'prevote') {
          this.lockedValue = known.value;
          this.lockedRound = round;
          this.castVote('precommit', prevoteQuorum.hash);
          this.currentStep = 'precommit';
        }
        this.validValue = known.value;
        this.validRound = round;
        return true;
      }
    }
    // Line 44
    if (this.currentStep === 'prevote' && prevoteQuorum !== undefined && prevoteQuorum.hash === null) {
      this.castVote('precommit', null);
      this.currentStep = 'precommit';
      return true;
    }
    // Line 47
    if (!state.precommitTimeoutScheduled && state.precommits.hasTwoThirdsAny()) {
      state.precommitTimeoutScheduled = true;
      this.scheduleTimeout('precommit', round);
      return true;
    }
    return false;
  }

  /**
   * Lines 22 and 28. A fresh proposal (validRound -1) gets our prevote unless we are locked on another
   * value; a re-proposal under a proof-of-lock from round vr waits for that POL, and then may release a
   * lock from a round no later than vr.
   */
  private prevoteOnProposal(proposal: Proposal<V>): boolean {
    const hash = this.config.hashOf(proposal.value);
    const known = this.values.get(hash);
    const valid = known !== undefined && this.isValidValue(hash, known);
    const lockedOnIt = this.lockedValue !== null && this.config.hashOf(this.lockedValue) === hash;
    if (proposal.validRound === -1) {
      this.castVote('prevote', valid && (this.lockedRound === -1 || lockedOnIt) ? hash : null);
      this.currentStep = 'prevote';
      return true;
    }
    const pol = this.rounds.get(proposal.validRound)?.prevotes;
    if (pol === undefined || !isTwoThirds(pol.count(hash), this.validatorCount)) return false; // wait for the POL or the timeout
    this.castVote('prevote', valid && (this.lockedRound <= proposal.validRound || lockedOnIt) ? hash : null);
    this.currentStep = 'prevote';
    return true;
  }

  /** Line 11. */
  private startRound(round: number): void {
    this.currentRound = round;
    this.currentStep = 'propose';
    this.actions.push({ type: 'enterRound', height: this.height, round });
    const self = this.config.self;
    if (self !== null && this.config.proposer(this.height, round) === self) {
      const value = this.validValue ?? this.config.getValue(round);
      if (value !== null) {
        const proposal: Proposal<V> = { height: this.height, round, value, validRound: this.validRound, proposer: self };
        this.actions.push({ type: 'proposal', proposal });
        this.recordProposal(proposal);
        return;
      }
    }
    // Not the proposer, or nothing to propose: wait for a proposal at most timeoutPropose(round).
    this.scheduleTimeout('propose', round);
  }

  private scheduleTimeout(step: Step, round: number): void {
    const { proposeMs, prevoteMs, precommitMs, deltaMs } = this.config.timeouts;
    const base = step === 'propose' ? proposeMs : step === 'prevote' ? prevoteMs : precommitMs;
    this.actions.push({ type: 'timeout', step, height: this.height, round, delayMs: base + round * deltaMs });
  }

  /**
   * Emits and counts our own vote. A full node (self = null) votes nothing but moves through the steps.
   * If a vote of ours for this round and type is already stored (the caller replayed it after a restart,
   * or a peer gossiped it back), we repeat that vote instead of signing a second, conflicting one.
   */
  private castVote(type: VoteType, blockHash: string | null): void {
    const self = this.config.self;
    if (self === null) return;
    const round = this.currentRound;
    const previous = this.roundState(round).tally(type).voteOf(self);
    if (previous !== undefined) {
      this.actions.push({ type: 'vote', vote: { ...previous } });
      return;
    }
    const vote: Vote = { type, height: this.height, round, blockHash, validator: self };
    this.actions.push({ type: 'vote', vote: { ...vote } });
    this.recordVote(vote);
  }

  private isValidValue(hash: string, known: KnownValue<V>): boolean {
    if (known.valid === undefined) {
      try {
        known.valid = this.config.isValid(known.value) === true;
      } catch {
        known.valid = false; // a value the application cannot even inspect is not valid
      }
      this.values.set(hash, known);
    }
    return known.valid;
  }

  private safeHash(value: V): string | undefined {
    try {
      const hash = this.config.hashOf(value);
      return typeof hash === 'string' ? hash : undefined;
    } catch {
      return undefined; // malformed value from the network
    }
  }
}

function isRound(round: number): boolean {
  return Number.isSafeInteger(round) && round >= 0;
}
