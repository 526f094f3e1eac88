import type { Vote } from '../bft/index.js';

/** Signatures kept per (validator, round, type): the first vote and one conflicting vote (evidence). */
const MAX_PER_SLOT = 2;

function slotOf(v: Vote): string {
  return `${v.type}:${v.round}:${v.validator}`;
}

export function voteKey(v: Vote): string {
  return `${v.type}:${v.height}:${v.round}:${v.validator}:${v.blockHash ?? 'nil'}`;
}

/**
 * The signatures of the current height's votes, for commits, evidence and re-gossip. Bounded: a
 * byzantine validator signing endless variants of one vote leaves at most two here per round and type.
 */
export class VoteBook {
  private height = 0;
  private readonly signatures = new Map<string, Uint8Array>();
  private readonly perSlot = new Map<string, number>();

  reset(height: number): void {
    this.height = height;
    this.signatures.clear();
    this.perSlot.clear();
  }

  get size(): number {
    return this.signatures.size;
  }

  has(v: Vote): boolean {
    return this.signatures.has(voteKey(v));
  }

  get(v: Vote): Uint8Array | undefined {
    return this.signatures.get(voteKey(v));
  }

  /**
   * Keeps a verified vote's signature; false when the vote is of another height or its slot is full.
   * `mayMatter`: a vote for nil or for a block proposed at this height is kept even past the cap, so an
   * equivocator's forged variants arriving first cannot crowd out its real vote (bounded by the proposals).
   */
  add(v: Vote, signature: Uint8Array, mayMatter = false): boolean {
    if (v.height !== this.height) return false;
    const key = voteKey(v);
    if (this.signatures.has(key)) return true;
    const slot = slotOf(v);
    const n = this.perSlot.get(slot) ?? 0;
    if (n >= MAX_PER_SLOT && !mayMatter) return false;
    this.perSlot.set(slot, n + 1);
    this.signatures.set(key, signature);
    return true;
  }
}
