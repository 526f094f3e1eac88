import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { freePort, waitFor } from './ports.js';

export interface NatsServer {
  url: string;
  /** Only for a server this process started. */
  stop(): Promise<void>;
}

/**
 * A NATS server with JetStream: NATS_URL when given, else a `nats-server` from PATH (Debian package
 * `nats-server`) on a free loopback port with its store in a temp folder.
 */
export async function startNats(opts: { url?: string; storeDir?: string } = {}): Promise<NatsServer> {
  const given = opts.url ?? process.env.NATS_URL;
  if (given) return { url: given, stop: async () => {} };
  const port = await freePort();
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'bai-nats-'));
  const ownsStore = !opts.storeDir;
  const bin = process.env.NATS_SERVER_BIN ?? 'nats-server';
  const child: ChildProcess = spawn(bin, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  const url = `nats://127.0.0.1:${port}`;
  await waitFor('nats-server', async () => {
    if (spawnError) throw new Error(`cannot start ${bin} (install the Debian package nats-server, or set NATS_URL): ${spawnError.message}`);
    const nc = await connect({ servers: url, reconnect: false });
    await nc.close();
    return true;
  });
  return {
    url,
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
