import { DomainError } from '@balanceai/platform';

/** Committed states kept for storage reads: Substrate's default pruning keeps the last 256 blocks' state. */
export const STATE_WINDOW = 256;

/**
 * The committed states of the last `capacity` heights, newest last. States are immutable values (a module's
 * executeBlock never mutates its input), so keeping a reference keeps that height's state exactly. After a
 * restart only the loaded height is known; each commit adds the next one and drops the oldest past capacity.
 */
export class StateWindow<S> {
  private readonly states: S[] = [];
  /** Height of states[0]. */
  private first = 0n;

  constructor(readonly capacity: number = STATE_WINDOW) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('the state window holds at least one height');
  }

  /** The newest height held, or null while empty. */
  get newest(): bigint | null {
    return this.states.length === 0 ? null : this.first + BigInt(this.states.length - 1);
  }

  /** The oldest height held, or null while empty. */
  get oldest(): bigint | null {
    return this.states.length === 0 ? null : this.first;
  }

  /** Adds the state committed at `height`: the first one at any height, then exactly newest + 1. */
  push(height: bigint, state: S): void {
    const newest = this.newest;
    if (newest === null) {
      this.first = height;
    } else if (height !== newest + 1n) {
      // The runtime commits one height at a time; anything else would mislabel every state after it.
      throw new DomainError('MODULE_BUG', `state window holds up to ${newest}; cannot add ${height}`, 'internal');
    }
    this.states.push(state);
    if (this.states.length > this.capacity) {
      this.states.shift();
      this.first += 1n;
    }
  }

  /**
   * The state committed at `height`. Older than the window: STATE_DISCARDED; above the newest committed:
   * HEIGHT_NOT_COMMITTED. Both FAILED_PRECONDITION: the request is well-formed, the module cannot answer it now.
   */
  at(height: bigint): S {
    const newest = this.newest;
    if (newest === null || height > newest) {
      throw new DomainError('HEIGHT_NOT_COMMITTED', `height ${height} is not committed (last committed: ${newest ?? 'none'})`, 'conflict');
    }
    if (height < this.first) {
      throw new DomainError('STATE_DISCARDED', `the state of height ${height} is discarded (kept: ${this.first}..${newest})`, 'conflict', {
        oldest: this.first.toString(),
      });
    }
    return this.states[Number(height - this.first)]!;
  }
}
