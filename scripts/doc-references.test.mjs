// Every document the code cites must exist: a `docs/<file>` path, an `ARCHITECTURE.md` (the design page
// the code once cited and the repository never had), and each `docs/architecture.md §N` must name a
// numbered section of that page. Reads the repository only; run in the unit layer (scripts/run-tests.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const self = relative(root, fileURLToPath(import.meta.url));

// Build output, dependencies and local runtime data; their sources (proto/, prisma/) are scanned.
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'generated', '.devnet', '.venv', '__pycache__', 'coverage']);
const TEXT = /\.(ts|mts|cts|js|mjs|cjs|md|proto|ya?ml|json|sh|tpl|prisma|py|clp|txt)$|(^|\/)(Dockerfile|run)$/;
const MAX_BYTES = 2 * 1024 * 1024;

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name)) sourceFiles(path, out);
    } else if (TEXT.test(path) && st.size <= MAX_BYTES && name !== 'package-lock.json') {
      out.push(path);
    }
  }
  return out;
}

// `docs/<path>.<ext>` not preceded by a URL or path character (so https://…/docs/… and `GET /docs/json` are not
// repository paths); `ARCHITECTURE.md`, `ARCHITECTURE §N`; `docs/architecture.md §N` for the section check.
const DOC_PATH = /(?<![\w./:-])docs\/[\w-]+(?:\/[\w-]+)*\.[A-Za-z]+/g;
const ARCHITECTURE = /\bARCHITECTURE(?:\.md|\s*§)/g;
const SECTION = /docs\/architecture\.md\s*§\s*(\d+)/g;

function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/** Every citation of a missing document, as `file:line: what`. */
function brokenReferences() {
  const sections = new Set();
  const architecture = join(root, 'docs', 'architecture.md');
  if (existsSync(architecture)) {
    for (const m of readFileSync(architecture, 'utf8').matchAll(/^##\s+(\d+)\./gm)) sections.add(m[1]);
  }
  const broken = [];
  for (const file of sourceFiles(root)) {
    const rel = relative(root, file);
    if (rel === self) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(DOC_PATH)) {
      // A path relative to the repository, or to the citing file's folder (a package's own docs/).
      if (!existsSync(join(root, m[0])) && !existsSync(join(dirname(file), m[0]))) {
        broken.push(`${rel}:${lineOf(text, m.index)}: ${m[0]} does not exist`);
      }
    }
    if (!existsSync(join(root, 'ARCHITECTURE.md'))) {
      for (const m of text.matchAll(ARCHITECTURE)) {
        broken.push(`${rel}:${lineOf(text, m.index)}: cites ARCHITECTURE.md, which does not exist (docs/architecture.md)`);
      }
    }
    for (const m of text.matchAll(SECTION)) {
      if (!sections.has(m[1])) broken.push(`${rel}:${lineOf(text, m.index)}: docs/architecture.md has no section ${m[1]}`);
    }
  }
  return broken;
}

test('every docs/… path, ARCHITECTURE.md and docs/architecture.md §N the repository cites exists', () => {
  assert.ok(existsSync(join(root, 'docs', 'architecture.md')), 'docs/architecture.md is missing');
  assert.deepEqual(brokenReferences(), []);
});

test('the scan sees the code: it finds the section citations of the proto contracts', () => {
  const cited = readFileSync(join(root, 'proto', 'balanceai', 'module', 'v1', 'module.proto'), 'utf8');
  assert.match(cited, /docs\/architecture\.md §3/);
  assert.ok(sourceFiles(root).some((f) => relative(root, f) === join('proto', 'balanceai', 'module', 'v1', 'module.proto')));
});
