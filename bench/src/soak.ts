// Soak: a 4-validator devnet (emissions + staking) under steady transfers with a random perturbation
// every ~30 s (kill, pause, restart a validator, kill a module, fail a validator's PostgreSQL), then the
// invariants of the chaos suite and every process's memory over the run. Prints its figures.
//   node bench/dist/src/soak.js --minutes 30 --rate 300 --every 30 [--seed 1] [--senders 400]
import { cryptoReady } from '@balanceai/chain';
import { Devnet, runChaos } from '@balanceai/testing';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
  return v;
}

const minutes = arg('minutes', 30);
const rate = arg('rate', 300);
const every = arg('every', 30);
const seed = arg('seed', 1);
const senders = arg('senders', Math.max(40, Math.ceil(rate)));

await cryptoReady();
const net = await Devnet.start({ validators: 4, modules: ['emissions', 'staking'], extraAccounts: senders });
const stop = async () => {
  await net.stop();
};
process.once('SIGINT', () => void stop().then(() => process.exit(130)));
try {
  const t0 = Date.now();
  const report = await runChaos(net, {
    seconds: minutes * 60,
    rate,
    everyMs: every * 1_000,
    seed,
    senders,
    log: (line) => console.log(`[${new Date().toISOString()}] ${line}`),
  });
  const wall = (Date.now() - t0) / 1_000;
  console.log('\n== soak ==');
  console.log(`duration ${minutes} min (wall ${wall.toFixed(0)} s), offered ${rate} tx/s, a perturbation every ~${every} s, seed ${seed}`);
  console.log(`heights ${report.heights.start} → ${report.heights.end} (${((report.heights.end - report.heights.start) / (minutes * 60)).toFixed(2)} blocks/s)`);
  console.log(`load ${JSON.stringify(report.load)}; finalized transfers ${report.finalizedTransfers} (${(report.finalizedTransfers / (minutes * 60)).toFixed(0)}/s)`);
  console.log(`perturbations ${report.perturbations.length}: ${report.perturbations.map((p) => `${p.kind}@v${p.validator}→${p.recoveredS ?? 'never'}s`).join(', ')}`);
  const recovered = report.perturbations.map((p) => p.recoveredS).filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (recovered.length) console.log(`recovery s: median ${recovered[Math.floor(recovered.length / 2)]}, max ${recovered[recovered.length - 1]}`);
  console.log(`self-halts ${report.selfHalts.length}, forks ${report.forks.length}, lost ${report.lost}, doubled ${report.doubled.length}, ledger violations ${report.ledger.length}`);
  console.log('memory (RSS MiB: after warm-up → end, max)');
  for (const m of report.memory) console.log(`  ${m.name.padEnd(12)} ${m.warmMb.toFixed(0).padStart(5)} → ${m.endMb.toFixed(0).padStart(5)}  max ${m.maxMb.toFixed(0)}`);
  for (const line of [...report.selfHalts, ...report.forks, ...report.ledger]) console.log(`  ! ${line}`);
  process.exitCode = report.selfHalts.length + report.forks.length + report.lost + report.doubled.length + report.ledger.length === 0 ? 0 : 1;
} finally {
  await stop();
}
