import { Logger } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { fromHex, type DecodedExtrinsic, type Genesis, type KeyPair } from '@balanceai/chain';
import { inSpan, type BaiMetrics } from '@balanceai/platform';
import type { Block, Commit } from '../block/block.js';
import type { SignedVote } from '../block/votes.js';
import { EvidencePool, encodeEvidencePair, offenceId } from '../evidence/evidence-pool.js';
import { FinalizedPublisher, type FinalizedSink } from '../events/finalized-publisher.js';
import { BlockExecutor, PersistFailure } from '../execution/block-executor.js';
import type { ExecutionContext } from '../ledger/executor.js';
import type { ChainParams } from '../ledger/params.js';
import { DEFAULT_MEMPOOL_MAX_BYTES, Mempool, type MempoolRejection } from '../mempool/mempool.js';
import { MempoolReactor } from '../mempool/mempool-reactor.js';
import type { SignatureVerifier } from '../mempool/verify-pool.js';
import type { ModuleSet } from '../modules/module-set.js';
import { ModuleFault } from '../modules/transfers.js';
import { NatsTransport } from '../p2p/nats-transport.js';
import type { P2PTransport } from '../p2p/transport.js';
import { PrivValidator, SignerStateCorrupt } from '../privval/signer.js';
import type { NodeStore } from '../store/store.js';
import { BlockSync } from '../sync/block-sync.js';
import { AppHashMismatchError, BlockValidation } from './block-validation.js';
import type { ChainView } from './chain-view.js';
import { ConsensusState } from './consensus-state.js';
import { Liveness } from './liveness.js';
import { ProposalBudget } from './proposal-budget.js';
import { realScheduler, Timers, type Scheduler } from './scheduler.js';
import { loadChain } from './load-chain.js';
import { ValidatorSets, type ValidatorEntry } from './validator-sets.js';

export interface NodeDeps {
  genesis: Genesis;
  genesisHash: Uint8Array;
  params: ChainParams;
  /** ed25519 consensus key; null = full node. */
  validatorKey: KeyPair | null;
  store: NodeStore;
  /** Gossip (p2p subjects) and the event stream; null only with both `transport` and `events` given. */
  nats: NatsConnection | null;
  /** Gossip transport (default: NATS on the same connection). */
  transport?: P2PTransport;
  /** Where finalized blocks go (default: the JetStream event stream). */
  events?: FinalizedSink;
  /** Clock and timers for proposals, timeouts and liveness only; execution reads time from the block. */
  scheduler?: Scheduler;
  /** The module services this validator drives each block (none: ledger only). */
  modules?: ModuleSet | null;
  metrics?: BaiMetrics;
  /** This node's mempool bounds (local policy); maxTxs never above the genesis `mempoolMaxTxs`. */
  mempool?: { maxTxs?: number; maxBytes?: number };
  /** Worker threads verifying peers' and clients' signatures (none: inline, as the simulated nodes). */
  verifier?: SignatureVerifier | null;
}

/** Share of the block interval a proposal's execution and persistence may take (see ProposalBudget). */
export const EXECUTION_SHARE = 0.5;
/** A proposal carries at least this many extrinsics when the pool has them. */
export const MIN_PROPOSAL_TXS = 64;
/**
 * The pool holds at most this many proposals' worth: the next proposal, and half of one more being refilled
 * while it executes. An accepted tx then waits at most about two intervals (measured at 3x saturation:
 * p99 submit->final 3.5 s with 2 proposals' worth, 5 s with 3, 2.9 s with 1.5).
 */
export const POOL_PROPOSALS = 1.5;
/** ... and at least this many txs (a burst from wallets, or a node slowed for a moment, is not refused at once). */
export const MIN_POOL_CAPACITY = 1_024;

/** With a verifier, batches of fewer signatures are checked inline (a thread hand-off per 1-3 txs costs more than it saves). */
export const INLINE_VERIFY_BELOW = 4;

/**
 * Whether the validator at `index` publishes a finalized block on the event stream: its proposer and the f
 * validators after it (f = ⌊(n−1)/3⌋), so at least one correct validator publishes every block whatever f
 * of them crash; JetStream keeps one copy per message id. (All n publishing cost ~0.02 CPU-ms per transfer
 * more and ~13 % of goodput at 3× saturation; the proposer alone was lost with it.)
 */
export function publishesBlock(index: number, proposer: number, validators: number): boolean {
  const f = Math.floor((validators - 1) / 3);
  return (index - proposer + validators) % validators <= f;
}

/** The run-time count bound of the pool for a proposal limit. */
export function poolCapacity(proposalLimit: number): number {
  return Math.max(Math.floor(POOL_PROPOSALS * proposalLimit), MIN_POOL_CAPACITY);
}

/** Errors after which this node must not go on: it stops instead of forking or double signing. */
const FATAL = [AppHashMismatchError, ModuleFault, PersistFailure, SignerStateCorrupt];

/**
 * One validator (or full node): wires the reactors — consensus state, mempool, block sync, evidence,
 * signer, executor, publisher — and runs every input through one serial queue, so state is never
 * touched by two tasks at once. The committed state changes only when a persisted block is adopted.
 */
export class ConsensusNode {
  private readonly log = new Logger('Node');
  readonly chainId: string;
  readonly validatorSets: ValidatorSets;
  readonly mempool: Mempool;
  readonly evidence = new EvidencePool();
  /** How many extrinsics a proposal of this node carries (learnt from its execution times). */
  readonly budget: ProposalBudget;
  private readonly now: () => number;
  private readonly timers: Timers;
  private readonly transport: P2PTransport;
  private readonly liveness: Liveness;
  private chain!: ChainView;
  private consensus!: ConsensusState;
  private reactor!: MempoolReactor;
  private sync!: BlockSync;
  private executor!: BlockExecutor;
  private readonly publisher: FinalizedSink;
  private validation!: BlockValidation;
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Set when this node must not go on (app hash mismatch, module fault, failed write, bad signer state). */
  fatal: Error | null = null;
  private onFatal: (err: Error) => void = () => {};
  private readonly stopHooks: Array<() => void> = [];

  constructor(private readonly deps: NodeDeps) {
    this.chainId = deps.genesis.chainId;
    this.validatorSets = new ValidatorSets(deps.genesis.validators.map((v) => ({ key: fromHex(v.consensusKey, 32), stash: v.stash })));
    const p = deps.genesis.params;
    this.mempool = new Mempool({
      maxTxs: Math.min(p.mempoolMaxTxs, deps.mempool?.maxTxs ?? p.mempoolMaxTxs),
      maxBytes: deps.mempool?.maxBytes ?? DEFAULT_MEMPOOL_MAX_BYTES,
    });
    this.budget = new ProposalBudget(p.blockTimeMs * EXECUTION_SHARE, p.maxBlockExtrinsics, Math.min(MIN_PROPOSAL_TXS, p.maxBlockExtrinsics));
    this.mempool.setCapacity(poolCapacity(this.budget.limit));
    this.timers = new Timers(deps.scheduler ?? realScheduler);
    this.now = () => this.timers.scheduler.now();
    if (!deps.nats && (!deps.transport || !deps.events)) throw new Error('a NATS connection is required without both a transport and an event sink');
    this.transport = deps.transport ?? new NatsTransport(deps.nats!, this.chainId);
    this.publisher = deps.events ?? new FinalizedPublisher(deps.nats!, this.chainId);
    this.liveness = new Liveness(deps.genesisHash, this.now);
  }

  /** The committed chain: head and ledger change together when a block is adopted. */
  get committed(): ChainView {
    return this.chain;
  }
  /** The module services this node drives (null: ledger only). */
  get modules(): ModuleSet | null {
    return this.deps.modules ?? null;
  }
  get committedHeight(): number {
    return this.chain.height;
  }
  get isSyncing(): boolean {
    return this.sync.syncing;
  }
  get consensusRound(): number {
    return this.consensus.round;
  }
  /** The set deciding the next height. */
  get currentValidators(): ValidatorEntry[] {
    return this.validatorSets.at(this.committedHeight + 1);
  }
  get selfIndex(): number | null {
    return this.validatorSets.indexOf(this.committedHeight + 1, this.deps.validatorKey?.publicKey);
  }
  /** Sizes of every bounded buffer, for /metrics. */
  get bufferSizes(): Record<string, number> {
    return {
      future_messages: this.consensus.bufferedMessages,
      vote_signatures: this.consensus.voteSignatures,
      pending_evidence: this.evidence.pendingCount,
      included_offences: this.evidence.includedCount,
      submit_traces: this.reactor.traceCount,
      mempool: this.mempool.size,
      mempool_bytes: this.mempool.bytes,
      mempool_capacity: this.mempool.capacity,
      verified_signatures: this.mempool.signatures.size,
    };
  }

  validatorsOnline(): Array<{ index: number; online: boolean; lastSeenHeight: number }> {
    return this.currentValidators.map((v, index) =>
      index === this.selfIndex ? { index, online: true, lastSeenHeight: this.committedHeight + 1 } : { index, ...this.liveness.status(v.key) },
    );
  }

  executionContext(height: number): ExecutionContext {
    return this.chain.executionContext(height, {
      isVerified: (h, birth) => this.mempool.isVerified(h, birth),
      modulePallets: this.deps.modules?.pallets,
    });
  }

  /** Admits a client's extrinsic to the mempool (throws MempoolRejection naming the cause) and gossips it. */
  async submit(xt: DecodedExtrinsic): Promise<string> {
    if (this.fatal) throw this.fatal;
    return this.reactor.submitAsync(xt);
  }

  /**
   * Admits clients' extrinsics in order: a hash or the MempoolRejection per extrinsic (one batch of signature
   * checks). `traceparents[i]`: extrinsic i's submission trace, which its block's execution links to.
   */
  async submitMany(xts: DecodedExtrinsic[], traceparents?: ReadonlyArray<string | undefined>): Promise<Array<string | MempoolRejection>> {
    if (this.fatal) throw this.fatal;
    return this.reactor.submitMany(xts, traceparents);
  }

  async start(onFatal: (err: Error) => void): Promise<void> {
    this.onFatal = onFatal;
    const { store, genesis, genesisHash } = this.deps;
    this.chain = await loadChain(store, genesis, genesisHash, this.validatorSets, this.evidence);
    // Fail closed: a signer state that does not decode throws here, before anything is signed.
    const privval = new PrivValidator(this.deps.validatorKey, genesisHash, store, await store.signerState());
    this.executor = new BlockExecutor(this.deps.params, store, this.deps.modules ?? null, this.validatorSets);
    await this.executor.connectModules(this.chain.height, this.chain.head.appHash, this.chain.ledger);
    await this.publisher.ensureStream();
    this.reactor = new MempoolReactor(this.mempool, this.transport, this.chain, this.deps.params, (h) => this.executionContext(h), (ms, fn) => this.timers.later(ms, fn), this.deps.verifier ?? null, INLINE_VERIFY_BELOW);
    this.sync = new BlockSync(
      this.transport,
      {
        committedHeight: () => this.chain.height,
        blocksFrom: (h, n) => store.blocksFrom(h, n),
        applySynced: (block, commit) => this.applySynced(block, commit),
        isStopped: () => this.stopped || this.fatal !== null,
      },
      () => this.enqueue(() => this.consensus.startHeight()),
    );
    const p = genesis.params;
    this.validation = new BlockValidation(this.validatorSets, genesisHash, this.chain, this.evidence, p, this.now);
    this.consensus = new ConsensusState({
      params: p,
      genesisHash,
      chain: this.chain,
      sets: this.validatorSets,
      validation: this.validation,
      privval,
      transport: this.transport,
      mempool: this.reactor,
      evidence: this.evidence,
      liveness: this.liveness,
      now: this.now,
      later: (ms, fn) => this.timers.later(ms, fn),
      enqueue: (task) => void this.enqueue(task),
      finalize: (block, commit) => this.finalize(block, commit),
      requestSync: () => this.syncIfPeersAhead(),
      isSyncing: () => this.sync.syncing,
      recordEvidence: (first, second) => this.recordEvidence(first, second),
      onDecided: (round) => this.deps.metrics?.consensusRounds.observe(round + 1),
      proposalLimit: () => this.budget.limit,
    });
    this.reactor.start();
    this.sync.start();
    this.transport.subscribe('proposal', (d) => void this.enqueue(() => this.consensus.onProposalMessage(d)));
    this.transport.subscribe('vote', (d) => void this.enqueue(() => this.consensus.onVoteMessage(d)));
    this.transport.subscribe('status', (d) => this.onStatus(d));
    this.timers.every(1_000, () => this.publishStatus());
    this.timers.every(1_000, () => void this.enqueue(() => this.consensus.regossip()));
    void this.enqueue(() => this.consensus.startHeight());
    this.log.log(
      `chain ${this.chainId} at height ${this.committedHeight}, ${this.currentValidators.length} validators, ` +
        (this.selfIndex === null ? 'full node' : `validator #${this.selfIndex}`),
    );
  }

  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const h of this.stopHooks) h();
    this.timers.stop();
    this.reactor?.close();
    this.publisher.close?.();
    await this.deps.verifier?.close().catch(() => {});
    this.transport.close();
    await this.queue.catch(() => {});
  }

  private enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.stopped || this.fatal) return;
      await task();
    });
    this.queue = run.catch((err: unknown) => {
      if (FATAL.some((k) => err instanceof k)) return this.halt(err as Error);
      this.log.error(`consensus task failed: ${(err as Error).stack ?? String(err)}`);
    });
    return run.catch(() => {});
  }

  private halt(err: Error): void {
    if (this.fatal) return;
    this.fatal = err;
    this.log.error(err.message);
    this.onFatal(err);
  }

  /** Executes a decided (or synced) block on a draft, persists, adopts and publishes it, in one span. */
  private async finalize(block: Block, commit: Commit): Promise<void> {
    await inSpan(
      'execute block',
      { 'bai.block.number': block.number, 'bai.block.hash': block.hash, 'bai.block.extrinsics': block.extrinsics.length },
      () => this.executeAndAdopt(block, commit),
      { links: this.reactor.takeTraceLinks(block) },
    );
  }

  private async executeAndAdopt(block: Block, commit: Commit): Promise<void> {
    const t0 = this.now();
    const validators = this.validatorSets.at(block.number).length;
    const mine = this.validatorSets.indexOf(block.number, this.deps.validatorKey?.publicKey);
    const publishHere = mine !== null && publishesBlock(mine, block.meta.proposer, validators);
    const executed = await this.executor.execute(block, commit, this.chain.ledger, this.executionContext(block.number));
    // Adopt: one synchronous step from here to the end of the block's effects.
    this.chain.adopt(executed.head, executed.draft);
    if (executed.nextSet) {
      this.validatorSets.add(executed.nextSet);
      this.liveness.retain(this.validatorSets.allKeys());
      this.log.log(`validator set from height ${executed.nextSet.fromHeight}: ${executed.nextSet.validators.length} validators`);
    }
    this.evidence.markIncluded(block.evidence, block.number);
    this.mempool.prune(this.chain.ledger, executed.outcomes.filter((o) => o.hash).map((o) => o.hash), block.number);
    this.publisher.publish(block, commit, executed.outcomes, executed.blockEvents, publishHere);
    this.budget.observe(block.extrinsics.length, this.now() - t0);
    this.mempool.setCapacity(poolCapacity(this.budget.limit));
    const m = this.deps.metrics;
    if (m) {
      m.blockExecutionSeconds.observe((this.now() - t0) / 1000);
      m.finalizedExtrinsics.inc(block.extrinsics.length);
      m.finalizedHeight.set(block.number);
    }
  }

  private async applySynced(block: Block, commit: Commit): Promise<boolean> {
    let applied = false;
    await this.enqueue(async () => {
      if (block.number !== this.chain.height + 1) return;
      this.validation.checkSynced(block, commit);
      this.consensus.abandonHeight();
      await this.finalize(block, commit);
      applied = true;
    });
    if (this.fatal) throw this.fatal;
    return applied;
  }

  private recordEvidence(first: SignedVote, second: SignedVote): void {
    const e = { first, second };
    if (!this.evidence.add(e, this.chain.height + 1)) return;
    this.log.warn(`equivocation by validator ${first.validator} at height ${first.height} round ${first.round} (${first.type})`);
    void this.deps.store.addEvidence(offenceId(e), first.height, first.validator, encodeEvidencePair(e)).catch((err: Error) => this.log.error(err.message));
  }

  private publishStatus(): void {
    const key = this.deps.validatorKey;
    if (key && this.selfIndex !== null) this.transport.publish('status', this.liveness.heartbeat(key, this.committedHeight, this.consensusRound));
  }

  /** Signed heartbeats only: a stranger's status changes nothing. */
  private onStatus(data: Uint8Array): void {
    const s = this.liveness.acceptStatus(data, (key) => this.validatorSets.indexOf(this.committedHeight + 1, key) !== null);
    if (s && s.height > this.committedHeight) this.syncIfPeersAhead();
  }

  /** Sync only when f+1 validators were seen ahead: at least one honest one, so a single liar cannot stall us. */
  private syncIfPeersAhead(): void {
    const keys = this.currentValidators.map((v) => v.key);
    if (this.liveness.countAhead(keys, this.committedHeight + 1) >= Math.floor((keys.length - 1) / 3) + 1) this.sync.request();
  }
}
