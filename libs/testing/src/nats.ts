import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { freePort, waitFor } from './ports.js';
import { natsServerConfig, natsUrlWithCredentials, newNatsUser, type NatsRole, type NatsUser } from './nats-auth.js';

export interface NatsServer {
  /**
   * What tests and tools connect with: the operator's URL (all subjects) when this process started the
   * server with users, else the server's URL as given.
   */
  url: string;
  /** The server's address without credentials. */
  plainUrl: string;
  /** True when this process started the server with per-service users (anonymous connections refused). */
  readonly authenticated: boolean;
  /**
   * The URL (with `user:password@`) of a service's own user, created on first use (the server reloads its
   * configuration): `validator-<i>` publishes gossip and finalized blocks, `gateway` only reads the stream.
   * Without users, the server's URL.
   */
  urlFor(user: string, role: Exclude<NatsRole, 'operator'>): Promise<string>;
  /** Only for a server this process started. */
  stop(): Promise<void>;
}

/**
 * A NATS server with JetStream: NATS_URL when given (used as is, for every service), else a `nats-server`
 * from PATH (Debian package `nats-server`) on a free loopback port with its store in a temp folder. With
 * `auth`, the server gets a configuration file with one user per service and subject permissions
 * (nats-auth.ts); anonymous connections are refused.
 */
export async function startNats(opts: { url?: string; storeDir?: string; auth?: { chainId: string } } = {}): Promise<NatsServer> {
  const given = opts.url ?? process.env.NATS_URL;
  if (given) return { url: given, plainUrl: given, authenticated: false, urlFor: async () => given, stop: async () => {} };
  const port = await freePort();
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'bai-nats-'));
  const ownsStore = !opts.storeDir;
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const plainUrl = `nats://127.0.0.1:${port}`;
  const users: NatsUser[] = [];
  const configFile = join(storeDir, 'nats-server.conf');
  const writeConfig = () =>
    writeFileSync(configFile, natsServerConfig({ host: '127.0.0.1', port, storeDir, chainId: opts.auth!.chainId, users }), { mode: 0o600 });
  let operator: NatsUser | null = null;
  if (opts.auth) {
    operator = newNatsUser('operator', 'operator');
    users.push(operator);
    writeConfig();
  }
  const args = opts.auth ? ['-c', configFile] : ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  const url = operator ? natsUrlWithCredentials(plainUrl, operator) : plainUrl;
  const canConnect = async (user: NatsUser | null) => {
    const nc = await connect({ servers: plainUrl, reconnect: false, ...(user ? { user: user.user, pass: user.password } : {}) });
    await nc.close();
    return true as const;
  };
  await waitFor('nats-server', async () => {
    if (spawnError) throw new Error(`cannot start ${bin} (install the Debian package nats-server, or set NATS_URL): ${spawnError.message}`);
    return canConnect(operator);
  });
  return {
    url,
    plainUrl,
    authenticated: !!opts.auth,
    async urlFor(name, role) {
      if (!opts.auth) return plainUrl;
      let user = users.find((u) => u.user === name);
      if (!user) {
        if (role !== 'validator' && role !== 'gateway') throw new Error(`no NATS role ${String(role)}`);
        user = newNatsUser(name, role);
        users.push(user);
        writeConfig();
        child.kill('SIGHUP'); // nats-server reloads its configuration, users and permissions included
        const added = user;
        await waitFor(`nats user ${name}`, () => canConnect(added), 10_000);
      }
      return natsUrlWithCredentials(plainUrl, user);
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Connection options for a `nats://user:password@host:port` URL: @nats-io/transport-node ignores URL credentials. */
export function natsConnectOptions(url: string): { servers: string; user?: string; pass?: string } {
  const u = new URL(url);
  if (!u.username) return { servers: url };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  return { servers: u.toString().replace(/\/$/, ''), user, pass };
}
