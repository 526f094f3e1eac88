import { Logger } from '@nestjs/common';
import { headers as natsHeaders, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import {
  ScaleReader,
  ScaleWriter,
  blake2_256,
  concatBytes,
  parseAccountId,
  decodeExtrinsic,
  fromHex,
  genesisHeader,
  headerHash,
  toHex,
  encodeHeader,
  verifySignature,
  type DecodedExtrinsic,
  type Genesis,
  type KeyPair,
} from '@balanceai/chain';
import { HeightConsensus, type BftAction, type Proposal, type Step, type Vote } from '../bft/index.js';
import {
  buildBlock,
  decodeBlock,
  decodeJustification,
  encodeBody,
  encodeJustification,
  type Block,
  type Commit,
  type Evidence,
} from '../block/block.js';
import { evidenceId, proposalSignBytes, voteSignBytes, writeSignedVote, readSignedVote, type SignedVote } from '../block/votes.js';
import { Ledger } from '../ledger/ledger.js';
import { checkSignature, executeExtrinsics, type ExecutionContext, type ExtrinsicOutcome } from '../ledger/executor.js';
import type { ChainParams } from '../ledger/params.js';
import { Mempool } from '../mempool/mempool.js';
import { ValidatorSets, type ValidatorEntry } from './validator-sets.js';
import { ModuleFault } from '../modules/transfers.js';
import type { ModuleSet } from '../modules/module-set.js';
import type { moduleV1 } from '@balanceai/contracts';
import { inSpan, linkTo, publishWithTrace, traceparentOf, withNatsMessageSpan, type BaiMetrics } from '@balanceai/platform';
import type { ConsensusStore, SignerStateRow, StoredBlock } from '../store/store.js';
import {
  decodeProposalMessage,
  decodeSyncBlocks,
  decodeTxBatch,
  decodeVoteMessage,
  encodeProposalMessage,
  encodeSyncBlocks,
  encodeTxBatch,
  encodeVoteMessage,
} from './wire.js';

const RECENT_HASHES = 4096; // Substrate's BlockHashCount: the oldest birth block a mortal era may name
const SYNC_BATCH = 64;
const ONLINE_WINDOW_MS = 5_000;
const MAX_FUTURE_MESSAGES = 10_000;

export interface NodeDeps {
  genesis: Genesis;
  genesisHash: Uint8Array;
  params: ChainParams;
  /** ed25519 consensus key; null = full node. */
  validatorKey: KeyPair | null;
  store: ConsensusStore;
  nats: NatsConnection;
  /** Clock for proposals and timeouts only; execution reads time from the block. */
  now?: () => number;
  /** The module services this validator drives each block (none: ledger only). */
  modules?: ModuleSet | null;
  metrics?: BaiMetrics;
}

export class AppHashMismatchError extends Error {}

/**
 * One validator: drives the BFT state machine per height over NATS gossip, executes finalized blocks
 * on the ledger, persists them, syncs from peers when behind, and serves reads.
 * Every input (message, timeout, submission) runs through one serial queue, so the state is never
 * touched by two tasks at once.
 */
export class ConsensusNode {
  private readonly log = new Logger('Consensus');
  readonly chainId: string;
  readonly validatorSets: ValidatorSets;
  readonly mempool: Mempool;
  private ledger!: Ledger;
  /** Last committed block. */
  committedHeight = 0;
  private lastBlockHash!: Uint8Array;
  private lastBlockTimeMs = 0;
  private lastAppHash!: Uint8Array;
  private lastCommit: Commit | null = null;
  private readonly recentHashes = new Map<number, Uint8Array>();

  private bft: HeightConsensus<Block> | null = null;
  private heightStartedAt = 0;
  private readonly signatures = new Map<string, Uint8Array>();
  private readonly futureMessages: Array<{ kind: 'vote' | 'proposal'; data: Uint8Array }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pendingEvidence = new Map<string, Evidence>();
  private readonly seenEvidence = new Set<string>();
  /** Offences already in a finalized block: never again (one offence, one slash). */
  private readonly includedOffences = new Set<string>();

  private queue: Promise<void> = Promise.resolve();
  private subs: Subscription[] = [];
  private txOutbox: Uint8Array[] = [];
  private txFlushTimer: NodeJS.Timeout | null = null;
  private syncing = false;
  private stopped = false;
  private readonly lastSeen = new Map<number, { atMs: number; height: number }>();
  private readonly now: () => number;
  /** Set when this node disagrees with +2/3 on the app hash: it stops instead of forking. */
  fatal: Error | null = null;
  private onFatal: (err: Error) => void = () => {};
  roundsThisHeight = 0;

  constructor(private readonly deps: NodeDeps) {
    this.chainId = deps.genesis.chainId;
    this.validatorSets = new ValidatorSets(deps.genesis.validators.map((v) => ({ key: fromHex(v.consensusKey, 32), stash: v.stash })));
    this.mempool = new Mempool(deps.genesis.params.mempoolMaxTxs);
    this.now = deps.now ?? Date.now;
  }

  /** This node's index in the set of `height`, or null when it does not validate there (full node). */
  selfAt(height: number): number | null {
    return this.validatorSets.indexOf(height, this.deps.validatorKey?.publicKey);
  }

  private countAt(height: number): number {
    return this.validatorSets.at(height).length;
  }

  private keyOf(height: number, index: number): Uint8Array | undefined {
    return this.validatorSets.at(height)[index]?.key;
  }

  /** Index in the set of `height` of the validator that was `index` in the set of `atHeight`. */
  private indexNow(height: number, atHeight: number, index: number): number | null {
    return this.validatorSets.indexOf(height, this.keyOf(atHeight, index));
  }

  /** The set deciding the next height. */
  get currentValidators(): ValidatorEntry[] {
    return this.validatorSets.at(this.committedHeight + 1);
  }

  get selfIndex(): number | null {
    return this.selfAt(this.committedHeight + 1);
  }

  get validatorCount(): number {
    return this.countAt(this.committedHeight + 1);
  }

  get consensusRound(): number {
    return this.bft?.round ?? 0;
  }

  get isSyncing(): boolean {
    return this.syncing;
  }

  get ledgerView(): Ledger {
    return this.ledger;
  }

  get finalizedHash(): Uint8Array {
    return this.lastBlockHash;
  }

  get finalizedTimeMs(): number {
    return this.lastBlockTimeMs;
  }

  private subject(kind: string): string {
    return `p2p.${this.chainId}.${kind}`;
  }

  private get streamName(): string {
    return `BAI_${this.chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  }

  // ---------------------------------------------------------------- start-up

  async start(onFatal: (err: Error) => void): Promise<void> {
    this.onFatal = onFatal;
    await this.loadState();
    await this.connectModules();
    await this.ensureStream();
    const nc = this.deps.nats;
    const on = (kind: string, handler: (data: Uint8Array) => void) => {
      this.subs.push(
        nc.subscribe(this.subject(kind), {
          callback: (err, msg) => {
            if (!err) handler(msg.data);
          },
        }),
      );
    };
    on('proposal', (d) => this.enqueue(() => this.onProposalMessage(d)));
    on('vote', (d) => this.enqueue(() => this.onVoteMessage(d)));
    this.subs.push(
      nc.subscribe(this.subject('txs'), {
        callback: (err, msg) => {
          if (!err) withNatsMessageSpan(msg, () => this.onTxBatch(msg.data));
        },
      }),
    );
    on('status', (d) => this.onStatus(d));
    this.subs.push(
      nc.subscribe(this.subject('sync'), {
        callback: (err, msg) => {
          if (!err) void this.answerSync(msg.data).then((reply) => reply && msg.respond(reply));
        },
      }),
    );
    this.every(1_000, () => this.publishStatus());
    this.every(1_000, () => this.enqueue(() => this.regossip()));
    this.enqueue(() => this.startHeight());
    this.log.log(
      `chain ${this.chainId} at height ${this.committedHeight}, ${this.validatorCount} validators, ` +
        (this.selfIndex === null ? 'full node' : `validator #${this.selfIndex}`),
    );
  }

  private readonly stopHooks: Array<() => void> = [];

  onStop(hook: () => void): void {
    this.stopHooks.push(hook);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const h of this.stopHooks) h();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const s of this.subs) s.unsubscribe();
    await this.queue.catch(() => {});
  }

  private every(ms: number, fn: () => void): void {
    const tick = () => {
      if (this.stopped) return;
      fn();
      this.later(ms, tick);
    };
    this.later(ms, tick);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.stopped || this.fatal) return;
      await task();
    });
    this.queue = run.catch((err: unknown) => {
      if (err instanceof AppHashMismatchError || err instanceof ModuleFault) {
        this.fatal = err;
        this.log.error(err.message);
        this.onFatal(err);
        return;
      }
      this.log.error(`consensus task failed: ${(err as Error).stack ?? String(err)}`);
    });
    return run.catch(() => {});
  }

  private async loadState(): Promise<void> {
    const { genesis, store } = this.deps;
    let state = await store.chainState();
    if (!state) {
      const header = genesisHeader(genesis);
      const balances = genesis.balances.map((b) => ({ id: toHex(parseAccountId(b.address)), free: b.free }));
      const ledger = Ledger.fromBalances(balances, genesis.params.existentialDeposit);
      const genesisBlock: StoredBlock = {
        height: 0,
        hash: toHex(headerHash(header)),
        header: encodeHeader(header),
        body: new Uint8Array([0]),
        justification: new Uint8Array([0]),
        timeMs: genesis.genesisTimeMs,
        round: 0,
        proposer: 0,
        // Modules join from block 1: the genesis state root is the ledger's alone.
        appHash: ledger.root(),
        events: [],
      };
      await store.initGenesis(genesisBlock, balances, ledger.totalIssuance);
      state = await store.chainState();
      if (!state) throw new Error('genesis state was not written');
    }
    const accounts = await store.loadAccounts();
    this.ledger = Ledger.fromBalances(accounts, genesis.params.existentialDeposit);
    if (this.ledger.totalIssuance !== state.totalIssuance) {
      throw new Error(`ledger invariant broken at start-up: balances sum ${this.ledger.totalIssuance} != issuance ${state.totalIssuance}`);
    }
    this.committedHeight = state.height;
    this.lastBlockHash = state.blockHash;
    this.lastAppHash = state.appHash;
    if (!this.deps.modules && toHex(this.appHash(this.ledger, [])) !== toHex(state.appHash)) {
      throw new Error('stored ledger does not match the stored app hash');
    }
    for (const r of await store.recentBlockHashes(RECENT_HASHES)) this.recentHashes.set(r.height, r.hash);
    const last = await store.blockByHeight(state.height);
    this.lastBlockTimeMs = last?.timeMs ?? genesis.genesisTimeMs;
    if (last && state.height > 0) this.lastCommit = decodeJustification(last.justification);
    for (const set of await store.validatorSets()) this.validatorSets.add(ValidatorSets.fromJson(set));
    for (const id of await store.includedEvidenceIds()) this.includedOffences.add(id);
    for (const e of await store.pendingEvidence()) {
      const r = new ScaleReader(e.votes);
      this.pendingEvidence.set(e.id, { first: readSignedVote(r), second: readSignedVote(r) });
      this.seenEvidence.add(e.id);
    }
  }

  private async ensureStream(): Promise<void> {
    const jsm = await jetstreamManager(this.deps.nats);
    try {
      await jsm.streams.info(this.streamName);
    } catch {
      try {
        await jsm.streams.add({
          name: this.streamName,
          subjects: [`bai.${this.chainId}.>`],
          duplicate_window: 120_000_000_000, // ns: the validators' copies of one block dedupe by Nats-Msg-Id
          max_age: 7 * 24 * 3600 * 1_000_000_000,
        });
      } catch (err) {
        // another validator created it at the same moment
        await jsm.streams.info(this.streamName).catch(() => {
          throw err;
        });
      }
    }
  }

  // ---------------------------------------------------------------- heights

  private proposerOf(height: number, round: number): number {
    return (height + round) % this.countAt(height);
  }

  private bftHeight = 0;

  private startHeight(): void {
    if (this.syncing) return;
    const height = this.committedHeight + 1;
    if (this.bft && this.bftHeight === height) return;
    this.bftHeight = height;
    this.signatures.clear();
    this.heightStartedAt = this.now();
    const p = this.deps.genesis.params;
    this.bft = new HeightConsensus<Block>(
      {
        height,
        validatorCount: this.countAt(height),
        self: this.selfAt(height),
        proposer: (h, r) => this.proposerOf(h, r),
        hashOf: (b) => b.hash,
        isValid: (b) => this.isValidBlock(b, height),
        getValue: (round) => this.buildProposal(height, round),
        timeouts: { proposeMs: p.timeoutProposeMs, prevoteMs: p.timeoutVoteMs, precommitMs: p.timeoutVoteMs, deltaMs: p.timeoutDeltaMs },
      },
      this.restoredLock(height),
    );
    this.roundsThisHeight = 1;
    this.apply(this.bft.start());
    const buffered = this.futureMessages.splice(0);
    for (const m of buffered) {
      if (m.kind === 'vote') this.onVoteMessage(m.data);
      else this.onProposalMessage(m.data);
    }
  }

  private restoredLockState: { height: number; lock: ReturnType<HeightConsensus<Block>['lockState']> } | null = null;

  private restoredLock(height: number) {
    return this.restoredLockState?.height === height ? this.restoredLockState.lock : undefined;
  }

  private buildProposal(height: number, round: number): Block | null {
    const p = this.deps.genesis.params;
    const extrinsics = this.mempool.ready(this.ledger, p.maxBlockExtrinsics, p.maxBlockBytes);
    const timeMs = Math.max(this.now(), this.lastBlockTimeMs + 1);
    return buildBlock({
      parentHash: this.lastBlockHash,
      number: height,
      stateRoot: this.lastAppHash,
      extrinsics,
      meta: { round, proposer: this.selfAt(height) ?? 0, timeMs },
      lastCommit: height > 1 ? this.lastCommit : null,
      evidence: [...this.pendingEvidence.values()].slice(0, 16),
    });
  }

  /** ProcessProposal: everything a block's execution reads must be right before anyone votes for it. */
  private isValidBlock(b: Block, height: number): boolean {
    const why = this.invalidReason(b, height);
    if (why) this.log.warn(`rejecting proposal ${b.hash} at height ${height}: ${why}`);
    return why === null;
  }

  private invalidReason(b: Block, height: number): string | null {
    const p = this.deps.genesis.params;
    if (b.number !== height) return `number ${b.number}`;
    if (toHex(b.header.parentHash) !== toHex(this.lastBlockHash)) return 'wrong parent';
    if (toHex(b.header.stateRoot) !== toHex(this.lastAppHash)) return 'state root differs from our app hash';
    if (b.meta.proposer !== this.proposerOf(height, b.meta.round)) return 'proposer does not match its round';
    if (b.meta.timeMs <= this.lastBlockTimeMs) return 'time not after the parent';
    if (b.meta.timeMs > this.now() + 10_000) return 'time too far in the future';
    if (b.extrinsics.length > p.maxBlockExtrinsics) return 'too many extrinsics';
    if (b.extrinsics.reduce((s, x) => s + x.length, 0) > p.maxBlockBytes) return 'block too large';
    if (height > 1) {
      if (!b.lastCommit) return 'missing last commit';
      const err = this.verifyCommit(b.lastCommit, height - 1, toHex(this.lastBlockHash));
      if (err) return `last commit: ${err}`;
    }
    const offences = new Set<string>();
    for (const e of b.evidence) {
      const err = this.verifyEvidence(e);
      if (err) return `evidence: ${err}`;
      const id = toHex(evidenceId(e.first, e.second));
      if (offences.has(id) || this.includedOffences.has(id)) return 'evidence for an offence already punished';
      offences.add(id);
    }
    return null;
  }

  /** +2/3 of the validators signed precommits for `blockHash` at `height`. */
  private verifyCommit(c: Commit, height: number, blockHash: string): string | null {
    if (c.height !== height) return `height ${c.height} != ${height}`;
    if (c.blockHash !== blockHash) return 'commits another block';
    const signers = new Set<number>();
    const n = this.countAt(height);
    for (const v of c.precommits) {
      if (v.validator >= n || signers.has(v.validator)) return 'bad or duplicate signer';
      if (!this.verifyVote(v)) return `bad signature of validator ${v.validator}`;
      signers.add(v.validator);
    }
    if (signers.size * 3 <= n * 2) return `only ${signers.size} of ${n} signatures`;
    return null;
  }

  private verifyEvidence(e: Evidence): string | null {
    const a = e.first;
    const b = e.second;
    if (a.validator !== b.validator || a.height !== b.height || a.round !== b.round || a.type !== b.type) return 'votes do not conflict';
    if (a.blockHash === b.blockHash) return 'votes are identical';
    if (a.validator >= this.countAt(a.height)) return 'unknown validator';
    if (!this.verifyVote(a) || !this.verifyVote(b)) return 'bad signature';
    return null;
  }

  private verifyVote(v: SignedVote): boolean {
    const key = this.keyOf(v.height, v.validator);
    return key !== undefined && verifySignature('ed25519', key, voteSignBytes(this.deps.genesisHash, v), v.signature);
  }

  // ---------------------------------------------------------------- BFT actions

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
          this.later(a.delayMs, () => this.enqueue(() => this.onTimeout(a.step, a.height, a.round)));
          break;
        case 'decide':
          this.enqueue(() => this.onDecide(a.value, a.round, a.precommits));
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
    if (!this.bft || height !== this.committedHeight + 1) return;
    this.apply(this.bft.onTimeout(step, height, round));
  }

  private sign(bytes: Uint8Array): Uint8Array {
    if (!this.deps.validatorKey) throw new Error('a full node does not sign');
    return this.deps.validatorKey.sign(bytes);
  }

  private broadcastProposal(p: Proposal<Block>): void {
    const signature = this.sign(proposalSignBytes(this.deps.genesisHash, { ...p, blockHash: p.value.hash }));
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
    this.deps.nats.publish(this.subject('proposal'), msg);
  }

  private readonly ownProposals = new Map<number, Uint8Array>();

  /** (lockedRound, lockedHash, validRound, validHash) last written, to rewrite the blocks only on change. */
  private persistedLock = '';

  private broadcastVote(v: Vote): void {
    // The signer state is written before the vote leaves (privval): a restart at this height then
    // restores the lock and never signs a conflicting vote.
    const signed: SignedVote = { ...v, signature: this.sign(voteSignBytes(this.deps.genesisHash, v)) };
    this.signatures.set(voteKey(v), signed.signature);
    const lock = this.bft?.lockState();
    const lockKey = lock ? `${v.height}:${lock.lockedRound}:${lock.lockedValue?.hash}:${lock.validRound}:${lock.validValue?.hash}` : '';
    const blocksChanged = lockKey !== this.persistedLock;
    const persist = lock
      ? this.deps.store.saveSignerState({
          height: v.height,
          round: v.round,
          step: v.type === 'precommit' ? 3 : 2,
          lockedRound: lock.lockedRound,
          validRound: lock.validRound,
          blocks: blocksChanged
            ? { locked: lock.lockedValue ? encodeBlockBytes(lock.lockedValue) : null, valid: lock.validValue ? encodeBlockBytes(lock.validValue) : null }
            : undefined,
        })
      : Promise.resolve();
    this.persistedLock = lockKey;
    this.queue = this.queue
      .then(() => persist)
      .then(() => this.deps.nats.publish(this.subject('vote'), encodeVoteMessage(signed)))
      .catch((err: unknown) => {
        this.persistedLock = '';
        // Never send a vote whose signer state is not on disk; the round times out and moves on.
        this.log.error(`vote not sent, signer state not saved: ${(err as Error).message}`);
      });
  }

  private onEquivocation(first: Vote, second: Vote): void {
    const s1 = this.signatures.get(voteKey(first));
    const s2 = this.signatures.get(voteKey(second));
    if (!s1 || !s2) return;
    const e: Evidence = { first: { ...first, signature: s1 }, second: { ...second, signature: s2 } };
    const id = toHex(evidenceId(e.first, e.second));
    if (this.seenEvidence.has(id) || this.includedOffences.has(id)) return;
    this.seenEvidence.add(id);
    this.pendingEvidence.set(id, e);
    this.log.warn(`equivocation by validator ${first.validator} at height ${first.height} round ${first.round} (${first.type})`);
    const w = new ScaleWriter();
    writeSignedVote(w, e.first);
    writeSignedVote(w, e.second);
    void this.deps.store.addEvidence(id, first.height, first.validator, w.finish()).catch((err: Error) => this.log.error(err.message));
  }

  // ---------------------------------------------------------------- gossip in

  private onProposalMessage(data: Uint8Array): void {
    let m;
    try {
      m = decodeProposalMessage(data);
    } catch {
      return;
    }
    const height = this.committedHeight + 1;
    this.markSeen(m.proposer, m.height);
    if (m.height > height) return this.aheadMessage('proposal', data, m.height);
    if (m.height < height) return;
    if (!this.bft) return this.bufferForNextHeight('proposal', data);
    if (m.proposer !== this.proposerOf(m.height, m.round)) return;
    let block: Block;
    try {
      block = decodeBlock(m.header, m.body);
    } catch {
      return;
    }
    const key = this.keyOf(m.height, m.proposer);
    const signBytes = proposalSignBytes(this.deps.genesisHash, { height: m.height, round: m.round, validRound: m.validRound, blockHash: block.hash });
    if (!key || !verifySignature('ed25519', key, signBytes, m.signature)) return;
    this.prevalidate(block);
    this.apply(this.bft.onProposal({ height: m.height, round: m.round, value: block, validRound: m.validRound, proposer: m.proposer }));
  }

  /** Verify the signatures of a proposal's extrinsics we have not seen yet, so execution needs none. */
  private prevalidate(block: Block): void {
    for (const bytes of block.extrinsics) {
      try {
        const xt = decodeExtrinsic(bytes);
        if (!this.mempool.has(toHex(xt.hash))) this.tryAddToMempool(xt);
      } catch {
        // malformed: execution will skip it
      }
    }
  }

  private onVoteMessage(data: Uint8Array): void {
    let v: SignedVote;
    try {
      v = decodeVoteMessage(data);
    } catch {
      return;
    }
    if (v.validator >= this.countAt(v.height)) return;
    const height = this.committedHeight + 1;
    this.markSeen(v.validator, v.height);
    if (v.height > height) return this.aheadMessage('vote', data, v.height);
    if (v.height < height) return this.latePrecommit(v);
    if (!this.bft) return this.bufferForNextHeight('vote', data);
    const key = voteKey(v);
    const known = this.signatures.get(key);
    if (known) return; // duplicate
    if (!this.verifyVote(v)) return;
    this.signatures.set(key, v.signature);
    this.apply(this.bft.onVote({ type: v.type, height: v.height, round: v.round, blockHash: v.blockHash, validator: v.validator }));
  }

  /**
   * A precommit for the block just committed that arrived after the +2/3: it joins the commit this node
   * will put into its next proposal, so validators that did their work get their era point.
   */
  private latePrecommit(v: SignedVote): void {
    const c = this.lastCommit;
    if (!c || v.type !== 'precommit' || v.height !== c.height || v.round !== c.round || v.blockHash !== c.blockHash) return;
    if (c.precommits.some((p) => p.validator === v.validator) || !this.verifyVote(v)) return;
    c.precommits = [...c.precommits, v].sort((a, b) => a.validator - b.validator);
  }

  /** Between a decision and the start of the next height, peers that started earlier already speak. */
  private bufferForNextHeight(kind: 'vote' | 'proposal', data: Uint8Array): void {
    if (this.futureMessages.length < MAX_FUTURE_MESSAGES) this.futureMessages.push({ kind, data });
  }

  private aheadMessage(kind: 'vote' | 'proposal', data: Uint8Array, height: number): void {
    if (height === this.committedHeight + 2 && this.futureMessages.length < MAX_FUTURE_MESSAGES) {
      this.futureMessages.push({ kind, data });
    }
    // A peer is at a later height: we missed a decision. Fetch the blocks we lack.
    if (height > this.committedHeight + 1) this.requestSync();
  }

  /** Peers' txs: signatures are checked here, outside the serial queue, then added in one task. */
  private onTxBatch(data: Uint8Array): void {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      return;
    }
    const ctx = this.executionContext(this.committedHeight + 1);
    const verified: DecodedExtrinsic[] = [];
    for (const bytes of txs) {
      try {
        const xt = decodeExtrinsic(bytes);
        if (this.mempool.has(toHex(xt.hash))) continue;
        if (checkSignature(xt, this.deps.params, ctx) === null) verified.push(xt);
      } catch {
        // a peer's tx that does not decode: drop it
      }
    }
    for (const xt of verified) this.tryAddToMempool(xt, ctx.height);
  }

  private tryAddToMempool(xt: DecodedExtrinsic, verifiedAtHeight?: number): void {
    if (this.mempool.has(toHex(xt.hash))) return;
    const height = this.committedHeight + 1;
    try {
      this.mempool.add(xt, this.ledger, this.deps.params, this.executionContext(height), verifiedAtHeight === height);
    } catch {
      // invalid for us now (already included, stale, …): the proposer's view may differ, which is fine
    }
  }

  // ---------------------------------------------------------------- decide and execute

  private async onDecide(block: Block, round: number, precommits: Vote[]): Promise<void> {
    if (block.number !== this.committedHeight + 1) return;
    const commit: Commit = {
      height: block.number,
      round,
      blockHash: block.hash,
      precommits: precommits
        .map((v) => ({ ...v, signature: this.signatures.get(voteKey(v))! }))
        .filter((v) => v.signature)
        .sort((a, b) => a.validator - b.validator),
    };
    await this.commitBlock(block, commit);
    this.deps.metrics?.consensusRounds.observe(round + 1);
    this.bft = null;
    const elapsed = this.now() - this.heightStartedAt;
    const wait = Math.max(0, this.deps.genesis.params.blockTimeMs - elapsed);
    this.later(wait, () => this.enqueue(() => this.startHeight()));
  }

  executionContext(height: number): ExecutionContext {
    return {
      height,
      blockHashAt: (n) => (n === 0 ? this.deps.genesisHash : this.recentHashes.get(n)),
      isVerified: (h, birth) => this.mempool.isVerified(h, birth),
      modulePallets: this.deps.modules?.pallets,
    };
  }

  /** Executes a finalized block on the ledger and persists it with all its effects in one transaction. */
  private async commitBlock(block: Block, commit: Commit): Promise<void> {
    // Only while tracing recorded submissions: hashing every extrinsic again is not free on this path.
    const hashes = this.submitTraces.size > 0 ? block.extrinsics.map((x) => toHex(blake2_256(x))) : [];
    const links = hashes.flatMap((h) => linkTo(this.submitTraces.get(h)));
    await inSpan(
      'execute block',
      { 'bai.block.number': block.number, 'bai.block.hash': block.hash, 'bai.block.extrinsics': block.extrinsics.length },
      () => this.executeAndPersist(block, commit),
      { links },
    );
    for (const h of hashes) this.submitTraces.delete(h);
    const m = this.deps.metrics;
    if (m) {
      m.blockExecutionSeconds.observe(this.lastExecutionMs / 1000);
      m.finalizedExtrinsics.inc(block.extrinsics.length);
      m.finalizedHeight.set(block.number);
    }
  }

  private async executeAndPersist(block: Block, commit: Commit): Promise<void> {
    const t0 = this.now();
    const outcomes: ExtrinsicOutcome[] = executeExtrinsics(this.ledger, this.deps.params, this.executionContext(block.number), block.extrinsics);
    const moduleOut = this.deps.modules
      ? await this.deps.modules.runBlock({
          height: block.number,
          blockHash: block.hash,
          timeMs: block.meta.timeMs,
          proposer: block.meta.proposer,
          // Modules see indices into this block's set: a commit or an offence of an earlier height is
          // mapped by consensus key (a validator no longer in the set has no index here and is left out).
          lastCommitSigners: (block.lastCommit?.precommits ?? [])
            .map((v) => this.indexNow(block.number, v.height, v.validator))
            .filter((i): i is number => i !== null),
          offences: block.evidence.flatMap((e) => {
            const validator = this.indexNow(block.number, e.first.height, e.first.validator);
            return validator === null ? [] : [{ validator, height: String(e.first.height), round: e.first.round, voteType: e.first.type }];
          }),
          validators: this.moduleValidators(block.number),
          ledger: this.ledger,
          outcomes,
        })
      : { roots: [], blockEvents: [], requests: [], validatorSetUpdate: null };
    // A set elected in this block decides from the next height on, on every validator alike.
    const nextSet = moduleOut.validatorSetUpdate
      ? { fromHeight: block.number + 1, validators: moduleOut.validatorSetUpdate.map((v) => ({ key: fromHex(v.consensusKey, 32), stash: v.stash })) }
      : null;
    const appHash = this.appHash(this.ledger, moduleOut.roots);
    const includedEvidence = block.evidence.map((e) => {
      const w = new ScaleWriter();
      writeSignedVote(w, e.first);
      writeSignedVote(w, e.second);
      return { id: toHex(evidenceId(e.first, e.second)), height: e.first.height, validator: e.first.validator, votes: w.finish() };
    });
    const evidenceEvents = block.evidence.map((e) => ({
      module: 'Consensus',
      name: 'Equivocation',
      data: { validator: e.first.validator, height: e.first.height, round: e.first.round, voteType: e.first.type },
    }));
    const stored: StoredBlock = {
      height: block.number,
      hash: block.hash,
      header: block.headerBytes,
      body: encodeBody(block),
      justification: encodeJustification(commit),
      timeMs: block.meta.timeMs,
      round: block.meta.round,
      proposer: block.meta.proposer,
      appHash,
      events: [...evidenceEvents, ...moduleOut.blockEvents],
    };
    await this.deps.store.commitBlock({
      block: stored,
      outcomes,
      accounts: this.ledger.takeDirty(),
      totalIssuance: this.ledger.totalIssuance,
      includedEvidence,
      moduleRequests: moduleOut.requests,
      validatorSet: nextSet ? ValidatorSets.toJson(nextSet) : null,
    });
    if (nextSet) {
      this.validatorSets.add(nextSet);
      this.log.log(`validator set from height ${nextSet.fromHeight}: ${nextSet.validators.length} validators` + (this.selfAt(nextSet.fromHeight) === null ? ' (this node is not among them)' : ''));
    }
    this.committedHeight = block.number;
    this.lastBlockHash = fromHex(block.hash);
    this.lastBlockTimeMs = block.meta.timeMs;
    this.lastAppHash = appHash;
    this.lastCommit = commit;
    this.recentHashes.set(block.number, this.lastBlockHash);
    this.recentHashes.delete(block.number - RECENT_HASHES);
    for (const e of includedEvidence) {
      this.pendingEvidence.delete(e.id);
      this.includedOffences.add(e.id);
    }
    this.mempool.prune(this.ledger, outcomes.filter((o) => o.hash).map((o) => o.hash), block.number);
    this.ownProposals.clear();
    this.lastExecutionMs = this.now() - t0;
    this.finalizedTxCount += outcomes.length;
    this.publishFinalized(block, stored, outcomes, commit);
  }

  /** The active set as modules see it: account ids as 0x hex (the module contract's form). */
  private moduleValidators(height: number): moduleV1.ActiveValidator[] {
    return this.validatorSets.at(height).map((v, index) => ({
      index,
      consensusKey: toHex(v.key),
      stash: toHex(parseAccountId(v.stash)),
      backingStake: '0',
    }));
  }

  /** traceparent of each pending tx's submission at this node (only while tracing is on). */
  private readonly submitTraces = new Map<string, string>();

  lastExecutionMs = 0;
  finalizedTxCount = 0;

  /** app_hash = blake2_256(ledger_root ‖ module roots in order), or the ledger root when no module runs. */
  private appHash(ledger: Ledger, moduleRoots: Uint8Array[]): Uint8Array {
    if (moduleRoots.length === 0) return ledger.root();
    return blake2_256(concatBytes(ledger.root(), ...moduleRoots));
  }

  /**
   * Asks every module its committed height and replays the heights it lacks from the requests stored with
   * each block; then checks that ledger + module roots give the app hash this node stored.
   */
  private async connectModules(): Promise<void> {
    const modules = this.deps.modules;
    if (!modules) return;
    const heights = await modules.handshake();
    for (const [name, moduleHeight] of heights) {
      if (moduleHeight > this.committedHeight) {
        this.log.log(`module ${name} is at height ${moduleHeight}, ahead of consensus ${this.committedHeight}: it will answer those heights from its stored responses`);
      }
      for (let h = moduleHeight + 1; h <= this.committedHeight; h++) {
        const request = await this.deps.store.moduleRequest(h, name);
        if (!request) throw new ModuleFault(`module ${name} lacks height ${h} and this node has no stored request to replay it`);
        await modules.replay(name, h, request as moduleV1.ExecuteBlockRequest);
        if (h === moduleHeight + 1 || h === this.committedHeight) this.log.log(`replayed module ${name} at height ${h}`);
      }
    }
    this.log.log(`modules in execution order: ${modules.names.join(' → ')}`);
  }

  private publishFinalized(block: Block, stored: StoredBlock, outcomes: ExtrinsicOutcome[], commit: Commit): void {
    const payload = {
      type: 'block',
      number: block.number,
      hash: block.hash,
      parentHash: toHex(block.header.parentHash),
      stateRoot: toHex(block.header.stateRoot),
      timeMs: block.meta.timeMs,
      extrinsicCount: block.extrinsics.length,
      extrinsics: outcomes.map((o) => ({ hash: o.hash, success: o.success, errorCode: o.errorCode })),
      proposerIndex: block.meta.proposer,
      round: block.meta.round,
      commitSigners: commit.precommits.map((v) => v.validator),
      evidenceCount: block.evidence.length,
    };
    // Every validator publishes; the stream keeps one copy per Nats-Msg-Id, so any live validator
    // suffices. Core publishes (no ack round trip per message): the redundancy is the delivery guarantee.
    const nc = this.deps.nats;
    const withId = (id: string) => {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', id);
      return { headers: h };
    };
    publishWithTrace(nc, `bai.${this.chainId}.blocks.finalized`, JSON.stringify(payload), withId(block.hash));
    let i = 0;
    const blockEvents = stored.events as Array<{ module: string; name: string; data: unknown }>;
    const txEvents = outcomes.flatMap((o) => o.events.map((e) => ({ ...e, extrinsicHash: o.hash })));
    for (const ev of [...blockEvents, ...txEvents]) {
      const body = JSON.stringify({ blockNumber: block.number, blockHash: block.hash, ...ev });
      nc.publish(`bai.${this.chainId}.events.${ev.module}.${ev.name}`, body, withId(`${block.hash}:${i++}`));
    }
  }

  // ---------------------------------------------------------------- re-gossip and status

  /** Re-send this height's own proposal and votes: peers that were paused or restarted missed them. */
  private regossip(): void {
    if (!this.bft || this.selfIndex === null) return;
    if (this.now() - this.heightStartedAt < 1_500) return;
    for (const msg of this.ownProposals.values()) this.deps.nats.publish(this.subject('proposal'), msg);
    const height = this.committedHeight + 1;
    for (let r = Math.max(0, this.bft.round - 1); r <= this.bft.round; r++) {
      for (const type of ['prevote', 'precommit'] as const) {
        for (const v of this.bft.votesFor(r, type)) {
          const sig = this.signatures.get(voteKey(v));
          if (sig && v.height === height) this.deps.nats.publish(this.subject('vote'), encodeVoteMessage({ ...v, signature: sig }));
        }
      }
    }
  }

  private publishStatus(): void {
    if (this.selfIndex === null) return;
    const body = JSON.stringify({ v: this.selfIndex, h: this.committedHeight, r: this.consensusRound });
    this.deps.nats.publish(this.subject('status'), body);
  }

  private onStatus(data: Uint8Array): void {
    try {
      const s = JSON.parse(new TextDecoder().decode(data)) as { v: number; h: number };
      if (typeof s.v !== 'number' || typeof s.h !== 'number') return;
      this.markSeen(s.v, s.h + 1);
      if (s.h > this.committedHeight) this.requestSync();
    } catch {
      // ignore
    }
  }

  private markSeen(validator: number, height: number): void {
    if (validator < 0 || validator >= this.validatorCount) return;
    this.lastSeen.set(validator, { atMs: this.now(), height });
  }

  validatorsOnline(): Array<{ index: number; online: boolean; lastSeenHeight: number }> {
    const now = this.now();
    return this.currentValidators.map((_, index) => {
      if (index === this.selfIndex) return { index, online: true, lastSeenHeight: this.committedHeight + 1 };
      const s = this.lastSeen.get(index);
      return { index, online: !!s && now - s.atMs < ONLINE_WINDOW_MS, lastSeenHeight: s?.height ?? 0 };
    });
  }

  // ---------------------------------------------------------------- block sync

  private requestSync(): void {
    if (this.syncing) return;
    this.syncing = true;
    void this.syncLoop().finally(() => {
      this.syncing = false;
      this.enqueue(() => {
        if (!this.bft) this.startHeight();
      });
    });
  }

  private async syncLoop(): Promise<void> {
    for (;;) {
      if (this.stopped || this.fatal) return;
      const from = this.committedHeight + 1;
      let blocks;
      try {
        const reply = await this.deps.nats.request(this.subject('sync'), new ScaleWriter().u64(BigInt(from)).finish(), { timeout: 2_000 });
        blocks = decodeSyncBlocks(reply.data);
      } catch {
        return; // nobody has blocks past ours (or no peer answered): consensus goes on
      }
      if (blocks.length === 0) return;
      let applied = 0;
      await this.enqueue(async () => {
        for (const raw of blocks) {
          const block = decodeBlock(raw.header, raw.body);
          if (block.number !== this.committedHeight + 1) continue;
          const commit = decodeJustification(raw.justification);
          const err = this.verifyCommit(commit, block.number, block.hash);
          if (err) throw new Error(`sync: block ${block.number} has a bad commit: ${err}`);
          if (toHex(block.header.parentHash) !== toHex(this.lastBlockHash)) throw new Error(`sync: block ${block.number} does not extend our chain`);
          if (toHex(block.header.stateRoot) !== toHex(this.lastAppHash)) {
            throw new AppHashMismatchError(
              `APP HASH MISMATCH at height ${block.number - 1}: +2/3 of the validators committed state root ` +
                `${toHex(block.header.stateRoot)}, this node computed ${toHex(this.lastAppHash)}. Stopping instead of forking; ` +
                `restore this validator's database from a healthy peer.`,
            );
          }
          this.bft = null;
          await this.commitBlock(block, commit);
          applied++;
        }
        if (applied > 0) this.log.log(`synced to height ${this.committedHeight}`);
      });
      if (applied === 0) return;
    }
  }

  private async answerSync(data: Uint8Array): Promise<Uint8Array | null> {
    try {
      const from = Number(new ScaleReader(data).u64());
      if (from > this.committedHeight || from < 1) return null;
      const rows = await this.deps.store.blocksFrom(from, SYNC_BATCH);
      if (rows.length === 0) return null;
      return encodeSyncBlocks(rows.map((r) => ({ header: r.header, body: r.body, justification: r.justification })));
    } catch {
      return null;
    }
  }

  // ---------------------------------------------------------------- submissions (from the gRPC API)

  /**
   * Admits a client's extrinsic to the mempool (throws MempoolRejection naming the cause) and gossips it.
   * Synchronous, outside the serial queue: it reads the in-memory ledger, which a block commit updates
   * before its database write; a tx of the block being written is then already stale here, so nothing
   * is admitted twice, and the client is not kept waiting behind the write.
   */
  async submit(xt: DecodedExtrinsic): Promise<string> {
    if (this.fatal) throw this.fatal;
    const ctx = this.executionContext(this.committedHeight + 1);
    const hash = this.mempool.add(xt, this.ledger, this.deps.params, ctx);
    // The block that includes it links its execution span to this submission's trace.
    const traceparent = traceparentOf();
    if (traceparent) this.submitTraces.set(hash, traceparent);
    this.gossipTx(xt.bytes);
    return hash;
  }

  private gossipTx(bytes: Uint8Array): void {
    this.txOutbox.push(bytes);
    if (this.txFlushTimer) return;
    // Batch for a few ms: one NATS message per batch instead of one per tx.
    this.txFlushTimer = setTimeout(() => {
      this.txFlushTimer = null;
      const batch = this.txOutbox.splice(0);
      if (batch.length > 0 && !this.stopped) publishWithTrace(this.deps.nats, this.subject('txs'), encodeTxBatch(batch));
    }, 10);
  }

  restoreSignerState(s: SignerStateRow | null): void {
    if (!s) return;
    try {
      this.restoredLockState = {
        height: s.height,
        lock: {
          lockedRound: s.lockedRound,
          validRound: s.validRound,
          // never vote again in a round this validator may already have voted in before the restart
          round: s.round + 1,
          lockedValue: s.lockedBlock ? decodeBlockBytes(s.lockedBlock) : null,
          validValue: s.validBlock ? decodeBlockBytes(s.validBlock) : null,
        },
      };
    } catch {
      this.restoredLockState = null;
    }
  }
}

function encodeBlockBytes(b: Block): Uint8Array {
  return new ScaleWriter().bytes(b.headerBytes).bytes(encodeBody(b)).finish();
}

function decodeBlockBytes(bytes: Uint8Array): Block {
  const r = new ScaleReader(bytes);
  return decodeBlock(r.bytes().slice(), r.bytes().slice());
}

function voteKey(v: Vote): string {
  return `${v.type}:${v.height}:${v.round}:${v.validator}:${v.blockHash ?? 'nil'}`;
}

