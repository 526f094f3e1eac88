import { toHex, verifySignature } from '@balanceai/chain';
import type { Block, Commit, Evidence } from '../block/block.js';
import { voteSignBytes, type SignedVote } from '../block/votes.js';
import { offenceId, tooOld, MAX_EVIDENCE_PER_BLOCK, type EvidencePool } from '../evidence/evidence-pool.js';
import type { ChainView } from './chain-view.js';
import type { ValidatorSets } from './validator-sets.js';

/** A proposal's time may lead our clock by at most this much. */
const MAX_CLOCK_DRIFT_MS = 10_000;

export interface BlockLimits {
  maxBlockExtrinsics: number;
  maxBlockBytes: number;
}

/** This node's state differs from what +2/3 of the validators committed: it stops instead of forking. */
export class AppHashMismatchError extends Error {}

/** The proposer of (height, round): rotation over that height's set. */
export function proposerOf(sets: ValidatorSets, height: number, round: number): number {
  return (height + round) % sets.at(height).length;
}

/**
 * Signature and proposal checks against each height's validator set (ProcessProposal): everything a
 * block's execution reads must be right before anyone votes for it.
 */
export class BlockValidation {
  constructor(
    private readonly sets: ValidatorSets,
    private readonly genesisHash: Uint8Array,
    private readonly chain: ChainView,
    private readonly evidence: EvidencePool,
    private readonly limits: BlockLimits,
    private readonly now: () => number,
  ) {}

  verifyVote(v: SignedVote): boolean {
    const key = this.sets.at(v.height)[v.validator]?.key;
    return key !== undefined && verifySignature('ed25519', key, voteSignBytes(this.genesisHash, v), v.signature);
  }

  /** +2/3 of the validators of `height` signed precommits for `blockHash`; null when it holds. */
  commitError(c: Commit, height: number, blockHash: string): string | null {
    if (c.height !== height) return `height ${c.height} != ${height}`;
    if (c.blockHash !== blockHash) return 'commits another block';
    const signers = new Set<number>();
    const n = this.sets.at(height).length;
    for (const v of c.precommits) {
      if (v.validator >= n || signers.has(v.validator)) return 'bad or duplicate signer';
      if (!this.verifyVote(v)) return `bad signature of validator ${v.validator}`;
      signers.add(v.validator);
    }
    if (signers.size * 3 <= n * 2) return `only ${signers.size} of ${n} signatures`;
    return null;
  }

  evidenceError(e: Evidence, height: number): string | null {
    const a = e.first;
    const b = e.second;
    if (a.validator !== b.validator || a.height !== b.height || a.round !== b.round || a.type !== b.type) return 'votes do not conflict';
    if (a.blockHash === b.blockHash) return 'votes are identical';
    if (a.height >= height) return 'offence not in the past';
    if (tooOld(a.height, height)) return 'offence too old';
    if (a.validator >= this.sets.at(a.height).length) return 'unknown validator';
    if (!this.verifyVote(a) || !this.verifyVote(b)) return 'bad signature';
    return null;
  }

  /** Why a proposed block for `height` is invalid, or null. */
  invalidReason(b: Block, height: number): string | null {
    const head = this.chain.head;
    if (b.number !== height) return `number ${b.number}`;
    if (toHex(b.header.parentHash) !== toHex(head.blockHash)) return 'wrong parent';
    if (toHex(b.header.stateRoot) !== toHex(head.appHash)) return 'state root differs from our app hash';
    if (b.meta.proposer !== proposerOf(this.sets, height, b.meta.round)) return 'proposer does not match its round';
    if (b.meta.timeMs <= head.timeMs) return 'time not after the parent';
    if (b.meta.timeMs > this.now() + MAX_CLOCK_DRIFT_MS) return 'time too far in the future';
    if (b.extrinsics.length > this.limits.maxBlockExtrinsics) return 'too many extrinsics';
    if (b.extrinsics.reduce((s, x) => s + x.length, 0) > this.limits.maxBlockBytes) return 'block too large';
    if (height > 1) {
      if (!b.lastCommit) return 'missing last commit';
      const err = this.commitError(b.lastCommit, height - 1, toHex(head.blockHash));
      if (err) return `last commit: ${err}`;
    }
    if (b.evidence.length > MAX_EVIDENCE_PER_BLOCK) return 'too much evidence';
    const offences = new Set<string>();
    for (const e of b.evidence) {
      const err = this.evidenceError(e, height);
      if (err) return `evidence: ${err}`;
      const id = offenceId(e);
      if (offences.has(id) || this.evidence.isIncluded(id)) return 'evidence for an offence already punished';
      offences.add(id);
    }
    return null;
  }

  /** A block fetched by sync must carry +2/3 precommits, extend our head, and name our app hash as its state root. */
  checkSynced(block: Block, commit: Commit): void {
    const head = this.chain.head;
    const err = this.commitError(commit, block.number, block.hash);
    if (err) throw new Error(`sync: block ${block.number} has a bad commit: ${err}`);
    if (toHex(block.header.parentHash) !== toHex(head.blockHash)) throw new Error(`sync: block ${block.number} does not extend our chain`);
    if (toHex(block.header.stateRoot) !== toHex(head.appHash)) {
      throw new AppHashMismatchError(
        `APP HASH MISMATCH at height ${block.number - 1}: +2/3 of the validators committed state root ` +
          `${toHex(block.header.stateRoot)}, this node computed ${toHex(head.appHash)}. Stopping instead of forking; ` +
          `restore this validator's database from a healthy peer.`,
      );
    }
  }
}
