import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BridgeError } from './errors.js';

/** Path of the anvil binary shipped by npm `@foundry-rs/anvil` (its per-platform optional dependency). */
export function anvilBinary(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platformPkg = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const require = createRequire(import.meta.url);
  try {
    const fromWrapper = createRequire(require.resolve('@foundry-rs/anvil/package.json'));
    const dir = dirname(fromWrapper.resolve(`${platformPkg}/package.json`));
    return join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  } catch (err) {
    throw new BridgeError('ANVIL_START_FAILED', `no anvil binary for ${process.platform}/${process.arch} (npm ${platformPkg})`, undefined, { cause: err });
  }
}

export interface AnvilOptions {
  chainId?: number;
  /** Seconds between blocks; omitted = automine (a block per transaction). */
  blockTime?: number;
  /** Genesis timestamp (Unix seconds): makes block times reproducible in tests. */
  timestamp?: bigint;
  host?: string;
  port?: number;
  extraArgs?: string[];
  startTimeoutMs?: number;
}

export interface Anvil {
  rpcUrl: string;
  port: number;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts anvil on loopback (port 0 = any free port) and resolves once it listens. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<Anvil> {
  const chainId = opts.chainId ?? 31337;
  const host = opts.host ?? '127.0.0.1';
  const args = ['--host', host, '--port', String(opts.port ?? 0), '--chain-id', String(chainId)];
  if (opts.blockTime !== undefined) args.push('--block-time', String(opts.blockTime));
  if (opts.timestamp !== undefined) args.push('--timestamp', opts.timestamp.toString());
  args.push(...(opts.extraArgs ?? []));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`anvil did not listen within ${opts.startTimeoutMs ?? 10_000} ms`)), opts.startTimeoutMs ?? 10_000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new BridgeError('ANVIL_START_FAILED', `${err.message}\n${output.slice(-2000)}`, undefined, { cause: err }));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Listening on [^\s:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume(); // keep draining so anvil never blocks on a full pipe
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`anvil exited (${code ?? signal}) before listening`)));
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    rpcUrl: `http://${host}:${port}`,
    port,
    chainId,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
