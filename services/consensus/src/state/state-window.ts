import type { AccountData } from '../ledger/ledger.js';

/** Substrate's default state pruning: the state of the last 256 finalized blocks stays readable. */
export const STATE_WINDOW = 256;

/** What the window reads the head's values from (the committed ledger). */
export interface HeadLedger {
  get(id: string): AccountData;
  exists(id: string): boolean;
  readonly totalIssuance: bigint;
}

interface BlockRecord {
  height: number;
  /** Each account the block wrote, with its value before the block (null: it did not exist). */
  accounts: ReadonlyMap<string, AccountData | null>;
  issuanceBefore: bigint;
}

/**
 * The ledger's recent history, kept as undo records instead of copies: for each finalized block, the
 * accounts it wrote with their values *before* it. The value at height h is the `before` of the first
 * later block that wrote the account, else the head's. Recording costs what the block changed, never
 * the number of accounts. Readable heights are [oldest, head]: the last `capacity` blocks, and after a
 * restart none before the loaded head (the records live in memory only).
 *
 * A read at height h looks the account up in the records of blocks h+1.. in turn (at most capacity - 1
 * map lookups, none at the head); no per-account index is kept, as it would cost memory and time on
 * every block for the rarer reads of old heights.
 *
 * Callers read a height's values synchronously together with the head ledger (both change in one
 * synchronous step in ChainView.adopt), so a read never mixes two heads.
 */
export class StateWindow {
  /** Records of blocks oldest + 1 .. head, in height order. */
  private readonly blocks: BlockRecord[] = [];
  private readonly hashes = new Map<number, string>();
  private readonly heights = new Map<string, number>();
  private first: number;
  private last: number;

  constructor(
    headHeight: number,
    headHash: string,
    private readonly capacity = STATE_WINDOW,
  ) {
    if (capacity < 1) throw new Error('the state window keeps at least the head');
    this.first = headHeight;
    this.last = headHeight;
    this.remember(headHeight, headHash);
  }

  /** Oldest height whose state can be read. */
  get oldest(): number {
    return this.first;
  }

  get head(): number {
    return this.last;
  }

  /** Height of a block inside the window, by 0x hash (lowercase). */
  heightOf(hash: string): number | undefined {
    return this.heights.get(hash);
  }

  hashAt(height: number): string | undefined {
    return this.hashes.get(height);
  }

  holds(height: number): boolean {
    return height >= this.first && height <= this.last;
  }

  /** Records block `height` (the next one), given what it wrote and the values before it. */
  record(height: number, hash: string, accounts: ReadonlyMap<string, AccountData | null>, issuanceBefore: bigint): void {
    if (height !== this.last + 1) throw new Error(`recording block ${height} after ${this.last}`);
    this.blocks.push({ height, accounts, issuanceBefore });
    this.last = height;
    this.remember(height, hash);
    // The state at `first` needs the records of blocks first+1..last: drop what no readable height needs.
    while (this.last - this.first + 1 > this.capacity) this.forgetOldest();
  }

  /** The account at `height` (null: it did not exist), or undefined when the height is outside the window. */
  account(id: string, height: number, head: HeadLedger): AccountData | null | undefined {
    if (!this.holds(height)) return undefined;
    for (let i = this.indexAfter(height); i < this.blocks.length; i++) {
      const before = this.blocks[i]!.accounts.get(id);
      if (before !== undefined) return before;
    }
    return head.exists(id) ? head.get(id) : null;
  }

  totalIssuance(height: number, head: HeadLedger): bigint | undefined {
    if (!this.holds(height)) return undefined;
    const b = this.blocks[this.indexAfter(height)];
    return b ? b.issuanceBefore : head.totalIssuance;
  }

  /** Accounts written by a block after `height` (any whose existence may differ between `height` and the head). */
  changedAfter(height: number): Set<string> {
    const ids = new Set<string>();
    for (let i = Math.max(0, this.indexAfter(height)); i < this.blocks.length; i++) for (const id of this.blocks[i]!.accounts.keys()) ids.add(id);
    return ids;
  }

  /** Index in `blocks` of the record of block height + 1 (blocks.length when that is past the head). */
  private indexAfter(height: number): number {
    return height + 1 - (this.last + 1 - this.blocks.length);
  }

  private forgetOldest(): void {
    const hash = this.hashes.get(this.first);
    if (hash !== undefined) this.heights.delete(hash);
    this.hashes.delete(this.first);
    this.first++;
    // The record of block `first` undoes it to `first - 1`, no longer readable.
    if (this.blocks[0] && this.blocks[0].height <= this.first) this.blocks.shift();
  }

  private remember(height: number, hash: string): void {
    this.hashes.set(height, hash);
    this.heights.set(hash, height);
  }
}
