import { toHex } from '@balanceai/chain';
import { deepFreeze, type Commit } from '../block/block.js';
import type { SignedVote } from '../block/votes.js';
import type { ExecutionContext } from '../ledger/executor.js';
import type { Ledger } from '../ledger/ledger.js';
import { StateWindow } from '../state/state-window.js';

/** Substrate's BlockHashCount: the oldest birth block a mortal era may name. */
export const RECENT_HASHES = 4096;

/** The last committed block as this node knows it: replaced whole, never edited. */
export interface CommittedHead {
  readonly height: number;
  readonly blockHash: Uint8Array;
  readonly timeMs: number;
  /** App hash after executing `height`: the state root the next block must carry. */
  readonly appHash: Uint8Array;
  /** The commit of `height`, carried into the next proposal (null before block 1). */
  readonly lastCommit: Commit | null;
}

/**
 * The committed state every reader sees: head, live ledger and recent block hashes. It changes only in
 * `adopt`, one synchronous step after the block is on disk, so a reader (gRPC query, mempool admission)
 * sees block h or block h+1, never a half-executed block.
 */
export class ChainView {
  private current: CommittedHead;
  private readonly recentHashes = new Map<number, Uint8Array>();
  /** Block times (ms) of the heights in the state window: Timestamp.Now at a block, read without the store. */
  private readonly times = new Map<number, number>();
  /** The state of the last finalized blocks (storage reads at a block hash); starts at the loaded head. */
  readonly window: StateWindow;

  constructor(
    head: CommittedHead,
    readonly ledger: Ledger,
    recent: Array<{ height: number; hash: Uint8Array }>,
    private readonly genesisHash: Uint8Array,
  ) {
    this.current = deepFreeze({ ...head });
    for (const r of recent) this.recentHashes.set(r.height, r.hash);
    this.window = new StateWindow(head.height, toHex(head.blockHash));
    this.times.set(head.height, head.timeMs);
  }

  get head(): CommittedHead {
    return this.current;
  }

  get height(): number {
    return this.current.height;
  }

  /** The time (ms) consensus put in block `height`, while the height is in the state window. */
  timeAt(height: number): number | undefined {
    return this.window.holds(height) ? this.times.get(height) : undefined;
  }

  blockHashAt(n: number): Uint8Array | undefined {
    return n === 0 ? this.genesisHash : this.recentHashes.get(n);
  }

  /** Makes an executed, persisted block the committed state, with the ledger draft it produced. */
  adopt(head: CommittedHead, draft: Ledger): void {
    if (head.height !== this.current.height + 1) throw new Error(`adopting height ${head.height} on top of ${this.current.height}`);
    // The undo record is taken in the same synchronous step: window and ledger always agree on the head.
    const prior = draft.priorValues();
    const issuanceBefore = this.ledger.totalIssuance;
    this.ledger.adopt(draft);
    this.window.record(head.height, toHex(head.blockHash), prior, issuanceBefore);
    this.times.set(head.height, head.timeMs);
    // The window moves by one block at most: only the height that just left it is dropped.
    this.times.delete(this.window.oldest - 1);
    this.current = deepFreeze({ ...head });
    this.recentHashes.set(head.height, head.blockHash);
    this.recentHashes.delete(head.height - RECENT_HASHES);
  }

  /**
   * A precommit for the committed block that arrived after the +2/3: the carried commit is replaced by
   * one that includes it (a new value: a block already built with the old commit keeps the old one).
   */
  addLatePrecommit(v: SignedVote): boolean {
    const c = this.current.lastCommit;
    if (!c || v.type !== 'precommit' || v.height !== c.height || v.round !== c.round || v.blockHash !== c.blockHash) return false;
    if (c.precommits.some((p) => p.validator === v.validator)) return false;
    const precommits = [...c.precommits, v].sort((a, b) => a.validator - b.validator);
    this.current = deepFreeze({ ...this.current, lastCommit: { ...c, precommits } });
    return true;
  }

  /** What validity checks read at `height`: past block hashes (mortality) and the mempool's verified set. */
  executionContext(height: number, extra: Omit<ExecutionContext, 'height' | 'blockHashAt'> = {}): ExecutionContext {
    return { height, blockHashAt: (n) => this.blockHashAt(n), ...extra };
  }
}
