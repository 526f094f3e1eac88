// BAI Dashboard: a hash-routed single page app. The shell and the Network page's first numbers come from
// REST; the live feed (@polkadot/api over the gateway's WebSocket) is loaded right after the first paint.
import './styles.css';
import { sweepCharts } from './charts.js';
import { networkPage } from './pages/network.js';
import { refreshStatus, startLive, state } from './live.js';
import { h, fill } from './util.js';

export type Cleanup = (() => void) | void;
type Page = (main: HTMLElement, arg: string) => Cleanup | Promise<Cleanup>;

const pages: Record<string, () => Promise<Page>> = {
  // The landing page is part of the first script (no second round trip before the first numbers).
  network: async () => networkPage,
  token: async () => (await import('./pages/token.js')).tokenPage,
  staking: async () => (await import('./pages/staking.js')).stakingPage,
  expert: async () => (await import('./pages/expert.js')).expertPage,
  wallet: async () => (await import('./pages/wallet.js')).walletPage,
  block: async () => (await import('./pages/explorer.js')).blockPage,
  extrinsic: async () => (await import('./pages/explorer.js')).extrinsicPage,
  marketplace: async () => (await import('./pages/marketplace.js')).marketplacePage,
  bridge: async () => (await import('./pages/bridge.js')).bridgePage,
};

const main = document.getElementById('main')!;
let cleanup: Cleanup;
let seq = 0;

async function route(): Promise<void> {
  const [name = 'network', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const key = name in pages ? name : 'network';
  const mySeq = ++seq;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('#nav a')) {
    const target = a.getAttribute('href')!.slice(2);
    if (target === key || (key === 'block' && target === 'network') || (key === 'extrinsic' && target === 'network')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const page = await pages[key]!();
  if (mySeq !== seq) return;
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  main.replaceChildren();
  sweepCharts();
  const label = document.querySelector(`#nav a[href="#/${key}"]`)?.textContent ?? key;
  document.title = `${label === key ? key[0]!.toUpperCase() + key.slice(1) : label} · BAI Dashboard`;
  try {
    cleanup = await page(main, decodeURIComponent(rest.join('/')));
  } catch (err) {
    fill(main, h('h1', {}, 'Something went wrong'), h('p', { class: 'error' }, err instanceof Error ? err.message : String(err)));
  }
  if (mySeq === seq && document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) main.focus();
}

const conn = document.getElementById('conn')!;
function showConn(s: typeof state.rpc): void {
  conn.textContent = s === 'connected' ? '● live' : s === 'connecting' ? 'connecting…' : '○ reconnecting…';
  conn.title = s === 'connected' ? 'Subscribed to the node over WebSocket' : 'The WebSocket to the node is down; retrying';
}

window.addEventListener('hashchange', () => void route());
void (async () => {
  const status = refreshStatus();
  await route();
  await status;
  // After the first paint: the live feed.
  setTimeout(() => {
    startLive(showConn).catch(() => showConn('error'));
  }, 0);
})();
