// Slashing for equivocation evidence from consensus: `slashFraction` of the offender's and its
// nominators' exposed stake in the offence's era moves from `bonded` to the development fund, and
// the offender is chilled (not a candidate until it calls `validate` again).
//
// Each staker loses floor(exposed * slashFraction / 10^9), capped by what it still has bonded. The
// cut takes the active bond first, then unlocking chunks from the latest era back: stake that was
// exposed and then unbonded is still slashable until withdrawn. One offender is slashed once per era.
import { perbillOf } from './arith.js';
import { chillStaker } from './calls.js';
import type { AccountId, StakingEvent, StakingLedger, StakingState, Transfer, UnlockChunk } from './types.js';

export interface Offence {
  readonly offender: AccountId;
  /** The era of the height at which the offence (the double vote) happened. */
  readonly era: number;
}

export interface SlashResult {
  readonly transfers: Transfer[];
  readonly events: StakingEvent[];
  /** Total moved to the development fund. */
  readonly slashed: bigint;
}

export function applySlash(state: StakingState, offence: Offence): SlashResult {
  const { offender, era } = offence;
  const ignored = (reason: 'AlreadySlashed' | 'UnknownEra' | 'NotExposed'): SlashResult => ({
    transfers: [],
    events: [{ type: 'SlashIgnored', offender, era, reason }],
    slashed: 0n,
  });
  const snapshot =
    state.active.era === era ? state.active : state.previous && state.previous.era === era ? state.previous : null;
  if (!snapshot) return ignored('UnknownEra');
  const exposure = snapshot.exposures.get(offender);
  if (!exposure) return ignored('NotExposed');
  const key = `${era}:${offender}`;
  if (state.slashed.has(key)) return ignored('AlreadySlashed');
  state.slashed.add(key);

  const transfers: Transfer[] = [];
  const events: StakingEvent[] = [];
  let slashed = 0n;
  const fraction = state.params.slashFraction;
  const cut = (staker: AccountId, exposed: bigint): void => {
    const ledger = state.ledgers.get(staker);
    if (!ledger) return;
    const { ledger: next, taken } = slashLedger(ledger, perbillOf(fraction, exposed));
    if (taken === 0n) return;
    state.ledgers.set(staker, next);
    slashed += taken;
    transfers.push({ from: { fund: 'bonded' }, to: { fund: 'developmentFund' }, amount: taken });
    events.push({ type: 'Slashed', staker, offender, amount: taken });
  };
  cut(offender, exposure.own);
  for (const n of exposure.others) cut(n.who, n.value);
  events.push(...chillStaker(state, offender));
  return { transfers, events, slashed };
}

/** Takes up to `amount` from the active bond, then from the latest unlocking chunks. */
export function slashLedger(ledger: StakingLedger, amount: bigint): { ledger: StakingLedger; taken: bigint } {
  let left = amount < ledger.total ? amount : ledger.total;
  const taken = left;
  const fromActive = left < ledger.active ? left : ledger.active;
  left -= fromActive;
  const unlocking: UnlockChunk[] = ledger.unlocking.slice();
  for (let i = unlocking.length - 1; i >= 0 && left > 0n; i--) {
    const c = unlocking[i]!;
    const t = left < c.value ? left : c.value;
    unlocking[i] = { value: c.value - t, era: c.era };
    left -= t;
  }
  return {
    ledger: {
      ...ledger,
      active: ledger.active - fromActive,
      total: ledger.total - taken,
      unlocking: unlocking.filter((c) => c.value > 0n),
    },
    taken,
  };
}
