// Static checks of deploy/docker/Dockerfile (there is no Docker engine in CI): its stages, the
// non-root user, the entrypoint, that what it COPYs exists in the repository or is produced by an
// earlier stage, and that the staging script really assembles a runnable tree.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dockerfilePath = join(root, 'deploy/docker/Dockerfile');

/** Instructions of a Dockerfile, grouped by stage: [{ from, name, instructions: [{ op, args, flags }] }]. */
function parseDockerfile(text) {
  const logical = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^\s*#/.test(line) && current === '') continue; // comment (parser directives included)
    if (/^\s*#/.test(line)) continue; // comment inside a continued instruction
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  const stages = [];
  for (const l of logical) {
    const [, op, rest] = l.match(/^(\w+)\s+(.*)$/s);
    const opUpper = op.toUpperCase();
    if (opUpper === 'FROM') {
      const m = rest.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i);
      stages.push({ from: m[1], name: m[2], instructions: [] });
      continue;
    }
    assert.ok(stages.length > 0, `instruction before FROM: ${l}`);
    const tokens = rest.startsWith('[') ? JSON.parse(rest) : rest.split(/\s+/);
    const flags = {};
    const args = [];
    for (const t of tokens) {
      const f = !rest.startsWith('[') && t.match(/^--([\w-]+)(?:=(.*))?$/);
      if (f) flags[f[1]] = f[2] ?? true;
      else args.push(t);
    }
    stages.at(-1).instructions.push({ op: opUpper, args, flags, raw: rest });
  }
  return stages;
}

/** .dockerignore as a predicate (the subset of its syntax we use: *, **, no negations). */
function dockerignore() {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.ok(!patterns.some((p) => p.startsWith('!')), 'negations are not understood by this check');
  const regexes = patterns.map((p) => {
    const body = p
      .replace(/\/$/, '')
      .split('/')
      .map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
      .join('/')
      .replace(/\.\*\//g, '(?:.*/)?');
    return new RegExp(`^${body}(?:/.*)?$`);
  });
  return { patterns, ignored: (path) => regexes.some((r) => r.test(posix.normalize(path).replace(/\/$/, ''))) };
}

const stages = parseDockerfile(readFileSync(dockerfilePath, 'utf8'));
const stage = (name) => stages.find((s) => s.name === name);
const ops = (s, op) => s.instructions.filter((i) => i.op === op);
const runtime = stages.at(-1);

describe('Dockerfile stages', () => {
  test('builds on node:20-bookworm and runs on node:20-bookworm-slim', () => {
    assert.equal(stage('build')?.from, 'node:20-bookworm');
    assert.equal(runtime.name, 'runtime');
    assert.equal(runtime.from, 'node:20-bookworm-slim');
  });

  test('the build stage installs, builds and then drops dev dependencies', () => {
    const runs = ops(stage('build'), 'RUN').map((r) => r.raw);
    const at = (re) => runs.findIndex((r) => re.test(r));
    assert.ok(at(/npm ci\b/) >= 0, 'npm ci');
    assert.ok(at(/npm run build\b/) > at(/npm ci\b/), 'npm run build after npm ci');
    assert.ok(at(/npm prune --omit=dev/) > at(/npm run build\b/), 'prune after the build');
  });

  test('the expert venv is built on the runtime base image, so its python3 path matches', () => {
    const python = stage('python');
    assert.equal(python.from, runtime.from);
    assert.ok(ops(python, 'RUN').some((r) => /setup-python\.sh/.test(r.raw)));
    assert.ok(ops(runtime, 'RUN').some((r) => /apt-get install[^&]*\bpython3\b/.test(r.raw)), 'runtime installs python3');
    // The expert's workers run inside bubblewrap; without it the service falls back to no sandbox.
    assert.ok(ops(runtime, 'RUN').some((r) => /apt-get install[^&]*\bbubblewrap\b/.test(r.raw)), 'runtime installs bubblewrap');
  });

  test('runs as a non-root numeric user (the uid the Helm chart expects)', () => {
    const users = ops(runtime, 'USER');
    assert.equal(users.length, 1);
    const [uid, gid] = users[0].args[0].split(':');
    assert.match(uid, /^\d+$/, 'numeric, so Kubernetes can check runAsNonRoot');
    assert.notEqual(Number(uid), 0);
    assert.notEqual(Number(gid ?? 1), 0);
    const chart = parse(readFileSync(join(root, 'deploy/helm/balanceai/values.yaml'), 'utf8'));
    assert.equal(chart.podSecurityContext.runAsUser, Number(uid));
    // USER comes after the last RUN: nothing runs as root after the switch... and nothing after it needs to.
    const idx = runtime.instructions.indexOf(users[0]);
    assert.ok(!runtime.instructions.slice(idx).some((i) => i.op === 'RUN'));
  });

  test('starts every process through the CLI, `run validator` by default', () => {
    assert.deepEqual(ops(runtime, 'ENTRYPOINT').at(-1).args, ['node', 'apps/cli/dist/src/main.js']);
    assert.deepEqual(ops(runtime, 'CMD').at(-1).args, ['run', 'validator']);
  });

  test('exposes the default ports of the services', () => {
    const exposed = ops(runtime, 'EXPOSE').flatMap((e) => e.args);
    for (const p of ['50051', '9615', '8080', '50061', '50070']) assert.ok(exposed.includes(p), p);
  });
});

describe('Dockerfile COPY sources', () => {
  const { ignored, patterns } = dockerignore();

  test('every COPY from the build context exists in the repository and is not dockerignored', () => {
    let count = 0;
    for (const s of stages) {
      for (const c of ops(s, 'COPY').filter((c) => !c.flags.from)) {
        for (const src of c.args.slice(0, -1)) {
          count++;
          assert.ok(existsSync(join(root, src)), `${s.name}: COPY ${src} does not exist`);
          assert.ok(!ignored(src), `${s.name}: COPY ${src} is excluded by .dockerignore`);
        }
      }
    }
    assert.ok(count > 5);
  });

  test('every workspace package is in the build context (npm ci needs them all)', () => {
    const copied = ops(stage('build'), 'COPY').flatMap((c) => c.args.slice(0, -1)).map((p) => p.replace(/\/$/, ''));
    const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
    for (const ws of workspaces) {
      assert.ok(copied.some((c) => ws === c || ws.startsWith(`${c}/`)), `workspace ${ws} is not copied`);
    }
  });

  test('COPY --from names an earlier stage and a path that stage produces', () => {
    const copies = stages.flatMap((s, i) => ops(s, 'COPY').filter((c) => c.flags.from).map((c) => ({ c, i })));
    assert.ok(copies.length >= 2);
    for (const { c, i } of copies) {
      const from = stages.findIndex((s) => s.name === c.flags.from);
      assert.ok(from >= 0 && from < i, `COPY --from=${c.flags.from} is not an earlier stage`);
      const src = c.args[0].replace(/\/$/, '');
      const producer = stages[from];
      if (src === '/out') {
        assert.ok(ops(producer, 'RUN').some((r) => /stage-runtime\.mjs \/out\b/.test(r.raw)), '/out is made by stage-runtime.mjs');
      } else if (src === '/native') {
        assert.ok(ops(producer, 'RUN').some((r) => /cargo build --release --locked/.test(r.raw) && /\/native\/crypto-native\.linux-/.test(r.raw)), '/native holds the addon cargo built');
        assert.equal(c.args.at(-1), 'libs/crypto-native/dist/', 'the addon goes where its loader looks (libs/crypto-native/src/index.ts)');
      } else if (src.endsWith('/.venv')) {
        const workdir = ops(producer, 'WORKDIR').at(-1).args[0];
        assert.equal(src, `${workdir}/.venv`);
        const setup = readFileSync(join(root, 'services/expert/scripts/setup-python.sh'), 'utf8');
        assert.match(setup, /venv="\$here\/\.venv"/, 'setup-python.sh creates <service>/.venv');
      } else {
        assert.fail(`no known producer for ${src}`);
      }
    }
  });

  test('.dockerignore keeps build output, dependencies, git and secrets out of the context', () => {
    for (const p of ['node_modules', 'libs/chain/node_modules', 'services/gateway/dist', '.git', 'services/expert/.venv', '.env', 'deploy/docker/x.key']) {
      assert.ok(ignored(p), `${p} is not ignored (patterns: ${patterns.join(' ')})`);
    }
    for (const p of ['package.json', 'libs/chain/src/index.ts', 'services/consensus/prisma/migrations', 'deploy/docker/stage-runtime.mjs']) {
      assert.ok(!ignored(p), `${p} must stay in the context`);
    }
  });
});

describe('stage-runtime.mjs', () => {
  // A miniature built-and-pruned workspace: what the build stage has before staging.
  function fixture() {
    const dir = mkdtempSync(join(tmpdir(), 'bai-stage-'));
    const write = (rel, body = '') => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), body);
    };
    write('package.json', JSON.stringify({ workspaces: ['libs/chain', 'services/consensus', 'apps/cli', 'tests/e2e'] }));
    write('node_modules/ajv/index.js');
    mkdirSync(join(dir, 'node_modules/@balanceai'), { recursive: true });
    symlinkSync('../../libs/chain', join(dir, 'node_modules/@balanceai/chain'));
    write('libs/chain/package.json', '{}');
    write('libs/chain/src/index.ts');
    write('libs/chain/dist/src/index.js');
    write('libs/chain/dist/src/index.test.js');
    write('libs/chain/dist/src/index.test.js.map');
    write('libs/chain/dist/tsconfig.tsbuildinfo');
    write('services/consensus/package.json', '{}');
    write('services/consensus/dist/src/main.js');
    write('services/consensus/prisma/schema.prisma');
    write('services/consensus/prisma/migrations/1_init/migration.sql');
    write('services/consensus/prisma.config.ts');
    write('apps/cli/package.json', '{}');
    write('apps/cli/dist/src/main.js');
    write('tests/e2e/package.json', '{}');
    write('tests/e2e/dist/devnet.test.js');
    write('proto/balanceai/consensus/v1/consensus.proto');
    write('scripts/prisma.mjs');
    write('scripts/unref-long-timers.mjs');
    write('services/expert/python/expert_worker/__init__.py');
    write('services/expert/python/expert_worker/__pycache__/x.pyc');
    write('services/expert/models/crypto-risk/model.clp');
    cpSync(join(root, 'deploy/docker/stage-runtime.mjs'), join(dir, 'deploy/docker/stage-runtime.mjs'));
    return dir;
  }
  const stageInto = (dir) =>
    spawnSync(process.execPath, [join(dir, 'deploy/docker/stage-runtime.mjs'), join(dir, 'out')], { encoding: 'utf8' });

  test('copies what runs, with workspace links intact, and leaves tests and sources out', () => {
    const dir = fixture();
    try {
      const r = stageInto(dir);
      assert.equal(r.status, 0, r.stderr);
      const out = (p) => join(dir, 'out', p);
      for (const p of ['package.json', 'node_modules/ajv/index.js', 'apps/cli/dist/src/main.js', 'libs/chain/dist/src/index.js',
        'services/consensus/prisma/migrations/1_init/migration.sql', 'services/consensus/prisma.config.ts',
        'proto/balanceai/consensus/v1/consensus.proto', 'scripts/prisma.mjs', 'services/expert/models/crypto-risk/model.clp',
        'services/expert/python/expert_worker/__init__.py']) {
        assert.ok(existsSync(out(p)), `${p} missing`);
      }
      assert.ok(lstatSync(out('node_modules/@balanceai/chain')).isSymbolicLink());
      assert.equal(readlinkSync(out('node_modules/@balanceai/chain')), '../../libs/chain');
      assert.ok(existsSync(out('node_modules/@balanceai/chain/dist/src/index.js')), 'the link resolves inside the staged tree');
      for (const p of ['libs/chain/src/index.ts', 'libs/chain/dist/src/index.test.js', 'libs/chain/dist/src/index.test.js.map',
        'libs/chain/dist/tsconfig.tsbuildinfo', 'tests/e2e', 'services/expert/python/expert_worker/__pycache__']) {
        assert.ok(!existsSync(out(p)), `${p} should not be in the image`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fails when a runtime package was not built', () => {
    const dir = fixture();
    try {
      rmSync(join(dir, 'apps/cli/dist'), { recursive: true });
      const r = stageInto(dir);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /apps\/cli\/dist is missing/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
