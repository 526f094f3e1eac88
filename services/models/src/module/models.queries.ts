// Read-only views of the committed models state for balanceai.models.v1.ModelsService (the same data the
// gateway's /v1/models/* routes read from the Models storage). Field names are the proto's in camelCase
// (proto-loader keepCase:false), uint64 as decimal strings.
import type { modelsV1 } from '@balanceai/contracts';
import { DomainError } from '@balanceai/platform';
import { totalLocked } from '../logic/calls.js';
import type { ModelsState, Provider, ProviderKind, ProviderStatus } from '../logic/types.js';

const KINDS: Record<string, ProviderKind> = { model: 'Model', agent: 'Agent' };
const STATUSES: Record<string, ProviderStatus> = { active: 'Active', deregistered: 'Deregistered', slashed: 'Slashed', closed: 'Closed' };
const MAX_QUERY = 64;

export function providerMessage(p: Provider): modelsV1.Provider {
  return {
    id: p.id,
    owner: p.owner,
    kind: p.kind.toLowerCase(),
    name: p.name,
    metadataUri: p.metadataUri,
    endpoint: p.endpoint,
    minAccessHolding: p.minAccessHolding.toString(),
    lock: p.lock.toString(),
    status: p.status.toLowerCase(),
    unlockEra: p.unlockEra,
    registeredEra: p.registeredEra,
    earned: p.earned.toString(),
    slashed: p.slashed.toString(),
  };
}

/** Providers matching every given filter, ascending id; BAD_QUERY for a kind or status that does not exist. */
export function listProvidersView(s: ModelsState, req: Partial<modelsV1.ListProvidersRequest>): modelsV1.ListProvidersResponse {
  const kind = req.kind ? KINDS[req.kind] : undefined;
  if (req.kind && !kind) throw new DomainError('BAD_QUERY', `kind is ${Object.keys(KINDS).join(' or ')}, got "${req.kind}"`, 'invalid');
  const status = req.status ? STATUSES[req.status] : undefined;
  if (req.status && !status) throw new DomainError('BAD_QUERY', `status is one of ${Object.keys(STATUSES).join(', ')}, got "${req.status}"`, 'invalid');
  const query = req.query ?? '';
  if (query.length > MAX_QUERY) throw new DomainError('BAD_QUERY', `query is at most ${MAX_QUERY} characters`, 'invalid');
  const q = query.toLowerCase();
  const providers = [...s.providers.values()]
    .filter((p) => (!kind || p.kind === kind) && (!status || p.status === status) && (!q || p.name.toLowerCase().includes(q)))
    .sort((a, b) => a.id - b.id)
    .map(providerMessage);
  return { height: s.height.toString(), currentEra: s.era, providers };
}

/** One provider, its kept eras (most recent first) and this era's scores and reports so far. */
export function providerView(s: ModelsState, id: number): modelsV1.GetProviderResponse {
  const p = s.providers.get(id);
  if (!p) throw new DomainError('PROVIDER_NOT_FOUND', `no provider ${id}`, 'not_found');
  const eras: modelsV1.ProviderEra[] = [];
  for (const e of [...s.history].reverse()) {
    const x = e.scores.find((sc) => sc.provider === id);
    if (x) eras.push({ era: e.era, consensus: x.consensus, weight: x.weight.toString(), paid: x.paid.toString() });
  }
  let scoredBy = 0;
  for (const list of s.weights.values()) if (list.some(([pid]) => pid === id)) scoredBy++;
  return { height: s.height.toString(), currentEra: s.era, provider: providerMessage(p), eras, scoredBy, reportedBy: s.reports.get(id)?.size ?? 0 };
}

/** Both grants funds now and at each kept era end (most recent first, models before agents), and the locks' total. */
export function fundsView(s: ModelsState): modelsV1.GetFundsResponse {
  const eras: modelsV1.EraFund[] = [];
  for (const e of [...s.history].reverse()) {
    for (const f of [...e.funds].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'Model' ? -1 : 1))) {
      eras.push({ era: e.era, kind: f.kind.toLowerCase(), fund: f.fund.toString(), paid: f.paid.toString(), totalWeight: f.totalWeight.toString(), providers: f.providers });
    }
  }
  return {
    height: s.height.toString(),
    currentEra: s.era,
    totalLocked: totalLocked(s.providers).toString(),
    modelsFund: s.funds.model.toString(),
    agentsFund: s.funds.agent.toString(),
    eras,
  };
}
