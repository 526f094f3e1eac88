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

interface Change {
  height: number;
  before: AccountData | null;
}

/**
 * The ledger's recent history, kept as undo records instead of copies: for each finalized block, the
 * accounts it wrote with their values *before* it. The value at height h is the `before` of the first
 * later block that wrote the account, else the head's. Recording costs what the block changed, never
 * the number of accounts. Readable heights are [oldest, head]: the last `capacity` blocks, and after a
 * restart none before the loaded head (the records live in memory only).
 *
 * Callers read a height's values synchronously together with the head ledger (both change in one
 * synchronous step in ChainView.adopt), so a read never mixes two heads.
 */
export class StateWindow {
  private readonly blocks: BlockRecord[] = [];
  /** Per account, its changes inside the window, oldest first. */
  private readonly changes = new Map<string, Change[]>();
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
    for (const [id, before] of accounts) {
      let list = this.changes.get(id);
      if (!list) this.changes.set(id, (list = []));
      list.push({ height, before });
    }
    this.last = height;
    this.remember(height, hash);
    // The state at `first` needs the records of blocks first+1..last: drop what no readable height needs.
    while (this.last - this.first + 1 > this.capacity) this.forgetOldest();
  }

  /** The account at `height` (null: it did not exist), or undefined when the height is outside the window. */
  account(id: string, height: number, head: HeadLedger): AccountData | null | undefined {
    if (!this.holds(height)) return undefined;
    const list = this.changes.get(id);
    if (list) {
      const c = firstAfter(list, height);
      if (c) return c.before;
    }
    return head.exists(id) ? head.get(id) : null;
  }

  totalIssuance(height: number, head: HeadLedger): bigint | undefined {
    if (!this.holds(height)) return undefined;
    const b = this.blocks[height + 1 - (this.blocks[0]?.height ?? this.last + 1)];
    return b ? b.issuanceBefore : head.totalIssuance;
  }

  /** Accounts written by a block after `height` (any whose existence may differ between `height` and the head). */
  *changedAfter(height: number): IterableIterator<string> {
    for (const [id, list] of this.changes) if (list[list.length - 1]!.height > height) yield id;
  }

  private forgetOldest(): void {
    const hash = this.hashes.get(this.first);
    if (hash !== undefined) this.heights.delete(hash);
    this.hashes.delete(this.first);
    this.first++;
    // The record of block `first` undoes it to `first - 1`, no longer readable.
    const r = this.blocks[0];
    if (r && r.height <= this.first) {
      this.blocks.shift();
      for (const id of r.accounts.keys()) {
        const list = this.changes.get(id)!;
        list.shift();
        if (list.length === 0) this.changes.delete(id);
      }
    }
  }

  private remember(height: number, hash: string): void {
    this.hashes.set(height, hash);
    this.heights.set(hash, height);
  }
}

/** The first change after `height` in a list ordered by height (binary search: the list may be long for a hot account). */
function firstAfter(list: Change[], height: number): Change | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.height > height) hi = mid;
    else lo = mid + 1;
  }
  return list[lo];
}
