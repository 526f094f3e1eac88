// CPU the gateway process spends per submitted extrinsic, the consensus side faked (not a test; prints figures).
//
//   node services/gateway/dist/test/support/bench-hotpath.js [--rate 1000] [--seconds 15] [--connections 64]
//        [--path rest|rpc] [--rpc-batch 1] [--validator-delay-ms 0] [--validator-batches on|off] [--gateway-main FILE] [--cpu-prof DIR] [--env K=V]…
//
// The gateway runs as its own process (dist/src/main.js, as the devnet runs it) against a FakeValidator in
// another process, so the figure is the gateway's alone: its /proc CPU ticks over the load window divided by
// the submissions it answered. The client offers `--rate` POST /v1/extrinsics (or JSON-RPC
// author_submitExtrinsic over HTTP POST with `--path rpc`) per second, open loop over keep-alive
// connections, each body a distinct signed-transfer-shaped extrinsic (147 bytes) built before the window (the
// fake does not check signatures). Prints a table and one `RESULT {json}` line. Needs no NATS, PostgreSQL or devnet lock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cryptoReady, encodeTransfer, keyFromUri, signExtrinsic, toHex } from '@balanceai/chain';

interface Options {
  rate: number;
  seconds: number;
  connections: number;
  path: 'rest' | 'rpc';
  cpuProf: string | null;
  env: Record<string, string>;
  validatorDelayMs: number;
  validatorBatches: boolean;
  validatorFull: boolean;
  gatewayMain: string | null;
  rpcBatch: number;
}

const USAGE = `usage: node services/gateway/dist/test/support/bench-hotpath.js [options]
  --rate N          offered submissions/s (default 1000)
  --seconds N       load window (default 15)
  --connections N   keep-alive HTTP connections (default 64)
  --path rest|rpc   POST /v1/extrinsics (default) or JSON-RPC author_submitExtrinsic over HTTP POST /
  --cpu-prof DIR    a CPU profile of the gateway over the load window (bench/src/profile-preload.ts, so
                    build bench first), summarised by bench/dist/src/profile-summary.js DIR
  --env K=V         extra environment of the gateway (repeatable)
  --validator-delay-ms N    the fake answers each submission call N ms late (default 0)
  --validator-batches on|off  the fake serves SubmissionService.SubmitExtrinsics (default on)
  --rpc-batch N             with --path rpc: each request a JSON-RPC batch of N submissions (--rate counts requests)
  --validator-full          the fake refuses every submission as busy (MEMPOOL_FULL): the gateway's cost of a refusal
  --gateway-main FILE       another build of the gateway's dist/src/main.js (before/after comparisons)
`;

function parseArgs(argv: string[]): Options {
  const o: Options = { rate: 1000, seconds: 15, connections: 64, path: 'rest', cpuProf: null, env: {}, validatorDelayMs: 0, validatorBatches: true, validatorFull: false, gatewayMain: null, rpcBatch: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v <= 0) throw new Error(`${a} needs a positive number`);
      return v;
    };
    switch (a) {
      case '--rate': o.rate = num(); break;
      case '--seconds': o.seconds = num(); break;
      case '--connections': o.connections = Math.floor(num()); break;
      case '--path': {
        const v = argv[++i];
        if (v !== 'rest' && v !== 'rpc') throw new Error('--path rest|rpc');
        o.path = v;
        break;
      }
      case '--cpu-prof': o.cpuProf = resolve(argv[++i] ?? '.'); break;
      case '--validator-delay-ms': o.validatorDelayMs = Number(argv[++i]); break;
      case '--validator-batches': o.validatorBatches = argv[++i] !== 'off'; break;
      case '--validator-full': o.validatorFull = true; break;
      case '--rpc-batch': o.rpcBatch = Math.floor(num()); break;
      case '--gateway-main': o.gatewayMain = resolve(argv[++i] ?? ''); break;
      case '--env': {
        const [k, ...v] = (argv[++i] ?? '').split('=');
        if (!k || v.length === 0) throw new Error('--env K=V');
        o.env[k] = v.join('=');
        break;
      }
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      default:
        process.stderr.write(`bench-hotpath: unknown argument ${a}\n${USAGE}`);
        process.exit(2);
    }
  }
  return o;
}

const here = dirname(fileURLToPath(import.meta.url));
const gatewayMain = join(here, '..', '..', 'src', 'main.js');
const fakeMain = join(here, 'fake-validator-process.js');
// The bench package's SIGWINCH-driven profiler (dist of bench/src/profile-preload.ts).
const profilePreload = join(here, '..', '..', '..', '..', '..', 'bench', 'dist', 'src', 'profile-preload.js');

function ticksOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((res, rej) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => res(line.trim()));
    child.once('exit', (code) => rej(new Error(`child exited (${code}) before printing its address`)));
  });
}

function post(agent: Agent, port: number, path: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
      (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => res({ status: r.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        r.on('error', rej);
      },
    );
    req.on('error', rej);
    req.end(body);
  });
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const r2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const fake = spawn(process.execPath, [fakeMain], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, FAKE_SUBMIT_DELAY_MS: String(o.validatorDelayMs), FAKE_BATCH_SUBMISSION: o.validatorBatches ? '1' : '0', FAKE_FULL: o.validatorFull ? '1' : '0' },
  });
  const children: ChildProcess[] = [fake];
  try {
    const consensusUrl = await firstLine(fake);
    const port = await freePort();
    if (o.cpuProf) mkdirSync(o.cpuProf, { recursive: true });
    const gateway = spawn(process.execPath, [...(o.cpuProf ? ['--import', profilePreload] : []), o.gatewayMain ?? gatewayMain], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        BAI_CONSENSUS_URLS: consensusUrl,
        // No NATS: the block feed keeps retrying in the background; submissions do not touch it.
        NATS_URL: 'nats://127.0.0.1:1',
        BAI_CHAIN_ID: 'bench',
        PORT: String(port),
        HOST: '127.0.0.1',
        ...(o.cpuProf ? { BAI_BENCH_PROFILE_DIR: o.cpuProf } : {}),
        ...o.env,
      },
    });
    children.push(gateway);
    const agent = new Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
    const total = Math.round(o.rate * o.seconds);
    // Distinct bodies, built before the window: 143 bytes like a signed transfer, the index in front.
    // With --rpc-batch N each request is a JSON-RPC batch of N author_submitExtrinsic calls (the rate counts requests).
    // A real signed transfer (147 bytes) whose signature's first 4 bytes carry the index: distinct, and it decodes
    // (the JSON-RPC path reads its era), though its signature would not verify (the fake does not check).
    await cryptoReady();
    const template = signExtrinsic(
      keyFromUri('//Alice', 'sr25519'),
      encodeTransfer('keep_alive', keyFromUri('//Bob', 'sr25519').publicKey, 10n ** 15n),
      { era: { kind: 'immortal' }, nonce: 0, tip: 0n },
      { specVersion: 1, transactionVersion: 1, genesisHash: new Uint8Array(32), birthHash: new Uint8Array(32) },
    );
    // compact length (2 bytes), version (1), MultiAddress::Id (1 + 32), MultiSignature variant (1): the signature follows.
    const SIGNATURE_AT = 2 + 1 + 33 + 1;
    const xt = (k: number): string => {
      const bytes = Uint8Array.from(template);
      new DataView(bytes.buffer).setUint32(SIGNATURE_AT, k);
      return toHex(bytes);
    };
    const call = (k: number) => ({ jsonrpc: '2.0', id: k, method: 'author_submitExtrinsic', params: [xt(k)] });
    const bodies = Array.from({ length: total + 200 }, (_, k) =>
      Buffer.from(
        o.path === 'rest'
          ? JSON.stringify({ extrinsic: xt(k) })
          : o.rpcBatch > 1
            ? JSON.stringify(Array.from({ length: o.rpcBatch }, (_, j) => call(k * o.rpcBatch + j)))
            : JSON.stringify(call(k)),
      ),
    );
    const path = o.path === 'rest' ? '/v1/extrinsics' : '/';
    const ok = (r: { status: number; text: string }): boolean =>
      o.path === 'rest' ? r.status === 202 : r.status === 200 && r.text.split('"result"').length - 1 === o.rpcBatch;
    // Ready when a submission is answered by the validator (accepted, or refused as busy with --validator-full);
    // then 200 more warm the JIT and the connections.
    const answered = (r: { status: number; text: string }): boolean => ok(r) || r.status === 429 || r.text.includes('-32009');
    const readyBy = Date.now() + 30_000;
    let warm = 0;
    for (;;) {
      const r = await post(agent, port, path, bodies[total + warm]!).catch(() => ({ status: 0, text: '' }));
      if (answered(r)) break;
      if (Date.now() > readyBy) throw new Error(`gateway not accepting submissions: ${r.status} ${r.text.slice(0, 200)}`);
      await new Promise((r2) => setTimeout(r2, 200));
    }
    await Promise.all(Array.from({ length: 199 }, (_, i) => post(agent, port, path, bodies[total + 1 + i]!)));
    await new Promise((r) => setTimeout(r, 1000));

    const idle0 = ticksOf(gateway.pid!);
    await new Promise((r) => setTimeout(r, 2000));
    const idlePerS = (ticksOf(gateway.pid!) - idle0) / 2;

    const load0 = loadavg()[0]!;
    const latencies: number[] = [];
    const refused = new Map<string, number>();
    let accepted = 0;
    let next = 0;
    let inFlight = 0;
    let unsent = 0;
    if (o.cpuProf) gateway.kill('SIGWINCH');
    const t0Ticks = ticksOf(gateway.pid!);
    const client0 = process.cpuUsage();
    const start = performance.now();
    await new Promise<void>((done) => {
      const deadline = start + o.seconds * 1000;
      const pump = (): void => {
        if (performance.now() >= deadline && next < total) {
          unsent = total - next;
          next = total;
        }
        const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * o.rate) + 1);
        while (next < due && inFlight < o.connections) {
          const k = next++;
          inFlight++;
          const sent = performance.now();
          post(agent, port, path, bodies[k]!)
            .then((r) => {
              latencies.push(performance.now() - sent);
              if (ok(r)) accepted++;
              else {
                const key = `${r.status} ${r.text.slice(0, 60)}`;
                refused.set(key, (refused.get(key) ?? 0) + 1);
              }
            })
            .catch((err: Error) => refused.set(`network ${err.message}`, (refused.get(`network ${err.message}`) ?? 0) + 1))
            .finally(() => {
              inFlight--;
              if (next >= total && inFlight === 0) done();
              else pump();
            });
        }
        if (next < total) setTimeout(pump, 2);
        else if (inFlight === 0) done();
      };
      pump();
    });
    const wallS = (performance.now() - start) / 1000;
    const ticks = ticksOf(gateway.pid!) - t0Ticks;
    const client = process.cpuUsage(client0);
    if (o.cpuProf) {
      gateway.kill('SIGWINCH');
      await new Promise((r) => setTimeout(r, 1500));
    }
    const load1 = loadavg()[0]!;
    agent.destroy();
    latencies.sort((a, b) => a - b);
    const cpuMs = ticks * 10; // CLK_TCK 100
    const result = {
      bench: 'gateway-hotpath',
      path: o.path,
      cpus: cpus().length,
      offeredRate: o.rate,
      seconds: o.seconds,
      connections: o.connections,
      sent: total - unsent,
      unsent,
      accepted,
      acceptedPerS: Math.round(accepted / wallS),
      refused: Object.fromEntries(refused),
      gatewayCpuPercent: Math.round((cpuMs / 10 / wallS) * 10) / 10,
      gatewayIdleCpuPercent: Math.round(idlePerS * 10) / 10,
      gatewayCpuMsPerSubmission: r2(cpuMs / Math.max(1, (total - unsent) * o.rpcBatch)),
      gatewayCpuMsPerSubmissionIdleRemoved: r2((cpuMs - idlePerS * 10 * wallS) / Math.max(1, (total - unsent) * o.rpcBatch)),
      latencyMs: { p50: r2(pct(latencies, 50)), p99: r2(pct(latencies, 99)) },
      // This client (node:http keep-alive Agent, bodies built before the window), for comparison with the load generators'.
      clientCpuMsPerSubmission: r2((client.user + client.system) / 1000 / Math.max(1, (total - unsent) * o.rpcBatch)),
      rpcBatch: o.rpcBatch,
      loadavg1: { before: load0, after: load1 },
      validatorDelayMs: o.validatorDelayMs,
      validatorBatches: o.validatorBatches,
      validatorFull: o.validatorFull,
      gateway: o.gatewayMain ?? 'this build',
      env: o.env,
    };
    process.stdout.write(
      `gateway CPU ${result.gatewayCpuMsPerSubmission} ms per submission (${result.gatewayCpuMsPerSubmissionIdleRemoved} idle removed), ` +
        `${result.gatewayCpuPercent}% of a core; ${result.acceptedPerS}/s accepted of ${o.rate}/s offered, unsent ${unsent}; ` +
        `latency p50 ${result.latencyMs.p50} ms p99 ${result.latencyMs.p99} ms; load avg ${load0.toFixed(2)} → ${load1.toFixed(2)}\n`,
    );
    process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  } finally {
    for (const c of children.reverse()) {
      c.kill('SIGTERM');
      await new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)));
    }
  }
}

await main();
