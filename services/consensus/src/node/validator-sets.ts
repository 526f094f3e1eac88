import { fromHex, toHex } from '@balanceai/chain';

export interface ValidatorEntry {
  /** ed25519 consensus key (32 bytes). */
  key: Uint8Array;
  /** SS58 or 0x-hex stash account. */
  stash: string;
}

export interface ValidatorSet {
  /** First height this set decides. */
  fromHeight: number;
  validators: ValidatorEntry[];
}

/**
 * The active validator set of every height: the genesis set from height 1, then each set staking
 * elected, from the height after the block that produced it. Votes, commits, evidence and proposer
 * rotation of a height are always read against that height's set.
 */
export class ValidatorSets {
  private readonly sets: ValidatorSet[] = [];

  constructor(genesis: ValidatorEntry[]) {
    this.sets.push({ fromHeight: 1, validators: genesis });
  }

  /** Adds a set taking effect at `fromHeight` (later than every set held); checks it is usable. */
  add(set: ValidatorSet): void {
    const last = this.sets[this.sets.length - 1]!;
    if (set.fromHeight <= last.fromHeight) throw new Error(`validator set for height ${set.fromHeight} is not after ${last.fromHeight}`);
    if (set.validators.length === 0) throw new Error('an empty validator set');
    const keys = new Set(set.validators.map((v) => toHex(v.key)));
    if (keys.size !== set.validators.length) throw new Error('a validator set lists a consensus key twice');
    if (set.validators.some((v) => v.key.length !== 32)) throw new Error('a consensus key is not 32 bytes');
    this.sets.push(set);
  }

  at(height: number): ValidatorEntry[] {
    for (let i = this.sets.length - 1; i >= 0; i--) if (this.sets[i]!.fromHeight <= height) return this.sets[i]!.validators;
    return this.sets[0]!.validators;
  }

  indexOf(height: number, key: Uint8Array | undefined): number | null {
    if (!key) return null;
    const hex = toHex(key);
    const i = this.at(height).findIndex((v) => toHex(v.key) === hex);
    return i >= 0 ? i : null;
  }

  /** Every consensus key of every set held. */
  allKeys(): Uint8Array[] {
    return this.sets.flatMap((s) => s.validators.map((v) => v.key));
  }

  /** Sets after genesis, for persistence. */
  get changes(): ValidatorSet[] {
    return this.sets.slice(1);
  }

  static toJson(set: ValidatorSet): { fromHeight: number; validators: Array<{ key: string; stash: string }> } {
    return { fromHeight: set.fromHeight, validators: set.validators.map((v) => ({ key: toHex(v.key), stash: v.stash })) };
  }

  static fromJson(j: { fromHeight: number; validators: Array<{ key: string; stash: string }> }): ValidatorSet {
    return { fromHeight: j.fromHeight, validators: j.validators.map((v) => ({ key: fromHex(v.key, 32), stash: v.stash })) };
  }
}
