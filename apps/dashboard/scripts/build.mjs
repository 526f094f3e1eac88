// Builds the dashboard into dist/: index.html, the entry script and its lazily loaded chunks (esbuild,
// ESM code splitting: the first page needs only the shell and uPlot; @polkadot/api arrives after it
// paints). Names carry content hashes, so the gateway serves them as immutable.
//   node scripts/build.mjs          production build (minified)
//   node scripts/build.mjs --dev    unminified, with source maps
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const dev = process.argv.includes('--dev');
const started = Date.now();

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const result = await build({
  entryPoints: { app: join(root, 'src', 'main.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: !dev,
  sourcemap: dev ? 'linked' : false,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': JSON.stringify(dev ? 'development' : 'production') },
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint?.endsWith('src/main.ts'));
if (!entry) throw new Error('esbuild produced no entry script');
const js = entry[0].slice(entry[0].lastIndexOf('/') + 1);
const css = entry[1].cssBundle ? entry[1].cssBundle.slice(entry[1].cssBundle.lastIndexOf('/') + 1) : undefined;

// What the first page load fetches: the entry, its static imports (shared chunks) and the CSS.
const firstSet = new Set([entry[0]]);
for (const p of firstSet) for (const i of result.metafile.outputs[p]?.imports ?? []) if (i.kind === 'import-statement') firstSet.add(i.path);
if (entry[1].cssBundle) firstSet.add(entry[1].cssBundle);

// The entry's static imports are named in the page too (modulepreload), so the browser fetches them with the
// entry instead of after parsing it: one round trip less before the first numbers.
const base = (p) => p.slice(p.lastIndexOf('/') + 1);
const preloads = [...firstSet].filter((p) => p !== entry[0] && p.endsWith('.js')).map((p) => `<link rel="modulepreload" href="/dashboard/${base(p)}">`);
const template = readFileSync(join(root, 'src', 'index.html'), 'utf8');
const html = template
  .replace('<!--CSS-->', [css ? `<link rel="stylesheet" href="/dashboard/${css}">` : '', ...preloads].filter(Boolean).join('\n'))
  .replace('<!--JS-->', `<script type="module" src="/dashboard/${js}"></script>`);
writeFileSync(join(dist, 'index.html'), html);

// Unit tests of the pure parts (src/*.test.ts: arithmetic, formatting) bundled for Node into dist/src/, where
// scripts/run-tests.mjs finds unit tests; the gateway serves only dist's top-level .js/.css files.
const tests = readdirSync(join(root, 'src')).filter((f) => f.endsWith('.test.ts'));
if (tests.length > 0) {
  await build({
    entryPoints: tests.map((f) => join(root, 'src', f)),
    outdir: join(dist, 'src'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
const firstBytes = [...firstSet].reduce((a, p) => a + (result.metafile.outputs[p]?.bytes ?? 0), 0);
const total = outputs.filter(([p]) => !p.endsWith('.map')).reduce((a, [, o]) => a + o.bytes, 0);
console.log(`dashboard: dist/ in ${Date.now() - started} ms — first load ${kb(firstBytes)} in ${firstSet.size} files, all chunks ${kb(total)}`);
writeFileSync(join(dist, 'build.json'), JSON.stringify({ firstLoadBytes: firstBytes, firstLoadFiles: [...firstSet].map((p) => p.slice(p.lastIndexOf('/') + 1)), totalBytes: total }, null, 2));
