import type { Vote } from './types.js';

export type AddVoteResult =
  | { kind: 'added' }
  | { kind: 'duplicate' }
  /** A different vote of the same validator; `reportable` is true only for the first conflict of that validator. */
  | { kind: 'conflict'; first: Vote; reportable: boolean };

/**
 * The votes of one type in one round, with running counts per block hash so that every quorum question
 * is answered in O(1) per message instead of rescanning the votes.
 */
export class VoteTally {
  private readonly byValidator = new Map<number, Vote>();
  private readonly countByHash = new Map<string | null, number>();
  private readonly equivocators = new Set<number>();
  private quorumHash: { hash: string | null } | undefined;

  constructor(private readonly validatorCount: number) {}

  /** Keeps the first vote of each validator; later different votes are conflicts, never counted. */
  add(vote: Vote): AddVoteResult {
    const existing = this.byValidator.get(vote.validator);
    if (existing !== undefined) {
      if (existing.blockHash === vote.blockHash) return { kind: 'duplicate' };
      // One report per offender and round/type: one pair is enough evidence to slash, and a byzantine
      // validator must not be able to grow our memory by signing endless different hashes.
      const reportable = !this.equivocators.has(vote.validator);
      this.equivocators.add(vote.validator);
      return { kind: 'conflict', first: existing, reportable };
    }
    this.byValidator.set(vote.validator, vote);
    const count = (this.countByHash.get(vote.blockHash) ?? 0) + 1;
    this.countByHash.set(vote.blockHash, count);
    // Each validator counts once, so at most one hash (or nil) can ever pass 2/3: the first is the only one.
    if (this.quorumHash === undefined && isTwoThirds(count, this.validatorCount)) {
      this.quorumHash = { hash: vote.blockHash };
    }
    return { kind: 'added' };
  }

  get total(): number {
    return this.byValidator.size;
  }

  count(blockHash: string | null): number {
    return this.countByHash.get(blockHash) ?? 0;
  }

  /** The hash (null = nil) that more than 2/3 voted for, if any. */
  get quorum(): { hash: string | null } | undefined {
    return this.quorumHash;
  }

  hasTwoThirdsAny(): boolean {
    return isTwoThirds(this.byValidator.size, this.validatorCount);
  }

  has(blockHash: string | null): boolean {
    return this.countByHash.has(blockHash);
  }

  voteOf(validator: number): Vote | undefined {
    return this.byValidator.get(validator);
  }

  votes(): Vote[] {
    return [...this.byValidator.values()];
  }

  votesFor(blockHash: string | null): Vote[] {
    return this.votes().filter((v) => v.blockHash === blockHash);
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
