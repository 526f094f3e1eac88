// The Helm chart's NATS cluster (issue 15), run for real where the tools are:
//   - the certificate the chart generates when no TLS Secret is given: signed by its CA, for the
//     NATS Service and every server's name, usable by servers and by routes (openssl);
//   - files/ensure-stream.cjs makes the stream consensus makes (services/consensus, built), plus replicas;
//   - three nats-server processes with the rendered nats.conf, route password and route URLs form a
//     cluster over TLS routes; ensure-stream creates the chain's stream with 3 replicas as a validator's
//     NATS user; with the server leading the stream killed, gossip between validators on the other two
//     servers goes on and the stream keeps its messages and takes new ones.
// Needs helm (deploy/ci/check-chart.sh's tool cache or BAI_HELM), nats-server and openssl; skips without.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const rootRequire = createRequire(join(root, 'package.json'));
const chart = join(root, 'deploy', 'helm', 'balanceai');
const ensureStream = join(chart, 'files', 'ensure-stream.cjs');
const helm = process.env.BAI_HELM ?? join(process.env.BAI_TOOLS_DIR ?? join(homedir(), '.cache', 'balanceai-tools'), 'bin', 'helm-v3.22.0');
const hasNatsServer = spawnSync('nats-server', ['--version']).status === 0;
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const noHelm = !existsSync(helm) && `no helm at ${helm} (run deploy/ci/check-chart.sh once, or set BAI_HELM)`;

const work = mkdtempSync(join(tmpdir(), 'bai-nats-cluster-'));
const procs = [];
after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function render(sets) {
  const out = execFileSync(helm, ['template', 'bai', chart, '--namespace', 'chain', '--kube-version', '1.36', ...sets.flatMap((s) => ['--set', s])], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
}
const find = (docs, kind, suffix) => docs.find((d) => d.kind === kind && d.metadata.name.endsWith(suffix));
const secretData = (secret) => Object.fromEntries(Object.entries(secret.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Runs files/ensure-stream.cjs as the init container does; resolves with its exit code and output. */
function runEnsureStream(env) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [ensureStream], { env: { PATH: process.env.PATH, BAI_APP_DIR: root, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

describe('Helm chart: the generated NATS certificate', { skip: noHelm || (!hasOpenssl && 'no openssl') }, () => {
  test('is signed by the generated CA, names the Service and every server, and serves both ends of a route', () => {
    const docs = render([]);
    const secret = find(docs, 'Secret', '-nats-tls');
    assert.equal(secret.type, 'kubernetes.io/tls');
    const dir = mkdtempSync(join(work, 'gen-'));
    for (const [k, v] of Object.entries(secretData(secret))) writeFileSync(join(dir, k), v);
    const verify = execFileSync('openssl', ['verify', '-CAfile', 'ca.crt', 'tls.crt'], { cwd: dir, encoding: 'utf8' });
    assert.match(verify, /tls\.crt: OK/);
    const text = execFileSync('openssl', ['x509', '-in', 'tls.crt', '-noout', '-text'], { cwd: dir, encoding: 'utf8' });
    for (const name of ['bai-balanceai-nats', 'bai-balanceai-nats.chain.svc', '*.bai-balanceai-nats-headless.chain.svc', '*.bai-balanceai-nats-headless.chain.svc.cluster.local']) {
      assert.ok(text.includes(`DNS:${name}`), `the certificate does not name ${name}`);
    }
    // routes present the same certificate as clients of the other servers
    assert.match(text, /TLS Web Server Authentication/);
    assert.match(text, /TLS Web Client Authentication/);
    // every URL a validator is given is covered by the certificate (one label under the wildcard)
    const urls = find(docs, 'StatefulSet', '-validator').spec.template.spec.containers[0].env.find((e) => e.name === 'NATS_URL').value.split(',');
    assert.equal(urls.length, 3);
    for (const u of urls) assert.match(new URL(u).hostname, /^bai-balanceai-nats-\d\.bai-balanceai-nats-headless\.chain\.svc$/);
  });
});

describe('files/ensure-stream.cjs', { skip: (!hasNatsServer && 'nats-server not on PATH') || (!existsSync(join(root, 'services/consensus/dist/src/events/finalized-publisher.js')) && 'services/consensus is not built') }, () => {
  test('creates the stream consensus creates (same subjects and limits), with the replicas asked for', async () => {
    const port = await freePort();
    const conf = join(mkdtempSync(join(work, 'single-')), 'nats.conf');
    writeFileSync(conf, `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(mkdtempSync(join(work, 'js-')))} }\n`);
    const server = spawn('nats-server', ['-c', conf], { stdio: 'ignore' });
    procs.push(server);
    const { connect } = rootRequire('@nats-io/transport-node');
    const { jetstreamManager } = rootRequire('@nats-io/jetstream');
    let nc;
    for (let i = 0; !nc; i++) {
      nc = await connect({ servers: `nats://127.0.0.1:${port}` }).catch(async (err) => {
        if (i > 50) throw err;
        await sleep(100);
      });
    }
    try {
      const { FinalizedPublisher } = await import(pathToFileURL(join(root, 'services/consensus/dist/src/events/finalized-publisher.js')).href);
      await new FinalizedPublisher(nc, 'chain-a').ensureStream();
      const passwordFile = join(work, 'anonymous-password');
      writeFileSync(passwordFile, 'unused\n');
      const r = await runEnsureStream({ BAI_CHAIN_ID: 'chain-b', BAI_NATS_STREAM_REPLICAS: '1', NATS_URL: `nats://127.0.0.1:${port}`, NATS_USER: 'any', NATS_PASSWORD_FILE: passwordFile });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /created stream BAI_CHAIN_B with 1 replica/);
      const jsm = await jetstreamManager(nc);
      const a = (await jsm.streams.info('BAI_CHAIN_A')).config;
      const b = (await jsm.streams.info('BAI_CHAIN_B')).config;
      assert.deepEqual(b.subjects, ['bai.chain-b.>']);
      const comparable = ({ name, subjects, ...rest }) => rest;
      assert.deepEqual(comparable(b), comparable(a), 'ensure-stream.cjs and consensus create different streams');
      // a second run leaves the stream as it is
      const again = await runEnsureStream({ BAI_CHAIN_ID: 'chain-b', BAI_NATS_STREAM_REPLICAS: '1', NATS_URL: `nats://127.0.0.1:${port}`, NATS_USER: 'any', NATS_PASSWORD_FILE: passwordFile });
      assert.equal(again.code, 0, again.out);
      assert.match(again.out, /stream BAI_CHAIN_B exists with 1 replica/);
    } finally {
      await nc.close();
      server.kill('SIGKILL');
    }
  });
});

describe('Helm chart: a 3-server NATS cluster from the rendered configuration', { skip: noHelm || (!hasNatsServer && 'nats-server not on PATH') || (!hasOpenssl && 'no openssl') }, () => {
  const servers = [];
  let docs;
  let passwords;
  let tls;
  let clientUrls;

  before(async () => {
    // a CA and a certificate for 127.0.0.1 in place of the Secret (servers and routes use it)
    const dir = mkdtempSync(join(work, 'tls-'));
    const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=nats', '-keyout', 'tls.key', '-out', 'tls.csr');
    writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
    ssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'tls.crt');
    tls = { caFile: join(dir, 'ca.crt') };

    docs = render(['nats.tls.existingSecret=nats-tls']);
    const conf = find(docs, 'ConfigMap', '-nats-config').data['nats.conf'];
    passwords = secretData(find(docs, 'Secret', '-nats-auth'));
    const routePassword = secretData(find(docs, 'Secret', '-nats-routes')).password;
    const sts = find(docs, 'StatefulSet', '-nats');
    assert.equal(sts.spec.replicas, 3);
    const podEnv = sts.spec.template.spec.containers[0].env;
    const clientPorts = [await freePort(), await freePort(), await freePort()];
    const routePorts = [await freePort(), await freePort(), await freePort()];
    clientUrls = clientPorts.map((p) => `nats://127.0.0.1:${p}`);
    // the Kubernetes $(VAR) expansion of the container's environment, with pod names as local ports
    const expand = (value) =>
      value
        .replace('$(BAI_NATS_ROUTE_PASSWORD_RAW)', routePassword)
        .replace(/bai-balanceai-nats-(\d)\.bai-balanceai-nats-headless\.chain\.svc:6222/, (_, i) => `127.0.0.1:${routePorts[Number(i)]}`);
    for (let i = 0; i < 3; i++) {
      const env = { PATH: process.env.PATH, BAI_NATS_SERVER_NAME: `"bai-balanceai-nats-${i}"`, BAI_NATS_ROUTE_PASSWORD: JSON.stringify(routePassword) };
      for (const e of podEnv) if (/^BAI_NATS_ROUTE_\d+$/.test(e.name)) env[e.name] = expand(e.value).replace(/^'|'$/g, '');
      for (const [user, pass] of Object.entries(passwords)) env[`BAI_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`] = JSON.stringify(pass);
      assert.equal(Object.keys(env).filter((k) => /^BAI_NATS_ROUTE_\d+$/.test(k)).length, 3, 'a route per server');
      const text = conf
        .replace(/^listen: .*$/m, `listen: "127.0.0.1:${clientPorts[i]}"`)
        .replace(/^http_port: .*$/m, '')
        .replace(/store_dir: ".*"/, `store_dir: ${JSON.stringify(mkdtempSync(join(work, `js${i}-`)))}`)
        .replace(/^(\s*)listen: "0\.0\.0\.0:6222"$/m, `$1listen: "127.0.0.1:${routePorts[i]}"`)
        .replaceAll('/etc/nats-tls/', `${dir}/`);
      const file = join(mkdtempSync(join(work, `conf${i}-`)), 'nats.conf');
      writeFileSync(file, text);
      servers.push({ file, env, log: '' });
    }
    for (const s of servers) start(s);
    // the cluster is formed when each server has routes to the two others
    const deadline = Date.now() + 20_000;
    while (!servers.every((s) => (s.log.match(/Route connection created/g) ?? []).length >= 2)) {
      if (Date.now() > deadline) throw new Error(`the cluster did not form:\n${servers.map((s) => s.log).join('\n---\n')}`);
      await sleep(100);
    }
  });

  function start(s) {
    s.proc = spawn('nats-server', ['-c', s.file], { env: s.env, stdio: ['ignore', 'ignore', 'pipe'] });
    procs.push(s.proc);
    s.proc.stderr.on('data', (d) => (s.log += d));
  }

  const connectAs = (user, servers) => {
    const { connect } = rootRequire('@nats-io/transport-node');
    return connect({ servers, user, pass: passwords[user], tls, timeout: 5000 });
  };

  test('routes are authenticated: a server with the wrong route password is refused', async () => {
    const port = await freePort();
    const routePort = await freePort();
    const intruder = { ...servers[0] };
    intruder.env = { ...servers[0].env, BAI_NATS_SERVER_NAME: '"intruder"', BAI_NATS_ROUTE_PASSWORD: '"wrong"' };
    for (const k of Object.keys(intruder.env)) if (/^BAI_NATS_ROUTE_\d+$/.test(k)) intruder.env[k] = intruder.env[k].replace(/route:[^@]+@/, 'route:wrong@');
    const text = readFileSync(servers[0].file, 'utf8')
      .replace(/^listen: .*$/m, `listen: "127.0.0.1:${port}"`)
      .replace(/^([ \t]+)listen: "127\.0\.0\.1:\d+"$/m, `$1listen: "127.0.0.1:${routePort}"`)
      .replace(/store_dir: ".*"/, `store_dir: ${JSON.stringify(mkdtempSync(join(work, 'jsx-')))}`);
    intruder.file = join(mkdtempSync(join(work, 'confx-')), 'nats.conf');
    writeFileSync(intruder.file, text);
    intruder.log = '';
    start(intruder);
    const refused = /authorization violation/i;
    const deadline = Date.now() + 10_000;
    while (!refused.test(intruder.log) && Date.now() < deadline) await sleep(100);
    intruder.proc.kill('SIGKILL');
    assert.match(intruder.log, /Listening for route connections on 127\.0\.0\.1/, intruder.log);
    assert.match(intruder.log, refused, intruder.log);
    // every route it opened was closed again
    const rids = (re) => new Set([...intruder.log.matchAll(re)].map((m) => m[1]));
    assert.deepEqual(rids(/rid:(\d+) - Router connection closed/g), rids(/rid:(\d+) - Route connection created/g));
  });

  test('ensure-stream creates the chain stream with 3 replicas; with its leader killed, gossip and the stream go on', async () => {
    const chainId = 'balanceai-devnet';
    const validatorEnv = find(docs, 'StatefulSet', '-validator').spec.template.spec.initContainers.find((c) => c.name === 'nats-stream').env;
    const value = (name) => validatorEnv.find((e) => e.name === name)?.value;
    assert.equal(value('BAI_NATS_STREAM_REPLICAS'), '3');
    assert.equal(value('BAI_CHAIN_ID'), chainId);
    const passwordFile = join(work, 'validator-0-password');
    writeFileSync(passwordFile, `${passwords['validator-0']}\n`);
    const r = await runEnsureStream({
      BAI_CHAIN_ID: chainId,
      BAI_NATS_STREAM_REPLICAS: value('BAI_NATS_STREAM_REPLICAS'),
      NATS_URL: clientUrls.join(','),
      NATS_USER: 'validator-0',
      NATS_PASSWORD_FILE: passwordFile,
      NATS_TLS_CA_FILE: tls.caFile,
      BAI_NATS_STREAM_TIMEOUT_S: '30',
    });
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /created stream BAI_BALANCEAI_DEVNET with 3 replica/);

    const { jetstreamManager } = rootRequire('@nats-io/jetstream');
    const { headers } = rootRequire('@nats-io/transport-node');
    const v1 = await connectAs('validator-1', clientUrls);
    const info = await (await jetstreamManager(v1)).streams.info('BAI_BALANCEAI_DEVNET');
    assert.equal(info.config.num_replicas, 3);
    const publish = (nc, n) => {
      const h = headers();
      h.set('Nats-Msg-Id', `block-${n}`);
      nc.publish(`bai.${chainId}.blocks.finalized`, JSON.stringify({ number: n }), { headers: h });
    };
    for (let n = 1; n <= 10; n++) publish(v1, n);
    await v1.flush();
    await v1.close();

    // kill the server that leads the stream: the other two keep a quorum
    const gw = await connectAs('gateway', clientUrls);
    let leader;
    for (let i = 0; i < 50 && !leader; i++) {
      const s = await (await jetstreamManager(gw)).streams.info('BAI_BALANCEAI_DEVNET');
      if (s.state.messages === 10) leader = s.cluster?.leader;
      else await sleep(100);
    }
    assert.match(String(leader), /^bai-balanceai-nats-\d$/);
    await gw.close();
    const down = Number(leader.slice(-1));
    servers[down].proc.kill('SIGKILL');
    const survivors = clientUrls.filter((_, i) => i !== down);

    // gossip: a validator on one surviving server hears one on the other
    const a = await connectAs('validator-2', [survivors[0]]);
    const b = await connectAs('validator-3', [survivors[1]]);
    const heard = new Promise((resolve) => {
      const sub = a.subscribe(`p2p.${chainId}.vote`, { max: 1 });
      (async () => {
        for await (const m of sub) resolve(m.string());
      })();
    });
    await a.flush();
    await sleep(200); // the subscription's interest reaches the other server
    b.publish(`p2p.${chainId}.vote`, 'vote-after-failover');
    assert.equal(await Promise.race([heard, sleep(5000).then(() => 'timeout')]), 'vote-after-failover');

    // the stream elects a new leader, keeps its 10 messages and takes new ones
    for (let n = 11; n <= 12; n++) publish(b, n);
    await b.flush();
    const gw2 = await connectAs('gateway', survivors);
    let state;
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      // during the election JetStream requests may time out: ask again
      state = await jetstreamManager(gw2, { timeout: 2000 })
        .then((jsm) => jsm.streams.info('BAI_BALANCEAI_DEVNET'))
        .catch(() => undefined);
      if (state && state.cluster?.leader && state.cluster.leader !== leader && state.state.messages === 12) break;
      await sleep(250);
      // a publish during the election may be lost (core publish, as consensus does): send again, deduplicated
      for (let n = 11; n <= 12; n++) publish(b, n);
    }
    assert.ok(state, 'no stream info from the surviving servers');
    assert.notEqual(state.cluster.leader, leader);
    assert.equal(state.state.messages, 12);
    await Promise.all([a.close(), b.close(), gw2.close()]);
  });
});

describe('docker-compose.yml: the 3-server NATS cluster', { skip: !hasNatsServer && 'nats-server not on PATH' }, () => {
  test('nats-0..2 with deploy/compose/nats.conf form a cluster; init\'s ensure-stream makes the stream with 3 replicas', async () => {
    const { parse } = await import('yaml');
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
    const names = Object.keys(compose.services).filter((n) => /^nats-\d+$/.test(n)).sort();
    assert.deepEqual(names, ['nats-0', 'nats-1', 'nats-2']);
    // ${VAR:-default} as compose interpolates it in a shell with nothing set
    const interpolate = (v) => String(v).replace(/\$\{([A-Z0-9_]+):-([^}]*)\}/g, (_, _n, d) => d);
    const conf = readFileSync(join(root, 'deploy/compose/nats.conf'), 'utf8');
    const clientPorts = {};
    const routePorts = {};
    for (const n of names) [clientPorts[n], routePorts[n]] = [await freePort(), await freePort()];
    const cluster = names.map((n) => {
      const env = { PATH: process.env.PATH };
      for (const [k, v] of Object.entries(compose.services[n].environment)) {
        // the compose network's host names become local ports
        env[k] = interpolate(v).replace(/@(nats-\d+):6222/, (_, host) => `@127.0.0.1:${routePorts[host]}`);
      }
      const text = conf
        .replace(/^listen: .*$/m, `listen: "127.0.0.1:${clientPorts[n]}"`)
        .replace(/^http_port: .*$/m, '')
        .replace(/store_dir: ".*"/, `store_dir: ${JSON.stringify(mkdtempSync(join(work, `cjs-${n}-`)))}`)
        .replace(/^([ \t]+)listen: "0\.0\.0\.0:6222"$/m, `$1listen: "127.0.0.1:${routePorts[n]}"`);
      const file = join(mkdtempSync(join(work, `cconf-${n}-`)), 'nats.conf');
      writeFileSync(file, text);
      const s = { log: '', proc: spawn('nats-server', ['-c', file], { env, stdio: ['ignore', 'ignore', 'pipe'] }) };
      procs.push(s.proc);
      s.proc.stderr.on('data', (d) => (s.log += d));
      return s;
    });
    try {
      const deadline = Date.now() + 20_000;
      while (!cluster.every((s) => (s.log.match(/Route connection created/g) ?? []).length >= 2)) {
        if (Date.now() > deadline) throw new Error(`the compose cluster did not form:\n${cluster.map((s) => s.log).join('\n---\n')}`);
        await sleep(100);
      }
      const init = compose.services.init.environment;
      const r = await runEnsureStream({
        BAI_CHAIN_ID: init.BAI_CHAIN_ID,
        BAI_NATS_STREAM_REPLICAS: init.BAI_NATS_STREAM_REPLICAS,
        NATS_URL: interpolate(init.NATS_URL).replace(/nats:\/\/(nats-\d+):4222/g, (_, host) => `nats://127.0.0.1:${clientPorts[host]}`),
        NATS_USER: init.NATS_USER,
        NATS_PASSWORD: interpolate(init.NATS_PASSWORD),
        BAI_NATS_STREAM_TIMEOUT_S: '30',
      });
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /created stream BAI_BALANCEAI_DEVNET with 3 replica/);
    } finally {
      for (const s of cluster) s.proc.kill('SIGKILL');
    }
  });
});
