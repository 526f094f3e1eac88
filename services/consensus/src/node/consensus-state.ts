import { Logger } from '@nestjs/common';
import { decodeBlock, encodeBody, buildBlock, type Block, type Commit } from '../block/block.js';
import type { SignedVote } from '../block/votes.js';
import { HeightConsensus, type BftAction, type Proposal, type Step, type Vote } from '../bft/index.js';
import type { EvidencePool } from '../evidence/evidence-pool.js';
import type { MempoolReactor } from '../mempool/mempool-reactor.js';
import type { P2PTransport } from '../p2p/transport.js';
import { DoubleSignRefused, type PrivValidator } from '../privval/signer.js';
import { verifySignature } from '@balanceai/chain';
import { proposalSignBytes } from '../block/votes.js';
import { proposerOf, type BlockValidation } from './block-validation.js';
import type { ChainView } from './chain-view.js';
import { FutureInbox } from './future-inbox.js';
import type { Liveness } from './liveness.js';
import type { ValidatorSets } from './validator-sets.js';
import { VoteBook } from './vote-book.js';
import { decodeProposalMessage, decodeVoteMessage, encodeProposalMessage, encodeVoteMessage } from './wire.js';
import { toHex } from '@balanceai/chain';

/** Re-gossip own messages once a height has run this long without a decision. */
const REGOSSIP_AFTER_MS = 1_500;

export interface ConsensusParams {
  blockTimeMs: number;
  timeoutProposeMs: number;
  timeoutVoteMs: number;
  timeoutDeltaMs: number;
  maxBlockExtrinsics: number;
  maxBlockBytes: number;
}

export interface ConsensusStateDeps {
  params: ConsensusParams;
  genesisHash: Uint8Array;
  chain: ChainView;
  sets: ValidatorSets;
  validation: BlockValidation;
  privval: PrivValidator;
  transport: P2PTransport;
  mempool: MempoolReactor;
  evidence: EvidencePool;
  liveness: Liveness;
  now: () => number;
  /** Runs `fn` after `ms` unless the node stopped. */
  later(ms: number, fn: () => void): void;
  /** Runs a task on the node's serial queue. */
  enqueue(task: () => void | Promise<void>): void;
  /** Executes, persists and adopts a decided block (in the serial queue). */
  finalize(block: Block, commit: Commit): Promise<void>;
  /** Peers are ahead: fetch blocks. */
  requestSync(): void;
  isSyncing(): boolean;
  /** A new equivocation to persist. */
  recordEvidence(first: SignedVote, second: SignedVote): void;
  onDecided(round: number): void;
  /** How many extrinsics a proposal may carry now (default: the protocol's maxBlockExtrinsics). */
  proposalLimit?(): number;
}

/**
 * The consensus state driver (CometBFT's consensus/state.go): one HeightConsensus machine per height,
 * fed verified proposals, votes and timeouts; carries out its actions (sign, broadcast, decide).
 * Everything here runs on the node's serial queue.
 */
export class ConsensusState {
  private readonly log = new Logger('Consensus');
  private bft: HeightConsensus<Block> | null = null;
  private bftHeight = 0;
  private heightStartedAt = 0;
  private readonly votes = new VoteBook();
  private readonly future = new FutureInbox();
  private readonly ownProposals = new Map<number, Uint8Array>();
  /** Blocks proposed at this height (verified), two per round at most: the values an honest vote can name. */
  private readonly proposed = new Map<number, string[]>();
  /** Rounds the current height has entered (1 = decided in its first round). */
  roundsThisHeight = 0;

  constructor(private readonly d: ConsensusStateDeps) {}

  get round(): number {
    return this.bft?.round ?? 0;
  }

  get bufferedMessages(): number {
    return this.future.size;
  }

  get voteSignatures(): number {
    return this.votes.size;
  }

  private get nextHeight(): number {
    return this.d.chain.height + 1;
  }

  selfAt(height: number): number | null {
    return this.d.sets.indexOf(height, this.d.privval.publicKey);
  }

  /** Starts consensus for the next height (no-op while syncing or when it already runs). */
  startHeight(): void {
    if (this.d.isSyncing()) return;
    const height = this.nextHeight;
    if (this.bft && this.bftHeight === height) return;
    this.bftHeight = height;
    this.votes.reset(height);
    this.ownProposals.clear();
    this.proposed.clear();
    this.heightStartedAt = this.d.now();
    const p = this.d.params;
    this.bft = new HeightConsensus<Block>(
      {
        height,
        validatorCount: this.d.sets.at(height).length,
        self: this.selfAt(height),
        proposer: (h, r) => proposerOf(this.d.sets, h, r),
        hashOf: (b) => b.hash,
        isValid: (b) => this.isValidBlock(b, height),
        getValue: (round) => this.buildProposal(height, round),
        timeouts: { proposeMs: p.timeoutProposeMs, prevoteMs: p.timeoutVoteMs, precommitMs: p.timeoutVoteMs, deltaMs: p.timeoutDeltaMs },
      },
      this.d.privval.lockFor(height),
    );
    this.roundsThisHeight = 1;
    this.apply(this.bft.start());
    for (const m of this.future.take(height)) {
      if (m.kind === 'vote') this.onVoteMessage(m.data);
      else this.onProposalMessage(m.data);
    }
  }

  /** Drops the running height (a block for it arrived by sync). */
  abandonHeight(): void {
    this.bft = null;
  }

  private buildProposal(height: number, round: number): Block | null {
    const p = this.d.params;
    const head = this.d.chain.head;
    return buildBlock({
      parentHash: head.blockHash,
      number: height,
      stateRoot: head.appHash,
      extrinsics: this.d.mempool.mempool.ready(this.d.chain.ledger, Math.min(p.maxBlockExtrinsics, this.d.proposalLimit?.() ?? Infinity), p.maxBlockBytes),
      meta: { round, proposer: this.selfAt(height) ?? 0, timeMs: Math.max(this.d.now(), head.timeMs + 1) },
      lastCommit: height > 1 ? head.lastCommit : null,
      evidence: this.d.evidence.forProposal(height),
    });
  }

  private isValidBlock(b: Block, height: number): boolean {
    const why = this.d.validation.invalidReason(b, height);
    if (why) this.log.warn(`rejecting proposal ${b.hash} at height ${height}: ${why}`);
    return why === null;
  }

  // ---------------------------------------------------------------- machine actions

  private apply(actions: BftAction<Block>[]): void {
    for (const a of actions) {
      switch (a.type) {
        case 'proposal':
          this.broadcastProposal(a.proposal);
          break;
        case 'vote':
          this.broadcastVote(a.vote);
          break;
        case 'timeout':
          this.d.later(a.delayMs, () => this.d.enqueue(() => this.onTimeout(a.step, a.height, a.round)));
          break;
        case 'decide':
          this.d.enqueue(() => this.onDecide(a.value, a.round, a.precommits));
          break;
        case 'equivocation':
          this.onEquivocation(a.first, a.second);
          break;
        case 'enterRound':
          if (a.round > 0) {
            this.roundsThisHeight = a.round + 1;
            this.log.warn(`height ${a.height}: entering round ${a.round}`);
          }
          break;
      }
    }
  }

  private onTimeout(step: Step, height: number, round: number): void {
    if (!this.bft || height !== this.nextHeight) return;
    this.apply(this.bft.onTimeout(step, height, round));
  }

  private broadcastProposal(p: Proposal<Block>): void {
    let signature: Uint8Array;
    try {
      signature = this.d.privval.signProposal({ height: p.height, round: p.round, validRound: p.validRound, blockHash: p.value.hash });
    } catch (err) {
      if (err instanceof DoubleSignRefused) return this.log.error(err.message);
      throw err;
    }
    const msg = encodeProposalMessage({
      height: p.height,
      round: p.round,
      validRound: p.validRound,
      proposer: p.proposer,
      signature,
      header: p.value.headerBytes,
      body: encodeBody(p.value),
    });
    this.ownProposals.set(p.round, msg);
    this.noteProposed(p.round, p.value.hash);
    this.d.transport.publish('proposal', msg);
  }

  private broadcastVote(v: Vote): void {
    let signed;
    try {
      signed = this.d.privval.signVote(v, this.bft?.lockState());
    } catch (err) {
      if (err instanceof DoubleSignRefused) return this.log.error(err.message);
      throw err;
    }
    this.votes.add(v, signed.signed.signature);
    // The vote leaves only once its signer state is on disk; the queue waits for that write.
    this.d.enqueue(() =>
      signed.persisted.then(
        () => this.d.transport.publish('vote', encodeVoteMessage(signed.signed)),
        (err: unknown) => this.log.error(`vote not sent, signer state not saved: ${(err as Error).message}`),
      ),
    );
  }

  private onEquivocation(first: Vote, second: Vote): void {
    const s1 = this.votes.get(first);
    const s2 = this.votes.get(second);
    if (s1 && s2) this.d.recordEvidence({ ...first, signature: s1 }, { ...second, signature: s2 });
  }

  private async onDecide(block: Block, round: number, precommits: Vote[]): Promise<void> {
    if (block.number !== this.nextHeight) return;
    const commit: Commit = {
      height: block.number,
      round,
      blockHash: block.hash,
      precommits: precommits
        .map((v) => ({ ...v, signature: this.votes.get(v)! }))
        .filter((v) => v.signature)
        .sort((a, b) => a.validator - b.validator),
    };
    await this.d.finalize(block, commit);
    this.d.onDecided(round);
    this.bft = null;
    const wait = Math.max(0, this.d.params.blockTimeMs - (this.d.now() - this.heightStartedAt));
    this.d.later(wait, () => this.d.enqueue(() => this.startHeight()));
  }

  /** A proposer that signs many blocks for one round gets two of them remembered, not all. */
  private noteProposed(round: number, hash: string): void {
    const hashes = this.proposed.get(round) ?? [];
    if (hashes.length < 2 && !hashes.includes(hash)) this.proposed.set(round, [...hashes, hash]);
  }

  // ---------------------------------------------------------------- gossip in

  onProposalMessage(data: Uint8Array): void {
    let m;
    let block: Block;
    try {
      m = decodeProposalMessage(data);
      block = decodeBlock(m.header, m.body);
    } catch {
      return;
    }
    const key = this.d.sets.at(m.height)[m.proposer]?.key;
    if (!key || m.proposer !== proposerOf(this.d.sets, m.height, m.round)) return;
    const signBytes = proposalSignBytes(this.d.genesisHash, { height: m.height, round: m.round, validRound: m.validRound, blockHash: block.hash });
    if (block.number !== m.height || !verifySignature('ed25519', key, signBytes, m.signature)) return;
    this.d.liveness.seen(key, m.height);
    const height = this.nextHeight;
    if (m.height < height) return;
    if (m.height > height || !this.bft) return this.ahead(toHex(key), { kind: 'proposal', height: m.height, data });
    this.noteProposed(m.round, block.hash);
    this.d.mempool.prevalidate(block);
    this.apply(this.bft.onProposal({ height: m.height, round: m.round, value: block, validRound: m.validRound, proposer: m.proposer }));
  }

  onVoteMessage(data: Uint8Array): void {
    let v: SignedVote;
    try {
      v = decodeVoteMessage(data);
    } catch {
      return;
    }
    const height = this.nextHeight;
    if (v.height === height && this.bft && this.votes.has(v)) return; // duplicate: no signature check
    if (v.height < height - 1) return;
    if (!this.d.validation.verifyVote(v)) return;
    const key = this.d.sets.at(v.height)[v.validator]!.key;
    this.d.liveness.seen(key, v.height);
    if (v.height < height) {
      this.d.chain.addLatePrecommit(v);
      return;
    }
    if (v.height > height || !this.bft) return this.ahead(toHex(key), { kind: 'vote', height: v.height, data });
    // Nothing is stored for a round the machine would not keep (CometBFT's peerCatchupRounds).
    const mayMatter = v.blockHash === null || [...this.proposed.values()].some((hashes) => hashes.includes(v.blockHash!));
    if (!this.bft.admits(v.validator, v.round) || !this.votes.add(v, v.signature, mayMatter)) return;
    this.apply(this.bft.onVote({ type: v.type, height: v.height, round: v.round, blockHash: v.blockHash, validator: v.validator }));
  }

  /** A verified message for a height not started yet: keep the next height's, sync when peers are further. */
  private ahead(sender: string, m: { kind: 'vote' | 'proposal'; height: number; data: Uint8Array }): void {
    const height = this.nextHeight;
    if (m.height <= height + 1) this.future.add(sender, m);
    if (m.height > height) this.d.requestSync();
  }

  /** Re-send this height's own proposal and votes: peers that were paused or restarted missed them. */
  regossip(): void {
    if (!this.bft || this.selfAt(this.nextHeight) === null) return;
    if (this.d.now() - this.heightStartedAt < REGOSSIP_AFTER_MS) return;
    for (const msg of this.ownProposals.values()) this.d.transport.publish('proposal', msg);
    const height = this.nextHeight;
    for (let r = Math.max(0, this.bft.round - 1); r <= this.bft.round; r++) {
      for (const type of ['prevote', 'precommit'] as const) {
        for (const v of this.bft.votesFor(r, type)) {
          const signature = this.votes.get(v);
          if (signature && v.height === height) this.d.transport.publish('vote', encodeVoteMessage({ ...v, signature }));
        }
      }
    }
  }
}
