// The era end of the marketplace: score, pay the grants funds pro rata, return due locks, start the next era.
import { MODELS_HISTORY_DEPTH } from '@balanceai/chain';
import type { Draft } from './calls.js';
import { type ActiveValidator, type EraFund, type EraScore, type ModelsEvent, type Outcome, type ProviderKind, type Transfer, compareIds } from './types.js';
import { consensusScores, proRata, type ValidatorVote } from './yuma.js';

/** Blocks 1..L are era 0, L+1..2L era 1, …; the block with height mod L = 0 ends its era. */
export function eraOfHeight(height: bigint, eraLength: bigint): number {
  return height < 1n ? 0 : Number((height - 1n) / eraLength);
}

export function isEraEnd(height: bigint, eraLength: bigint): boolean {
  return height > 0n && height % eraLength === 0n;
}

/**
 * Ends the era in progress (`d.era`), in this order:
 * 1. scores: the votes of the active validators that set weights this era (stake = their backing stake)
 *    give each Active provider a consensus score and a weight (yuma.ts);
 * 2. payouts: each grants fund's whole balance `funds[kind]` is split pro rata to its kind's weights, as
 *    credits fund → owner (GrantPaid each) and EraScored per kind; what rounding leaves stays in the fund;
 * 3. the era's record joins the history (the last MODELS_HISTORY_DEPTH eras are kept);
 * 4. locks of Deregistered / Slashed providers whose unlock era is the next one return to their owners
 *    (LockReturned; the provider is Closed and its name free again);
 * 5. weights and reports are cleared and the next era begins.
 */
export function endEra(d: Draft, validators: readonly ActiveValidator[], funds: { readonly model: bigint; readonly agent: bigint }): Outcome {
  const events: ModelsEvent[] = [];
  const transfers: Transfer[] = [];
  const era = d.era;

  const voters = [...validators].filter((v) => d.weights.has(v.stash)).sort((a, b) => compareIds(a.stash, b.stash));
  const votes: ValidatorVote[] = voters.map((v) => ({ stake: v.stake, scores: d.weights.get(v.stash)! }));
  const active = [...d.providers.values()].filter((p) => p.status === 'Active').sort((a, b) => a.id - b.id);
  const scored = consensusScores(
    votes,
    active.map((p) => p.id),
  );

  const paidTo = new Map<number, bigint>();
  const eraFunds: EraFund[] = [];
  for (const kind of ['Model', 'Agent'] as const satisfies readonly ProviderKind[]) {
    const ofKind = active.filter((p) => p.kind === kind);
    const weights = ofKind.map((p): [number, bigint] => [p.id, scored.get(p.id)!.weight]);
    const fund = kind === 'Model' ? funds.model : funds.agent;
    let paid = 0n;
    for (const [id, amount] of proRata(fund, weights)) {
      const p = d.providers.get(id)!;
      paid += amount;
      paidTo.set(id, amount);
      d.providers.set(id, { ...p, earned: p.earned + amount });
      transfers.push({ kind: 'credit', from: kind === 'Model' ? 'modelFund' : 'agentFund', to: p.owner, amount });
      events.push({ type: 'GrantPaid', provider: id, owner: p.owner, kind, era, weight: scored.get(id)!.weight, amount });
    }
    const totalWeight = weights.reduce((s, [, w]) => s + w, 0n);
    events.push({ type: 'EraScored', era, kind, fund, paid, totalWeight, providers: ofKind.length });
    eraFunds.push({ kind, fund, paid, totalWeight, providers: ofKind.length });
  }
  const scores: EraScore[] = active.map((p) => ({ provider: p.id, ...scored.get(p.id)!, paid: paidTo.get(p.id) ?? 0n }));
  d.history = [...d.history, { era, scores, funds: eraFunds }].slice(-MODELS_HISTORY_DEPTH);

  const next = era + 1;
  for (const p of [...d.providers.values()].sort((a, b) => a.id - b.id)) {
    if ((p.status === 'Deregistered' || p.status === 'Slashed') && p.unlockEra <= next) {
      if (p.lock > 0n) transfers.push({ kind: 'credit', from: 'module', to: p.owner, amount: p.lock });
      events.push({ type: 'LockReturned', provider: p.id, owner: p.owner, amount: p.lock });
      d.providers.set(p.id, { ...p, lock: 0n, status: 'Closed', unlockEra: 0 });
    }
  }

  d.weights = new Map();
  d.reports = new Map();
  d.era = next;
  return { events, transfers };
}
