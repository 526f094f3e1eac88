// Charts with uPlot (~50 KiB): time series and bars. Each chart sits in a labelled figure (role="img"
// with a text summary) so screen readers get the numbers the canvas shows.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from './util.js';

export { uPlot };

export interface ChartHandle {
  el: HTMLElement;
  plot: uPlot;
  setData(data: uPlot.AlignedData, summary?: string): void;
  destroy(): void;
}

const live = new Set<ChartHandle>();
let resizeHooked = false;

/** Builds a chart inside a figure; `opts` without width/height (they follow the container). */
export function chart(title: string, opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData, height = 240): ChartHandle {
  const box = h('div', { class: 'chart' });
  const summary = h('p', { class: 'muted', style: 'font-size:12px;margin:4px 0 0' });
  const img = h('div', { role: 'img', 'aria-label': title }, box);
  const el = h('div', {}, h('h2', {}, title), img, summary);
  const plot = new uPlot({ ...opts, width: 600, height } as uPlot.Options, data, box);
  const handle: ChartHandle = {
    el,
    plot,
    setData(d, s) {
      plot.setData(d);
      if (s !== undefined) {
        summary.textContent = s;
        img.setAttribute('aria-label', `${title}. ${s}`);
      }
    },
    destroy() {
      live.delete(handle);
      plot.destroy();
    },
  };
  live.add(handle);
  // Size to the container once it is in the document.
  requestAnimationFrame(() => fit(handle, height));
  if (!resizeHooked) {
    resizeHooked = true;
    window.addEventListener('resize', () => {
      for (const c of live) fit(c, c.plot.height);
    });
  }
  return handle;
}

function fit(c: ChartHandle, height: number): void {
  const w = c.el.clientWidth;
  if (w > 0 && Math.abs(w - c.plot.width) > 2) c.plot.setSize({ width: w, height });
}

/** Removes the charts no longer in the document (after a page change). */
export function sweepCharts(): void {
  for (const c of [...live]) if (!c.el.isConnected) c.destroy();
}

export const COLORS = ['#0b5cad', '#c2410c', '#15803d', '#7c3aed', '#a16207', '#be123c'];

export function barsPaths(): uPlot.Series.PathBuilder {
  return uPlot.paths.bars!({ size: [0.6, 60] });
}
