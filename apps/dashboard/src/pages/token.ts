// Token: total issuance against the emission schedule (halving thresholds marked), the next halving's ETA,
// today's emission and its 44/24/24/8 split, the four funds' balances (REST /v1/emissions/*).
import { barsPaths, chart, COLORS } from '../charts.js';
import { halvingThreshold } from '../calc.js';
import { onUpdate, state } from '../live.js';
import { errText, fill, fmtBai, fmtDuration, fmtNum, get, h, kpi, setText, shortHash, table, toFloat } from '../util.js';

interface Schedule {
  height: string;
  epoch: number;
  issuance: string;
  maxSupply: string;
  genesisIssuance: string;
  ratePerBlock: string;
  ratePerDay: string;
  blocksPerDay: string;
  blockTimeMs: string;
  lastBlockTimeMs: string;
  nextHalving: { epoch: number; threshold: string; remaining: string; estimatedHeight: string; estimatedTimeMs: string; estimatedDate: string } | null;
}
interface Curve {
  capHeight: string;
  maxSupply: string;
  points: Array<{ height: string; issuance: string; estimatedTimeMs: string }>;
}
interface Funds {
  height: string;
  funds: Array<{ name: string; account: string; address: string; percent: number; minted: string; balance: string }>;
  totalMinted: string;
}

const FUND_NAMES: Record<string, string> = {
  staking_reward_pot: 'Staking reward pot',
  models_grants_fund: 'Models grants fund',
  agents_grants_fund: 'Agents grants fund',
  development_fund: 'Development fund',
};

const SHORT_NAMES: Record<string, string> = { staking_reward_pot: 'Staking', models_grants_fund: 'Models', agents_grants_fund: 'Agents', development_fund: 'Dev.' };

export async function tokenPage(main: HTMLElement): Promise<() => void> {
  fill(main, h('h1', {}, 'Token'), h('p', {}, 'Loading…'));
  let schedule: Schedule;
  let curve: Curve;
  let funds: Funds;
  try {
    [schedule, curve, funds] = await Promise.all([get<Schedule>('/v1/emissions/schedule'), get<Curve>('/v1/emissions/curve?points=400'), get<Funds>('/v1/emissions/funds')]);
  } catch (err) {
    fill(main, h('h1', {}, 'Token'), h('p', { class: 'error' }, `The emissions service does not answer: ${errText(err)}`));
    return () => undefined;
  }
  const max = BigInt(schedule.maxSupply);
  const thresholds: Array<{ k: number; value: bigint }> = [];
  for (let k = 1; k <= 6; k++) thresholds.push({ k, value: halvingThreshold(max, k) });
  if (schedule.nextHalving && schedule.nextHalving.epoch >= 1 && schedule.nextHalving.epoch <= 6 && halvingThreshold(max, schedule.nextHalving.epoch) !== BigInt(schedule.nextHalving.threshold)) {
    // The schedule is not the halve-at-half-the-rest kind: mark only the threshold the chain reports.
    thresholds.splice(0, thresholds.length, { k: schedule.nextHalving.epoch, value: BigInt(schedule.nextHalving.threshold) });
  }

  const issuanceChart = chart(
    'Total issuance against the emission schedule',
    {
      scales: { x: { time: true }, y: { range: [0, toFloat(max) * 1.04] } },
      axes: [{}, { label: 'million BAI', size: 60, values: (_u, vals) => vals.map((v) => (v / 1e6).toFixed(1)) }],
      series: [
        {},
        { label: 'schedule', stroke: COLORS[0], width: 2, value: (_u, v) => (v == null ? '–' : `${fmtNum(v / 1e6, 3)} M`) },
        { label: 'issued now', stroke: COLORS[1], width: 0, points: { show: true, size: 10, fill: COLORS[1] }, value: (_u, v) => (v == null ? '–' : `${fmtNum(v / 1e6, 4)} M`) },
        ...thresholds.map((t, i) => ({ label: `halving ${t.k}`, stroke: COLORS[2 + (i % 4)], width: 1, dash: [6, 4], points: { show: false }, value: () => `${fmtNum(toFloat(t.value) / 1e6, 3)} M` })),
      ],
    },
    [[]],
    300,
  );

  const split = chart(
    'Emission per day by destination',
    {
      scales: { x: { time: false, range: [-0.5, 3.5] }, y: { range: (_u, _min, max) => [0, max * 1.1] } },
      axes: [{ values: (_u, vals) => vals.map((v) => (Number.isInteger(v) ? SHORT_NAMES[funds.funds[v]?.name ?? ''] ?? '' : '')), splits: () => [0, 1, 2, 3] }, { label: 'BAI per day', size: 60 }],
      series: [{}, { label: 'BAI/day', fill: COLORS[0], stroke: COLORS[0], paths: barsPaths(), points: { show: false }, value: (_u, v) => (v == null ? '–' : fmtNum(v, 2)) }],
    },
    [[]],
    220,
  );

  const fundsBox = h('div', {});
  fill(
    main,
    h('h1', {}, 'Token'),
    h('div', { class: 'grid' },
      kpi('Total issuance', 't-issuance'),
      kpi('Cap', 't-cap', 'maximum supply'),
      kpi('Epoch', 't-epoch', 'halvings so far'),
      kpi('Emission per day', 't-day', `${fmtNum(Number(schedule.blocksPerDay))} blocks at the current rate`),
      kpi('Per block', 't-block'),
      kpi('Next halving', 't-halving'),
    ),
    h('div', { class: 'card' }, issuanceChart.el),
    h('div', { class: 'cols' }, h('div', { class: 'card' }, split.el), h('section', { class: 'card', 'aria-labelledby': 'fh' }, h('h2', { id: 'fh' }, 'Funds'), fundsBox)),
  );

  let zoomed = false;
  const render = (): void => {
    const now = Date.now() / 1000;
    const xs: number[] = [];
    const ys: Array<number | null> = [];
    const nowSeries: Array<number | null> = [];
    let placed = false;
    for (const p of curve.points) {
      const x = Number(p.estimatedTimeMs) / 1000;
      if (!placed && x >= now) {
        xs.push(now);
        ys.push(null);
        nowSeries.push(toFloat(schedule.issuance));
        placed = true;
      }
      xs.push(x);
      ys.push(toFloat(p.issuance));
      nowSeries.push(null);
    }
    if (!placed) {
      xs.push(now);
      ys.push(null);
      nowSeries.push(toFloat(schedule.issuance));
    }
    issuanceChart.plot.series[1]!.spanGaps = true;
    const lines = thresholds.map((t) => xs.map(() => toFloat(t.value)));
    issuanceChart.setData(
      [xs, ys, nowSeries, ...lines],
      `Issued ${fmtBai(schedule.issuance, 0)} of a ${fmtBai(schedule.maxSupply, 0)} cap; halvings at ${thresholds.map((t) => fmtBai(t.value, 0)).join(', ')}. Drag to zoom, double-click for the whole schedule.`,
    );
    // Open on the years that matter (to the fourth halving); the whole schedule runs for decades.
    const fourth = thresholds.find((t) => t.k === 4)?.value;
    const until = fourth === undefined ? undefined : curve.points.find((p) => BigInt(p.issuance) >= fourth);
    if (until && !zoomed) {
      zoomed = true;
      issuanceChart.plot.setScale('x', { min: xs[0]!, max: Number(until.estimatedTimeMs) / 1000 });
    }

    const perDay = BigInt(schedule.ratePerDay);
    const shares = funds.funds.map((f) => (perDay * BigInt(f.percent)) / 100n);
    split.setData([funds.funds.map((_f, i) => i), shares.map((s) => toFloat(s))], funds.funds.map((f, i) => `${FUND_NAMES[f.name] ?? f.name} ${f.percent}%: ${fmtBai(shares[i]!, 2)}`).join('; ') + '.');

    setText('t-issuance', fmtBai(schedule.issuance, 0));
    setText('t-issuance-sub', `${((toFloat(schedule.issuance) / toFloat(schedule.maxSupply)) * 100).toFixed(2)}% of the cap, height ${fmtNum(Number(schedule.height))}`);
    setText('t-epoch', String(schedule.epoch));
    setText('t-cap', fmtBai(schedule.maxSupply, 0));
    setText('t-day', fmtBai(schedule.ratePerDay, 0));
    setText('t-block', fmtBai(schedule.ratePerBlock, 4));
    const nh = schedule.nextHalving;
    setText('t-halving', nh ? `in ${fmtDuration(Number(nh.estimatedTimeMs) - Date.now())}` : 'none (cap reached)');
    setText('t-halving-sub', nh ? `at ${fmtBai(nh.threshold, 0)} issued, ~height ${fmtNum(Number(nh.estimatedHeight))}, ${nh.estimatedDate.slice(0, 10)}; ${fmtBai(nh.remaining, 0)} to go` : '');

    fill(
      fundsBox,
      table(
        ['Fund', ['Share', 'num'], ['Per day', 'num'], ['Minted since genesis', 'num'], ['Balance', 'num'], 'Address'],
        funds.funds.map((f, i) => [FUND_NAMES[f.name] ?? f.name, `${f.percent}%`, fmtBai(shares[i]!, 2), fmtBai(f.minted, 2), fmtBai(f.balance, 2), h('span', { class: 'mono', title: f.address }, shortHash(f.address))]),
      ),
    );
  };
  render();

  let lastHeight = state.finalized;
  let busy = false;
  const off = onUpdate(() => {
    if (busy || state.finalized < lastHeight + 2) return;
    lastHeight = state.finalized;
    busy = true;
    Promise.all([get<Schedule>('/v1/emissions/schedule'), get<Funds>('/v1/emissions/funds')])
      .then(([s, f]) => {
        schedule = s;
        funds = f;
        render();
      })
      .catch(() => undefined)
      .finally(() => (busy = false));
  });
  return off;
}
