import type { Vote } from './types.js';

export type AddVoteResult =
  | { kind: 'added' }
  | { kind: 'duplicate' }
  /** A different vote of the same validator; `reportable` is true only for its first conflict here. */
  | { kind: 'conflict'; first: Vote; reportable: boolean };

/**
 * The votes of one type in one round, with running counts per block hash so that every quorum question
 * is answered in O(1) per message instead of rescanning the votes.
 *
 * The first vote of each validator is the one kept, re-gossiped and counted for "+2/3 of any".
 * A later, conflicting vote of an equivocator is still counted for its own hash once f+1 validators
 * back that hash, as the paper counts every message received: a lagging node that happened to get the
 * "wrong" variant first could otherwise never assemble the commit that everyone else decided on
 * (CometBFT solves the same with peer maj23 claims). This is safe: two +2/3 quorums for different
 * hashes would need more than f equivocators. Requiring f+1 backers bounds what an equivocator can make
 * us store to the few hashes that can have them.
 */
export class VoteTally {
  private readonly firstVotes = new Map<number, Vote>();
  private readonly votesByHash = new Map<string | null, Map<number, Vote>>();
  private readonly equivocators = new Set<number>();
  private quorumHash: { hash: string | null } | undefined;

  constructor(private readonly validatorCount: number) {}

  add(vote: Vote): AddVoteResult {
    const existing = this.firstVotes.get(vote.validator);
    if (existing === undefined) {
      this.firstVotes.set(vote.validator, vote);
      this.countVote(vote);
      return { kind: 'added' };
    }
    if (existing.blockHash === vote.blockHash) return { kind: 'duplicate' };
    // One report per offender and round/type: one pair is enough evidence to slash, and a byzantine
    // validator must not be able to make us emit (or keep) endless reports.
    const reportable = !this.equivocators.has(vote.validator);
    this.equivocators.add(vote.validator);
    const backers = this.votesByHash.get(vote.blockHash);
    if (backers !== undefined && !backers.has(vote.validator) && isOneThird(backers.size, this.validatorCount)) {
      this.countVote(vote);
    }
    return { kind: 'conflict', first: existing, reportable };
  }

  private countVote(vote: Vote): void {
    let backers = this.votesByHash.get(vote.blockHash);
    if (backers === undefined) {
      backers = new Map();
      this.votesByHash.set(vote.blockHash, backers);
    }
    backers.set(vote.validator, vote);
    // Beyond the fault bound two hashes could both pass 2/3; the first one stays the quorum.
    if (this.quorumHash === undefined && isTwoThirds(backers.size, this.validatorCount)) {
      this.quorumHash = { hash: vote.blockHash };
    }
  }

  /** Validators that sent a first vote of this type in this round. */
  get total(): number {
    return this.firstVotes.size;
  }

  /** Distinct validators counted for this hash (null = nil). */
  count(blockHash: string | null): number {
    return this.votesByHash.get(blockHash)?.size ?? 0;
  }

  /** The hash (null = nil) that more than 2/3 voted for, if any. */
  get quorum(): { hash: string | null } | undefined {
    return this.quorumHash;
  }

  hasTwoThirdsAny(): boolean {
    return isTwoThirds(this.firstVotes.size, this.validatorCount);
  }

  has(blockHash: string | null): boolean {
    return this.votesByHash.has(blockHash);
  }

  voteOf(validator: number): Vote | undefined {
    return this.firstVotes.get(validator);
  }

  /** The first vote of each validator. */
  votes(): Vote[] {
    return [...this.firstVotes.values()];
  }

  /** Every counted vote for this hash, one per validator (an equivocator's later vote included). */
  votesFor(blockHash: string | null): Vote[] {
    return [...(this.votesByHash.get(blockHash)?.values() ?? [])];
  }
}

/** "2f+1" with equal voting power: strictly more than two thirds of n. */
export function isTwoThirds(count: number, validatorCount: number): boolean {
  return count * 3 > validatorCount * 2;
}

/** "f+1": strictly more than one third of n, so at least one honest validator is among them. */
export function isOneThird(count: number, validatorCount: number): boolean {
  return count * 3 > validatorCount;
}
