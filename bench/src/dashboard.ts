// Dashboard benchmark: first load of the BAI Dashboard in Debian's Chromium (playwright-core, no browser
// download) on a devnet carrying a steady transfer load, and what many open dashboards cost the gateway.
//
//   node bench/dist/src/dashboard.js [--validators 4] [--loads 10] [--viewers 10] [--seconds 20] [--rate 4]
//        [--screenshots <dir>] [--chromium /usr/bin/chromium]
//
// 1. Builds apps/dashboard, starts a devnet (emissions + staking), sends `--rate` transfers/s from //Alice,
//    //Bob, //Charlie, //Dave in the background so the Network page has transfers to chart.
// 2. First load, `--loads` times, each in a fresh browser context (empty cache): navigation start → the
//    first live number on screen (the app's `bai:first-kpi` mark), and DOMContentLoaded; p50 / p95 / max.
// 3. `--viewers` pages left open on the Network page (each its own @polkadot/api client with head
//    subscriptions) for `--seconds`: the gateway's CPU (from /proc) against the same window with none open,
//    and how far the pages' finalized height trails the gateway's.
// 4. With --screenshots, saves network.png and token.png (1280 px) there at the end.
// Prints a table and one `RESULT {json}` line. Figures only, no assertions.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { IMMORTAL, ONE_BAI, cryptoReady, encodeTransfer, fromHex, keyFromUri, signExtrinsic, toHex, type KeyPair } from '@balanceai/chain';
import { Devnet, REPO_ROOT } from '@balanceai/testing';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const VALIDATORS = Number(arg('validators', '4'));
const LOADS = Number(arg('loads', '10'));
const VIEWERS = Number(arg('viewers', '10'));
const SECONDS = Number(arg('seconds', '20'));
const RATE = Number(arg('rate', '4'));
const SHOTS = arg('screenshots', '');
const CHROMIUM = arg('chromium', process.env.BAI_CHROMIUM ?? '/usr/bin/chromium');

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
};

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function until(p: Page, expression: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await p.evaluate(expression).catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await sleep(20);
  }
}

async function main(): Promise<void> {
  await cryptoReady();
  execFileSync(process.execPath, [join(REPO_ROOT, 'apps', 'dashboard', 'scripts', 'build.mjs')], { stdio: 'inherit' });
  const net = await Devnet.start({ validators: VALIDATORS, modules: ['emissions', 'staking'], eraLength: 20 });
  const url = net.gatewayUrl;
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  let stopLoad = false;
  let load: Promise<void> = Promise.resolve();
  try {
    const runtime = (await (await fetch(`${url}/v1/runtime`)).json()) as { genesisHash: string; specVersion: number; transactionVersion: number };
    const genesisHash = fromHex(runtime.genesisHash);
    const senders: Array<{ key: KeyPair; nonce: number }> = ['//Alice', '//Bob', '//Charlie', '//Dave'].map((u) => ({ key: keyFromUri(u, 'sr25519'), nonce: 0 }));
    const dest = keyFromUri('//Ferdie', 'sr25519').publicKey;
    let sent = 0;
    load = (async () => {
      while (!stopLoad) {
        const s = senders[sent % senders.length]!;
        const xt = signExtrinsic(s.key, encodeTransfer('keep_alive', dest, ONE_BAI / 1000n), { era: IMMORTAL, nonce: s.nonce++, tip: 0n }, {
          specVersion: runtime.specVersion, transactionVersion: runtime.transactionVersion, genesisHash, birthHash: genesisHash,
        });
        await fetch(`${url}/v1/extrinsics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ extrinsic: toHex(xt) }) }).catch(() => undefined);
        sent++;
        await sleep(1000 / RATE);
      }
    })();
    await sleep(5_000);

    // First loads, each with an empty cache.
    const warm = await browser.newContext();
    await (await warm.newPage()).goto('about:blank');
    await warm.close();
    const kpi: number[] = [];
    const dcl: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${url}/`);
      await until(page, `performance.getEntriesByName('bai:first-kpi').length > 0`);
      const t = (await page.evaluate(`[performance.getEntriesByName('bai:first-kpi')[0].startTime, performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd]`)) as [number, number];
      kpi.push(t[0]);
      dcl.push(t[1]);
      await ctx.close();
    }

    // Gateway CPU with no dashboard open, then with VIEWERS open.
    const gatewayPid = net.gatewayChild?.proc?.pid;
    if (!gatewayPid) throw new Error('no gateway process');
    const window = async (): Promise<number> => {
      const c0 = cpuSeconds(gatewayPid);
      const t0 = Date.now();
      await sleep(SECONDS * 1000);
      return ((cpuSeconds(gatewayPid) - c0) / ((Date.now() - t0) / 1000)) * 100;
    };
    const idleCpu = await window();
    const viewers: Page[] = [];
    const liveStart = Date.now();
    for (let i = 0; i < VIEWERS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await ctx.newPage();
      await page.goto(`${url}/`);
      viewers.push(page);
    }
    for (const p of viewers) await until(p, `document.getElementById('conn')?.textContent?.includes('live')`, 120_000);
    const allLiveMs = Date.now() - liveStart;
    const viewersCpu = await window();
    // The pages first, then the gateway: a page can only be behind (by what it missed plus the reading time).
    const shown = await Promise.all(viewers.map(async (p) => Number(((await p.locator('#k-final').textContent()) ?? '0').replace(/[^0-9]/g, ''))));
    const gatewayHeight = ((await (await fetch(`${url}/v1/status`)).json()) as { finalized: { height: number } }).finalized.height;
    const trail = shown.map((h) => gatewayHeight - h);

    if (SHOTS) {
      mkdirSync(SHOTS, { recursive: true });
      const page = viewers[0]!;
      await page.screenshot({ path: join(SHOTS, 'network.png'), fullPage: true });
      await page.goto(`${url}/#/token`);
      await until(page, `/BAI/.test(document.getElementById('t-issuance')?.textContent ?? '')`);
      await sleep(500);
      await page.screenshot({ path: join(SHOTS, 'token.png'), fullPage: true });
    }

    const result = {
      validators: VALIDATORS,
      transfersSent: sent,
      firstLoad: { runs: LOADS, kpiP50Ms: Math.round(pct(kpi, 50)), kpiP95Ms: Math.round(pct(kpi, 95)), kpiMaxMs: Math.round(Math.max(...kpi)), domContentLoadedP50Ms: Math.round(pct(dcl, 50)) },
      viewers: { count: VIEWERS, allLiveMs, gatewayCpuPercentIdle: Math.round(idleCpu * 10) / 10, gatewayCpuPercentWithViewers: Math.round(viewersCpu * 10) / 10, finalizedTrailBlocksMax: Math.max(...trail) },
    };
    console.log('\ndashboard bench');
    console.log(`  first load (${LOADS} runs, empty cache): first KPI p50 ${result.firstLoad.kpiP50Ms} ms, p95 ${result.firstLoad.kpiP95Ms} ms, max ${result.firstLoad.kpiMaxMs} ms; DOMContentLoaded p50 ${result.firstLoad.domContentLoadedP50Ms} ms`);
    console.log(`  ${VIEWERS} open dashboards: all live after ${allLiveMs} ms; gateway CPU ${result.viewers.gatewayCpuPercentIdle}% → ${result.viewers.gatewayCpuPercentWithViewers}% of a core; pages trail the gateway's finalized height by ≤ ${result.viewers.finalizedTrailBlocksMax} blocks`);
    console.log(`RESULT ${JSON.stringify(result)}`);
  } finally {
    stopLoad = true;
    await load;
    await browser.close().catch(() => undefined);
    await net.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
