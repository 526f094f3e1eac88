/**
 * Extrinsic hashes whose signature this node verified, with the birth block it was verified for
 * (a mortal era's birth hash is part of what is signed). Shared by mempool admission, peers' gossip,
 * proposal pre-validation and block execution, so each signature is verified once per validator.
 * Only successes are remembered: a failure is always re-checked (fail closed). Bounded: the oldest
 * entries go first (a forgotten entry costs one more verification, never a wrong answer).
 */
export class SignatureCache {
  private readonly verified = new Map<string, number>();

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get size(): number {
    return this.verified.size;
  }

  has(hash: string, birth: number): boolean {
    return this.verified.get(hash) === birth;
  }

  add(hash: string, birth: number): void {
    if (this.verified.has(hash)) this.verified.delete(hash);
    else if (this.verified.size >= this.maxEntries) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(hash, birth);
  }

  /** An included extrinsic is never valid again (its nonce is used): forget it. */
  delete(hash: string): void {
    this.verified.delete(hash);
  }
}
