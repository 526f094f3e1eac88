// Runs compiled tests with node's test runner. Layers:
//   unit         <pkg>/dist/src/**/*.test.js   pure, no I/O; scripts/*.test.mjs (repository checks)
//   integration  <pkg>/dist/test/**/*.test.js  real PostgreSQL + NATS (see libs/testing)
//   e2e          tests/e2e/dist/**/*.test.js   a real multi-validator devnet
import { spawnSync } from 'node:child_process';
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

const layers = layer === 'all' ? ['unit', 'integration', 'e2e'] : [layer];
let failed = false;
const totals = { passed: 0, failed: 0, skipped: 0 };
const countDir = mkdtempSync(join(tmpdir(), 'bai-tests-'));
for (const l of layers) {
  const selected = files[l].filter((f) => !filter || f.includes(filter)).sort();
  if (selected.length === 0) continue;
  console.log(`\n=== ${l} tests (${selected.length} files) ===`);
  const countFile = join(countDir, `${l}.json`);
  const args = ['--test', '--enable-source-maps', '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts', 'count-reporter.mjs')}`, `--test-reporter-destination=${countFile}`];
  // A hung test fails after a bound instead of eating the CI budget (per test, not per file).
  args.push(`--test-timeout=${l === 'unit' ? 120_000 : 900_000}`);
  // Integration and e2e tests start servers and devnets: one file at a time on a 2-core machine.
  if (l !== 'unit') args.push('--test-concurrency=1');
  const r = spawnSync(process.execPath, [...args, ...selected.map((f) => relative(root, f))], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BAI_TEST_LAYER: l },
  });
  if (r.status !== 0) failed = true;
  if (existsSync(countFile)) {
    const c = JSON.parse(readFileSync(countFile, 'utf8'));
    for (const k of Object.keys(totals)) totals[k] += c[k];
  } else failed = true;
}
if (totals.failed === 0 && failed) totals.failed = 1; // a runner that crashed counts as a failure
console.log(`\nTests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failed ? 1 : 0);
