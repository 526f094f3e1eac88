import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort, waitFor } from './ports.js';
import { chainStreamName, natsServerConfig, natsUrlWithCredentials, newNatsUser, type NatsRole, type NatsUser } from './nats-auth.js';

/** One `nats-server` process this process started. */
export interface NatsNode {
  /** Its `server_name` (`nats-<k>`), as JetStream's cluster info names it. */
  readonly name: string;
  /** Client URL without credentials. */
  readonly url: string;
  /** Monitoring endpoint (`/connz`, `/routez`, `/jsz`), e.g. `http://127.0.0.1:8222`. */
  readonly monitorUrl: string;
}

export interface NatsServer {
  /**
   * What tests and tools connect with: the operator's URL (all subjects) when this process started the
   * server with users, else the server's URL as given. A cluster's is a comma-separated list of its nodes.
   */
  url: string;
  /** The server's address without credentials (a comma-separated list for a cluster). */
  plainUrl: string;
  /** True when this process started the server with per-service users (anonymous connections refused). */
  readonly authenticated: boolean;
  /** The servers this process started: one, or a cluster's nodes; none for a NATS_URL given from outside. */
  readonly nodes: readonly NatsNode[];
  /**
   * The URL (with `user:password@`) of a service's own user, created on first use (every node reloads its
   * configuration): `validator-<i>` publishes gossip and finalized blocks, `gateway` only reads the stream.
   * Without users, the server's URL. A comma-separated list for a cluster, each server with the credentials.
   */
  urlFor(user: string, role: Exclude<NatsRole, 'operator'>): Promise<string>;
  /** Stops node k (SIGKILL by default: a crash, nothing flushed). Its clients reconnect to the others. */
  killNode(k: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts node k again on its ports and store; it rejoins the cluster and JetStream catches it up. */
  startNode(k: number): Promise<void>;
  isNodeRunning(k: number): boolean;
  /**
   * A JetStream API request (`$JS.API.…`, JSON body) as the operator, on one connection kept for the
   * purpose that reconnects to any live node; the reply parsed (`error` on failure).
   */
  jetstream(subject: string, body?: unknown): Promise<JetStreamReply>;
  /** Only for a server this process started. */
  stop(): Promise<void>;
}

export type JetStreamReply = { error?: { code: number; err_code?: number; description: string } } & Record<string, unknown>;

/** `jetstream()` of a NatsServer: one lazily opened operator connection, closed by the returned `close`. */
function operatorJetstream(url: string): { request: NatsServer['jetstream']; close(): Promise<void> } {
  let nc: Promise<NatsConnection> | undefined;
  return {
    async request(subject, body) {
      nc ??= connect({ ...natsConnectOptions(url), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
      return jetstreamRequest(await nc, subject, body);
    },
    async close() {
      if (nc) await (await nc.catch(() => undefined))?.close();
    },
  };
}

export interface StartNatsOptions {
  /** Use this server (or comma-separated servers) as is; also NATS_URL from the environment. */
  url?: string;
  /** Folder for the configuration and the JetStream store (one subfolder per node of a cluster). */
  storeDir?: string;
  /** Per-service users and subject permissions (nats-auth.ts) for this chain. */
  auth?: { chainId: string };
  /** Nodes: 1 (default) for one server, 3 for a cluster of local processes with JetStream clustering. */
  nodes?: number;
}

interface NodeProcess extends NatsNode {
  port: number;
  configFile: string;
  storeDir: string;
  child: ChildProcess | null;
  spawnError?: Error;
  stderr: string;
}

/**
 * NATS with JetStream: NATS_URL when given (used as is, for every service), else `nats-server` from PATH
 * (Debian package `nats-server`) on free loopback ports with its store in a temp folder. With `nodes: 3`,
 * three processes form a cluster (routes between them, JetStream clustered: streams can have 3 replicas).
 * With `auth`, every node gets the same configuration of one user per service with subject permissions
 * (nats-auth.ts); anonymous connections are refused.
 */
export async function startNats(opts: StartNatsOptions = {}): Promise<NatsServer> {
  const given = opts.url ?? process.env.NATS_URL;
  if (given) {
    const refuse = async () => {
      throw new Error('this NATS was given from outside (NATS_URL): its nodes are not this process to stop or start');
    };
    const js = operatorJetstream(given);
    return { url: given, plainUrl: given, authenticated: false, nodes: [], urlFor: async () => given, killNode: refuse, startNode: refuse, isNodeRunning: () => false, jetstream: js.request, stop: () => js.close() };
  }
  const count = opts.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 7) throw new Error(`NATS nodes must be 1 to 7, got ${count}`);
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'bai-nats-'));
  const ownsStore = !opts.storeDir;
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const clustered = count > 1;
  // Every node gets the same configuration but its own ports and store; a cluster's routes authenticate.
  const routeUser = { user: 'route', password: randomBytes(24).toString('hex') };
  const clusterPorts: number[] = [];
  const nodes: NodeProcess[] = [];
  for (let k = 0; k < count; k++) {
    const port = await freePort();
    const monitorPort = await freePort();
    if (clustered) clusterPorts.push(await freePort());
    const dir = clustered ? join(storeDir, `node-${k}`) : storeDir;
    mkdirSync(dir, { recursive: true });
    nodes.push({
      name: `nats-${k}`,
      port,
      url: `nats://127.0.0.1:${port}`,
      monitorUrl: `http://127.0.0.1:${monitorPort}`,
      configFile: join(dir, 'nats-server.conf'),
      storeDir: dir,
      child: null,
      stderr: '',
    });
  }
  const plainUrl = nodes.map((n) => n.url).join(',');
  const users: NatsUser[] = [];
  const operator = opts.auth ? newNatsUser('operator', 'operator') : null;
  if (operator) users.push(operator);
  const writeConfigs = () => {
    nodes.forEach((n, k) => {
      writeFileSync(
        n.configFile,
        natsServerConfig({
          host: '127.0.0.1',
          port: n.port,
          storeDir: n.storeDir,
          chainId: opts.auth?.chainId ?? '',
          users,
          serverName: n.name,
          monitorPort: Number(new URL(n.monitorUrl).port),
          ...(clustered
            ? {
                cluster: {
                  name: 'bai-devnet',
                  host: '127.0.0.1',
                  port: clusterPorts[k]!,
                  routes: clusterPorts.filter((_, j) => j !== k).map((p) => `127.0.0.1:${p}`),
                  routeUser,
                },
              }
            : {}),
        }),
        { mode: 0o600 },
      );
    });
  };
  writeConfigs();
  const url = operator ? natsUrlWithCredentials(plainUrl, operator) : plainUrl;
  const connectAs = (node: NodeProcess, user: NatsUser | null) =>
    connect({ servers: node.url, reconnect: false, ...(user ? { user: user.user, pass: user.password } : {}) });
  const canConnect = async (node: NodeProcess, user: NatsUser | null) => {
    await (await connectAs(node, user)).close();
    return true as const;
  };
  const spawnNode = (n: NodeProcess) => {
    n.spawnError = undefined;
    n.stderr = '';
    const child = spawn(bin, ['-c', n.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.on('error', (err) => (n.spawnError = err));
    child.stderr?.on('data', (chunk: Buffer) => (n.stderr = (n.stderr + chunk.toString()).slice(-4_000)));
    n.child = child;
  };
  const running = (n: NodeProcess) => !!n.child && n.child.exitCode === null && n.child.signalCode === null;
  const waitListening = (n: NodeProcess) =>
    waitFor(`nats-server ${n.name}`, async () => {
      if (n.spawnError) throw new Error(`cannot start ${bin} (install the Debian package nats-server, or set NATS_URL): ${n.spawnError.message}`);
      if (!running(n)) throw new Error(`${n.name} exited: ${n.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return canConnect(n, operator);
    });
  const stopNode = async (n: NodeProcess, signal: NodeJS.Signals) => {
    const child = n.child;
    if (!child || !running(n)) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  for (const n of nodes) spawnNode(n);
  try {
    await Promise.all(nodes.map(waitListening));
    if (clustered) await waitFor('the NATS cluster to elect a JetStream meta leader', () => jetstreamReady(nodes[0]!, operator), 60_000, 250);
  } catch (err) {
    await Promise.all(nodes.map((n) => stopNode(n, 'SIGKILL')));
    if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    throw err;
  }

  const js = operatorJetstream(url);
  return {
    url,
    plainUrl,
    authenticated: !!opts.auth,
    jetstream: js.request,
    nodes: nodes.map(({ name, url: u, monitorUrl }) => ({ name, url: u, monitorUrl })),
    async urlFor(name, role) {
      if (!operator) return plainUrl;
      let user = users.find((u) => u.user === name);
      if (!user) {
        if (role !== 'validator' && role !== 'gateway') throw new Error(`no NATS role ${String(role)}`);
        user = newNatsUser(name, role);
        users.push(user);
        writeConfigs();
        // nats-server reloads its configuration (users and permissions included) on SIGHUP
        const live = nodes.filter(running);
        for (const n of live) n.child!.kill('SIGHUP');
        const added = user;
        await Promise.all(live.map((n) => waitFor(`nats user ${name} on ${n.name}`, () => canConnect(n, added), 10_000)));
      }
      return natsUrlWithCredentials(plainUrl, user);
    },
    killNode: (k, signal = 'SIGKILL') => stopNode(node(k), signal),
    async startNode(k) {
      const n = node(k);
      if (running(n)) return;
      spawnNode(n);
      await waitListening(n);
    },
    isNodeRunning: (k) => running(node(k)),
    async stop() {
      await js.close();
      await Promise.all(nodes.map((n) => stopNode(n, 'SIGTERM')));
      if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };

  function node(k: number): NodeProcess {
    const n = nodes[k];
    if (!n) throw new Error(`no NATS node ${k} (there are ${nodes.length})`);
    return n;
  }
}

/** True once `$JS.API.INFO` answers without an error on this node (a cluster has a meta leader). */
async function jetstreamReady(node: NatsNode, user: NatsUser | null): Promise<true | undefined> {
  const nc = await connect({ servers: node.url, reconnect: false, ...(user ? { user: user.user, pass: user.password } : {}) });
  try {
    const reply = await jetstreamRequest(nc, '$JS.API.INFO', undefined, 2_000);
    return reply.error ? undefined : true;
  } finally {
    await nc.close();
  }
}

/** One JetStream API request (`$JS.API.…`) with a JSON body; the reply parsed (it carries `error` on failure). */
export async function jetstreamRequest(
  nc: NatsConnection,
  subject: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<JetStreamReply> {
  const m = await nc.request(subject, body === undefined ? '' : JSON.stringify(body), { timeout: timeoutMs });
  return JSON.parse(m.string()) as JetStreamReply;
}

/** The chain stream's duplicate window and retention, as consensus creates it (services/consensus finalized-publisher.ts). */
const CHAIN_STREAM_DUPLICATE_WINDOW_NS = 120_000_000_000;
const CHAIN_STREAM_MAX_AGE_NS = 7 * 24 * 3600 * 1_000_000_000;

/**
 * Creates the chain's JetStream stream (`bai.<chainId>.>`) with `replicas` copies before any validator
 * starts: consensus creates it with one replica when it is missing and uses it as it finds it, so on a
 * cluster the harness provisions it replicated, as an operator would. Idempotent with the same settings.
 */
export async function createChainStream(nats: NatsServer, chainId: string, replicas: number): Promise<void> {
  const name = chainStreamName(chainId);
  const reply = await nats.jetstream(`$JS.API.STREAM.CREATE.${name}`, {
    name,
    subjects: [`bai.${chainId}.>`],
    duplicate_window: CHAIN_STREAM_DUPLICATE_WINDOW_NS,
    max_age: CHAIN_STREAM_MAX_AGE_NS,
    num_replicas: replicas,
    storage: 'file',
  });
  if (reply.error) throw new Error(`cannot create stream ${name} with ${replicas} replicas: ${reply.error.description}`);
}

/** Connection options for `nats://user:password@host:port` URLs (comma-separated for a cluster): @nats-io/transport-node ignores URL credentials. */
export function natsConnectOptions(url: string): { servers: string[]; user?: string; pass?: string } {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = url.split(',').map((raw) => {
    const u = new URL(raw.trim());
    if (u.username && user === undefined) {
      user = decodeURIComponent(u.username);
      pass = decodeURIComponent(u.password);
    }
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  });
  return { servers, ...(user !== undefined ? { user, pass } : {}) };
}
