// End-to-end transfer throughput of a local 4-validator devnet, through the public gateway.
//
//   node bench/dist/src/transfers.js [--seconds 60] [--rate 600] [--accounts N] [--connections N] [--pipeline 1]
//        [--validators 4] [--drain 20] [--era mortal|immortal] [--era-period 64] [--keep] [--echo] [--cpu-prof <dir>]
//        [--on-busy wait|drop] [--key sr25519|ed25519]         (--help: the defaults)
//
// Signs `rate × seconds` Balances.transfer_keep_alive extrinsics from the genesis-funded `//bench/<i>`
// sr25519 accounts (round-robin over accounts, nonces 0, 1, 2, … per account), submits them with
// `POST /v1/extrinsics` at the target rate, one HTTP/1.1 request per transfer over keep-alive connections
// (pre-built request bytes on raw sockets: http-pipeline.ts), and follows finalized blocks on NATS
// JetStream to measure finalized transfers/s and submit→finalized latency.
// Figures only, no assertions: a table, then one JSON line (prefixed `RESULT `).
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { hostname, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  blake2_256,
  cryptoReady,
  encodeTransfer,
  fromHex,
  keyFromUri,
  mortalEra,
  signExtrinsic,
  toHex,
  verifySignature,
  ONE_BAI,
  type Era,
  type KeyType,
} from '@balanceai/chain';
import { Devnet, natsConnectOptions } from '@balanceai/testing';
import { UsageError, parseCommandLine } from './args.js';
import { MAX_ACCOUNTS, defaultAccounts, defaultConnections } from './load-defaults.js';
import { HttpPipeline, type AnswerSink } from './http-pipeline.js';
import { postRequestBytes } from './http-wire.js';

// ------------------------------------------------------------------ options

interface Options {
  seconds: number;
  rate: number;
  accounts: number;
  connections: number;
  /** Requests in flight per connection (1: no pipelining). */
  pipeline: number;
  validators: number;
  drain: number;
  era: 'immortal' | 'mortal';
  /** Mortal era length in blocks (a power of two, 4..65536). */
  eraPeriod: number;
  keep: boolean;
  echo: boolean;
  cpuProf: string | null;
  /** What the client does with a busy refusal (429/503): resend after Retry-After, or drop it. */
  onBusy: 'wait' | 'drop';
  /** Mortal era: sign every transfer before the window too (one birth block; the era must outlive the run). */
  presign: boolean;
  /** Signature scheme of the sending accounts (ed25519: funded from the sr25519 ones before the window). */
  key: KeyType;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    seconds: 60,
    rate: 600,
    accounts: 0,
    connections: 0,
    pipeline: 1,
    validators: 4,
    drain: 20,
    // Mortal, as everything we sign: a reaped account's nonce restarts at 0, so an immortal transfer it
    // signed earlier could be replayed once it is refunded (issue 9, finding 10).
    era: 'mortal',
    eraPeriod: 64,
    keep: false,
    echo: false,
    cpuProf: null,
    presign: false,
    onBusy: 'wait',
    key: 'sr25519',
  };
  let accounts: number | null = null;
  let connections: number | null = null;
  parseCommandLine('transfers', USAGE, argv, {
    '--seconds': (f) => (o.seconds = f.positive()),
    '--rate': (f) => (o.rate = f.positive()),
    '--accounts': (f) => (accounts = f.count()),
    '--connections': (f) => (connections = f.count()),
    '--pipeline': (f) => (o.pipeline = f.count()),
    '--validators': (f) => (o.validators = f.count()),
    '--drain': (f) => (o.drain = f.positive()),
    '--era': (f) => (o.era = f.oneOf('immortal', 'mortal')),
    '--era-period': (f) => {
      const v = f.count();
      if (v < 4 || v > 65536 || (v & (v - 1)) !== 0) throw new UsageError('--era-period needs a power of two from 4 to 65536');
      o.eraPeriod = v;
    },
    '--presign': () => (o.presign = true),
    '--keep': () => (o.keep = true),
    '--echo': () => (o.echo = true),
    '--cpu-prof': (f) => (o.cpuProf = f.text()),
    '--key': (f) => (o.key = f.oneOf('sr25519', 'ed25519')),
    '--on-busy': (f) => (o.onBusy = f.oneOf('wait', 'drop')),
  });
  o.accounts = accounts ?? defaultAccounts(o.rate, o.seconds);
  // Pre-signed mortal transfers share the birth block read before signing: the era (1 s blocks) must outlast
  // the signing, the idle measurement, the window and the drain, with room to spare.
  const eraNeeded = 2 * (o.seconds + o.drain) + 60;
  if (o.presign && o.era === 'mortal' && o.eraPeriod < eraNeeded) {
    process.stderr.write(`transfers: --presign with a mortal era needs --era-period ≥ ${eraNeeded} blocks here (a power of two: ${2 ** Math.ceil(Math.log2(eraNeeded))})\n`);
    process.exit(2);
  }
  o.connections = connections ?? defaultConnections(o.rate, o.pipeline);
  return o;
}

const USAGE = `usage: node bench/dist/src/transfers.js [options]
  --seconds N         load window (default 60)
  --rate N            offered transfers/s (default 600)
  --accounts N        sending accounts //bench/<i> (default: the rate, at least rate × seconds / 48,
                      within 200..${MAX_ACCOUNTS}: one transfer per account per second at most)
  --connections N     keep-alive HTTP/1.1 connections to the gateway (default: rate / 4 requests in flight,
                      128..2048, over connections of --pipeline each)
  --pipeline N        requests in flight per connection (default 1; N > 1 pipelines HTTP/1.1 requests)
  --validators N      devnet validators (default 4)
  --drain N           seconds to wait for finalization after the window (default 20)
  --era mortal|immortal, --era-period N (power of two, 4..65536; default mortal 64)
  --presign           mortal era: sign (and build) every request before the window, as immortal does; all are
                      born at one block, so --era-period must cover 2 × (seconds + drain) + 60 blocks
  --keep              keep the devnet's directory; --echo  print the services' logs
  --cpu-prof DIR      CPU profiles of every devnet process (and of this client) over the load window
  --key sr25519|ed25519 signature scheme of the senders (default sr25519; ed25519 accounts are funded before the window)
  --on-busy wait|drop a 429/503 refusal: resend after Retry-After holding the account's later nonces (default), or drop
`;

// ------------------------------------------------------------------ single-core verify rates

interface CryptoRate {
  /** verifications per wall-clock second */
  wall: number;
  /** verifications per second of this thread's CPU time (robust to a busy machine) */
  cpu: number;
}

/** As libs/chain/src/bench-crypto.ts: 64 distinct signers, 128-byte message, JIT and key caches warmed. */
function verifyRate(type: KeyType, iterations: number): CryptoRate {
  const message = new Uint8Array(128).fill(7);
  const signers = Array.from({ length: 64 }, (_, i) => keyFromUri(`//bench//${i}`, type));
  const signatures = signers.map((s) => s.sign(message));
  const run = (i: number) => {
    const k = i % signers.length;
    if (!verifySignature(type, signers[k]!.publicKey, message, signatures[k]!)) throw new Error(`${type} verify failed`);
  };
  for (let i = 0; i < 1_000; i++) run(i);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) run(i);
  const wallS = (performance.now() - t0) / 1e3;
  const c = process.cpuUsage(c0);
  const cpuS = (c.user + c.system) / 1e6;
  return { wall: Math.round(iterations / wallS), cpu: Math.round(iterations / cpuS) };
}

// ------------------------------------------------------------------ per-process CPU from /proc

interface ProcSample {
  pid: number;
  ppid: number;
  comm: string;
  ticks: number;
}

function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // fields after comm: state(0) ppid(1) … utime(11) stime(12)
    return { pid, ppid: Number(f[1]), comm, ticks: Number(f[11]) + Number(f[12]) };
  } catch {
    return null;
  }
}

/** All descendants of this process, labelled by role (validator-i, gateway, nats-server, postgres, bench). */
function sampleTree(labels: Map<number, string>): Map<number, ProcSample & { label: string }> {
  const all: ProcSample[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = readProc(Number(d));
    if (s) all.push(s);
  }
  const byParent = new Map<number, ProcSample[]>();
  for (const s of all) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const out = new Map<number, ProcSample & { label: string }>();
  const walk = (pid: number, inherited: string | null) => {
    for (const c of byParent.get(pid) ?? []) {
      const label = labels.get(c.pid) ?? inherited ?? (c.comm.startsWith('postgres') ? 'postgres' : c.comm);
      out.set(c.pid, { ...c, label });
      walk(c.pid, label === 'postgres' ? 'postgres' : null);
    }
  };
  const self = readProc(process.pid);
  if (self) out.set(process.pid, { ...self, label: 'bench (client)' });
  walk(process.pid, null);
  return out;
}

/** CPU % (100 = one core) per label between two samples. */
function cpuByLabel(a: ReturnType<typeof sampleTree>, b: ReturnType<typeof sampleTree>, seconds: number): Record<string, number> {
  const hz = 100; // CLK_TCK on Linux
  const out: Record<string, number> = {};
  for (const [pid, s] of b) {
    const before = a.get(pid)?.ticks ?? 0;
    out[s.label] = (out[s.label] ?? 0) + ((s.ticks - before) / hz / seconds) * 100;
  }
  for (const k of Object.keys(out)) out[k] = r1(out[k]!);
  return out;
}

/** Busy CPU of the whole machine (all processes, all cores) between two /proc/stat samples, in %·cores. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3]! + (line[4] ?? 0);
  const total = line.reduce((s, x) => s + x, 0);
  return { busy: total - idle, total };
}

// ------------------------------------------------------------------ HTTP

function httpJson(agent: http.Agent, url: URL, method: string, body?: Buffer): Promise<{ status: number; json: unknown; retryAfter: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method,
        headers: body ? { 'content-type': 'application/json', 'content-length': body.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = null;
          try {
            json = text ? JSON.parse(text) : null;
          } catch {
            json = { code: 'NON_JSON_ANSWER', message: text.slice(0, 200) };
          }
          const ra = Number(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, json, retryAfter: Number.isFinite(ra) && ra >= 0 ? Math.min(ra, 10) : 1 });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('request timeout (30 s)')));
    if (body) req.end(body);
    else req.end();
  });
}

// ------------------------------------------------------------------ retry queue

/** Transfers waiting out a Retry-After, each with its due time (a growable ring; due times nearly ordered). */
class RetryQueue {
  private ids = new Int32Array(1024);
  private at = new Float64Array(1024);
  private head = 0;
  size = 0;

  push(k: number, at: number): void {
    if (this.size === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      const ats = new Float64Array(this.ids.length * 2);
      for (let i = 0; i < this.size; i++) {
        ids[i] = this.ids[(this.head + i) % this.ids.length]!;
        ats[i] = this.at[(this.head + i) % this.ids.length]!;
      }
      this.ids = ids;
      this.at = ats;
      this.head = 0;
    }
    const slot = (this.head + this.size) % this.ids.length;
    this.ids[slot] = k;
    this.at[slot] = at;
    this.size++;
  }

  /** Due time of the oldest entry (the caller checks size > 0). */
  peekAt(): number {
    return this.at[this.head]!;
  }

  shift(): number {
    const k = this.ids[this.head]!;
    this.head = (this.head + 1) % this.ids.length;
    this.size--;
    return k;
  }

  drain(): number[] {
    const out: number[] = [];
    while (this.size > 0) out.push(this.shift());
    return out;
  }
}

// ------------------------------------------------------------------ stats

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const r0 = (x: number) => Math.round(x);
const r1 = (x: number) => Math.round(x * 10) / 10;

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  process.env.BAI_TESTCONTAINERS ??= '0';
  if (opts.keep) process.env.BAI_KEEP_DEVNET = '1';
  if (opts.cpuProf) {
    // Children inherit process.env: each validator and the gateway preload a SIGWINCH-driven profiler.
    opts.cpuProf = resolve(opts.cpuProf);
    mkdirSync(opts.cpuProf, { recursive: true });
    const preload = join(dirname(fileURLToPath(import.meta.url)), 'profile-preload.js');
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim();
    process.env.BAI_BENCH_PROFILE_DIR = opts.cpuProf;
    await import(preload); // the client's own profile, over the same window
  }
  await cryptoReady();
  const log = (m: string) => process.stdout.write(`[bench +${r1(performance.now() / 1e3)}s] ${m}\n`);

  // 1. Single-core signature verify rates, measured before the devnet exists (nothing else of ours runs).
  log('measuring single-core verify rates');
  const sr25519 = verifyRate('sr25519', 6_000);
  const ed25519 = verifyRate('ed25519', 12_000);
  log(`sr25519 verify ${sr25519.wall}/s wall (${sr25519.cpu}/s per CPU-second), ed25519 ${ed25519.wall}/s (${ed25519.cpu}/s)`);

  // 2. The devnet.
  log(`starting a ${opts.validators}-validator devnet with ${opts.accounts} bench accounts`);
  const net = await Devnet.start({ validators: opts.validators, extraAccounts: opts.accounts, echo: opts.echo });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await net.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const result = await runLoad(net, opts, log, { sr25519, ed25519 });
    if (opts.keep) log(`devnet folder kept: ${net.dir} (logs in ${net.dir}/logs)`);
    await stop();
    if (opts.cpuProf) log(`CPU profiles in ${opts.cpuProf}`);
    printResult(result);
  } catch (err) {
    await stop();
    throw err;
  }
}

interface Result {
  [k: string]: unknown;
}

async function runLoad(
  net: Devnet,
  opts: Options,
  log: (m: string) => void,
  crypto: { sr25519: CryptoRate; ed25519: CryptoRate },
): Promise<Result> {
  const gateway = new URL(net.gatewayUrl);
  // node:http for the few requests outside the load window; the load itself goes through HttpPipeline.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8, maxFreeSockets: 8 });
  const runtime = (await httpJson(agent, new URL('/v1/runtime', gateway), 'GET')).json as {
    genesisHash: string;
    specVersion: number;
    transactionVersion: number;
  };
  const status = (await httpJson(agent, new URL('/v1/status', gateway), 'GET')).json as { chainId: string; finalized: { height: number; hash: string } };
  const chainId = status.chainId ?? net.genesis.chainId;
  const genesisHash = fromHex(runtime.genesisHash, 32);

  // 3. Sign. Immortal: everything up front. Mortal (default): each transfer just before it is sent, born
  // at the newest finalized block seen (re-anchored every quarter period), so none dies before the drain.
  const total = Math.round(opts.rate * opts.seconds);
  const funded = Array.from({ length: opts.accounts }, (_, i) => keyFromUri(`//bench/${i}`, 'sr25519'));
  const keys = opts.key === 'ed25519' ? funded.map((_, i) => keyFromUri(`//bench-ed//${i}`, 'ed25519')) : funded;
  const value = ONE_BAI / 1_000n; // 0.001 BAI, plus a fee of about 0.00115 BAI: 180 transfers cost < 0.4 BAI of 1,000
  if (opts.key === 'ed25519') {
    // Genesis funds only the sr25519 //bench/<i>: each sends 100 BAI to its ed25519 twin before the window
    // (nonce 0 of the sr25519 account; the load then signs with the ed25519 accounts from their nonce 0).
    log(`funding ${opts.accounts} ed25519 accounts from the sr25519 bench accounts`);
    const hashes: string[] = [];
    for (let i = 0; i < opts.accounts; i++) {
      const bytes = signExtrinsic(funded[i]!, encodeTransfer('keep_alive', keys[i]!.publicKey, 100n * ONE_BAI), { era: { kind: 'immortal' }, nonce: 0, tip: 0n }, {
        specVersion: runtime.specVersion,
        transactionVersion: runtime.transactionVersion,
        genesisHash,
        birthHash: genesisHash,
      });
      const res = await httpJson(agent, new URL('/v1/extrinsics', gateway), 'POST', Buffer.from(JSON.stringify({ extrinsic: toHex(bytes) })));
      if (res.status !== 202) throw new Error(`funding transfer ${i} refused: ${res.status} ${JSON.stringify(res.json)}`);
      hashes.push(toHex(blake2_256(bytes)));
    }
    const until = performance.now() + 60_000;
    for (const h of hashes) {
      for (;;) {
        const st = (await httpJson(agent, new URL(`/v1/extrinsics/${h}`, gateway), 'GET')).json as { state?: string };
        if (st.state === 'finalized') break;
        if (st.state === 'failed' || performance.now() > until) throw new Error(`funding transfer ${h} ${st.state ?? 'not final'} after 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
  /** Each transfer's whole HTTP request, bytes ready to write (built when signed). */
  const requests: Array<Buffer | undefined> = new Array(total);
  const hostHeader = gateway.host;
  const indexOf = new Map<string, number>();
  /** Finalized blocks seen (height → hash). A birth block trails the newest by BIRTH_LAG: a validator a
   *  moment behind the block stream would refuse an unknown birth block as ANCIENT_BIRTH_BLOCK. */
  const BIRTH_LAG = 3;
  const seen = new Map<number, string>([[status.finalized.height, status.finalized.hash]]);
  const head = { height: status.finalized.height };
  let anchor = { height: -Infinity, era: { kind: 'immortal' } as Era, birthHash: genesisHash };
  const sign = (k: number): Buffer => {
    const birth = Math.max(status.finalized.height, head.height - BIRTH_LAG);
    if (opts.era === 'mortal' && birth - anchor.height >= opts.eraPeriod / 4 && seen.has(birth)) {
      const era = mortalEra(birth, opts.eraPeriod);
      // Period ≤ 4096 has no phase quantisation: the birth block is `birth` itself.
      if (era.kind === 'mortal' && era.phase !== birth % era.period) throw new Error('unexpected era phase');
      anchor = { height: birth, era, birthHash: fromHex(seen.get(birth)!, 32) };
    }
    const a = k % opts.accounts;
    const nonce = Math.floor(k / opts.accounts);
    const dest = keys[(a + 1) % opts.accounts]!.publicKey;
    const bytes = signExtrinsic(keys[a]!, encodeTransfer('keep_alive', dest, value), { era: anchor.era, nonce, tip: 0n }, {
      specVersion: runtime.specVersion,
      transactionVersion: runtime.transactionVersion,
      genesisHash,
      birthHash: anchor.birthHash,
    });
    const hash = toHex(blake2_256(bytes));
    indexOf.set(hash, k);
    return (requests[k] = postRequestBytes(hostHeader, '/v1/extrinsics', `{"extrinsic":"${toHex(bytes)}"}`));
  };
  if (opts.era === 'immortal' || opts.presign) {
    log(`pre-signing ${total} transfers (${opts.era === 'immortal' ? 'immortal era' : `mortal era of ${opts.eraPeriod} blocks, all born at #${status.finalized.height}`})`);
    const t0sign = performance.now();
    for (let k = 0; k < total; k++) sign(k);
    log(`signed in ${r1((performance.now() - t0sign) / 1e3)} s`);
  } else {
    log(`signing ${total} transfers as they are sent (mortal era, ${opts.eraPeriod} blocks)`);
  }

  // 4. Follow finalized blocks (ordered consumer, new messages only).
  const nc = await connect({ ...natsConnectOptions(net.nats.url), name: 'bai-bench' });
  const stream = `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: `bai.${chainId}.blocks.finalized`, deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume();
  /** When the attempt that was accepted was sent (NaN: not accepted). */
  const submittedAt = new Float64Array(total).fill(NaN);
  /** When the transfer was first sent (a refused one may be resent later). */
  const firstSubmittedAt = new Float64Array(total).fill(NaN);
  const finalizedAt = new Float64Array(total).fill(NaN);
  const failedInBlock = new Map<string, number>();
  const blocks: Array<{ number: number; timeMs: number; recvMs: number; ours: number; success: number; count: number }> = [];
  let ourFinalized = 0;
  let lastOurFinalizedAt = NaN;
  const consuming = (async () => {
    for await (const m of messages) {
      const now = performance.now();
      const b = JSON.parse(m.string()) as { number: number; hash: string; timeMs: number; extrinsics?: Array<{ hash: string; success: boolean; errorCode?: string | null }> };
      if (typeof b.hash === 'string') {
        seen.set(Number(b.number), b.hash);
        head.height = Math.max(head.height, Number(b.number));
      }
      let ours = 0;
      let success = 0;
      for (const x of b.extrinsics ?? []) {
        if (x.success) success++;
        const k = indexOf.get(x.hash);
        if (k === undefined) continue;
        if (x.success) {
          if (Number.isNaN(finalizedAt[k]!)) {
            finalizedAt[k] = now;
            ours++;
            ourFinalized++;
            lastOurFinalizedAt = now;
          }
        } else {
          const code = x.errorCode ?? 'UNKNOWN';
          failedInBlock.set(code, (failedInBlock.get(code) ?? 0) + 1);
        }
      }
      blocks.push({ number: b.number, timeMs: b.timeMs, recvMs: now, ours, success, count: b.extrinsics?.length ?? 0 });
    }
  })();

  // 5. Submit at the target rate, never more than `connections × pipeline` requests in flight.
  const refused = new Map<string, number>();
  /** HTTP answer time of every request (resends included), in ms. */
  const submitLatency: number[] = [];
  let accepted = 0;
  let alreadyImported = 0;
  let requestsSent = 0;
  /** 202 answers whose hash is not the transfer of the request they answer (should be 0). */
  let answersNotMatching = 0;
  let next = 0;
  let maxBacklog = 0;
  /** Scheduling turns (every 2 ms) in which transfers were due but every request slot was in flight. */
  let inFlightLimitTurns = 0;
  let unsent = 0;
  const labels = new Map<number, string>();
  net.validators.forEach((v, i) => v.proc?.pid && labels.set(v.proc.pid, `validator-${i}`));
  if (net.gatewayChild?.proc?.pid) labels.set(net.gatewayChild.proc.pid, 'gateway');

  // A busy refusal (429/503, the pool is full; or 409 TOO_MANY_FUTURE) is retryable: by default the client behaves as a careful
  // wallet (--on-busy wait): it resends the refused transfer after Retry-After and holds back that
  // account's later nonces until it is accepted (sending them would only strand them behind the gap).
  // Retries go on for half the drain after the window; what is still refused then is given up, except a
  // transfer whose account has a later one accepted (giving it up would strand those): it is resent until the drain ends.
  // --on-busy drop: a refused transfer is simply not sent again (its account's later nonces may then
  // wait behind the gap: they show up as lost).
  const blockedBy = new Map<number, number>();
  const heldBack = new Map<number, number[]>();
  const retryQueue = new RetryQueue();
  const resend: number[] = [];
  let resendHead = 0;
  let retries = 0;
  let gaveUp = 0;
  /** Per account, the first transfer the client gave up on: its later nonces can never execute. */
  const abandonedFrom = new Map<number, number>();
  /** Per account, its latest transfer accepted so far: a refused earlier one is not given up while the drain lasts. */
  const latestAccepted = new Map<number, number>();
  const noteAccepted = (k: number) => {
    const a = accountOf(k);
    if ((latestAccepted.get(a) ?? -1) < k) latestAccepted.set(a, k);
  };
  /** When the current attempt of each transfer was written (for its HTTP answer time). */
  const attemptAt = new Float64Array(total).fill(NaN);
  const accountOf = (k: number) => k % opts.accounts;
  const unblock = (k: number) => {
    const a = accountOf(k);
    if (blockedBy.get(a) !== k) return;
    blockedBy.delete(a);
    const held = heldBack.get(a);
    if (held) for (const h of held) resend.push(h);
    heldBack.delete(a);
  };
  const countRefusal = (code: string) => refused.set(code, (refused.get(code) ?? 0) + 1);
  let onIdle = () => {};
  const idle = () => next >= total && http1.inFlight === 0 && retryQueue.size === 0 && resend.length === resendHead;
  // Answers arrive here, one sink for all requests (no closure or promise per request); nothing is sent
  // from the sink: sends happen in `pump`, on its timer.
  const sink: AnswerSink = {
    answer(k, status, retryAfterHeader, body) {
      const now = performance.now();
      submitLatency.push(now - attemptAt[k]!);
      if (status === 202) {
        accepted++;
        // The answer names the transfer it accepted: a check that answers meet their requests (pipelining).
        const at = body.indexOf('"0x');
        if (at < 0 || indexOf.get(body.toString('latin1', at + 1, at + 67)) !== k) answersNotMatching++;
        noteAccepted(k);
        unblock(k);
      } else {
        let c = 'NO_CODE';
        try {
          c = (JSON.parse(body.toString('utf8')) as { code?: string } | null)?.code ?? 'NO_CODE';
        } catch {
          c = 'NON_JSON_ANSWER';
        }
        countRefusal(`${status} ${c}`);
        // ALREADY_IMPORTED: the gateway retried on another validator after a deadline, and the first
        // delivery had already been gossiped there: the tx IS pending, keep following it.
        if (c === 'ALREADY_IMPORTED') {
          alreadyImported++;
          noteAccepted(k);
          unblock(k);
        } else {
          submittedAt[k] = NaN;
          if ((status === 429 || status === 503 || c === 'TOO_MANY_FUTURE') && opts.onBusy === 'wait') {
            // TOO_MANY_FUTURE (409): the account is more than 64 nonces ahead of the chain (its earlier
            // ones wait in the pool); a careful wallet waits for them as it waits out a busy refusal.
            const retryAfter = retryAfterHeader >= 0 ? Math.min(retryAfterHeader, 10) : 1;
            const a = accountOf(k);
            if (!blockedBy.has(a) || blockedBy.get(a)! > k) blockedBy.set(a, k);
            retryQueue.push(k, now + retryAfter * 1e3);
          }
        }
      }
      if (idle()) onIdle();
    },
    fail(k, reason) {
      countRefusal(`network ${reason}`);
      submittedAt[k] = NaN;
      unblock(k);
      if (idle()) onIdle();
    },
  };
  const http1 = new HttpPipeline(gateway.hostname, Number(gateway.port), opts.connections, opts.pipeline, sink);
  await http1.connectAll(); // before the idle measurement: the window opens no connection

  // settle, and measure the idle cost of the devnet (empty blocks, status gossip) over 4 s
  await new Promise((r) => setTimeout(r, 1_000));
  const idleBefore = sampleTree(labels);
  const idleT0 = performance.now();
  await new Promise((r) => setTimeout(r, 4_000));
  const idleAfter = sampleTree(labels);
  const idleCpu = cpuByLabel(idleBefore, idleAfter, (performance.now() - idleT0) / 1e3);
  // This process too: it loaded the same preload (main) before the devnet existed.
  const profiled = opts.cpuProf ? [...labels.keys(), process.pid] : [];
  for (const pid of profiled) process.kill(pid, 'SIGWINCH');
  log(`submitting ${total} transfers at ${opts.rate}/s for ${opts.seconds} s over ${opts.connections} connections` + (opts.pipeline > 1 ? ` (pipelined, ${opts.pipeline} in flight each)` : ''));
  const cpuBefore = sampleTree(labels);
  const machineBefore = machineTicks();
  const loadBefore = loadavg()[0]!;
  const start = performance.now();
  let lastSubmitAt = start;
  const progress = setInterval(() => {
    const el = (performance.now() - start) / 1e3;
    log(`t=${r0(el)}s sent ${next} accepted ${accepted} finalized ${ourFinalized} in-flight ${http1.inFlight} refused ${[...refused.values()].reduce((s, x) => s + x, 0)} head #${blocks.at(-1)?.number ?? '-'}`);
  }, 5_000);

  await new Promise<void>((resolveAll) => {
    const deadline = start + opts.seconds * 1e3;
    const retryDeadline = deadline + (opts.drain * 1e3) / 2;
    // A careful wallet does not give up a nonce its account has later transfers accepted behind (they would be
    // stranded): those are resent until the drain ends.
    const strandDeadline = deadline + opts.drain * 1e3;
    let lastSweep = -Infinity;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolveAll();
    };
    onIdle = finish;
    const send = (k: number, now: number) => {
      let bytes = requests[k];
      let sentAt = now;
      if (bytes === undefined) {
        bytes = sign(k);
        // Stamped after signing (mortal era): latency is the system's, not the client's signing time.
        sentAt = performance.now();
      }
      if (Number.isNaN(firstSubmittedAt[k]!)) firstSubmittedAt[k] = sentAt;
      submittedAt[k] = sentAt;
      attemptAt[k] = sentAt;
      lastSubmitAt = sentAt;
      requestsSent++;
      http1.send(k, bytes, sentAt);
    };
    const pump = () => {
      if (done) return;
      const now = performance.now();
      // The window is fixed: what the client could not send by its end stays unsent (counted), so a
      // slow system shows up as a lower achieved rate, not as a longer run.
      if (now >= deadline && next < total) {
        unsent = total - next;
        next = total;
      }
      if (now >= retryDeadline && now - lastSweep >= 100 && (retryQueue.size > 0 || resend.length > resendHead || heldBack.size > 0)) {
        lastSweep = now;
        // Each pass keeps (due times intact) the refused transfers with a later one of their account accepted.
        const waiting: Array<[number, number]> = [];
        while (retryQueue.size > 0) {
          const at = retryQueue.peekAt();
          waiting.push([retryQueue.shift(), at]);
        }
        const strands = (k: number) => now < strandDeadline && (latestAccepted.get(accountOf(k)) ?? -1) > k;
        const abandoned = [...resend.slice(resendHead), ...[...heldBack.values()].flat()];
        for (const [k, at] of waiting) {
          if (strands(k)) retryQueue.push(k, at);
          else abandoned.push(k);
        }
        gaveUp += abandoned.length;
        for (const k of abandoned) {
          const a = accountOf(k);
          abandonedFrom.set(a, Math.min(abandonedFrom.get(a) ?? Infinity, k));
        }
        resend.length = 0;
        resendHead = 0;
        heldBack.clear();
      }
      if (idle()) return finish();
      const due = Math.min(total, Math.floor(((now - start) / 1e3) * opts.rate) + 1);
      maxBacklog = Math.max(maxBacklog, due - next);
      while (http1.free > 0) {
        if (retryQueue.size > 0 && retryQueue.peekAt() <= now) {
          retries++;
          send(retryQueue.shift(), now);
        } else if (resend.length > resendHead) {
          send(resend[resendHead++]!, now);
          if (resendHead === resend.length) {
            resend.length = 0;
            resendHead = 0;
          }
        } else if (next < due) {
          const k = next++;
          const a = accountOf(k);
          if (blockedBy.has(a)) {
            const held = heldBack.get(a);
            if (held) held.push(k);
            else heldBack.set(a, [k]);
          } else send(k, now);
        } else break;
      }
      if (http1.free === 0 && next < due) inFlightLimitTurns++;
      http1.flush();
      setTimeout(pump, 2);
    };
    pump();
  });
  const submitEnd = performance.now();
  for (const pid of profiled) process.kill(pid, 'SIGWINCH');
  const cpuMid = sampleTree(labels);
  const machineMid = machineTicks();
  log(`${total - unsent} of ${total} submitted in ${r1((submitEnd - start) / 1e3)} s (${unsent} unsent: client backlog at the window's end); draining (up to ${opts.drain} s)`);
  http1.close();
  const drainUntil = submitEnd + opts.drain * 1e3;
  while (performance.now() < drainUntil && ourFinalized < accepted + alreadyImported) await new Promise((r) => setTimeout(r, 100));
  clearInterval(progress);
  const end = performance.now();
  const cpuAfter = sampleTree(labels);
  const machineAfter = machineTicks();
  messages.stop();
  await consuming.catch(() => {});
  await nc.close();
  agent.destroy();

  // 6. Figures.
  // Submit→finalized of the transfers accepted and finalized: from the attempt that was accepted (`lat`), and
  // from the first attempt (`latFirst`: includes the waits of a transfer refused busy and resent).
  const lat: number[] = [];
  const latFirst: number[] = [];
  for (let k = 0; k < total; k++) {
    if (Number.isNaN(finalizedAt[k]!) || Number.isNaN(submittedAt[k]!)) continue;
    lat.push(finalizedAt[k]! - submittedAt[k]!);
    latFirst.push(finalizedAt[k]! - firstSubmittedAt[k]!);
  }
  lat.sort((a, b) => a - b);
  latFirst.sort((a, b) => a - b);
  submitLatency.sort((a, b) => a - b);
  const windowEnd = Number.isNaN(lastOurFinalizedAt) ? end : Math.max(lastOurFinalizedAt, lastSubmitAt);
  const windowS = (windowEnd - start) / 1e3;
  const loadBlocks = blocks.filter((b) => b.recvMs >= start && b.recvMs <= windowEnd);
  const finalizedInWindow = loadBlocks.reduce((s, b) => s + b.success, 0);
  // steady state: blocks received during the submission phase only (no ramp-up drain tail)
  const steadyBlocks = blocks.filter((b) => b.recvMs >= start + 3_000 && b.recvMs <= submitEnd);
  const steadyS = steadyBlocks.length > 1 ? (steadyBlocks.at(-1)!.recvMs - steadyBlocks[0]!.recvMs) / 1e3 : NaN;
  const steadyTps = steadyBlocks.length > 1 ? steadyBlocks.slice(1).reduce((s, b) => s + b.success, 0) / steadyS : NaN;
  const perBlock = loadBlocks.map((b) => b.count);
  const intervals = loadBlocks.slice(1).map((b, i) => b.timeMs - loadBlocks[i]!.timeMs);
  const submitS = (submitEnd - start) / 1e3;
  const loadS = (end - start) / 1e3;
  const mTotal = machineAfter.total - machineBefore.total;
  // CPU cost per finalized transfer, idle cost of the devnet removed: what the machine would need per tx
  // if it ran nothing else (this box is shared; wall-clock rates depend on what else runs).
  const whole = cpuByLabel(cpuBefore, cpuAfter, loadS);
  const clientSubmitCpuMs = ((cpuMid.get(process.pid)?.ticks ?? 0) - (cpuBefore.get(process.pid)?.ticks ?? 0)) * 10; // CLK_TCK 100
  const cpuMsPerTx: Record<string, number> = {};
  let cpuMsPerTxTotal = 0;
  for (const [label, pct] of Object.entries(whole)) {
    const ms = ((pct - (idleCpu[label] ?? 0)) / 100) * loadS * 1e3 / Math.max(1, ourFinalized);
    cpuMsPerTx[label] = Math.round(ms * 100) / 100;
    if (label !== 'bench (client)') cpuMsPerTxTotal += ms; // the system under test only
  }
  const result: Result = {
    bench: 'transfers',
    host: hostname(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    node: process.version,
    loadavg1Before: r1(loadBefore),
    validators: opts.validators,
    accounts: opts.accounts,
    era: opts.era,
    presigned: opts.era === 'immortal' || opts.presign,
    key: opts.key,
    connections: opts.connections,
    pipeline: opts.pipeline,
    targetRate: opts.rate,
    seconds: opts.seconds,
    total,
    sent: total - unsent,
    unsent,
    onBusy: opts.onBusy,
    retries,
    gaveUp,
    requests: requestsSent,
    submitRate: r0((total - unsent) / submitS),
    submitSeconds: r1(submitS),
    accepted,
    answersNotMatching,
    refused: Object.fromEntries(refused),
    failedInBlock: Object.fromEntries(failedInBlock),
    finalized: ourFinalized,
    refusedButFinalized: alreadyImported,
    lost: accepted + alreadyImported - ourFinalized,
    // Of those: accepted behind a nonce the client itself gave up on (never resent), so never executable.
    lostBehindAbandoned: [...Array(total).keys()].filter((k) => {
      const from = abandonedFrom.get(accountOf(k));
      return from !== undefined && k > from && !Number.isNaN(submittedAt[k]!) && Number.isNaN(finalizedAt[k]!);
    }).length,
    windowSeconds: r1(windowS),
    finalizedTps: r0(finalizedInWindow / windowS),
    steadyTps: r0(steadyTps),
    latencyMs: { p50: r0(percentile(lat, 50)), p90: r0(percentile(lat, 90)), p99: r0(percentile(lat, 99)), max: r0(lat.at(-1) ?? NaN) },
    latencyFromFirstSubmitMs: { p50: r0(percentile(latFirst, 50)), p90: r0(percentile(latFirst, 90)), p99: r0(percentile(latFirst, 99)), max: r0(latFirst.at(-1) ?? NaN) },
    submitHttpMs: { p50: r1(percentile(submitLatency, 50)), p99: r1(percentile(submitLatency, 99)) },
    maxSubmitBacklog: maxBacklog,
    inFlightLimit: opts.connections * opts.pipeline,
    inFlightLimitTurns,
    blocks: loadBlocks.length,
    txPerBlock: { mean: r0(perBlock.reduce((s, x) => s + x, 0) / Math.max(1, perBlock.length)), max: Math.max(0, ...perBlock) },
    blockIntervalMs: { mean: r0(intervals.reduce((s, x) => s + x, 0) / Math.max(1, intervals.length)), max: Math.max(0, ...intervals) },
    cpuPercentDuringSubmit: cpuByLabel(cpuBefore, cpuMid, submitS),
    cpuPercentWhole: whole,
    cpuPercentIdle: idleCpu,
    cpuMsPerTx,
    cpuMsPerTxTotal: r1(cpuMsPerTxTotal),
    // The load generator's own cost over the submission window (idle not removed), per HTTP request written
    // (resends included) and per transfer sent: what it takes from the machine the cluster shares.
    clientCpuMsPerRequest: Math.round((clientSubmitCpuMs / Math.max(1, requestsSent)) * 1000) / 1000,
    clientCpuMsPerSent: Math.round((clientSubmitCpuMs / Math.max(1, total - unsent)) * 1000) / 1000,
    projectedTpsOnIdleMachine: r0((cpus().length * 1e3) / cpuMsPerTxTotal),
    machineBusyPercent: r0(((machineAfter.busy - machineBefore.busy) / mTotal) * 100 * cpus().length),
    machineBusyPercentDuringSubmit: r0(((machineMid.busy - machineBefore.busy) / (machineMid.total - machineBefore.total)) * 100 * cpus().length),
    verifyPerSecond: {
      sr25519: crypto.sr25519.wall,
      ed25519: crypto.ed25519.wall,
      sr25519PerCpuSecond: crypto.sr25519.cpu,
      ed25519PerCpuSecond: crypto.ed25519.cpu,
    },
  };
  return result;
}

function printResult(r: Result): void {
  const lat = r.latencyMs as Record<string, number>;
  const latFirst = r.latencyFromFirstSubmitMs as Record<string, number>;
  const v = r.verifyPerSecond as Record<string, number>;
  const rows: Array<[string, string]> = [
    ['machine', `${r.cpus} × ${r.cpuModel}, Node ${r.node}, load avg before ${r.loadavg1Before}`],
    ['devnet', `${r.validators} validators, ${r.accounts} accounts, ${r.era} era, ${r.connections} connections`],
    ['target / achieved submit rate', `${r.targetRate}/s / ${r.submitRate}/s for ${r.submitSeconds} s (${r.sent} of ${r.total} sent, ${r.unsent} left unsent)`],
    ['HTTP requests (resends included)', `${r.requests}; ${r.inFlightLimit} in flight at most (${r.connections} connections × ${r.pipeline}), reached while transfers were due in ${r.inFlightLimitTurns} turns of 2 ms`],
    ['accepted (202)', `${r.accepted} (${r.answersNotMatching} naming another transfer than their request's)`],
    ['refused by code', JSON.stringify(r.refused)],
    ['busy refusals resent / given up', `${r.retries} resent after Retry-After, ${r.gaveUp} given up (--on-busy ${r.onBusy})`],
    ['failed in blocks', JSON.stringify(r.failedInBlock)],
    ['finalized ours / lost', `${r.finalized} / ${r.lost} (${r.refusedButFinalized} answered 409 ALREADY_IMPORTED yet pending; ${r.lostBehindAbandoned} behind a nonce the client gave up)`],
    ['finalized transfers/s (window)', `${r.finalizedTps}/s over ${r.windowSeconds} s (steady ${r.steadyTps}/s)`],
    ['submit→finalized p50 / p90 / p99 / max', `${lat.p50} / ${lat.p90} / ${lat.p99} / ${lat.max} ms (from the accepted attempt)`],
    ['  from the first attempt', `${latFirst.p50} / ${latFirst.p90} / ${latFirst.p99} / ${latFirst.max} ms (resends after Retry-After included)`],
    ['HTTP submit p50 / p99', `${(r.submitHttpMs as Record<string, number>).p50} / ${(r.submitHttpMs as Record<string, number>).p99} ms`],
    ['blocks / tx per block / interval', `${r.blocks} / mean ${(r.txPerBlock as Record<string, number>).mean}, max ${(r.txPerBlock as Record<string, number>).max} / mean ${(r.blockIntervalMs as Record<string, number>).mean} ms, max ${(r.blockIntervalMs as Record<string, number>).max} ms`],
    ['CPU % during submit (100 = 1 core)', JSON.stringify(r.cpuPercentDuringSubmit)],
    ['machine busy % during submit', `${r.machineBusyPercentDuringSubmit} of ${Number(r.cpus) * 100} (all processes on the box)`],
    ['CPU ms per finalized tx (idle removed)', `${r.cpuMsPerTxTotal} total (client excluded): ${JSON.stringify(r.cpuMsPerTx)}`],
    ['client CPU ms per request / per sent', `${r.clientCpuMsPerRequest} / ${r.clientCpuMsPerSent} (the load generator over the window, idle not removed)`],
    ['projected tx/s if the box were ours', `${r.projectedTpsOnIdleMachine}/s (= ${r.cpus} cores / CPU per tx; ignores latency limits)`],
    ['sr25519 verify / s (1 core)', `${v.sr25519} wall, ${v.sr25519PerCpuSecond} per CPU-second`],
    ['ed25519 verify / s (1 core)', `${v.ed25519} wall, ${v.ed25519PerCpuSecond} per CPU-second`],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, val] of rows) process.stdout.write(`${k.padEnd(w)}  ${val}\n`);
  process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
}

await main();
