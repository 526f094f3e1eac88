#!/usr/bin/env node
// Copies what the runtime image needs out of a built and pruned workspace into one folder:
//   package.json, node_modules (production only; workspace links kept as symlinks),
//   for each workspace package under libs/, services/, apps/: package.json, dist/ (without
//   tests, source maps of tests and build info), its own node_modules, prisma/ (schema and
//   migrations) and prisma.config.ts; proto/; the scripts the Prisma CLI runs through;
//   the expert service's Python worker and models (its venv is built in its own stage).
// Usage (in the build stage): node deploy/docker/stage-runtime.mjs /out
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: stage-runtime.mjs <out-dir>');
  process.exit(2);
}

const isBuildNoise = (path) =>
  /\.test\.(js|d\.ts)(\.map)?$/.test(path) || path.endsWith('.tsbuildinfo') || path.includes('__pycache__');

function copy(rel, { required = false, filter = () => true } = {}) {
  const src = join(root, rel);
  if (!existsSync(src)) {
    if (required) throw new Error(`stage-runtime: ${rel} is missing (did the build run?)`);
    return;
  }
  const dest = join(out, rel);
  mkdirSync(dirname(dest), { recursive: true });
  cpSync(src, dest, {
    recursive: true,
    verbatimSymlinks: true, // node_modules/@balanceai/* link to ../../libs/..., which we copy too
    filter: (from) => filter(relative(root, from)),
  });
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
copy('package.json', { required: true });
copy('node_modules', { required: true });
copy('proto', { required: true });
copy('scripts/prisma.mjs');
copy('scripts/unref-long-timers.mjs');

// Only the packages that run: tests/e2e and bench stay out of the image.
const runtimeWorkspaces = pkg.workspaces.filter((w) => /^(libs|services|apps)\//.test(w));
for (const ws of runtimeWorkspaces) {
  copy(join(ws, 'package.json'), { required: true });
  copy(join(ws, 'dist'), { required: true, filter: (p) => !isBuildNoise(p) });
  copy(join(ws, 'node_modules'));
  copy(join(ws, 'prisma'));
  copy(join(ws, 'prisma.config.ts'));
  if (existsSync(join(root, ws, 'bin')) && statSync(join(root, ws, 'bin')).isDirectory()) copy(join(ws, 'bin'));
}
copy('services/expert/python', { filter: (p) => !isBuildNoise(p) });
copy('services/expert/models');

console.log(`stage-runtime: ${runtimeWorkspaces.length} workspace packages staged into ${out}`);
