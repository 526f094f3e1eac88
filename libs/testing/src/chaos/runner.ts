import pg from 'pg';
import type { Devnet } from '../devnet.js';
import { appliedAmong, appliedSince, doubleApplied, forks, health, ledgerViolations, memory } from './invariants.js';
import { TransferLoad, type LoadFigures } from './transfer-load.js';

export type Perturbation = 'kill' | 'pause' | 'restart' | 'disconnect-nats' | 'kill-module' | 'fail-postgres';
export const PERTURBATIONS: Perturbation[] = ['kill', 'pause', 'restart', 'disconnect-nats', 'kill-module', 'fail-postgres'];

export interface ChaosOptions {
  seconds: number;
  /** Offered transfers per second. */
  rate: number;
  /** A perturbation about this often (±25%). */
  everyMs: number;
  seed: number;
  /** Accounts //bench/<i> the load signs with (the devnet must fund them: extraAccounts). */
  senders: number;
  /** In order, cycling; default: every kind, in a seeded random order. */
  kinds?: Perturbation[];
  /** How long a perturbation lasts (ms). */
  holdMs?: number;
  log?: (line: string) => void;
}

export interface PerturbationRecord {
  atS: number;
  kind: Perturbation;
  validator: number;
  /** Seconds from the end of the perturbation until every validator was back at the head; null = never. */
  recoveredS: number | null;
}

export interface ChaosReport {
  seconds: number;
  load: LoadFigures;
  finalizedTransfers: number;
  /** Accepted but never final, after the drain. */
  lost: number;
  doubled: string[];
  forks: string[];
  /** Validators that stopped themselves while healthy. */
  selfHalts: string[];
  ledger: string[];
  perturbations: PerturbationRecord[];
  heights: { start: number; end: number };
  /** RSS (MiB) per process: after warm-up, at the end, the most seen. */
  memory: Array<{ name: string; warmMb: number; endMb: number; maxMb: number }>;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Makes validator i's database refuse every connection (its open ones are cut), for `holdMs`. */
async function failPostgres(net: Devnet, i: number, holdMs: number): Promise<void> {
  const admin = new pg.Client({ connectionString: net.postgres.adminUrl });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE bai_v${i} ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [`bai_v${i}`]);
    await sleep(holdMs);
  } finally {
    await admin.query(`ALTER DATABASE bai_v${i} ALLOW_CONNECTIONS true`).catch(() => {});
    await admin.end();
  }
}

async function perturb(net: Devnet, kind: Perturbation, i: number, holdMs: number): Promise<void> {
  switch (kind) {
    case 'kill':
      await net.kill(i);
      await sleep(holdMs);
      await net.restart(i);
      return;
    case 'pause':
      net.pause(i);
      await sleep(holdMs);
      net.resume(i);
      return;
    case 'restart':
      await net.kill(i, 'SIGTERM');
      await net.restart(i);
      return;
    case 'disconnect-nats':
      net.disconnectNats(i, holdMs);
      await sleep(holdMs);
      return;
    case 'kill-module': {
      const module = net.moduleChildren[i]!.some((m) => m.name === `staking-${i}`) ? 'staking' : 'emissions';
      await net.killModule(i, module);
      await sleep(holdMs);
      net.restartModule(i, module);
      return;
    }
    case 'fail-postgres':
      await failPostgres(net, i, holdMs);
      return;
  }
}

/**
 * A perturbation run in the style of CometBFT's e2e runner: steady transfers through the gateway while
 * validators are killed, paused, restarted, their modules killed and their databases failed; after
 * each, the network must recover on its own. Checked black-box at the end: no fork, no self-halt, every
 * accepted transfer final exactly once, sum of balances == issuance == the emission schedule.
 */
export async function runChaos(net: Devnet, opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => {});
  const random = seeded(opts.seed);
  const holdMs = opts.holdMs ?? 6_000;
  const load = new TransferLoad(net.gatewayUrl, opts.senders);
  const perturbations: PerturbationRecord[] = [];
  const selfHalts = new Set<string>();
  /** RSS samples per process; "after warm-up" is the first one past a tenth of the run (at least 60 s). */
  const mem = new Map<string, Array<{ atS: number; mb: number }>>();
  const warmupS = Math.min(opts.seconds / 2, Math.max(60, opts.seconds / 10));
  const started = Date.now();
  const elapsedS = () => Math.round((Date.now() - started) / 100) / 10;
  let scanned = 0;
  let finalizedTransfers = 0;
  let running = true;

  const observe = async () => {
    for (const h of await health(net)) if (h.halted) selfHalts.add(`validator ${h.validator} at ${elapsedS()} s`);
    for (const [name, mb] of memory(net)) mem.set(name, [...(mem.get(name) ?? []), { atS: elapsedS(), mb }]);
    // Final transfers from any validator's store that answers (one may be down right now).
    for (let i = 0; i < net.validators.length; i++) {
      try {
        const r = await appliedSince(net, i, scanned);
        if (r.top < scanned) continue;
        finalizedTransfers += r.hashes.length;
        scanned = r.top;
        await load.settle(r.hashes);
        return;
      } catch {
        // this validator's database is failed right now: try the next
      }
    }
  };

  await load.refresh();
  const heightStart = (await health(net)).reduce((m, h) => Math.max(m, h.height ?? 0), 0);
  scanned = heightStart;
  const sender = setInterval(() => {
    for (let k = 0; k < opts.rate / 20; k++) load.send();
  }, 50);
  const refresher = setInterval(() => void load.refresh().catch(() => {}), 1_000);
  const observer = (async () => {
    while (running) {
      await observe().catch((err: Error) => log(`observe: ${err.message}`));
      await sleep(2_000);
    }
  })();

  const kinds = opts.kinds ?? [...PERTURBATIONS].sort(() => random() - 0.5);
  const deadline = started + opts.seconds * 1_000;
  for (let n = 0; Date.now() + opts.everyMs / 2 < deadline; n++) {
    await sleep(opts.everyMs * (0.75 + random() / 2));
    const kind = kinds[n % kinds.length]!;
    const validator = Math.floor(random() * net.validators.length);
    const record: PerturbationRecord = { atS: elapsedS(), kind, validator, recoveredS: null };
    log(`${record.atS} s: ${kind} validator ${validator}`);
    await perturb(net, kind, validator, holdMs).catch((err: Error) => log(`perturbation failed: ${err.message}`));
    const endedAt = Date.now();
    for (;;) {
      const hs = await health(net);
      const top = Math.max(...hs.map((h) => h.height ?? 0));
      if (hs.every((h) => h.height !== null && h.height >= top - 2 && !h.halted)) {
        record.recoveredS = Math.round((Date.now() - endedAt) / 100) / 10;
        break;
      }
      if (Date.now() - endedAt > 120_000) break;
      await sleep(500);
    }
    log(`  recovered in ${record.recoveredS ?? 'never'} s`);
    perturbations.push(record);
  }
  while (Date.now() < deadline) await sleep(250);

  clearInterval(sender);
  // Drain: every accepted transfer must end final (resubmitted if a crash dropped it from the pools).
  for (let t = Date.now(); load.pending > 0 && Date.now() - t < 90_000; ) await sleep(1_000);
  running = false;
  await observer;
  await observe();
  clearInterval(refresher);

  // Ground truth for what the running scan did not see final: the store of the highest validator.
  const final = await health(net);
  const top = final.reduce((best, h) => ((h.height ?? -1) > (final[best]!.height ?? -1) ? h.validator : best), 0);
  await load.settle(await appliedAmong(net, top, load.pendingHashes()));
  const doubled = new Set<string>();
  for (let i = 0; i < net.validators.length; i++) for (const h of await doubleApplied(net, i)) doubled.add(h);
  const end = (await health(net)).reduce((m, h) => Math.max(m, h.height ?? 0), 0);
  return {
    seconds: opts.seconds,
    load: load.figures,
    finalizedTransfers,
    lost: load.pending,
    doubled: [...doubled],
    forks: await forks(net),
    selfHalts: [...selfHalts],
    ledger: await ledgerViolations(net),
    perturbations,
    heights: { start: heightStart, end },
    memory: [...mem]
      .map(([name, samples]) => ({
        name,
        warmMb: (samples.find((x) => x.atS >= warmupS) ?? samples[samples.length - 1]!).mb,
        endMb: samples[samples.length - 1]!.mb,
        maxMb: Math.max(...samples.map((x) => x.mb)),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}
