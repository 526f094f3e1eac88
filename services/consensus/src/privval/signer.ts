import { ScaleReader, ScaleWriter, type KeyPair } from '@balanceai/chain';
import type { LockState, Vote } from '../bft/index.js';
import { decodeBlock, encodeBody, type Block } from '../block/block.js';
import { proposalSignBytes, voteSignBytes, type SignedVote } from '../block/votes.js';
import type { NodeStore, SignerStateRow } from '../store/store.js';

/** The signer state on disk does not decode: starting would risk a double sign. */
export class SignerStateCorrupt extends Error {}

/** A request to sign at or below a height/round/step already signed: refused (CometBFT privval). */
export class DoubleSignRefused extends Error {}

/** Where the signer state is written before a vote leaves. */
export type SignerStore = Pick<NodeStore, 'saveSignerState'>;

const STEP = { proposal: 1, prevote: 2, precommit: 3 } as const;

/** (height, round, step) as one comparable tuple. */
function after(a: { height: number; round: number; step: number }, b: { height: number; round: number; step: number }): boolean {
  return a.height !== b.height ? a.height > b.height : a.round !== b.round ? a.round > b.round : a.step > b.step;
}

/**
 * The validator's signing key and the state that keeps it from double signing (CometBFT's privval):
 * the last height/round/step signed and the BFT lock, written to disk before a vote leaves the node.
 * It signs only strictly after what it signed last, across restarts.
 */
export class PrivValidator {
  private last = { height: 0, round: -1, step: 0 };
  /** (height, lockedRound, locked hash, validRound, valid hash) last written: rewrite blocks only on change. */
  private persistedLock = '';
  /** The lock restored at start-up for its height (null: none). */
  readonly restored: { height: number; lock: LockState<Block> } | null;

  constructor(
    private readonly key: KeyPair | null,
    private readonly genesisHash: Uint8Array,
    private readonly store: SignerStore,
    row: SignerStateRow | null,
  ) {
    this.restored = row ? PrivValidator.decodeRow(row) : null;
    if (row) this.last = { height: row.height, round: row.round, step: row.step };
  }

  /** Fails closed: a row that does not decode throws SignerStateCorrupt, and the node refuses to start. */
  static decodeRow(row: SignerStateRow): { height: number; lock: LockState<Block> } {
    try {
      return {
        height: row.height,
        lock: {
          lockedRound: row.lockedRound,
          validRound: row.validRound,
          // never vote again in a round this validator may already have voted in before the restart
          round: row.round + 1,
          lockedValue: row.lockedBlock ? decodeBlockBytes(row.lockedBlock) : null,
          validValue: row.validBlock ? decodeBlockBytes(row.validBlock) : null,
        },
      };
    } catch (err) {
      throw new SignerStateCorrupt(
        `the signer state (height ${row.height}, round ${row.round}) does not decode: ${(err as Error).message}. ` +
          'Refusing to start: this validator could sign a vote that conflicts with one it signed before. ' +
          'Restore consensus.signer_state from a backup, or wait until the network is past that height and delete the row.',
      );
    }
  }

  get publicKey(): Uint8Array | undefined {
    return this.key?.publicKey;
  }

  lockFor(height: number): LockState<Block> | undefined {
    return this.restored?.height === height ? this.restored.lock : undefined;
  }

  private check(at: { height: number; round: number; step: number }): KeyPair {
    if (!this.key) throw new Error('a full node does not sign');
    if (!after(at, this.last)) {
      throw new DoubleSignRefused(
        `refusing to sign at height ${at.height} round ${at.round} step ${at.step}: already signed height ${this.last.height} round ${this.last.round} step ${this.last.step}`,
      );
    }
    return this.key;
  }

  signProposal(p: { height: number; round: number; validRound: number; blockHash: string }): Uint8Array {
    const key = this.check({ height: p.height, round: p.round, step: STEP.proposal });
    this.last = { height: p.height, round: p.round, step: STEP.proposal };
    return key.sign(proposalSignBytes(this.genesisHash, p));
  }

  /**
   * Signs a vote and writes the signer state; `persisted` resolves once it is on disk, and the vote must
   * not leave the node before that (a restart then restores the lock and never signs a conflicting vote).
   */
  signVote(v: Vote, lock: LockState<Block> | undefined): { signed: SignedVote; persisted: Promise<void> } {
    const at = { height: v.height, round: v.round, step: STEP[v.type] };
    const key = this.check(at);
    this.last = at;
    const signed: SignedVote = Object.freeze({ ...v, signature: key.sign(voteSignBytes(this.genesisHash, v)) });
    if (!lock) return { signed, persisted: Promise.resolve() };
    const lockKey = `${v.height}:${lock.lockedRound}:${lock.lockedValue?.hash}:${lock.validRound}:${lock.validValue?.hash}`;
    const blocksChanged = lockKey !== this.persistedLock;
    this.persistedLock = lockKey;
    const persisted = this.store
      .saveSignerState({
        height: v.height,
        round: v.round,
        step: at.step,
        lockedRound: lock.lockedRound,
        validRound: lock.validRound,
        blocks: blocksChanged
          ? { locked: lock.lockedValue ? encodeBlockBytes(lock.lockedValue) : null, valid: lock.validValue ? encodeBlockBytes(lock.validValue) : null }
          : undefined,
      })
      .catch((err: unknown) => {
        this.persistedLock = ''; // rewrite the blocks next time
        throw err;
      });
    return { signed, persisted };
  }
}

export function encodeBlockBytes(b: Block): Uint8Array {
  return new ScaleWriter().bytes(b.headerBytes).bytes(encodeBody(b)).finish();
}

export function decodeBlockBytes(bytes: Uint8Array): Block {
  const r = new ScaleReader(bytes);
  const block = decodeBlock(r.bytes().slice(), r.bytes().slice());
  if (r.remaining !== 0) throw new Error('trailing bytes after the block');
  return block;
}
