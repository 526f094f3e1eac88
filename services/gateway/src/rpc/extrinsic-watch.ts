import { blake2_256, decodeExtrinsic, eraDeath, fromHex, toHex } from '@balanceai/chain';
import { consensusV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import type { ChainData } from './chain-data.js';
import type { FinalizedHead, FinalizedHeads } from './finalized-heads.js';
import type { SubscriptionSink, Teardown } from './registry.js';

/** sc_transaction_pool_api::TransactionStatus as `author_extrinsicUpdate` carries it. */
export type TransactionStatus = 'ready' | 'dropped' | 'invalid' | { inBlock: string } | { finalized: string };

export interface ExtrinsicWatchOptions {
  /** Ask a validator about extrinsics still waiting every this many blocks (to notice the mempool dropped one). */
  pollEveryBlocks?: number;
  /** Polls per round at most (the oldest waiting first). */
  maxPollsPerRound?: number;
  /** Extrinsics remembered for `author_pendingExtrinsics`. */
  maxPending?: number;
}

interface Watcher {
  sink: SubscriptionSink;
  /** The submission was accepted and `ready` sent. */
  ready: boolean;
  /** Statuses that came before the submission's answer: sent right after `ready`. */
  deferred: TransactionStatus[];
  /** Its last status is out (or deferred): the subscription ends once it is sent. */
  ending: boolean;
}

/** Watchers of an extrinsic included in block `number`, owed `finalized` on the next head. */
interface Finalizing {
  watchers: Watcher[];
  blockHash: string;
  number: number;
}

interface Tracked {
  hash: string;
  bytes: string;
  /** First height at which its mortal era has expired (MAX_SAFE_INTEGER when immortal). */
  death: number;
  watchers: Set<Watcher>;
  /** A validator accepted it (through any submission): it is pending until included or gone. */
  accepted: boolean;
  /** Consecutive polls on which the validator knew nothing of it. */
  unknownPolls: number;
  /** Times it was handed again to a validator that had lost it. */
  rebroadcasts: number;
}

/**
 * A validator that dies before gossiping an extrinsic takes it along; the gateway still holds its bytes, so
 * it hands them to the validator it now uses (nonces make a second delivery harmless: it is refused as
 * already imported, or stale once included). Bounded, so a transaction no validator keeps cannot loop.
 */
const MAX_REBROADCASTS = 3;

/** Two polls, blocks apart, must both miss it: a failover may land on a validator whose mempool has not got it yet. */
const DROPPED_AFTER_UNKNOWN_POLLS = 2;

/**
 * Extrinsics submitted through this gateway, until a finalized block includes them or they can no longer
 * be: `author_submitAndWatchExtrinsic`'s status stream and `author_pendingExtrinsics`. Inclusion is read
 * from the finalized blocks themselves (their extrinsic hashes), so it costs no call per extrinsic. An
 * extrinsic whose mortal era expires is `invalid`; one the validators no longer hold is `dropped`.
 *
 * Blocks are final when they appear, so `inBlock` and `finalized` name the same block; but `finalized`
 * is sent on the next finalized head, not with `inBlock`. @polkadot/api switches to the newest status as
 * it arrives and drops the InBlock result it was still completing (fetching the block's events), so a
 * dapp waiting for `isInBlock` would never see it. A Substrate node's finality lags inclusion; one block
 * of lag keeps every client's InBlock path alive.
 */
export class ExtrinsicWatch {
  private readonly tracked = new Map<string, Tracked>();
  private readonly pollEvery: number;
  private readonly maxPolls: number;
  private readonly maxPending: number;
  private readonly detach: () => void;
  private polling = false;
  private finalizing: Finalizing[] = [];

  constructor(
    private readonly heads: FinalizedHeads,
    private readonly chain: ChainData,
    options: ExtrinsicWatchOptions = {},
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    this.pollEvery = options.pollEveryBlocks ?? 5;
    this.maxPolls = options.maxPollsPerRound ?? 100;
    this.maxPending = options.maxPending ?? 10_000;
    this.detach = heads.subscribe((head) => this.onHead(head));
  }

  /** Extrinsics submitted here and not yet seen in a finalized block, as 0x hex. */
  pending(): string[] {
    return [...this.tracked.values()].filter((t) => t.accepted).map((t) => t.bytes);
  }

  /** Submits without watching (`author_submitExtrinsic`); returns the extrinsic hash. */
  async submit(bytes: string): Promise<string> {
    const hash = await this.send(bytes);
    this.track(hash, bytes).accepted = true;
    return hash;
  }

  /**
   * Submits and streams its status to `sink`: `ready`, then `inBlock` and `finalized`, or `invalid` /
   * `dropped`. The watch starts before the submission, so a block that includes the extrinsic before the
   * validator's answer arrives is not missed; its statuses follow `ready`. Throws the validator's refusal.
   */
  async submitAndWatch(bytes: string, sink: SubscriptionSink): Promise<Teardown> {
    const hash = hashOf(bytes);
    const tracked = this.track(hash, bytes);
    const watcher: Watcher = { sink, ready: false, deferred: [], ending: false };
    tracked.watchers.add(watcher);
    const release = (): void => {
      const t = this.tracked.get(hash);
      t?.watchers.delete(watcher);
    };
    try {
      await this.send(bytes);
    } catch (err) {
      release();
      // Refused: not pending either, unless another submission of the same bytes was accepted.
      const t = this.tracked.get(hash);
      if (t && !t.accepted && t.watchers.size === 0) this.tracked.delete(hash);
      throw err;
    }
    tracked.accepted = true;
    watcher.ready = true;
    sink.send('ready');
    for (const status of watcher.deferred.splice(0)) sink.send(status);
    if (watcher.ending) sink.close();
    return release;
  }

  close(): void {
    this.detach();
    for (const t of this.tracked.values()) for (const w of t.watchers) w.sink.close();
    this.tracked.clear();
  }

  private async send(bytes: string): Promise<string> {
    try {
      return await this.chain.consensus.submit(bytes);
    } catch (err) {
      // Substrate's 1013 names the extrinsic's hash.
      if (err instanceof DomainError && err.code === 'ALREADY_IMPORTED') throw new DomainError(err.code, err.message, err.kind, { hash: hashOf(bytes) });
      throw err;
    }
  }

  private track(hash: string, bytes: string): Tracked {
    let tracked = this.tracked.get(hash);
    if (!tracked) {
      tracked = { hash, bytes, death: this.deathOf(bytes), watchers: new Set(), accepted: false, unknownPolls: 0, rebroadcasts: 0 };
      this.tracked.set(hash, tracked);
      // Bounded: forget the oldest unwatched one (a flood of fire-and-forget submissions).
      if (this.tracked.size > this.maxPending) {
        for (const [h, t] of this.tracked) {
          if (t.watchers.size === 0) {
            this.tracked.delete(h);
            break;
          }
        }
      }
    }
    return tracked;
  }

  /** The first height its mortal era no longer covers, counted from the head it is submitted at. */
  private deathOf(bytes: string): number {
    try {
      const era = decodeExtrinsic(fromHex(bytes)).extra.era;
      return eraDeath(era, this.heads.latest?.number ?? 0);
    } catch {
      // Not decodable here (the validator will say why): no expiry to watch.
      return Number.MAX_SAFE_INTEGER;
    }
  }

  private onHead(head: FinalizedHead): void {
    const due = this.finalizing.filter((f) => f.number < head.number);
    this.finalizing = this.finalizing.filter((f) => f.number >= head.number);
    for (const f of due) for (const watcher of f.watchers) this.emit(watcher, { finalized: f.blockHash }, true);
    for (const x of head.block.extrinsics) {
      const tracked = this.tracked.get(x.hash.toLowerCase());
      if (tracked) this.included(tracked, head.hash, head.number);
    }
    for (const tracked of [...this.tracked.values()]) {
      if (head.number >= tracked.death) this.conclude(tracked, 'invalid');
    }
    if (head.number % this.pollEvery === 0) void this.poll();
  }

  /** `inBlock` now, `finalized` on the next head (see the class comment). */
  private included(tracked: Tracked, blockHash: string, number: number): void {
    this.tracked.delete(tracked.hash);
    const watchers = [...tracked.watchers];
    for (const watcher of watchers) this.emit(watcher, { inBlock: blockHash }, false);
    if (watchers.length > 0) this.finalizing.push({ watchers, blockHash, number });
  }

  /** The extrinsic's last status (`invalid`, `dropped`): every watcher gets it and its subscription ends. */
  private conclude(tracked: Tracked, status: TransactionStatus): void {
    this.tracked.delete(tracked.hash);
    for (const watcher of tracked.watchers) this.emit(watcher, status, true);
  }

  /** Sends a status, or keeps it for after `ready` when the submission's answer has not come yet. */
  private emit(watcher: Watcher, status: TransactionStatus, last: boolean): void {
    if (!watcher.ready) {
      watcher.deferred.push(status);
      watcher.ending ||= last;
      return;
    }
    watcher.sink.send(status);
    if (last) watcher.sink.close();
  }

  /** Whether the validator holds it again after a resubmission of its bytes (see MAX_REBROADCASTS). */
  private async rebroadcast(tracked: Tracked): Promise<boolean> {
    if (tracked.rebroadcasts >= MAX_REBROADCASTS || (this.heads.latest?.number ?? 0) >= tracked.death) return false;
    tracked.rebroadcasts++;
    try {
      await this.send(tracked.bytes);
      return true;
    } catch (err) {
      // Already in that validator's pool (it got it by gossip meanwhile): pending, as wanted.
      return err instanceof DomainError && err.code === 'ALREADY_IMPORTED';
    }
  }

  /** Asks a validator about watched extrinsics still waiting: included in a block we did not see, or gone. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const due = [...this.tracked.values()].filter((t) => t.accepted).slice(0, this.maxPolls);
      await Promise.all(
        due.map(async (tracked) => {
          const state = await this.chain.consensus.call('getExtrinsic', { hash: tracked.hash });
          if (!this.tracked.has(tracked.hash)) return;
          switch (state.state) {
            case consensusV1.ExtrinsicState.EXTRINSIC_STATE_FINALIZED:
            case consensusV1.ExtrinsicState.EXTRINSIC_STATE_FAILED:
              if (state.blockHash) this.included(tracked, state.blockHash.toLowerCase(), Number(state.blockNumber));
              break;
            case consensusV1.ExtrinsicState.EXTRINSIC_STATE_UNKNOWN:
              if (await this.rebroadcast(tracked)) tracked.unknownPolls = 0;
              else if (++tracked.unknownPolls >= DROPPED_AFTER_UNKNOWN_POLLS) this.conclude(tracked, 'dropped');
              break;
            default:
              tracked.unknownPolls = 0;
          }
        }),
      );
    } catch (err) {
      this.warn(`extrinsic status poll: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.polling = false;
    }
  }
}

export function hashOf(bytes: string): string {
  return toHex(blake2_256(fromHex(bytes)));
}
