// Staking: validators (commission, own and total stake, era points, online), nominators, rewards per era,
// the staking ratio and expected returns (REST /v1/staking/*, nominators from chain storage).
import { barsPaths, chart, COLORS } from '../charts.js';
import { annualReturn } from '../calc.js';
import { onUpdate, state, type ErasJson } from '../live.js';
import { errText, fill, fmtBai, fmtNum, get, h, kpi, setText, table, toFloat } from '../util.js';

interface StakingValidator {
  account: string;
  address: string;
  status: string;
  ownBond: string;
  totalBacking: string;
  ownExposure: string;
  commission: number;
  commissionPercent: string;
  nominatorCount: number;
  eraPoints: string;
  consensusKey: string;
  candidate: boolean;
}
interface Validators {
  height: string;
  currentEra: number;
  active: StakingValidator[];
  waiting: StakingValidator[];
}
interface Totals {
  totalStaked: string;
  totalActive: string;
  activeEraStake: string;
  totalIssuance: string;
  stakingRatioPpb: string;
  stakingRatio: string;
  validatorCandidates: number;
  nominators: number;
  activeValidators: number;
}

export async function stakingPage(main: HTMLElement): Promise<() => void> {
  fill(main, h('h1', {}, 'Staking'), h('p', {}, 'Loading…'));
  let validators: Validators;
  let totals: Totals;
  let eras: ErasJson;
  let blockTimeMs = 1000;
  try {
    [validators, totals, eras] = await Promise.all([get<Validators>('/v1/staking/validators'), get<Totals>('/v1/staking/totals'), get<ErasJson>('/v1/staking/eras')]);
    blockTimeMs = Number((await get<{ blockTimeMs: string }>('/v1/emissions/schedule').catch(() => ({ blockTimeMs: '1000' }))).blockTimeMs);
  } catch (err) {
    fill(main, h('h1', {}, 'Staking'), h('p', { class: 'error' }, `The staking module does not answer: ${errText(err)}`));
    return () => undefined;
  }

  const rewards = chart(
    'Rewards per era',
    {
      scales: { x: { time: false } },
      axes: [{ label: 'era' }, { label: 'BAI', size: 60 }],
      series: [{ label: 'era' }, { label: 'reward', fill: COLORS[2], stroke: COLORS[2], paths: barsPaths(), points: { show: false }, value: (_u, v) => (v == null ? '–' : fmtNum(v, 4)) }],
    },
    [[]],
    220,
  );
  const valBox = h('div', {});
  const nomBox = h('div', {}, h('p', { class: 'muted' }, 'Reading nominators from chain storage…'));
  fill(
    main,
    h('h1', {}, 'Staking'),
    h('div', { class: 'grid' },
      kpi('Staking ratio', 's-ratio', 'staked / total issuance'),
      kpi('Total staked', 's-staked'),
      kpi('Active validators', 's-active'),
      kpi('Nominators', 's-noms'),
      kpi('Current era', 's-era'),
      kpi('Expected return', 's-apr', 'per year, from the last paid era'),
    ),
    h('section', { class: 'card', 'aria-labelledby': 'sv' }, h('h2', { id: 'sv' }, 'Validators'), valBox),
    h('div', { class: 'cols' }, h('div', { class: 'card' }, rewards.el), h('section', { class: 'card', 'aria-labelledby': 'sn' }, h('h2', { id: 'sn' }, 'Nominators'), nomBox)),
  );

  const render = (): void => {
    const online = new Map((state.status?.validators ?? []).map((v) => [v.stash, v.online]));
    setText('s-ratio', `${(Number(totals.stakingRatioPpb) / 1e7).toFixed(2)}%`);
    setText('s-staked', fmtBai(totals.totalStaked, 0));
    setText('s-active', `${totals.activeValidators} (${totals.validatorCandidates} candidates)`);
    setText('s-noms', String(totals.nominators));
    setText('s-era', String(eras.currentEra));
    setText('s-era-sub', `${eras.eraLength} blocks an era, started at ${eras.currentEraStartHeight}`);
    const paid = eras.eras.find((e) => e.paidOut && BigInt(e.totalStake) > 0n);
    setText('s-apr', paid ? `${(annualReturn(BigInt(paid.reward), BigInt(paid.totalStake), Number(eras.eraLength), blockTimeMs) * 100).toFixed(2)}%` : '–');
    const row = (v: StakingValidator) => [
      h('span', { class: 'addr' }, v.address),
      v.status,
      `${v.commissionPercent}%`,
      fmtBai(v.ownBond, 2),
      fmtBai(v.totalBacking, 2),
      v.nominatorCount,
      fmtNum(Number(v.eraPoints)),
      online.has(v.address) ? (online.get(v.address) ? h('span', { class: 'ok' }, 'online') : h('span', { class: 'bad' }, 'offline')) : h('span', { class: 'muted' }, 'not in set'),
    ];
    fill(
      valBox,
      table(
        ['Stash', 'Status', ['Commission', 'num'], ['Own stake', 'num'], ['Total stake', 'num'], ['Nominators', 'num'], ['Era points', 'num'], 'Online'],
        [...validators.active, ...validators.waiting].map(row),
      ),
    );
    const done = [...eras.eras].sort((a, b) => a.era - b.era);
    rewards.setData([done.map((e) => e.era), done.map((e) => toFloat(e.reward))], done.length ? `${done.length} eras; last era ${done.at(-1)!.era} paid ${fmtBai(done.at(-1)!.reward, 4)}.` : 'No era has ended yet.');
  };
  render();

  void (async () => {
    try {
      const { api } = await import('../chain.js');
      const a = await api();
      const entries = await a.query.staking!.nominators!.entries();
      const rows = entries
        .map(([key, value]) => {
          const v = (value as unknown as { isSome: boolean; unwrap(): { targets: Array<{ toString(): string }>; submittedIn: { toString(): string } } });
          const n = v.isSome ? v.unwrap() : undefined;
          return [h('span', { class: 'addr' }, key.args[0]!.toString()), n ? n.targets.length : 0, n ? h('span', { class: 'addr' }, n.targets.map((t) => t.toString()).join(', ')) : '–'];
        })
        .sort((x, y) => String((x[0] as HTMLElement).textContent).localeCompare(String((y[0] as HTMLElement).textContent)));
      fill(nomBox, rows.length === 0 ? h('p', { class: 'muted' }, 'No nominators yet.') : table(['Nominator', ['Targets', 'num'], 'Nominated validators'], rows));
    } catch (err) {
      fill(nomBox, h('p', { class: 'muted' }, `${totals.nominators} nominators (the list needs chain storage iteration: ${errText(err)})`));
    }
  })();

  let last = state.finalized;
  let busy = false;
  return onUpdate(() => {
    if (busy || state.finalized < last + 3) return;
    last = state.finalized;
    busy = true;
    Promise.all([get<Validators>('/v1/staking/validators'), get<Totals>('/v1/staking/totals'), get<ErasJson>('/v1/staking/eras')])
      .then(([v, t, e]) => {
        validators = v;
        totals = t;
        eras = e;
        render();
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  });
}
