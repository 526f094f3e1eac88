// BAI Dashboard in a real browser (issue 13): Debian's Chromium driven by playwright-core (no browser
// download) against a devnet with emissions and staking. Opens every page, checks live numbers move without
// a reload, clicks through to a block and an extrinsic, creates a wallet and imports //Alice, sends a
// transfer and sees it finalized, bonds and nominates from the new wallet, reads errors in words; runs
// axe-core on every page (no serious or critical violation), checks phone width (375 px) and measures the
// first load. Screenshots go to a temp folder (printed), or BAI_DASHBOARD_SCREENSHOTS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { IMMORTAL, ONE_BAI, encodeBridgeCall, encodeModelsCall, keyFromUri, parseAccountId, signExtrinsic, ss58Encode, toHex, type Call, type KeyPair } from '@balanceai/chain';
import { Devnet, REPO_ROOT } from '@balanceai/testing';
import { Gateway, chainInfo, poll, type ChainInfo } from './client.js';

const CHROMIUM = process.env.BAI_CHROMIUM ?? '/usr/bin/chromium';
const DASHBOARD = join(REPO_ROOT, 'apps', 'dashboard');
const PASSWORD = 'correct horse 42';
const STEP_MS = 60_000;

let net: Devnet;
let gw: Gateway;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let shots = '';
const pageErrors: string[] = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install chromium (or set BAI_CHROMIUM)`);
  // The test runs the dashboard as built from its current sources (esbuild, well under a second).
  execFileSync(process.execPath, [join(DASHBOARD, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  shots = process.env.BAI_DASHBOARD_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'bai-dashboard-shots-'));
  mkdirSync(shots, { recursive: true });
  // The expert service too, when its Python venv is there (services/expert/scripts/setup-python.sh; .ci/run makes it).
  // Every module: the models marketplace and the bridge (anvil, BaiBridge and 2-of-3 relayers) too.
  net = await Devnet.start({ validators: 2, modules: ['emissions', 'staking', 'models', 'bridge'], eraLength: 10, expert: true });
  gw = new Gateway(net.gatewayUrl);
  await gw.waitHeight(3, 60_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await net?.stop();
  if (shots) console.log(`dashboard screenshots: ${shots}`);
});

async function newPage(width = 1280, height = 900): Promise<Page> {
  context = await browser.newContext({ viewport: { width, height } });
  const p = await context.newPage();
  p.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  p.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  return p;
}

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP does not apply). */
async function axe(p: Page, where: string): Promise<void> {
  const require = createRequire(import.meta.url);
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await p.evaluate(source);
  const result = (await p.evaluate(`axe.run(document, { resultTypes: ['violations'] })`)) as {
    violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>;
  };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const minor = result.violations.filter((v) => !bad.includes(v));
  if (minor.length) console.log(`axe ${where}: minor — ${minor.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(' ')} ${v.nodes[0]?.failureSummary ?? ''}`),
    [],
    `axe-core on ${where}`,
  );
}

/** Nothing wider than the phone's screen: no sideways scrolling of the page itself. */
async function fitsWidth(p: Page, where: string): Promise<void> {
  const w = (await p.evaluate('[document.documentElement.scrollWidth, window.innerWidth]')) as [number, number];
  assert.ok(w[0] <= w[1] + 1, `${where}: page is ${w[0]} px wide in a ${w[1]} px viewport`);
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/**
 * Waits until `expression` is truthy in the page. Polled from here with page.evaluate (the DevTools
 * protocol), not waitForFunction: that one evaluates its text with eval(), which the dashboard's CSP forbids.
 */
async function until(p: Page, expression: string, timeoutMs = STEP_MS, intervalMs = 25): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await p.evaluate(expression).catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}; page says: ${((await p.locator('main').textContent().catch(() => '')) ?? '').slice(0, 400)}`);
    await p.waitForTimeout(intervalMs);
  }
}

/** Waits for the transaction form to finish; fails with the words the page shows when it ends in an error. */
async function txOutcome(p: Page, what: string): Promise<void> {
  await until(p, `document.querySelector('#f-progress [data-stage="finalized"], #f-progress [data-stage="error"]') !== null`);
  const err = await p.locator('#f-progress [data-stage="error"]').count();
  if (err > 0) assert.fail(`${what}: ${await textOf(p, '#f-progress')}`);
}

const textOf = async (p: Page, selector: string): Promise<string> => (await p.locator(selector).first().textContent()) ?? '';
const numberIn = (s: string): number => Number(s.replace(/[^0-9.]/g, ''));

test('GET / serves the dashboard; POST / and WebSocket / stay JSON-RPC; assets are cached', async () => {
  const res = await fetch(`${net.gatewayUrl}/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const html = await res.text();
  assert.match(html, /<title>BAI Dashboard<\/title>/);
  const script = /src="(\/dashboard\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'index.html names the entry script');
  const js = await fetch(`${net.gatewayUrl}${script}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  // Only the build's top-level scripts and styles are files to fetch; the rest of dist is not served.
  for (const path of ['/dashboard/index.html', '/dashboard/build.json', '/dashboard/src/calc.test.js', '/dashboard/../package.json']) {
    assert.equal((await fetch(`${net.gatewayUrl}${path}`)).status, 404, path);
  }
  // POST / is still the JSON-RPC endpoint (the WebSocket on / is what the pages below live on).
  assert.match(await gw.rpc<string>('chain_getFinalizedHead', []), /^0x[0-9a-f]{64}$/);
});

test('first load is under 1 s; the Network page shows live numbers that move without a reload', async () => {
  // Warm the browser process itself (not the page: a fresh context has an empty cache).
  const warm = await newPage();
  await warm.goto('about:blank');
  await context.close();

  // Three first loads, each in a fresh context (empty cache); the median must be under 1 s.
  const loads: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await context.close();
    page = await newPage();
    const t0 = Date.now();
    await page.goto(`${net.gatewayUrl}/`);
    await until(page, `performance.getEntriesByName('bai:first-kpi').length > 0`);
    const observed = Date.now() - t0;
    // The app marks the moment the first live number (finalized height) is on screen; times are from the
    // start of navigation, bytes are what the browser fetched until then (the live client comes after).
    const first = (await page.evaluate(`(() => {
      const kpi = performance.getEntriesByName('bai:first-kpi')[0].startTime;
      const n = performance.getEntriesByType('navigation')[0];
      const before = performance.getEntriesByType('resource').filter((r) => r.responseEnd <= kpi);
      return { kpi, dcl: n.domContentLoadedEventEnd, bytes: before.reduce((a, r) => a + (r.encodedBodySize || 0), n.encodedBodySize || 0), requests: before.length + 1 };
    })()`)) as { kpi: number; dcl: number; bytes: number; requests: number };
    console.log(`dashboard first load ${i + 1}: first KPI at ${first.kpi.toFixed(0)} ms (DOMContentLoaded ${first.dcl.toFixed(0)} ms; ${first.requests} requests, ${(first.bytes / 1024).toFixed(0)} KiB; ${observed} ms as seen from the test)`);
    loads.push(first.kpi);
  }
  const median = [...loads].sort((a, b) => a - b)[1]!;
  console.log(`dashboard first load: median ${median.toFixed(0)} ms to the first KPI`);
  assert.ok(median < 1000, `first load took ${median.toFixed(0)} ms (median of ${loads.map((x) => x.toFixed(0)).join(', ')})`);
  assert.match(await textOf(page, '#k-final'), /^\d[\d,]*$/);

  // Live: the WebSocket subscription moves the finalized height with no reload.
  await until(page, `document.getElementById('conn')?.textContent?.includes('live')`);
  const h0 = numberIn(await textOf(page, '#k-final'));
  await until(page, `Number((document.getElementById('k-final')?.textContent ?? '').replace(/[^0-9]/g, '')) >= ${h0 + 2}`);
  await until(page, `/\\d/.test(document.getElementById('k-bps')?.textContent ?? '')`);
  const bps = numberIn(await textOf(page, '#k-bps'));
  assert.ok(bps > 0.3 && bps < 3, `blocks/s ${bps} on a 1 s devnet`);
  await until(page, `document.getElementById('k-vals')?.textContent === '2 / 2'`);
  assert.match(await textOf(page, '#era-text'), /Era \d+: block \d+ of 10/);
  assert.ok((await page.locator('canvas').count()) >= 1, 'the rate chart is drawn (uPlot canvas)');
  await shot(page, 'network');
  await axe(page, 'Network');

  // Click through to a block.
  await page.locator('#rb ~ div a').first().click();
  await until(page, `/^Block #\\d/.test(document.querySelector('h1')?.textContent ?? '')`);
  assert.ok((await page.locator('text=State root').count()) === 1);
  await axe(page, 'Block');
});

test('Token, Staking, Expert system, Marketplace and Bridge pages render their data and pass axe', async () => {
  await page.goto(`${net.gatewayUrl}/#/token`);
  await until(page, `/BAI/.test(document.getElementById('t-issuance')?.textContent ?? '')`);
  const schedule = await gw.get<{ ratePerDay: string; nextHalving: { estimatedDate: string } }>('/v1/emissions/schedule');
  assert.match(await textOf(page, '#t-halving-sub'), new RegExp(schedule.nextHalving.estimatedDate.slice(0, 10)));
  const funds = page.locator('#fh ~ div tbody tr');
  assert.equal(await funds.count(), 4);
  assert.deepEqual(await page.locator('#fh ~ div tbody tr td:nth-child(2)').allTextContents(), ['44%', '24%', '24%', '8%']);
  assert.equal(await page.locator('canvas').count() >= 2, true, 'issuance and split charts');
  assert.match((await page.locator('[role=img]').first().getAttribute('aria-label')) ?? '', /halvings at 10,500,000 BAI/);
  await shot(page, 'token');
  await axe(page, 'Token');

  await page.goto(`${net.gatewayUrl}/#/staking`);
  await until(page, `document.querySelectorAll('#sv ~ div tbody tr').length === 2`);
  assert.match(await textOf(page, '#s-ratio'), /%$/);
  await until(page, `!/Reading/.test(document.querySelector('#sn ~ div')?.textContent ?? 'Reading')`);
  await shot(page, 'staking');
  await axe(page, 'Staking');

  await page.goto(`${net.gatewayUrl}/#/expert`);
  await until(page, `(document.getElementById('x-out')?.textContent ?? '').length > 0 || document.querySelectorAll('#x-model option').length > 0`);
  const expertUp = (await page.locator('#x-model option').count()) > 0;
  assert.equal(expertUp, net.expert.running, `the page and the devnet agree whether the expert system runs (${net.expert.running ? 'running' : net.expert.reason})`);
  if (expertUp) {
    await page.locator('form button[type=submit]').click();
    await until(page, `/risks? found/.test(document.getElementById('x-out')?.textContent ?? '')`);
    // The example portfolio: D2 is oversized without a stop-loss, BTC/ETH are correlated, BTC's signal is bearish.
    const risks = (await page.locator('#x-out tbody tr').evaluateAll((rows) => rows.map((r) => `${r.children[0]?.textContent} ${r.children[1]?.textContent}`))).sort();
    assert.deepEqual(risks, ['D1 position-counter-sentiment', 'D1 position-positive-same-corr', 'D2 position-oversized', 'D2 position-positive-same-corr', 'D2 position-stop-loss']);
    assert.match(await textOf(page, '#x-out'), /Position D2 in ETH has no stop-loss order/);
  } else {
    // The devnet may run without the expert service: the page says so in words.
    assert.match(await textOf(page, '#x-out'), /not running on this network/);
  }
  await shot(page, 'expert');
  await axe(page, 'Expert system');

});

/** Signs and submits one call from `from` (immortal, nonce from the gateway) and waits for it to be finalized. */
async function submitCall(info: ChainInfo, from: KeyPair, call: Call): Promise<{ events: Array<{ module: string; name: string; data: Record<string, unknown> }> }> {
  const nonce = (await gw.get<{ nextNonce: number }>(`/v1/accounts/${toHex(from.publicKey)}`)).nextNonce;
  const xt = signExtrinsic(from, call, { era: IMMORTAL, nonce, tip: 0n }, { specVersion: info.specVersion, transactionVersion: info.transactionVersion, genesisHash: info.genesisHash, birthHash: info.genesisHash });
  const x = await gw.waitIncluded(await gw.submitOk(toHex(xt)), 60_000);
  assert.equal(x.state, 'finalized', JSON.stringify(x));
  return x;
}

test('Marketplace shows a provider registered on chain; Bridge shows a lock in its totals and its lookup', async () => {
  const info = await chainInfo(gw);
  const ferdie = keyFromUri('//Ferdie', 'sr25519');
  const lock = 1_500n * ONE_BAI;
  await submitCall(info, ferdie, encodeModelsCall({ call: 'register', kind: 'Model', name: 'dashboard-model', metadataUri: 'ipfs://dashboard-model', endpoint: 'http://127.0.0.1:9/', minAccessHolding: 25n * ONE_BAI, lock }));
  const { providers } = await gw.get<{ providers: Array<{ id: number; name: string }> }>('/v1/models/providers');
  const provider = providers.find((p) => p.name === 'dashboard-model');
  assert.ok(provider, JSON.stringify(providers));
  // Both validators score it (what their models worker does each era) in one era — right after an era
  // starts, both at once, so an era end cannot fall between them (it did in CI: one vote, median 0); the
  // era end pays it from the models grants fund.
  const currentEra = async () => (await gw.get<{ currentEra: number }>('/v1/staking/eras')).currentEra;
  const startEra = await currentEra();
  await poll('the next era to start', async () => ((await currentEra()) > startEra ? true : undefined), 60_000, 200);
  await Promise.all([0, 1].map((i) => submitCall(info, keyFromUri(`//stash/${i}`, 'sr25519'), encodeModelsCall({ call: 'set_weights', weights: [[provider.id, 65_535]] }))));
  const scored = await poll('an era end paying the provider for both votes', async () => {
    const d = await gw.get<{ eras: Array<{ era: number; consensus: number; weight: string; paid: string }> }>(`/v1/models/providers/${provider.id}`);
    return d.eras.find((e) => e.consensus === 65_535);
  }, 120_000, 500);
  assert.equal(scored.consensus, 65_535);
  assert.ok(BigInt(scored.paid) > 0n, JSON.stringify(scored));

  await page.goto(`${net.gatewayUrl}/#/marketplace`);
  await until(page, `/dashboard-model/.test(document.getElementById('m-providers')?.textContent ?? '')`);
  const row = await textOf(page, '#m-providers tbody tr');
  assert.match(row, new RegExp(`^Modeldashboard-model0x[0-9a-f]{6}…[0-9a-f]{6}active1,500 BAI25 BAI100\\.0 % \\(era ${scored.era}\\)${scored.weight}\\d`));
  assert.match(await textOf(page, '#m-locked'), /^1,500 BAI$/);
  assert.match(await textOf(page, '#m-fund-models'), /BAI$/);
  assert.match(await textOf(page, '#m-fund-agents'), /BAI$/);
  // The filters work in the page: no agent is registered.
  await page.selectOption('#m-kind', 'agent');
  await until(page, `/No provider matches/.test(document.getElementById('m-providers')?.textContent ?? '')`);
  await page.selectOption('#m-kind', 'model');
  await shot(page, 'marketplace');
  await axe(page, 'Marketplace');
  await page.locator('#m-providers a', { hasText: 'dashboard-model' }).click();
  await until(page, `document.querySelector('h1')?.textContent === 'dashboard-model'`);
  assert.match(await textOf(page, 'main'), /Validation lock1,500 BAI/);
  assert.match(await textOf(page, '#p-eras tbody tr'), new RegExp(`^${scored.era}100\\.0 %${scored.weight}\\d`));
  await shot(page, 'marketplace-provider');
  await axe(page, 'Marketplace provider');

  // Bridge: Ferdie locks 2.5 BAI for an Ethereum address.
  await page.goto(`${net.gatewayUrl}/#/bridge`);
  await until(page, `/BAI/.test(document.getElementById('b-escrow')?.textContent ?? '')`);
  assert.equal(await textOf(page, '#b-threshold'), '2 of 3');
  assert.equal(await page.locator('#b-relayers tbody tr').count(), 3);
  const escrowBefore = await gw.get<{ escrow: string; totals: { locked: string } }>('/v1/bridge');
  const amount = (5n * ONE_BAI) / 2n;
  const x = await submitCall(info, ferdie, encodeBridgeCall({ call: 'lock', ethRecipient: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', amount }));
  const locked = x.events.find((e) => e.module.toLowerCase() === 'bridge' && e.name === 'Locked');
  assert.ok(locked, JSON.stringify(x.events));
  const lockId = locked.data['lock_id'] ?? locked.data['lockId'];
  assert.ok(typeof lockId === 'string' && /^0x[0-9a-f]{64}$/.test(lockId), JSON.stringify(locked.data));
  // The devnet's gateway reads the relayers' boards: they may have signed already.
  assert.match((await gw.get<{ status: string }>(`/v1/bridge/locks/${lockId}`)).status, /^(locked|signed \d+\/\d+)$/);
  const lockedTotal = BigInt(escrowBefore.totals.locked) + amount;
  const fmt = (v: bigint) => `${(v / ONE_BAI).toLocaleString('en-US')}${v % ONE_BAI ? `.${(v % ONE_BAI).toString().padStart(18, '0').slice(0, 2).replace(/0+$/, '')}` : ''} BAI`;
  // The totals follow the finalized head without a reload.
  await until(page, `document.getElementById('b-locked')?.textContent === ${JSON.stringify(fmt(lockedTotal))}`);
  assert.equal(await textOf(page, '#b-escrow'), fmt(BigInt(escrowBefore.escrow) + amount));
  await page.fill('#b-id', lockId);
  await page.locator('#b-go').click();
  await until(page, `/^(locked|signed \\d+\\/\\d+|minted)$/.test(document.getElementById('b-found-status')?.textContent ?? '')`);
  const found = await textOf(page, '#b-lookup-out');
  assert.ok(found.includes(lockId), found);
  assert.match(found, /Amount2\.5 BAI/);
  assert.match(found, /0x70997970c51812dc3a010c7d01b50e0d17dc79c8/i);
  // An id that is neither a lock nor a burn, and one that is not an id, are answered in words.
  await page.fill('#b-id', `0x${'ab'.repeat(32)}`);
  await page.locator('#b-go').click();
  await until(page, `/No lock and no attested burn/.test(document.getElementById('b-lookup-out')?.textContent ?? '')`);
  await page.fill('#b-id', 'nonsense');
  await page.locator('#b-go').click();
  await until(page, `/32 bytes of hex/.test(document.getElementById('b-lookup-out')?.textContent ?? '')`);
  // A link to the lock opens the lookup by itself.
  await page.goto(`${net.gatewayUrl}/#/network`);
  await page.goto(`${net.gatewayUrl}/#/bridge/${lockId}`);
  await until(page, `/^(locked|signed \\d+\\/\\d+|minted)$/.test(document.getElementById('b-found-status')?.textContent ?? '')`);
  await shot(page, 'bridge');
  await axe(page, 'Bridge');
});

test('wallet: create an account, import //Alice, transfer (fee, ready → in block → finalized), bond and nominate, errors in words', async () => {
  await page.goto(`${net.gatewayUrl}/#/wallet`);
  await page.locator('#w-create').click();
  const mnemonic = (await textOf(page, '#c-mnemonic')).trim();
  assert.equal(mnemonic.split(' ').length, 12);
  await page.fill('#c-name', 'new wallet');
  await page.fill('#c-pw', PASSWORD);
  await page.fill('#c-pw2', PASSWORD);
  await page.check('#c-saved');
  await page.locator('#create-form button[type=submit]').click();
  await until(page, `/^5/.test(document.getElementById('w-address')?.textContent ?? '')`);
  const newAddress = (await textOf(page, '#w-address')).trim();
  // Stored encrypted in Polkadot's keystore JSON format; the mnemonic is nowhere in storage.
  const stored = (await page.evaluate(`localStorage.getItem('bai.keystore.v1')`)) as string;
  const keystore = JSON.parse(stored) as Array<{ address: string; encoded: string; encoding: { content: string[]; type: string[]; version: string } }>;
  assert.equal(keystore[0]!.address, newAddress);
  assert.deepEqual(keystore[0]!.encoding, { content: ['pkcs8', 'sr25519'], type: ['scrypt', 'xsalsa20-poly1305'], version: '3' });
  assert.ok(!stored.includes(mnemonic.split(' ')[0]! + ' ' + mnemonic.split(' ')[1]!), 'the mnemonic is not stored in clear');
  await axe(page, 'Wallet (new account)');
  // No extension in this browser: said in words (and @polkadot/extension-dapp loads under the page's CSP).
  await page.locator('#w-ext').click();
  await until(page, `/No Substrate wallet extension/.test(document.getElementById('main')?.textContent ?? '')`);

  await page.locator('#w-import').click();
  await page.fill('#i-secret', '//Alice');
  await page.fill('#i-name', 'Alice');
  await page.fill('#i-pw', PASSWORD);
  await page.locator('#import-form button[type=submit]').click();
  const alice = ss58Encode(keyFromUri('//Alice', 'sr25519').publicKey, 42);
  await until(page, `(document.getElementById('w-address')?.textContent ?? '').trim() === '${alice}'`);
  await until(page, `/BAI/.test(document.getElementById('w-free')?.textContent ?? '')`);

  // A wrong password is refused in words, before anything is sent.
  await page.fill('#f-to', newAddress);
  await page.fill('#f-amount', '1000');
  await page.fill('#f-pw', 'not the password');
  await page.locator('#f-send').click();
  await until(page, `/Wrong password/.test(document.getElementById('f-progress')?.textContent ?? '')`);

  await page.fill('#f-pw', PASSWORD);
  await page.locator('#f-send').click();
  await txOutcome(page, 'transfer from Alice');
  assert.match(await textOf(page, '#f-fee'), /^Fee: 0\.\d+ BAI$/);
  const stages = await page.locator('#f-progress li').evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')));
  assert.deepEqual(stages.filter((s, i) => s !== stages[i - 1]), ['signing', 'ready', 'inBlock', 'finalized']);
  await shot(page, 'wallet-transfer');
  await poll('the transfer is in the finalized state over REST', async () => ((await gw.balance(newAddress)).free === 1000n * ONE_BAI ? true : undefined), STEP_MS);
  // Click through to the extrinsic.
  await page.locator('#f-progress a').click();
  await until(page, `/finalized/.test(document.getElementById('main')?.textContent ?? '')`);

  // The new account: live balance, then bond and nominate.
  await page.goto(`${net.gatewayUrl}/#/wallet`);
  await page.locator(`input[name=w-account][value="${newAddress}"]`).check();
  await until(page, `(document.getElementById('w-free')?.textContent ?? '') === '1,000 BAI'`);

  // An amount above the balance: refused before signing, with a reason people can read.
  await page.fill('#f-to', alice);
  await page.fill('#f-amount', '5000');
  await page.fill('#f-pw', PASSWORD);
  await page.locator('#f-send').click();
  await page.waitForSelector('#f-progress [data-stage="error"]', { timeout: STEP_MS });
  const refusal = await textOf(page, '#f-progress [data-stage="error"]');
  assert.match(refusal, /^Not enough free balance: this needs 5,000\.\d+ BAI with the fee, the account has 1,000 BAI\.$/);
  assert.equal(await page.locator('#f-progress [data-stage="ready"]').count(), 0, 'nothing was submitted');

  await page.locator('#tab-bond').click();
  await page.fill('#f-amount', '300');
  await page.fill('#f-pw', PASSWORD);
  await page.locator('#f-send').click();
  await txOutcome(page, 'bond');
  await until(page, `/300 BAI/.test(document.getElementById('w-staking')?.textContent ?? '')`);

  await page.locator('#tab-nominate').click();
  await page.locator('#f-val-0').check();
  const target = (await page.locator('#f-val-0').getAttribute('value'))!;
  await page.fill('#f-pw', PASSWORD);
  await page.locator('#f-send').click();
  await txOutcome(page, 'nominate');
  const nominator = await poll('the nomination is visible over REST', async () => {
    const n = await gw.get<{ total: string; targets: string[] }>(`/v1/staking/nominators/${newAddress}`);
    return n.targets.length > 0 ? n : undefined;
  }, STEP_MS);
  assert.equal(BigInt(nominator.total), 300n * ONE_BAI);
  assert.deepEqual(nominator.targets.map((t) => ss58Encode(parseAccountId(t), 42)), [target]);
  await until(page, `(document.getElementById('w-staking')?.textContent ?? '').includes('${target}')`);
  await shot(page, 'wallet-nominated');
  await axe(page, 'Wallet (nominated)');

  // Unbond part of it (the chunk waits for its era).
  await page.locator('#tab-unbond').click();
  await page.fill('#f-amount', '10');
  await page.fill('#f-pw', PASSWORD);
  await page.locator('#f-send').click();
  await txOutcome(page, 'unbond');
  await until(page, `/10 BAI \\(era/.test(document.getElementById('w-staking')?.textContent ?? '')`);

  // Withdraw before the unbonding period ends: refused in words before signing (NoUnlockChunk otherwise).
  await page.locator('#tab-withdraw').click();
  await page.fill('#f-pw', PASSWORD);
  await page.locator('#f-send').click();
  await page.waitForSelector('#f-progress [data-stage="error"]', { timeout: STEP_MS });
  assert.match(await textOf(page, '#f-progress [data-stage="error"]'), /^Nothing to withdraw yet: 10 BAI unlocks at era \d+ \(now era \d+\)\.$/);
});

test('phone width (375 px): every page fits without sideways scrolling', async () => {
  const phone = await newPage(375, 812);
  for (const name of ['network', 'token', 'staking', 'expert', 'marketplace', 'bridge', 'wallet']) {
    await phone.goto(`${net.gatewayUrl}/#/${name}`);
    await until(phone, `!/^Loading/.test(document.getElementById('main')?.textContent ?? 'Loading')`);
    await phone.waitForTimeout(300);
    await fitsWidth(phone, name);
    await shot(phone, `phone-${name}`);
  }
  await axe(phone, 'Network (phone)');
  // The wallet with its accounts, stake and forms (the context that created them) at phone width too.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto(`${net.gatewayUrl}/#/wallet`);
  await until(page, `/BAI/.test(document.getElementById('w-free')?.textContent ?? '')`);
  await page.locator('#tab-transfer').click();
  await fitsWidth(page, 'wallet with accounts');
  await shot(page, 'phone-wallet-accounts');
  await axe(page, 'Wallet (phone)');
  // Expected refusals (404 NOT_BONDED before the bond, 503 when no expert service runs) are logged by the browser as failed loads.
  assert.deepEqual(pageErrors.filter((e) => !/Failed to load resource/.test(e)), [], 'no script errors in the pages');
});
