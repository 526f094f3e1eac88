// Test-only helpers: a nats-server with JetStream on a free port, or the one NATS_URL names (libs/testing
// depends on this package, so its startNats cannot be used here).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function startNatsServer(): Promise<{ url: string; stop(): Promise<void> }> {
  // A server given from outside (CI's, or a testcontainer's) is used as is and left running.
  if (process.env.NATS_URL) return { url: process.env.NATS_URL, stop: async () => {} };
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'bai-platform-nats-'));
  const child = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: 'ignore',
  });
  let spawnError: Error | undefined;
  child.on('error', (err) => (spawnError = err));
  const url = `nats://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (spawnError) throw new Error(`cannot start nats-server (Debian package nats-server): ${spawnError.message}`);
    try {
      await (await connect({ servers: url, reconnect: false })).close();
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
