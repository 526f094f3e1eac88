// Marketplace: the models and agents providers (kind, name, owner, status, validation lock, minimum access
// holding, latest era's consensus score, weight and grant), a provider's per-era history, and the two grants
// funds (REST /v1/models/*, live balances from /v1/emissions/funds). A chain without the models module answers
// 404: "Not yet on this network".
import { ApiError, errText, fill, fmtBai, get, h, kpi, setText, shortHash, table, type Child } from '../util.js';

interface Provider {
  id: number;
  owner: string;
  kind: string;
  name: string;
  metadataUri: string;
  endpoint: string;
  minAccessHolding: string;
  lock: string;
  status: string;
  unlockEra: number | null;
  registeredEra: number;
  earned: string;
  slashed: string;
}
interface EraScore {
  era: number;
  consensus: number;
  weight: string;
  paid: string;
}
interface ProviderDetail extends Provider {
  at: string;
  currentEra: number;
  eras: EraScore[];
}
interface ModelsFunds {
  at: string;
  currentEra: number;
  totalLocked: string;
  eras: Array<{ era: number; kind: string; fund: string; paid: string; totalWeight: string; providers: number }>;
}
interface EmissionFunds {
  funds: Array<{ name: string; balance: string }>;
}

/** The per-era details fetched for the table's "latest" columns: at most this many providers. */
const DETAIL_LIMIT = 100;

const notOnNetwork = (main: HTMLElement): void =>
  fill(main, h('h1', {}, 'Marketplace'), h('p', { class: 'notice' }, 'Not yet on this network. Providers with their locks, scores and earnings appear here once the models marketplace module runs on this network.'));

const kindName = (k: string): string => (k === 'agent' ? 'Agent' : k === 'model' ? 'Model' : k);
const score = (c: number): string => `${((c / 65535) * 100).toFixed(1)} %`;
const statusCell = (s: string): HTMLElement => h('span', { class: s === 'active' ? 'ok' : s === 'slashed' ? 'bad' : 'muted' }, s);

export async function marketplacePage(main: HTMLElement, arg: string): Promise<() => void> {
  if (arg) return providerPage(main, arg);
  fill(main, h('h1', {}, 'Marketplace'), h('p', {}, 'Loading…'));
  let list: { providers: Provider[] };
  let funds: ModelsFunds;
  try {
    [list, funds] = await Promise.all([get<{ providers: Provider[] }>('/v1/models/providers'), get<ModelsFunds>('/v1/models/funds')]);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) notOnNetwork(main);
    else fill(main, h('h1', {}, 'Marketplace'), h('p', { class: 'error' }, `The models marketplace does not answer: ${errText(err)}`));
    return () => undefined;
  }
  const live = await get<EmissionFunds>('/v1/emissions/funds').catch(() => undefined);
  const balance = (name: string): string => {
    const f = live?.funds.find((x) => x.name === name);
    return f ? fmtBai(f.balance, 2) : 'not known';
  };
  const lastFund = (kind: string) => funds.eras.find((e) => e.kind === kind);
  const fundSub = (kind: string): string => {
    const e = lastFund(kind);
    return e ? `era ${e.era}: ${fmtBai(e.paid, 2)} paid to ${e.providers} provider${e.providers === 1 ? '' : 's'}` : 'no era paid yet';
  };

  const details = new Map<number, ProviderDetail>();
  await Promise.all(
    list.providers.slice(0, DETAIL_LIMIT).map(async (p) => {
      const d = await get<ProviderDetail>(`/v1/models/providers/${p.id}`).catch(() => undefined);
      if (d) details.set(p.id, d);
    }),
  );

  const filterKind = h('select', { id: 'm-kind' }, h('option', { value: '' }, 'all'), h('option', { value: 'model' }, 'models'), h('option', { value: 'agent' }, 'agents'));
  const filterStatus = h('select', { id: 'm-status' }, h('option', { value: '' }, 'all'), ...['active', 'deregistered', 'slashed', 'closed'].map((s) => h('option', { value: s }, s)));
  const filterName = h('input', { id: 'm-q', type: 'search', maxlength: 64, autocomplete: 'off' });
  const tableBox = h('div', { id: 'm-providers' });
  const render = (): void => {
    const kind = filterKind.value;
    const status = filterStatus.value;
    const q = filterName.value.trim().toLowerCase();
    const shown = list.providers.filter((p) => (!kind || p.kind === kind) && (!status || p.status === status) && (!q || p.name.toLowerCase().includes(q)));
    if (list.providers.length === 0) return fill(tableBox, h('p', { class: 'muted' }, 'No provider has registered yet.'));
    if (shown.length === 0) return fill(tableBox, h('p', { class: 'muted' }, 'No provider matches.'));
    fill(
      tableBox,
      table(
        ['Kind', 'Name', 'Owner', 'Status', ['Lock', 'num'], ['Min. access holding', 'num'], ['Latest score', 'num'], ['Weight', 'num'], ['Grant', 'num']],
        shown.map((p) => {
          const last = details.get(p.id)?.eras[0];
          return [
            kindName(p.kind),
            h('a', { href: `#/marketplace/${p.id}` }, p.name || `#${p.id}`),
            h('span', { class: 'mono', title: p.owner }, shortHash(p.owner)),
            statusCell(p.status),
            fmtBai(p.lock, 2),
            fmtBai(p.minAccessHolding, 2),
            last ? `${score(last.consensus)} (era ${last.era})` : '–',
            last ? last.weight : '–',
            last ? fmtBai(last.paid, 4) : '–',
          ];
        }),
        `${shown.length} of ${list.providers.length} provider${list.providers.length === 1 ? '' : 's'}; score, weight and grant of the latest era each was paid in`,
      ),
    );
  };
  filterKind.addEventListener('change', render);
  filterStatus.addEventListener('change', render);
  filterName.addEventListener('input', render);

  fill(
    main,
    h('h1', {}, 'Marketplace'),
    h('p', {}, 'Model and agent providers lock BAI to be scored by the validators each era; the grants funds pay them by weight.'),
    h('div', { class: 'grid' }, kpi('Models grants fund', 'm-fund-models', fundSub('model')), kpi('Agents grants fund', 'm-fund-agents', fundSub('agent')), kpi('Locked by providers', 'm-locked', `era ${funds.currentEra}`), kpi('Providers', 'm-count', '')),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'mp' },
      h('h2', { id: 'mp' }, 'Providers'),
      h('div', { class: 'row filters' }, h('label', { for: 'm-kind' }, 'Kind', filterKind), h('label', { for: 'm-status' }, 'Status', filterStatus), h('label', { for: 'm-q' }, 'Name contains', filterName)),
      tableBox,
    ),
  );
  setText('m-fund-models', balance('models_grants_fund'));
  setText('m-fund-agents', balance('agents_grants_fund'));
  setText('m-locked', fmtBai(funds.totalLocked, 2));
  setText('m-count', String(list.providers.length));
  setText('m-count-sub', `${list.providers.filter((p) => p.status === 'active').length} active`);
  render();
  return () => undefined;
}

async function providerPage(main: HTMLElement, id: string): Promise<() => void> {
  fill(main, h('h1', {}, `Provider ${id}`), h('p', {}, 'Loading…'));
  let d: ProviderDetail;
  try {
    d = await get<ProviderDetail>(`/v1/models/providers/${encodeURIComponent(id)}`);
  } catch (err) {
    const text = err instanceof ApiError && err.code === 'PROVIDER_NOT_FOUND' ? `No provider ${id} on this network.` : errText(err);
    fill(main, h('h1', {}, `Provider ${id}`), h('p', { class: 'error' }, text), h('p', {}, h('a', { href: '#/marketplace' }, '← all providers')));
    return () => undefined;
  }
  const rows: Array<[string, Child]> = [
    ['Kind', kindName(d.kind)],
    ['Status', statusCell(d.status)],
    ['Owner', h('span', { class: 'mono', style: 'overflow-wrap:anywhere' }, d.owner)],
    ['Endpoint', h('span', { class: 'mono', style: 'overflow-wrap:anywhere' }, d.endpoint)],
    ['Metadata', h('span', { class: 'mono', style: 'overflow-wrap:anywhere' }, d.metadataUri)],
    ['Validation lock', fmtBai(d.lock)],
    ['Minimum access holding', fmtBai(d.minAccessHolding)],
    ['Registered in era', String(d.registeredEra)],
    ['Earned (all eras)', fmtBai(d.earned)],
    ['Slashed (all eras)', fmtBai(d.slashed)],
  ];
  if (d.unlockEra !== null) rows.push(['Lock returns at era', String(d.unlockEra)]);
  fill(
    main,
    h('p', {}, h('a', { href: '#/marketplace' }, '← all providers')),
    h('h1', {}, `${d.name || `Provider ${d.id}`}`),
    h('section', { class: 'card', 'aria-labelledby': 'pd' }, h('h2', { id: 'pd' }, 'Provider'), h('dl', { class: 'kv' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'pe' },
      h('h2', { id: 'pe' }, 'Per era'),
      d.eras.length === 0
        ? h('p', { class: 'muted', id: 'p-eras' }, `No era scored yet (current era ${d.currentEra}).`)
        : h('div', { id: 'p-eras' }, table(['Era', ['Consensus score', 'num'], ['Weight', 'num'], ['Grant paid', 'num']], d.eras.map((e) => [String(e.era), score(e.consensus), e.weight, fmtBai(e.paid)]), `the last ${d.eras.length} era${d.eras.length === 1 ? '' : 's'} it was active in, most recent first (current era ${d.currentEra})`)),
    ),
  );
  return () => undefined;
}
