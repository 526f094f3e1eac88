// NATS users and permissions of the deployments (issue 9, finding 5) against the model in
// libs/testing/src/nats-auth.ts (natsPermissions), which this test compiles from source:
//   - deploy/compose/nats.conf and docker-compose.yml: same permissions, every NATS client with its own
//     user and the password the server has, no anonymous client;
//   - the Helm chart's nats.conf (when helm is in the check-chart.sh tool cache, or BAI_HELM): same permissions;
//   - with nats-server on PATH, each configuration runs in a real server: anonymous clients and wrong
//     passwords are refused, each service's credentials are accepted (and over TLS for the chart).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootRequire = createRequire(join(root, 'package.json'));
const work = mkdtempSync(join(tmpdir(), 'bai-nats-auth-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** natsPermissions of libs/testing, compiled from its TypeScript source (it imports only node:crypto). */
async function loadModel() {
  const ts = rootRequire('typescript');
  const source = readFileSync(join(root, 'libs/testing/src/nats-auth.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const file = join(work, 'nats-auth.mjs');
  writeFileSync(file, outputText);
  return import(pathToFileURL(file).href);
}

/** Users and role permissions of a nats.conf in the layout the chart and compose use. */
function parseNatsConf(text) {
  const roles = {};
  for (const [, name, json] of text.matchAll(/^\s*([A-Z_]+)_PERMISSIONS = (\{.*\})$/gm)) roles[name.toLowerCase()] = JSON.parse(json);
  const users = [...text.matchAll(/^\s*\{ user: "([^"]+)", password: \$([A-Z0-9_]+), permissions: \$([A-Z_]+)_PERMISSIONS \}$/gm)].map(([, user, passwordVar, role]) => ({
    user,
    passwordVar,
    role: role.toLowerCase(),
  }));
  return { roles, users };
}

/** The same shape as natsPermissions() returns. */
const asModel = (p) => ({ publish: p.publish.allow, subscribe: p.subscribe.allow, allowResponses: p.allow_responses === true });

function assertModel(conf, natsPermissions, chainId, validators) {
  assert.doesNotMatch(conf.text, /no_auth_user/, 'an anonymous user is configured');
  assert.match(conf.text, /^authorization \{/m);
  for (const role of ['validator', 'gateway']) {
    assert.deepEqual(asModel(conf.roles[role]), natsPermissions(role, chainId), `${role} permissions differ from libs/testing/src/nats-auth.ts`);
  }
  const expected = [...Array.from({ length: validators }, (_, i) => ({ user: `validator-${i}`, role: 'validator' })), { user: 'gateway', role: 'gateway' }];
  assert.deepEqual(conf.users.map(({ user, role }) => ({ user, role })), expected);
  assert.equal(conf.users.length, (conf.text.match(/\{ user:/g) ?? []).length, 'a user line the parser does not understand');
}

// --- a real nats-server, when installed ---------------------------------------------------------
const natsServerBinary = spawnSync('nats-server', ['--version']).status === 0 ? 'nats-server' : undefined;
const servers = [];
after(() => servers.forEach((s) => s.kill()));

async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts nats-server with `conf` made local (listen, monitor port, store dir, file paths) and `env`. */
async function startServer(conf, env, replacePaths = {}) {
  const port = await freePort();
  let text = conf
    .replace(/^listen: .*$/m, `listen: "127.0.0.1:${port}"`)
    .replace(/^http_port: .*$/m, '')
    .replace(/store_dir: ".*"/, `store_dir: ${JSON.stringify(mkdtempSync(join(work, 'js-')))}`);
  for (const [from, to] of Object.entries(replacePaths)) text = text.replaceAll(from, to);
  const file = join(mkdtempSync(join(work, 'conf-')), 'nats.conf');
  writeFileSync(file, text);
  const proc = spawn(natsServerBinary, ['-c', file], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  servers.push(proc);
  let log = '';
  proc.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 5000;
  while (!/Server is ready/.test(log)) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `nats://127.0.0.1:${port}` };
}

async function tryConnect(options) {
  const { connect } = rootRequire('@nats-io/transport-node');
  try {
    const nc = await connect({ ...options, reconnect: false, timeout: 3000 });
    await nc.close();
    return 'ok';
  } catch (err) {
    return err.message;
  }
}

// --- compose --------------------------------------------------------------------------------------
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const services = compose.services;
/** A compose value with its ${VAR:-default} interpolated from the defaults (a shell with nothing set). */
const interpolate = (value) => String(value).replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, _name, fallback) => fallback);

/** Every compose service that connects to NATS, with the user and password it presents. */
function composeClients() {
  return Object.entries(services)
    .filter(([, svc]) => svc.environment?.NATS_URL)
    .map(([name, svc]) => {
      const env = svc.environment;
      // credentials ride on the first server of a comma-separated list
      const url = new URL(interpolate(env.NATS_URL).split(',')[0]);
      return {
        name,
        role: svc.command?.[1],
        servers: `${url.protocol}//${url.host}`,
        user: env.NATS_USER ?? (decodeURIComponent(url.username) || undefined),
        pass: env.NATS_PASSWORD !== undefined ? interpolate(env.NATS_PASSWORD) : decodeURIComponent(url.password) || undefined,
      };
    });
}

const natsServers = Object.keys(services).filter((n) => /^nats-\d+$/.test(n));
/** The NATS servers' environment: each server has the same passwords (nats-0 stands for all). */
const nats = services['nats-0'];

describe('compose: NATS users', () => {
  let model;
  let conf;
  before(async () => {
    model = await loadModel();
    const mount = nats.volumes.find((v) => v.endsWith(':/etc/nats/nats.conf:ro'));
    assert.ok(mount, 'nats does not mount its configuration read-only at /etc/nats/nats.conf');
    const text = readFileSync(join(root, mount.split(':')[0]), 'utf8');
    conf = { text, ...parseNatsConf(text) };
  });

  test('the servers run deploy/compose/nats.conf, with the permissions of libs/testing/src/nats-auth.ts, and the same passwords', () => {
    assert.equal(natsServers.length, 3);
    for (const n of natsServers) {
      assert.deepEqual(services[n].command, ['-c', '/etc/nats/nats.conf']);
      assert.ok(services[n].volumes.includes('./deploy/compose/nats.conf:/etc/nats/nats.conf:ro'), n);
      for (const u of conf.users) assert.equal(services[n].environment[u.passwordVar], nats.environment[u.passwordVar], `${n} has another password for ${u.user}`);
    }
    assertModel(conf, model.natsPermissions, services.gateway.environment.BAI_CHAIN_ID, Object.keys(services).filter((s) => /^validator-\d+$/.test(s)).length);
  });

  test('no NATS client connects anonymously: each has its own user, with the password the server has', () => {
    const clients = composeClients();
    // init creates the chain's stream as validator-0 (a validator's permissions allow it)
    assert.deepEqual(clients.map((c) => c.name).sort(), ['gateway', 'init', 'validator-0', 'validator-1', 'validator-2', 'validator-3']);
    const users = new Set();
    for (const c of clients) {
      assert.ok(c.user && c.pass, `${c.name} connects to NATS without credentials`);
      assert.equal(c.user, c.name === 'init' ? 'validator-0' : c.role === 'gateway' ? 'gateway' : c.name, `${c.name} uses NATS user ${c.user}`);
      const entry = conf.users.find((u) => u.user === c.user);
      assert.ok(entry, `nats.conf has no user ${c.user}`);
      assert.equal(entry.role, c.role === 'gateway' ? 'gateway' : 'validator');
      assert.equal(interpolate(nats.environment[entry.passwordVar]), JSON.stringify(c.pass), `${c.name}'s password is not the one nats gets in ${entry.passwordVar}`);
      if (c.name !== 'init') users.add(c.user);
    }
    assert.equal(users.size, clients.length - 1, 'two services share a NATS user');
  });

  test('a real nats-server with this configuration refuses anonymous clients and accepts each service', { skip: !natsServerBinary && 'nats-server not on PATH' }, async () => {
    const env = Object.fromEntries(Object.entries(nats.environment).map(([k, v]) => [k, interpolate(v)]));
    // one server (the users are the point here): the cluster runs in nats-cluster.test.mjs
    const { url } = await startServer(conf.text.replace(/^cluster \{[\s\S]*?^\}\n/m, ''), env);
    assert.match(await tryConnect({ servers: url }), /Authorization Violation/);
    for (const c of composeClients()) {
      assert.equal(await tryConnect({ servers: url, user: c.user, pass: c.pass }), 'ok', c.name);
      assert.match(await tryConnect({ servers: url, user: c.user, pass: `${c.pass}x` }), /Authorization Violation/, c.name);
    }
  });
});

// --- the Helm chart ---------------------------------------------------------------------------------
const helm = process.env.BAI_HELM ?? join(process.env.BAI_TOOLS_DIR ?? join(homedir(), '.cache', 'balanceai-tools'), 'bin', 'helm-v3.22.0');
const chart = join(root, 'deploy', 'helm', 'balanceai');

function render(sets) {
  const out = execFileSync(helm, ['template', 'bai', chart, '--namespace', 'chain', '--kube-version', '1.36', ...sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}
const find = (docs, kind, suffix) => docs.find((d) => d.kind === kind && d.metadata.name.endsWith(suffix));

describe('Helm chart: NATS users', { skip: !existsSync(helm) && `no helm at ${helm} (run deploy/ci/check-chart.sh once, or set BAI_HELM)` }, () => {
  let model;
  before(async () => {
    model = await loadModel();
  });

  test('renders the permissions of libs/testing/src/nats-auth.ts for any chain and validator count', () => {
    for (const [chainId, count] of [['balanceai-devnet', 4], ['my-chain_2', 7]]) {
      const text = find(render([`chain.id=${chainId}`, `validators.count=${count}`]), 'ConfigMap', '-nats-config').data['nats.conf'];
      assertModel({ text, ...parseNatsConf(text) }, model.natsPermissions, chainId, count);
    }
  });

  test('a real nats-server with the rendered configuration and Secret: TLS only, anonymous refused, each user accepted', { skip: (!natsServerBinary && 'nats-server not on PATH') || (spawnSync('openssl', ['version']).status !== 0 && 'no openssl') }, async () => {
    // a CA and a server certificate for 127.0.0.1, as cert-manager would put them in the Secret
    const dir = mkdtempSync(join(work, 'tls-'));
    const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=nats', '-keyout', 'tls.key', '-out', 'tls.csr');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'tls.crt');

    // one server here: the 3-server cluster runs in nats-cluster.test.mjs
    const docs = render(['nats.replicas=1', 'nats.tls.enabled=true', 'nats.tls.existingSecret=nats-tls']);
    const text = find(docs, 'ConfigMap', '-nats-config').data['nats.conf'];
    const passwords = Object.fromEntries(Object.entries(find(docs, 'Secret', '-nats-auth').data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    // the environment Kubernetes gives the NATS container: each password quoted (see templates/nats.yaml)
    const env = { BAI_NATS_SERVER_NAME: '"bai-balanceai-nats-0"' };
    for (const u of parseNatsConf(text).users) env[u.passwordVar] = JSON.stringify(passwords[u.user]);
    const { url } = await startServer(text, env, { '/etc/nats-tls/': `${dir}/` });
    const tls = { caFile: join(dir, 'ca.crt') };

    assert.match(await tryConnect({ servers: url, tls }), /Authorization Violation/);
    for (const user of Object.keys(passwords)) {
      assert.equal(await tryConnect({ servers: url, user, pass: passwords[user], tls }), 'ok', user);
      assert.match(await tryConnect({ servers: url, user, pass: `${passwords[user]}x`, tls }), /Authorization Violation/, user);
    }
    // a client that does not know the CA (the gateway before NODE_EXTRA_CA_CERTS) fails the handshake
    assert.notEqual(await tryConnect({ servers: url, user: 'gateway', pass: passwords.gateway }), 'ok');
  });
});
