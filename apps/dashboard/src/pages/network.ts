// Network: finalized height, finality lag, blocks/s and transfers/s over time, validators, era progress,
// recent blocks and extrinsics (click through to the explorer pages).
import { eraProgress, rates as rateSeries } from '../calc.js';
import { chart, COLORS } from '../charts.js';
import { backfill, isTransfer, onUpdate, sortedBlocks, state } from '../live.js';
import { fill, fmtBai, fmtNum, h, kpi, setText, shortHash, table } from '../util.js';

const WINDOW = 10;

export function networkPage(main: HTMLElement): () => void {
  const rates = chart(
    'Blocks and transfers per second (finalized)',
    {
      scales: { x: { time: true } },
      axes: [{}, { label: 'per second' }],
      series: [
        {},
        { label: 'blocks/s', stroke: COLORS[0], width: 2, value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
        { label: 'transfers/s', stroke: COLORS[1], width: 2, value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
      ],
    },
    [[], [], []],
  );
  const validators = h('div', {});
  const blocks = h('div', {});
  const extrinsics = h('div', {});
  const eraBar = h('span', { style: 'width:0%' });
  fill(
    main,
    h('h1', {}, 'Network'),
    h(
      'div',
      { class: 'grid' },
      kpi('Finalized height', 'k-final'),
      kpi('Best height', 'k-best'),
      kpi('Finality lag', 'k-lag', 'blocks between best and finalized'),
      kpi('Blocks/s', 'k-bps', `last ${WINDOW} blocks`),
      kpi('Transfers/s', 'k-tps', `last ${WINDOW} blocks`),
      kpi('Validators online', 'k-vals'),
      kpi('Era', 'k-era'),
      kpi('Total issuance', 'k-issuance'),
    ),
    h('div', { class: 'card' }, h('h2', { id: 'era-title' }, 'Era progress'), h('div', { class: 'bar', role: 'progressbar', id: 'era-bar', 'aria-labelledby': 'era-title', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, eraBar), h('p', { class: 'muted', id: 'era-text', style: 'margin:6px 0 0' })),
    h('div', { class: 'card' }, rates.el),
    h('div', { class: 'cols' }, h('section', { class: 'card', 'aria-labelledby': 'rb' }, h('h2', { id: 'rb' }, 'Recent blocks'), blocks), h('section', { class: 'card', 'aria-labelledby': 'rx' }, h('h2', { id: 'rx' }, 'Recent extrinsics'), extrinsics)),
    h('section', { class: 'card', 'aria-labelledby': 'vh' }, h('h2', { id: 'vh' }, 'Validators'), validators),
  );

  let lastTable = '';
  const update = (): void => {
    const s = state.status;
    setText('k-final', state.finalized > 0 ? fmtNum(state.finalized) : '…');
    // The first live number on screen: what the e2e test's first-load figure measures.
    if (state.finalized > 0 && performance.getEntriesByName('bai:first-kpi').length === 0) performance.mark('bai:first-kpi');
    setText('k-best', state.best > 0 ? fmtNum(state.best) : '…');
    setText('k-lag', state.best >= state.finalized ? `${state.best - state.finalized} blocks` : '0 blocks');
    if (s) {
      setText('k-vals', `${s.validatorsOnline} / ${s.validators.length}`);
      setText('k-issuance', fmtBai(s.totalIssuance, 0));
    }
    const e = state.eras;
    if (e) {
      const len = Number(e.eraLength);
      const start = Number(e.currentEraStartHeight);
      const { done, left, percent: pct } = eraProgress(state.finalized, start, len);
      setText('k-era', String(e.currentEra));
      setText('k-era-sub', `${pct}% through`);
      eraBar.style.width = `${pct}%`;
      document.getElementById('era-bar')?.setAttribute('aria-valuenow', String(pct));
      setText('era-text', `Era ${e.currentEra}: block ${done} of ${len} (started at height ${start}); ${left} blocks to the next era.`);
    } else {
      setText('k-era', '–');
      setText('era-text', 'Staking is not running on this network.');
    }

    const list = sortedBlocks();
    const { x: xs, blocksPerSecond: bps, transfersPerSecond: tps } = rateSeries(
      list.map((b) => ({ number: b.number, timeMs: b.timeMs, transfers: b.extrinsics.filter((x) => x.success && isTransfer(x.call)).length })),
      WINDOW,
    );
    const lastB = bps.at(-1);
    const lastT = tps.at(-1);
    setText('k-bps', lastB == null ? '…' : lastB.toFixed(2));
    setText('k-tps', lastT == null ? '…' : lastT.toFixed(2));
    rates.setData([xs, bps, tps], `${list.length} finalized blocks; now ${lastB == null ? 'measuring' : `${lastB.toFixed(2)} blocks/s and ${(lastT ?? 0).toFixed(2)} transfers/s`}.`);

    const key = `${list.at(-1)?.number}:${s?.validatorsOnline}:${s?.finalized.height}`;
    if (key === lastTable) return;
    lastTable = key;
    const recent = list.slice(-10).reverse();
    fill(
      blocks,
      table(
        ['Block', 'Hash', ['Extrinsics', 'num'], 'Proposer', 'Age'],
        recent.map((b) => [h('a', { href: `#/block/${b.number}` }, `#${fmtNum(b.number)}`), h('span', { class: 'mono' }, shortHash(b.hash)), b.extrinsics.length, b.proposerIndex, `${Math.max(0, Math.round((Date.now() - b.timeMs) / 1000))} s`]),
      ),
    );
    const xts = list.flatMap((b) => b.extrinsics.map((x) => ({ ...x, block: b.number }))).slice(-10).reverse();
    fill(
      extrinsics,
      xts.length === 0
        ? h('p', { class: 'muted' }, `No extrinsics in the last ${list.length} blocks.`)
        : table(
            ['Extrinsic', 'Call', 'Block', 'Result'],
            xts.map((x) => [h('a', { href: `#/extrinsic/${x.hash}`, class: 'mono' }, shortHash(x.hash)), x.call, h('a', { href: `#/block/${x.block}` }, `#${x.block}`), x.success ? h('span', { class: 'ok' }, 'ok') : h('span', { class: 'bad' }, x.errorCode ?? 'failed')]),
          ),
    );
    if (s) {
      fill(
        validators,
        table(
          [['#', 'num'], 'Stash', 'Online', ['Last seen', 'num']],
          s.validators.map((v) => [v.index, h('span', { class: 'addr' }, v.stash), v.online ? h('span', { class: 'ok' }, 'online') : h('span', { class: 'bad' }, 'offline'), fmtNum(v.lastSeenHeight)]),
        ),
      );
    }
  };
  const off = onUpdate(update);
  update();
  void backfill(40);
  return off;
}
