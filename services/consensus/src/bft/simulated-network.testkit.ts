// An in-memory network of HeightConsensus machines on a virtual clock, for the unit tests (no I/O, no
// real timers). It delivers, drops, delays, reorders and duplicates messages, plays crashed and
// byzantine validators, and checks the safety invariants on every action the machines emit.
import { HeightConsensus } from './height-consensus.js';
import type { BftAction, BftConfig, LockState, Proposal, Step, Vote } from './types.js';

export type Message = { kind: 'proposal'; proposal: Proposal<string> } | { kind: 'vote'; vote: Vote };
export interface Envelope {
  from: number;
  to: number;
  message: Message;
}
/** A scenario's say over one message: deliver with the network's delay, drop it, or deliver after delayMs. */
export type Verdict = 'deliver' | 'drop' | { delayMs: number };

export const HEIGHT = 7;
export const hashOf = (value: string): string => `hash(${value})`;

/** mulberry32: a small seeded PRNG, so a failing seed can be replayed exactly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface NetworkOptions {
  validatorCount: number;
  /** Extra non-validating followers (self = null), numbered after the validators. */
  fullNodes?: number;
  seed?: number;
  /** Never started and never send: a crashed validator. */
  crashed?: number[];
  /** Run the protocol but send each recipient its own, possibly different, votes and proposals. */
  byzantine?: number[];
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Before gstMs, each message is dropped with this probability and duplicated with duplicateProbability. */
  dropProbability?: number;
  duplicateProbability?: number;
  /** Global stabilisation time: from here on nothing is dropped and honest nodes re-gossip what they hold. */
  gstMs?: number;
  regossipEveryMs?: number;
  intercept?: (envelope: Envelope, nowMs: number) => Verdict;
  restored?: Map<number, LockState<string>>;
  proposer?: (height: number, round: number) => number;
  isValid?: (value: string) => boolean;
  getValue?: (node: number, round: number) => string | null;
}

interface QueuedEvent {
  at: number;
  seq: number;
  run: () => void;
}

export interface Decision {
  node: number;
  round: number;
  value: string;
  precommits: Vote[];
  atMs: number;
}

const earlier = (a: QueuedEvent, b: QueuedEvent): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

const TIMEOUTS = { proposeMs: 300, prevoteMs: 100, precommitMs: 100, deltaMs: 50 };

export class SimulatedNetwork {
  readonly nodes: (HeightConsensus<string> | undefined)[] = [];
  readonly decisions: Decision[] = [];
  readonly equivocations: { node: number; first: Vote; second: Vote }[] = [];
  /** Every invariant the run broke; a test asserts this is empty. */
  readonly violations: string[] = [];
  /** Every vote any validator signed, to any recipient (byzantine variants included). */
  readonly signedVotes: Vote[] = [];
  readonly signedProposals: Proposal<string>[] = [];
  readonly actionsOf = new Map<number, BftAction<string>[]>();
  now = 0;

  private readonly n: number;
  private readonly total: number;
  private readonly random: () => number;
  private readonly crashed: Set<number>;
  private readonly byzantine: Set<number>;
  private readonly queue: QueuedEvent[] = [];
  private seq = 0;
  private readonly ownVotes = new Map<string, Vote>();
  private readonly lastLock = new Map<number, { round: number; hash: string }>();

  constructor(private readonly options: NetworkOptions) {
    this.n = options.validatorCount;
    this.total = this.n + (options.fullNodes ?? 0);
    this.random = seededRandom(options.seed ?? 1);
    this.crashed = new Set(options.crashed ?? []);
    this.byzantine = new Set(options.byzantine ?? []);
    for (let node = 0; node < this.total; node++) this.nodes.push(this.crashed.has(node) ? undefined : this.createNode(node));
  }

  isHonest(node: number): boolean {
    return !this.crashed.has(node) && !this.byzantine.has(node);
  }

  honestNodes(): number[] {
    return [...Array(this.total).keys()].filter((node) => this.isHonest(node));
  }

  createNode(node: number, restored?: LockState<string>): HeightConsensus<string> {
    const proposer = this.options.proposer ?? ((height: number, round: number) => (height + round) % this.n);
    const config: BftConfig<string> = {
      height: HEIGHT,
      validatorCount: this.n,
      self: node < this.n ? node : null,
      proposer,
      hashOf,
      isValid: this.options.isValid ?? ((value) => !value.startsWith('invalid')),
      getValue: (round) => (this.options.getValue ? this.options.getValue(node, round) : `block(p${node},r${round})`),
      timeouts: TIMEOUTS,
    };
    return new HeightConsensus(config, restored ?? this.options.restored?.get(node));
  }

  start(): void {
    for (let node = 0; node < this.total; node++) {
      const machine = this.nodes[node];
      if (machine !== undefined) this.handle(node, machine.start());
    }
    if (this.options.gstMs !== undefined) this.schedule(this.options.gstMs, () => this.regossip());
  }

  /** Replaces a node's machine by a fresh one, as after a process restart, and starts it. */
  restart(node: number, restored: LockState<string> | undefined, replayOwnVotes: Vote[] = []): void {
    const machine = this.createNode(node, restored);
    this.nodes[node] = machine;
    this.crashed.delete(node);
    for (const vote of replayOwnVotes) machine.onVote(vote);
    this.handle(node, machine.start());
  }

  crash(node: number): void {
    this.nodes[node] = undefined;
    this.crashed.add(node);
  }

  /** Delivers one message directly (scenario tests that script the byzantine side). */
  inject(to: number, message: Message): void {
    const machine = this.nodes[to];
    if (machine === undefined) return;
    this.handle(to, message.kind === 'vote' ? machine.onVote(message.vote) : machine.onProposal(message.proposal));
  }

  /** Runs events in virtual-time order until `until` returns true, the queue empties, or maxMs passes. */
  run(maxMs: number, until: () => boolean = () => this.allHonestDecided()): void {
    let steps = 0;
    while (this.queue.length > 0 && !until()) {
      const event = this.popEarliest();
      if (event.at > maxMs) {
        this.schedule(event.at, event.run);
        break;
      }
      this.now = event.at;
      event.run();
      if (++steps > 2_000_000) throw new Error('simulation did not settle');
    }
  }

  allHonestDecided(): boolean {
    return this.honestNodes().every((node) => this.nodes[node]?.decided === true);
  }

  decisionOf(node: number): Decision | undefined {
    return this.decisions.find((d) => d.node === node);
  }

  // ---- internals ----

  private handle(node: number, actions: BftAction<string>[]): void {
    const log = this.actionsOf.get(node) ?? [];
    log.push(...actions);
    this.actionsOf.set(node, log);
    for (const action of actions) {
      switch (action.type) {
        case 'proposal':
          this.signedProposals.push(action.proposal);
          this.broadcast(node, { kind: 'proposal', proposal: action.proposal });
          break;
        case 'vote':
          this.checkOwnVote(node, action.vote);
          this.broadcast(node, { kind: 'vote', vote: action.vote });
          break;
        case 'timeout': {
          const { step, height, round } = action;
          this.schedule(this.now + action.delayMs, () => this.fire(node, step, height, round));
          break;
        }
        case 'decide':
          this.checkDecision(node, action);
          break;
        case 'equivocation':
          this.equivocations.push({ node, first: action.first, second: action.second });
          this.checkEvidence(node, action.first, action.second);
          break;
        case 'enterRound':
          break;
      }
    }
  }

  private fire(node: number, step: Step, height: number, round: number): void {
    const machine = this.nodes[node];
    if (machine !== undefined) this.handle(node, machine.onTimeout(step, height, round));
  }

  private broadcast(from: number, message: Message): void {
    if (this.crashed.has(from)) return;
    for (let to = 0; to < this.total; to++) {
      if (to === from) continue;
      this.send({ from, to, message: this.byzantine.has(from) ? this.corrupt(from, to, message) : message });
    }
  }

  /** A byzantine validator signs a different vote or block for roughly half of its recipients. */
  private corrupt(from: number, to: number, message: Message): Message {
    if (this.random() < 0.5) return message;
    if (message.kind === 'vote') {
      const choices = [null, hashOf(`evil(p${from},r${message.vote.round})`), ...this.signedProposals.map((p) => hashOf(p.value))];
      const blockHash = choices[Math.floor(this.random() * choices.length)] ?? null;
      const vote = { ...message.vote, blockHash };
      this.signedVotes.push(vote);
      return { kind: 'vote', vote };
    }
    const proposal = { ...message.proposal, value: `evil(p${from},r${message.proposal.round},to${to % 2})`, validRound: -1 };
    this.signedProposals.push(proposal);
    return { kind: 'proposal', proposal };
  }

  private send(envelope: Envelope): void {
    const verdict = this.options.intercept?.(envelope, this.now) ?? 'deliver';
    if (verdict === 'drop') return;
    const beforeGst = this.options.gstMs === undefined || this.now < this.options.gstMs;
    if (beforeGst && this.random() < (this.options.dropProbability ?? 0)) return;
    const copies = beforeGst && this.random() < (this.options.duplicateProbability ?? 0) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const delay = typeof verdict === 'object' ? verdict.delayMs : this.randomDelay();
      this.schedule(this.now + delay, () => this.deliver(envelope));
    }
  }

  private deliver({ to, message }: Envelope): void {
    const machine = this.nodes[to];
    if (machine === undefined) return;
    this.handle(to, message.kind === 'vote' ? machine.onVote(message.vote) : machine.onProposal(message.proposal));
  }

  private randomDelay(): number {
    const min = this.options.minDelayMs ?? 1;
    const max = this.options.maxDelayMs ?? 20;
    return min + Math.floor(this.random() * (max - min + 1));
  }

  /** After GST honest nodes re-send what they hold, as the gossip layer does for peers that missed it. */
  private regossip(): void {
    if (this.allHonestDecided()) return;
    for (const node of this.honestNodes()) {
      const machine = this.nodes[node];
      if (machine === undefined) continue;
      for (let round = 0; round <= machine.round; round++) {
        const proposal = machine.proposalFor(round);
        if (proposal !== undefined) this.broadcast(node, { kind: 'proposal', proposal });
        for (const vote of [...machine.votesFor(round, 'prevote'), ...machine.votesFor(round, 'precommit')]) {
          this.broadcast(node, { kind: 'vote', vote });
        }
      }
    }
    this.schedule(this.now + (this.options.regossipEveryMs ?? 200), () => this.regossip());
  }

  private schedule(at: number, run: () => void): void {
    // Binary min-heap on (time, sequence): equal times run in the order they were scheduled.
    const heap = this.queue;
    heap.push({ at, seq: this.seq++, run });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i] as QueuedEvent, heap[parent] as QueuedEvent)) break;
      [heap[i], heap[parent]] = [heap[parent] as QueuedEvent, heap[i] as QueuedEvent];
      i = parent;
    }
  }

  private popEarliest(): QueuedEvent {
    const heap = this.queue;
    const top = heap[0] as QueuedEvent;
    const last = heap.pop() as QueuedEvent;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let best = i;
        if (left < heap.length && earlier(heap[left] as QueuedEvent, heap[best] as QueuedEvent)) best = left;
        if (right < heap.length && earlier(heap[right] as QueuedEvent, heap[best] as QueuedEvent)) best = right;
        if (best === i) break;
        [heap[i], heap[best]] = [heap[best] as QueuedEvent, heap[i] as QueuedEvent];
        i = best;
      }
    }
    return top;
  }

  // ---- invariants ----

  private violate(message: string): void {
    this.violations.push(`t=${this.now}: ${message}`);
  }

  /** An honest validator never signs two different votes for one round and type, and honours its lock. */
  private checkOwnVote(node: number, vote: Vote): void {
    if (vote.validator !== node) this.violate(`node ${node} signed a vote as validator ${vote.validator}`);
    this.signedVotes.push(vote);
    if (!this.isHonest(node)) return;
    const key = `${node}/${vote.round}/${vote.type}`;
    const earlier = this.ownVotes.get(key);
    if (earlier !== undefined && earlier.blockHash !== vote.blockHash) {
      this.violate(`honest node ${node} equivocated: ${JSON.stringify(earlier)} vs ${JSON.stringify(vote)}`);
    }
    this.ownVotes.set(key, vote);
    if (vote.type === 'precommit' && vote.blockHash !== null) {
      this.lastLock.set(node, { round: vote.round, hash: vote.blockHash });
    }
    const lock = this.lastLock.get(node);
    if (vote.type === 'prevote' && vote.blockHash !== null && lock !== undefined && lock.hash !== vote.blockHash && lock.round < vote.round) {
      // Locked on another value: only a proof-of-lock for the new value from a round in [lock, now) releases it.
      let released = false;
      for (let round = lock.round; round < vote.round && !released; round++) released = this.hasPolka(round, vote.blockHash);
      if (!released) this.violate(`node ${node} locked on ${lock.hash}@${lock.round} prevoted ${vote.blockHash}@${vote.round} without a newer POL`);
    }
  }

  private hasPolka(round: number, hash: string): boolean {
    const voters = new Set(this.signedVotes.filter((v) => v.type === 'prevote' && v.round === round && v.blockHash === hash).map((v) => v.validator));
    return voters.size * 3 > this.n * 2;
  }

  private checkDecision(node: number, action: Extract<BftAction<string>, { type: 'decide' }>): void {
    if (this.decisionOf(node) !== undefined) this.violate(`node ${node} decided twice`);
    this.decisions.push({ node, round: action.round, value: action.value, precommits: action.precommits, atMs: this.now });
    if (action.height !== HEIGHT) this.violate(`node ${node} decided for height ${action.height}`);
    const voters = new Set<number>();
    for (const vote of action.precommits) {
      if (vote.type !== 'precommit' || vote.height !== HEIGHT || vote.round !== action.round || vote.blockHash !== hashOf(action.value)) {
        this.violate(`node ${node} commit holds a foreign vote ${JSON.stringify(vote)}`);
      }
      voters.add(vote.validator);
    }
    if (voters.size * 3 <= this.n * 2) this.violate(`node ${node} decided with only ${voters.size} precommits`);
    if (!this.signedProposals.some((p) => p.value === action.value)) this.violate(`node ${node} decided a value nobody proposed`);
    if (action.value.startsWith('invalid')) this.violate(`node ${node} decided an invalid value`);
    if (this.isHonest(node) || node >= this.n) {
      for (const other of this.decisions) {
        if ((this.isHonest(other.node) || other.node >= this.n) && other.value !== action.value) {
          this.violate(`disagreement: node ${other.node} decided ${other.value}, node ${node} decided ${action.value}`);
        }
      }
    }
  }

  private checkEvidence(node: number, first: Vote, second: Vote): void {
    if (this.isHonest(first.validator) && first.validator < this.n) this.violate(`node ${node} accused honest validator ${first.validator}`);
    if (first.validator !== second.validator || first.round !== second.round || first.type !== second.type || first.height !== second.height || first.blockHash === second.blockHash) {
      this.violate(`node ${node} reported evidence that is no equivocation`);
    }
  }
}
