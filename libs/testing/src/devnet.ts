import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, type WriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { DEFAULT_MODELS_GENESIS, ONE_BAI, devGenesis, genesisToJson, keyFromUri, ss58Encode, withGenesisProviders, type DevGenesisOptions, type Genesis, type GenesisProvider } from '@balanceai/chain';
import { freePort, waitFor } from './ports.js';
import { createChainStream, natsConnectOptions, startNats, type NatsServer } from './nats.js';
import { TcpLink } from './tcp-link.js';
import { devnetBridgeGatewayEnv, devnetBridgeGenesis, devnetRunsEthereum, startDevnetBridge, type DevnetBridge, type DevnetBridgePorts } from './devnet-bridge.js';
export type { DevnetBridge } from './devnet-bridge.js';
import { databaseUrl, startPostgres, type PostgresServer } from './postgres.js';

const run = promisify(execFile);
/** The exit status with which a service asks its supervisor for a restart (consensus after a failed block write). */
export const EXIT_RESTART = 75;
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** The module services a validator can run beside its consensus, each the package `@balanceai/<name>`. */
export type ModuleName = 'emissions' | 'staking' | 'models' | 'bridge';
export const MODULE_NAMES: readonly ModuleName[] = ['emissions', 'staking', 'models', 'bridge'];
/** The variable with which each module service reads its gRPC port. */
export const MODULE_GRPC_PORT_VARIABLE: Record<ModuleName, string> = {
  emissions: 'BAI_EMISSIONS_GRPC_PORT',
  staking: 'BAI_STAKING_GRPC_PORT',
  models: 'BAI_MODELS_GRPC_PORT',
  bridge: 'BAI_BRIDGE_GRPC_PORT',
};
/** The variable with which the gateway reads where a module's gRPC is (validator 0's module). */
export const MODULE_GATEWAY_URL_VARIABLE: Record<ModuleName, string> = {
  emissions: 'BAI_EMISSIONS_URL',
  staking: 'BAI_STAKING_URL',
  models: 'BAI_MODELS_URL',
  bridge: 'BAI_BRIDGE_URL',
};

// Services are started through their packages' `./main` exports, resolved from the repository's root
// package (whose workspaces they are), never by a path into their build output.
const requireFromRoot = createRequire(join(REPO_ROOT, 'package.json'));

/**
 * The file `@balanceai/<service>/<entry>` resolves to (a clear error when the package is missing or not
 * built): `main` is the service, `worker` the models scoring worker.
 */
export function serviceEntry(service: string, entry = 'main'): string {
  const specifier = `@balanceai/${service}/${entry}`;
  let file: string;
  try {
    file = requireFromRoot.resolve(specifier);
  } catch (err) {
    throw new Error(`cannot resolve ${specifier} (is services/${service} a workspace, and installed?): ${(err as Error).message}`);
  }
  if (!existsSync(file)) throw new Error(`${specifier} resolves to ${file}, which does not exist: build it first (npx tsc -b services/${service})`);
  return file;
}

/** The folder of the package that holds `file` (the nearest package.json above it). */
export function packageRoot(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
  }
}

/** The package root of service `@balanceai/<name>` (its prisma/ and .venv/ live there). */
function serviceRoot(service: string): string {
  const root = packageRoot(serviceEntry(service));
  const name = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: string }).name;
  if (name !== `@balanceai/${service}`) throw new Error(`the package above @balanceai/${service}/main is ${name}`);
  return root;
}

/** Tracing preload (a no-op unless OTEL_TRACES_EXPORTER is set), through @balanceai/platform's export. */
const TELEMETRY_PRELOAD = fileURLToPath(import.meta.resolve('@balanceai/platform/telemetry/preload'));

export interface DevnetOptions {
  validators?: number;
  blockTimeMs?: number;
  eraLength?: number;
  /** Extra funded accounts `//bench/<i>` (sr25519) for load tests. */
  extraAccounts?: number;
  /** Working folder (genesis, logs, NATS store); a temp folder by default. */
  dir?: string;
  gatewayPort?: number;
  /** Also start the gateway (default true). */
  gateway?: boolean;
  /** Print the children's output here as well as into `<dir>/logs`. */
  echo?: boolean;
  natsUrl?: string;
  databaseUrl?: string;
  /** Keep data (Postgres data folder inside dir) across runs. */
  persistent?: boolean;
  /** Module services each validator runs (default emissions only; staking bonds the genesis validators). */
  modules?: ModuleName[];
  /** Self-bond of each genesis validator when staking runs (default 20,000 BAI). */
  stakingBond?: bigint;
  /** The genesis' models marketplace section (the Models pallet); DEFAULT_MODELS_GENESIS when the models module runs. */
  models?: DevGenesisOptions['models'];
  /** The genesis' bridge section (the Bridge pallet: relayers, threshold, limits); none unless given. */
  bridge?: DevGenesisOptions['bridge'];
  /** With the bridge module: start anvil, the contracts and the dev relayers after the gateway (default: when `bridge` is not given; devnet-bridge.ts). */
  bridgeEthereum?: boolean;
  /**
   * NATS processes the devnet starts: 1 (default), or 3 for a cluster (routes between them, the chain's
   * JetStream stream with 3 replicas); every client gets all the nodes' URLs.
   */
  natsNodes?: number;
  /**
   * Also start the expert service (@balanceai/expert) and point the gateway at it (BAI_EXPERT_URL). Needs
   * its Python venv (services/expert/scripts/setup-python.sh): without it the devnet says so and goes on
   * without the service (`expert.running` false, /v1/expert/* answers 503).
   */
  expert?: boolean;
  /**
   * Register the expert service in the genesis as the marketplace's first agent (issue 11): provider 0, kind
   * Agent, name EXPERT_AGENT_NAME, owner //treasury with the agents' minimum lock, endpoint the expert's
   * `/agent` routes, so `POST /v1/access/0/risks` through the gateway evaluates a risk document. Needs `expert`
   * and the models module. The expert also reads the chain through the gateway (BAI_EXPERT_CHAIN_URL) to
   * load hash-checked marketplace models, with the admin token in `expert.adminToken`.
   */
  expertAgent?: boolean;
  /**
   * Also start the models scoring worker (@balanceai/models/worker) beside each genesis validator, signing
   * set_weights with its stash `//stash/<i>` through the gateway (needs the models module and the gateway).
   * Off by default: tests that play the validators' scoring themselves leave it off.
   */
  modelsWorker?: boolean;
}

/** The environment of the models scoring worker beside genesis validator i (its stash is `//stash/<i>`, devGenesis). */
export function modelsWorkerEnv(i: number, gatewayUrl: string, genesisFile: string): Record<string, string> {
  return {
    BAI_GATEWAY_URL: gatewayUrl,
    BAI_GENESIS_FILE: genesisFile,
    BAI_VALIDATOR_STASH_URI: `//stash/${i}`,
    // The devnet's providers listen on 127.0.0.1: probe them as the devnet's gateway proxies to them.
    BAI_ACCESS_PRIVATE_ENDPOINTS: 'allow',
  };
}

/** Whether the devnet runs the expert service, where, and why not. */
export interface ExpertStatus {
  running: boolean;
  /** gRPC `host:port` the gateway uses. */
  grpcUrl?: string;
  /** `/healthz`, `/readyz`, `/metrics`. */
  httpUrl?: string;
  /** Why it is not running (not asked for, no venv, failed to become ready). */
  reason?: string;
  /** BAI_EXPERT_ADMIN_TOKEN of the devnet's expert (AddModel, POST /marketplace/models). */
  adminToken?: string;
}

/** The on-chain name of the expert service as the devnet's genesis agent. */
export const EXPERT_AGENT_NAME = 'balanceai-expert';

/** The expert service as a genesis agent of `genesis`, reached at the expert's HTTP port. */
export function expertAgentProvider(genesis: Genesis, expertHttpPort: number): GenesisProvider {
  const models = genesis.models ?? DEFAULT_MODELS_GENESIS;
  return {
    owner: ss58Encode(keyFromUri('//treasury', 'sr25519').publicKey, genesis.ss58Prefix),
    kind: 'Agent',
    name: EXPERT_AGENT_NAME,
    // Describes the agent, not a download: an agent serves its own endpoint (no hash-bound files).
    metadataUri: 'urn:balanceai:agent:expert-system',
    endpoint: `http://127.0.0.1:${expertHttpPort}/agent`,
    minAccessHolding: ONE_BAI,
    lock: models.agentMinLock,
  };
}

interface Child {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  proc: ChildProcess | null;
  log: WriteStream;
}

/**
 * Migrations are applied once to a template database; each validator's database is a copy of it: those of
 * consensus and of every module service that has a prisma/ folder (its own schema), from the package root.
 */
export async function migrateTemplate(postgres: PostgresServer, modules: readonly ModuleName[] = ['emissions', 'staking']): Promise<string> {
  const template = 'bai_template';
  const url = await postgres.createDatabase(template);
  for (const svc of ['consensus', ...modules]) {
    const cwd = serviceRoot(svc);
    if (!existsSync(join(cwd, 'prisma'))) continue;
    await run(process.execPath, [join(REPO_ROOT, 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], {
      cwd,
      env: { ...process.env, DATABASE_URL: url },
    });
  }
  return template;
}

export async function createFromTemplate(adminUrl: string, name: string, template: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, name);
}

/**
 * A local network: NATS, PostgreSQL, N validator processes and the gateway, each its own OS process so
 * tests can kill, pause (SIGSTOP) and restart validators the way CometBFT's e2e suite does.
 */
export class Devnet {
  readonly validators: Child[] = [];
  gatewayChild: Child | null = null;
  gatewayUrl = '';
  readonly grpcPorts: number[] = [];
  readonly httpPorts: number[] = [];
  /** Each validator's module services, one process each, beside its consensus process. */
  readonly moduleChildren: Child[][] = [];
  /** Each validator's module token (32 random bytes, hex): its modules answer only its consensus. */
  readonly moduleTokens: string[] = [];
  readonly emissionsPorts: number[] = [];
  readonly modulePorts: Array<Record<string, number>> = [];
  expertChild: Child | null = null;
  /** The models scoring workers, one per genesis validator (modelsWorker). */
  readonly workerChildren: Child[] = [];
  expert: ExpertStatus = { running: false, reason: 'not asked for' };
  /** The Ethereum half with the bridge module (anvil RPC URL, chain id, BaiBridge / wBAI addresses, relayer boards); null otherwise. */
  bridge: DevnetBridge | null = null;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Per validator, one relay per NATS node. */
  private readonly natsLinks: TcpLink[][] = [];
  private modules: ModuleName[] = ['emissions'];
  private template = '';

  private constructor(
    readonly dir: string,
    readonly genesis: Genesis,
    readonly genesisFile: string,
    readonly validatorKeys: string[],
    readonly nats: NatsServer,
    readonly postgres: PostgresServer,
    private readonly ownsDir: boolean,
    private readonly echo: boolean,
  ) {}

  static async start(opts: DevnetOptions = {}): Promise<Devnet> {
    const n = opts.validators ?? 4;
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'bai-devnet-'));
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const modules = opts.modules ?? ['emissions'];
    if (opts.modelsWorker && !modules.includes('models')) throw new Error('modelsWorker needs the models module');
    if (opts.modelsWorker && opts.gateway === false) throw new Error('modelsWorker needs the gateway (the worker is its client)');
    if (devnetRunsEthereum(modules, opts) && opts.gateway === false) throw new Error('the bridge relayers need the gateway');
    if (opts.expertAgent && (!opts.expert || !modules.includes('models'))) throw new Error('expertAgent needs the expert service and the models module');
    // Ports known before the genesis: the expert agent's endpoint is in it, and the expert reads the chain through the gateway.
    const expertPorts = opts.expert ? { grpc: await freePort(), http: await freePort() } : null;
    const gatewayPort = opts.gateway === false ? 0 : (opts.gatewayPort ?? (await freePort()));
    const dev = devGenesis({
      validators: n,
      blockTimeMs: opts.blockTimeMs ?? 1000,
      eraLength: opts.eraLength,
      extraAccounts: opts.extraAccounts,
      stakingBond: modules.includes('staking') ? (opts.stakingBond ?? 20_000n * 10n ** 18n) : undefined,
      models: opts.models ?? (modules.includes('models') ? DEFAULT_MODELS_GENESIS : undefined),
      bridge: await devnetBridgeGenesis(modules, opts.bridge),
    });
    const validatorKeys = dev.validatorKeys;
    const genesis = opts.expertAgent && expertPorts ? withGenesisProviders(dev.genesis, [expertAgentProvider(dev.genesis, expertPorts.http)]) : dev.genesis;
    const genesisFile = join(dir, 'genesis.json');
    writeFileSync(genesisFile, genesisToJson(genesis));
    // A NATS this devnet starts gets one user per validator and one for the gateway (nats-auth.ts);
    // a NATS_URL given from outside is used as is by every process.
    const natsDir = join(dir, 'nats');
    if (!opts.natsUrl && !process.env.NATS_URL) mkdirSync(natsDir, { recursive: true });
    const natsNodes = opts.natsNodes ?? 1;
    const nats = await startNats({ url: opts.natsUrl, storeDir: opts.natsUrl ? undefined : natsDir, auth: { chainId: genesis.chainId }, nodes: natsNodes });
    let postgres: PostgresServer;
    try {
      // Consensus creates the chain's stream with one replica when it finds none: on a cluster it finds
      // this one, replicated on every node (up to 3), so a node's loss loses no stored message and the
      // stream goes on under a new leader (validators publish with core NATS, without acks: what they
      // publish while the stream elects its leader, ~5-12 s after a leader's SIGKILL, is not stored).
      if (nats.nodes.length > 1) await createChainStream(nats, genesis.chainId, Math.min(3, nats.nodes.length));
      postgres = await startPostgres({
        url: opts.databaseUrl,
        dataDir: opts.persistent ? join(dir, 'postgres') : undefined,
      });
    } catch (err) {
      await nats.stop();
      throw err;
    }
    const net = new Devnet(dir, genesis, genesisFile, validatorKeys, nats, postgres, !opts.dir, opts.echo ?? false);
    net.modules = modules;
    try {
      const template = await migrateTemplate(postgres, modules);
      net.template = template;
      for (let i = 0; i < n; i++) {
        net.validators.push(await net.nodeProcesses(i, validatorKeys[i]!));
      }
      for (const mods of net.moduleChildren) for (const m of mods) net.spawn(m);
      for (let i = 0; i < n; i++) net.spawn(net.validators[i]!);
      await Promise.all(net.httpPorts.map((p, i) => waitFor(`validator-${i} health`, () => httpOk(`http://127.0.0.1:${p}/healthz`), 60_000)));
      if (expertPorts) await net.startExpert(expertPorts, opts.gateway === false ? null : `http://127.0.0.1:${gatewayPort}`);
      if (opts.gateway ?? true) {
        const port = gatewayPort;
        net.gatewayUrl = `http://127.0.0.1:${port}`;
        // anvil and the relayers start after the gateway (they are its clients), on ports the gateway is told
        // now: it reads their signature boards and Ethereum's burns for the transfer stages.
        const bridgePorts: DevnetBridgePorts | undefined = devnetRunsEthereum(modules, opts)
          ? { anvil: await freePort(), relayers: await Promise.all([0, 1, 2].map(() => freePort())) }
          : undefined;
        const gatewayNats = await nats.urlFor('gateway', 'gateway');
        const moduleUrls = Object.fromEntries(
          modules.map((m) => [MODULE_GATEWAY_URL_VARIABLE[m], `127.0.0.1:${net.modulePorts[0]![m]}`]),
        );
        net.gatewayChild = net.child('gateway', [serviceEntry('gateway')], {
          BAI_CONSENSUS_URLS: net.grpcPorts.map((p) => `127.0.0.1:${p}`).join(','),
          NATS_URL: gatewayNats,
          ...natsUserEnv(gatewayNats),
          BAI_CHAIN_ID: genesis.chainId,
          ...moduleUrls,
          ...(net.expert.running ? { BAI_EXPERT_URL: net.expert.grpcUrl } : {}),
          PORT: String(port),
          HOST: '127.0.0.1',
          // The devnet's model providers listen on 127.0.0.1.
          BAI_ACCESS_PRIVATE_ENDPOINTS: 'allow',
          ...(bridgePorts ? devnetBridgeGatewayEnv(bridgePorts) : {}),
        });
        net.spawn(net.gatewayChild);
        await waitFor('gateway', () => httpOk(`${net.gatewayUrl}/readyz`), 60_000);
        if (opts.modelsWorker) {
          const entry = serviceEntry('models', 'worker');
          for (let i = 0; i < n; i++) {
            const worker = net.child(`models-worker-${i}`, [entry], modelsWorkerEnv(i, net.gatewayUrl, genesisFile));
            net.workerChildren.push(worker);
            net.spawn(worker);
          }
        }
        if (bridgePorts) net.bridge = await startDevnetBridge(net.gatewayUrl, dir, net.echo, bridgePorts);
      }
    } catch (err) {
      await net.stop();
      throw err;
    }
    return net;
  }

  /** The processes of node i (its database, module services and consensus), not yet started. */
  private async nodeProcesses(i: number, validatorKey: string): Promise<Child> {
    const dbUrl = await createFromTemplate(this.postgres.adminUrl, `bai_v${i}`, this.template);
    const grpcPort = await freePort();
    const httpPort = await freePort();
    this.grpcPorts[i] = grpcPort;
    this.httpPorts[i] = httpPort;
    const ports: Record<string, number> = {};
    const children: Child[] = [];
    const moduleToken = randomBytes(32).toString('hex');
    this.moduleTokens[i] = moduleToken;
    for (const m of this.modules) {
      ports[m] = await freePort();
      children.push(
        this.child(`${m}-${i}`, [serviceEntry(m)], {
          BAI_GENESIS_FILE: this.genesisFile,
          DATABASE_URL: dbUrl,
          BAI_GRPC_HOST: '127.0.0.1',
          BAI_MODULE_TOKEN: moduleToken,
          [MODULE_GRPC_PORT_VARIABLE[m]]: String(ports[m]),
          BAI_HTTP_PORT: String(await freePort()),
        }),
      );
    }
    this.modulePorts[i] = ports;
    this.emissionsPorts[i] = ports.emissions ?? 0;
    this.moduleChildren[i] = children;
    return this.child(`validator-${i}`, [serviceEntry('consensus')], {
      BAI_GENESIS_FILE: this.genesisFile,
      BAI_VALIDATOR_KEY: validatorKey,
      DATABASE_URL: dbUrl,
      NATS_URL: await this.natsThroughLink(i, await this.nats.urlFor(`validator-${i}`, 'validator')),
      BAI_GRPC_HOST: '127.0.0.1',
      BAI_GRPC_PORT: String(grpcPort),
      BAI_HTTP_PORT: String(httpPort),
      BAI_MODULES: this.modules.map((m) => `${m}=127.0.0.1:${ports[m]}`).join(','),
      BAI_MODULE_TOKEN: moduleToken,
      BAI_NATS_STREAM_REPLICAS: String(Math.min(3, Math.max(1, this.nats.nodes.length))),
    });
  }

  /** Validator i reaches each NATS node through a relay the tests can cut (disconnectNats). */
  private async natsThroughLink(i: number, url: string): Promise<string> {
    const servers = url.split(',');
    const links = (this.natsLinks[i] ??= []);
    const relayed: string[] = [];
    for (let k = 0; k < servers.length; k++) {
      const u = new URL(servers[k]!.trim());
      links[k] ??= await TcpLink.open(u.hostname, Number(u.port));
      u.port = String(links[k]!.port);
      relayed.push(u.toString().replace(/\/$/, ''));
    }
    return relayed.join(',');
  }

  /** Cuts validator i off NATS (its connections to every node dropped, reconnects refused) for `ms`. */
  disconnectNats(i: number, ms: number): void {
    for (const link of this.natsLinks[i]!) link.cut(ms);
  }

  /** Kills NATS node k of a devnet-started NATS (SIGKILL by default): its clients move to the other nodes. */
  killNatsNode(k: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    return this.nats.killNode(k, signal);
  }

  /** Starts NATS node k again: it rejoins the cluster and JetStream catches its replicas up. */
  startNatsNode(k: number): Promise<void> {
    return this.nats.startNode(k);
  }

  /**
   * Starts the expert service (one for the network; the gateway is its client) when its Python venv is
   * there; otherwise records why not, says so on stderr and goes on.
   */
  private async startExpert(ports: { grpc: number; http: number }, chainUrl: string | null): Promise<void> {
    const unavailable = (reason: string) => {
      this.expert = { running: false, reason };
      process.stderr.write(`[devnet] the expert service is not running: ${reason}. /v1/expert/* will answer 503.\n`);
    };
    let entry: string;
    try {
      entry = serviceEntry('expert');
    } catch (err) {
      return unavailable((err as Error).message);
    }
    const python = process.env.BAI_EXPERT_PYTHON || join(packageRoot(entry), '.venv', 'bin', 'python');
    if (!existsSync(python)) {
      return unavailable(`no Python venv at ${python} (run services/expert/scripts/setup-python.sh once)`);
    }
    try {
      await run(python, ['-c', 'import clips'], { timeout: 30_000 });
    } catch (err) {
      return unavailable(`${python} cannot import clipspy (run services/expert/scripts/setup-python.sh): ${(err as Error).message.split('\n')[0]}`);
    }
    const { grpc: grpcPort, http: httpPort } = ports;
    const adminToken = randomBytes(16).toString('hex');
    const child = this.child('expert', [entry], {
      BAI_EXPERT_PYTHON: python,
      BAI_EXPERT_GRPC_HOST: '127.0.0.1',
      BAI_EXPERT_GRPC_PORT: String(grpcPort),
      BAI_HTTP_HOST: '127.0.0.1',
      BAI_HTTP_PORT: String(httpPort),
      BAI_EXPERT_ADMIN_TOKEN: adminToken,
      ...(chainUrl ? { BAI_EXPERT_CHAIN_URL: chainUrl } : {}),
    });
    this.expertChild = child;
    this.spawn(child);
    const httpUrl = `http://127.0.0.1:${httpPort}`;
    try {
      await waitFor('expert readiness', () => httpOk(`${httpUrl}/readyz`), 60_000);
    } catch (err) {
      await this.stopChild(child);
      this.expertChild = null;
      return unavailable(`it did not become ready (${(err as Error).message}; see ${join(this.dir, 'logs', 'expert.log')})`);
    }
    this.expert = { running: true, grpcUrl: `127.0.0.1:${grpcPort}`, httpUrl, adminToken };
  }

  /**
   * Starts one more node with its own database and modules, keyed with `validatorKey` (a secret URI not in
   * the genesis set): it follows the chain as a full node until staking elects its key. Returns its index.
   */
  async addNode(validatorKey: string): Promise<number> {
    const i = this.validators.length;
    const node = await this.nodeProcesses(i, validatorKey);
    this.validators.push(node);
    for (const m of this.moduleChildren[i]!) this.spawn(m);
    this.spawn(node);
    await waitFor(`node-${i} health`, () => httpOk(`${this.validatorHttpUrl(i)}/healthz`), 60_000);
    return i;
  }

  private child(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
    const log = createWriteStream(join(this.dir, 'logs', `${name}.log`), { flags: 'a' });
    return { name, args, env, proc: null, log };
  }

  private spawn(c: Child): void {
    // Tracing is loaded before the app (a no-op unless OTEL_TRACES_EXPORTER is set); source maps cost ~2.5% CPU.
    const flags = ['--import', TELEMETRY_PRELOAD];
    if (process.env.BAI_SOURCE_MAPS === '1') flags.push('--enable-source-maps');
    const proc = spawn(process.execPath, [...flags, ...c.args], {
      env: { ...process.env, ...c.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const forward = (chunk: Buffer) => {
      c.log.write(chunk);
      if (this.echo) {
        for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`[${c.name}] ${line}\n`);
      }
    };
    proc.stdout?.on('data', forward);
    proc.stderr?.on('data', forward);
    // Like a Kubernetes restart policy: a service that exits on its own with an error (a failed block
    // write exits EXIT_RESTART; a database that refuses connections fails the start) is started again
    // and replays from its database. Signals are the tests' own kills: those they restart themselves.
    proc.once('exit', (code) => {
      if (code !== null && code !== 0 && !this.stopping && c.proc === proc) {
        c.log.write(`[devnet] ${c.name} exited ${code}: restarting it\n`);
        setTimeout(() => !this.stopping && c.proc === proc && this.spawn(c), 1_000).unref();
      }
    });
    c.proc = proc;
  }

  validatorGrpcUrl(i: number): string {
    return `127.0.0.1:${this.grpcPorts[i]}`;
  }

  validatorHttpUrl(i: number): string {
    return `http://127.0.0.1:${this.httpPorts[i]}`;
  }

  isRunning(i: number): boolean {
    const p = this.validators[i]?.proc;
    return !!p && p.exitCode === null && p.signalCode === null;
  }

  /** SIGKILL by default: a crash, nothing flushed. */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const c = this.validators[i]!;
    const p = c.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT');
    p.kill(signal);
    await exited;
  }

  /** Kills (SIGKILL) validator i's module service `name`, e.g. emissions. */
  async killModule(i: number, name = 'emissions'): Promise<void> {
    const c = this.moduleChildren[i]!.find((m) => m.name === `${name}-${i}`)!;
    const p = c.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }

  /** Starts validator i's module service again. */
  restartModule(i: number, name = 'emissions'): void {
    this.spawn(this.moduleChildren[i]!.find((m) => m.name === `${name}-${i}`)!);
  }

  pause(i: number): void {
    this.validators[i]!.proc?.kill('SIGSTOP');
  }

  resume(i: number): void {
    this.validators[i]!.proc?.kill('SIGCONT');
  }

  async restart(i: number): Promise<void> {
    await this.kill(i);
    this.spawn(this.validators[i]!);
    await waitFor(`validator-${i} health after restart`, () => httpOk(`${this.validatorHttpUrl(i)}/healthz`), 60_000);
  }

  /** SIGTERM (SIGKILL after 5 s); the child is not restarted. */
  private async stopChild(c: Child): Promise<void> {
    const p = c.proc;
    c.proc = null; // its exit is not a crash to restart
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGCONT');
    p.kill('SIGTERM');
    const timer = setTimeout(() => p.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  /** Stops everything (once: later calls wait for the same stop). */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  private async stopAll(): Promise<void> {
    this.stopping = true;
    await this.bridge?.stop().catch(() => undefined);
    const all = [
      ...this.validators,
      ...this.moduleChildren.flat(),
      ...(this.gatewayChild ? [this.gatewayChild] : []),
      ...(this.expertChild ? [this.expertChild] : []),
      ...this.workerChildren,
    ];
    await Promise.all(all.map((c) => this.stopChild(c)));
    for (const c of all) c.log.end();
    await Promise.all(this.natsLinks.flat().map((l) => l.close()));
    await this.nats.stop();
    await this.postgres.stop();
    if (this.ownsDir && existsSync(this.dir) && !process.env.BAI_KEEP_DEVNET) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** NATS_USER / NATS_PASSWORD of `nats://user:password@…` URLs (a list: the first's), for services that read those instead. */
function natsUserEnv(url: string): Record<string, string> {
  const { user, pass } = natsConnectOptions(url);
  return user !== undefined ? { NATS_USER: user, NATS_PASSWORD: pass ?? '' } : {};
}

async function httpOk(url: string): Promise<true | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return res.ok ? true : undefined;
}
