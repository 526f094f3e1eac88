// Bench: evaluations/s and latency with two workers, of the built-in model on a 12-position portfolio and of the
// risk toolkit's own model on its example payload (toolkit mode; BAI_EXPERT_TOOLKIT_DIRS or the reference checkout).
// `node services/expert/dist/src/bench.js [seconds] [concurrency]`; prints figures, asserts nothing.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { loadExpertConfig, packageRoot } from './config.js';
import { ExpertEngine } from './expert-engine.js';
import type { JsonObject } from './json.js';

const seconds = Number(process.argv[2] ?? 10);
const concurrency = Number(process.argv[3] ?? 8);

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
function processCpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/** A process and all its descendants (a sandboxed worker is bwrap → bwrap → python). */
function processTree(pid: number): number[] {
  const out = [pid];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children ? children.split(' ') : []) out.push(...processTree(Number(child)));
    }
  } catch {
    // the process is gone
  }
  return out;
}

function cpuSeconds(pids: (number | undefined)[]): number {
  const node = process.cpuUsage();
  const tree = pids.flatMap((pid) => (pid === undefined ? [] : processTree(pid)));
  return (node.user + node.system) / 1e6 + tree.reduce((sum: number, pid) => sum + processCpuSeconds(pid), 0);
}

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

const checkout = toolkitCheckout();
const config = { ...loadExpertConfig(), workers: 2, toolkitDirs: checkout ? [resolve(checkout)] : [] };
const engine = new ExpertEngine(config);
await engine.start();

async function bench(label: string, request: { model: string; modelVersion: string; requestJson: string }): Promise<void> {
  const risks = (await engine.evaluate(request)).identifiedRisks.length;
  // Warm-up: both workers load the model and Python/CLIPS reach steady state.
  for (let i = 0; i < 200; i++) await Promise.all([engine.evaluate(request), engine.evaluate(request)]);
  const cpuBefore = cpuSeconds(engine.workerPids);
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  async function client(): Promise<void> {
    while (performance.now() < deadline) {
      const started = performance.now();
      await engine.evaluate(request);
      latencies.push(performance.now() - started);
    }
  }
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  const cpuPerEvaluation = (cpuSeconds(engine.workerPids) - cpuBefore) / latencies.length;
  latencies.sort((a, b) => a - b);
  console.log(`expert bench: ${label} (${risks} risks each), ${config.workers} workers (${engine.sandbox.kind}), ${concurrency} concurrent callers, ${seconds} s`);
  console.log(`  evaluations/s  ${(latencies.length / elapsed).toFixed(0)}`);
  console.log(`  latency p50    ${percentile(latencies, 50).toFixed(2)} ms`);
  console.log(`  latency p99    ${percentile(latencies, 99).toFixed(2)} ms`);
  // Wall-clock figures depend on what else runs on the machine; CPU per evaluation does not, and bounds the
  // throughput two otherwise idle cores would reach.
  console.log(`  CPU per evaluation ${(cpuPerEvaluation * 1000).toFixed(2)} ms (Node + workers) → ~${(2 / cpuPerEvaluation).toFixed(0)}/s on 2 idle cores`);
}

await bench('built-in crypto-risk, 12 positions', { model: 'crypto-risk', modelVersion: '', requestJson: JSON.stringify(twelvePositionPortfolio()) });
if (checkout) {
  await bench(`toolkit risk_model_crypto on its example payload (${checkout})`, {
    model: 'risk-model-crypto', modelVersion: '', requestJson: readFileSync(join(checkout, 'examples', 'crypto_example_payload.json'), 'utf8'),
  });
} else {
  console.log('toolkit model: no risk toolkit checkout found (set BAI_EXPERT_TOOLKIT_DIRS); not benched');
}
console.log(`worker replacements ${engine.workerReplacements}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await engine.close();
