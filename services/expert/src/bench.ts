// Bench: evaluations/s, latency and CPU per evaluation per process with two workers, of the built-in model on a
// 12-position portfolio and of the risk toolkit's own model on its example payload (toolkit mode;
// BAI_EXPERT_TOOLKIT_DIRS or the reference checkout).
//   node services/expert/dist/src/bench.js [seconds] [concurrency] [--grpc]
// Without --grpc the ExpertEngine runs in this process (Node = this process). With --grpc the service runs as its
// own process (dist/src/main.js) and this process calls it over gRPC like the gateway does: CPU is then reported
// for the service's Node process, its workers and this client separately. Prints figures, asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoFile, protoRoot, type expertV1 } from '@balanceai/contracts';
import { loadExpertConfig, packageRoot } from './config.js';
import { ExpertEngine } from './expert-engine.js';
import type { JsonObject } from './json.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const seconds = Number(positional[0] ?? 10);
const concurrency = Number(positional[1] ?? 8);
const overGrpc = process.argv.includes('--grpc');
const WORKERS = 2;

function twelvePositionPortfolio(): JsonObject {
  const coins = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOT', 'LTC', 'LINK', 'UNI', 'MATIC', 'NEAR', 'DOGE'];
  const positions = coins.map((coin, i) => ({
    ot_pos_dealid: `D${i + 1}`, ot_instr_id: `${coin}/USD`, ot_instr_name: coin,
    ot_pos_direction: i % 3 === 0 ? 'SELL' : 'BUY', ot_pos_opening: 100, ot_pos_contractsize: 1 + i * 3,
    ot_pos_size: 1, ot_risk_check: 'true', ot_pos_stop: i % 4 === 0 ? null : 95 - i, ot_pos_limit: 110 + i * 4,
  }));
  return {
    ot_user_id: 'bench',
    ot_risk_input: {
      ot_user_balance: 10000, ot_user_timeframe: 'DAY', ot_user_diversification: 0.2,
      ot_user_limitpertrade: 0.02, ot_user_riskrewardratio: 2, 'position-data': positions,
    },
    ot_correlation_matrix: { 'BTC/USD': { 'ETH/USD': 0.82, 'SOL/USD': -0.7 }, 'XRP/USD': { 'ADA/USD': 0.9 } },
    ot_indicators: [
      { ot_instr_id: 'BTC/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bearish' },
      { ot_instr_id: 'ETH/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bullish' },
    ],
    ot_price_history: { 'DOGE/USD': [100, 120, 90, 130, 80], 'BTC/USD': [100, 101, 100, 101, 100, 101] },
  };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); 0 when unreadable. */
function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** The children of a process (from every thread). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (children) out.push(...children.split(' ').map(Number));
    }
  } catch {
    // the process is gone
  }
  return out;
}

/** A process and all its descendants (a sandboxed worker is bwrap → bwrap → python). */
function processTree(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(processTree)];
}

const sum = (pids: number[]): number => pids.reduce((total, pid) => total + processCpuSeconds(pid), 0);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** The risk toolkit checkout whose model and example payload are benched beside the built-in model. */
function toolkitCheckout(): string | undefined {
  const candidates = [
    ...(process.env['BAI_EXPERT_TOOLKIT_DIRS'] ?? '').split(':').filter(Boolean),
    join(packageRoot, '..', '..', '..', 'shared', 'reference', 'balance-ai-risk'),
  ];
  return candidates.find((dir) => existsSync(join(dir, 'ai_models', 'risk_model_crypto.clp')) && existsSync(join(dir, 'examples', 'crypto_example_payload.json')));
}

interface Target {
  evaluate(request: expertV1.EvaluateRequest): Promise<expertV1.EvaluateResponse>;
  /** CPU seconds used so far, per process role. */
  cpu(): Record<string, number>;
  describe: string;
  close(): Promise<void>;
}

const ownCpu = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

async function inProcess(toolkitDirs: string[]): Promise<Target> {
  const engine = new ExpertEngine({ ...loadExpertConfig(), workers: WORKERS, toolkitDirs });
  await engine.start();
  return {
    evaluate: (request) => engine.evaluate(request),
    cpu: () => ({ 'Node (engine, in the bench process)': ownCpu(), workers: sum(engine.workerPids.flatMap((pid) => (pid === undefined ? [] : processTree(pid)))) }),
    describe: `in process, ${WORKERS} workers (${engine.sandbox.kind})`,
    close: () => engine.close(),
  };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

type EvaluateClient = Client & {
  evaluate(request: expertV1.EvaluateRequest, callback: (err: ServiceError | null, response: expertV1.EvaluateResponse) => void): void;
};

async function overGrpcService(toolkitDirs: string[]): Promise<Target> {
  const port = await freePort();
  const main = join(fileURLToPath(new URL('.', import.meta.url)), 'main.js');
  const service: ChildProcess = spawn(process.execPath, [main], {
    env: {
      ...process.env, BAI_EXPERT_GRPC_HOST: '127.0.0.1', BAI_EXPERT_GRPC_PORT: String(port), BAI_HTTP_PORT: String(await freePort()),
      BAI_EXPERT_WORKERS: String(WORKERS), BAI_EXPERT_TOOLKIT_DIRS: toolkitDirs.join(':'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const banner = await new Promise<string>((done, fail) => {
    let out = '';
    service.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('\n')) done(out.trim());
    });
    service.once('exit', (code) => fail(new Error(`the expert service exited (${code}) before listening`)));
  });
  const definition = loadSync(protoFile('expert'), { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true, includeDirs: [protoRoot] });
  const grpcPackage = loadPackageDefinition(definition) as unknown as {
    balanceai: { expert: { v1: { ExpertService: new (url: string, creds: ReturnType<typeof credentials.createInsecure>) => EvaluateClient } } };
  };
  const client = new grpcPackage.balanceai.expert.v1.ExpertService(`127.0.0.1:${port}`, credentials.createInsecure());
  const servicePid = service.pid as number;
  return {
    evaluate: (request) => new Promise((done, fail) => client.evaluate(request, (err, response) => (err ? fail(err) : done(response)))),
    cpu: () => ({
      'Node (expert service)': processCpuSeconds(servicePid),
      workers: sum(childrenOf(servicePid).flatMap(processTree)),
      'Node (gRPC client, the bench)': ownCpu(),
    }),
    describe: `over gRPC to the service process (${banner.replace(/^expert service /, '')})`,
    close: async () => {
      client.close();
      const exited = new Promise((done) => service.once('exit', done));
      service.kill('SIGTERM');
      await exited;
    },
  };
}

async function bench(target: Target, label: string, request: expertV1.EvaluateRequest): Promise<void> {
  const risks = (await target.evaluate(request)).identifiedRisks.length;
  // Warm-up: both workers load the model and Python/CLIPS reach steady state.
  for (let i = 0; i < 200; i++) await Promise.all([target.evaluate(request), target.evaluate(request)]);
  const cpuBefore = target.cpu();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  async function client(): Promise<void> {
    while (performance.now() < deadline) {
      const started = performance.now();
      await target.evaluate(request);
      latencies.push(performance.now() - started);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  const cpuAfter = target.cpu();
  latencies.sort((a, b) => a - b);
  console.log(`expert bench: ${label} (${risks} risks each), ${target.describe}, ${concurrency} concurrent callers, ${seconds} s`);
  console.log(`  evaluations/s  ${(latencies.length / elapsed).toFixed(0)}`);
  console.log(`  latency p50    ${percentile(latencies, 50).toFixed(2)} ms`);
  console.log(`  latency p99    ${percentile(latencies, 99).toFixed(2)} ms`);
  // Wall-clock figures depend on what else runs on the machine; CPU per evaluation much less so, and the
  // service's share (Node service + workers, not the bench's own client) bounds what two idle cores would reach.
  let serviceCpu = 0;
  for (const [role, after] of Object.entries(cpuAfter)) {
    const perEvaluation = (after - (cpuBefore[role] ?? 0)) / latencies.length;
    if (!role.includes('client')) serviceCpu += perEvaluation;
    console.log(`  CPU per evaluation, ${role}: ${(perEvaluation * 1000).toFixed(2)} ms`);
  }
  console.log(`  CPU per evaluation, service total: ${(serviceCpu * 1000).toFixed(2)} ms → ~${(2 / serviceCpu).toFixed(0)}/s on 2 idle cores`);
}

const checkout = toolkitCheckout();
const toolkitDirs = checkout ? [resolve(checkout)] : [];
const target = overGrpc ? await overGrpcService(toolkitDirs) : await inProcess(toolkitDirs);
try {
  await bench(target, 'built-in crypto-risk, 12 positions', { model: 'crypto-risk', modelVersion: '', requestJson: JSON.stringify(twelvePositionPortfolio()) });
  if (checkout) {
    await bench(target, `toolkit risk_model_crypto on its example payload (${checkout})`, {
      model: 'risk-model-crypto', modelVersion: '', requestJson: readFileSync(join(checkout, 'examples', 'crypto_example_payload.json'), 'utf8'),
    });
  } else {
    console.log('toolkit model: no risk toolkit checkout found (set BAI_EXPERT_TOOLKIT_DIRS); not benched');
  }
} finally {
  await target.close();
}
console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
