// Runs the Prisma 6 CLI (wasm schema engine, no downloaded binaries) and exits as soon as it is done:
// the wasm engine leaves a 60 s timer behind, which the preload unrefs (STACK.md snag 3).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'node_modules', 'prisma', 'build', 'index.js');
// `generate` reads the schema, whose datasource names env("DATABASE_URL"); it never connects.
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.DATABASE_URL && process.argv[2] === 'generate') env.DATABASE_URL = 'postgresql://unused@127.0.0.1/unused';
const r = spawnSync(
  process.execPath,
  ['--import', join(root, 'scripts', 'unref-long-timers.mjs'), cli, ...process.argv.slice(2)],
  { stdio: 'inherit', env, cwd: process.env.PRISMA_CWD ?? process.cwd() },
);
process.exit(r.status ?? 1);
