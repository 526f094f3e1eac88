// The wallet RPC of the gateway under load, on a local 4-validator devnet:
//
//   node bench/dist/src/rpc.js [--seconds 15] [--read-rates 3000,6000,12000,24000,48000] [--connections 16]
//        [--subscribers 1000] [--sub-seconds 30] [--tx-rates 100,300,600] [--accounts 200] [--echo]
//
// 1. `state_getStorage` of System.Account for random funded accounts, open loop at each offered rate over
//    `--connections` WebSockets: answered/s, errors by code, latency p50/p99, and the blocks the chain
//    finalized meanwhile (reads must not take the validators' time from consensus).
// 2. `--subscribers` WebSockets each with `chain_subscribeNewHeads`: per (subscriber, block) the delay
//    between the block reaching a NATS JetStream consumer in this process and the header reaching the
//    subscriber (p50/p99/max), and missed headers.
// 3. `author_submitAndWatchExtrinsic` transfers, open loop at each offered rate: accepted, refused by code,
//    `finalized` notifications/s, submit→finalized p50/p99.
// Figures only, no assertions: a table per part, then one `RESULT {json}` line.
import { performance } from 'node:perf_hooks';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import {
  ONE_BAI,
  cryptoReady,
  encodeTransfer,
  fromHex,
  keyFromUri,
  mortalEra,
  signExtrinsic,
  storageMapKey,
  toHex,
} from '@balanceai/chain';
import { Devnet, natsConnectOptions } from '@balanceai/testing';
import { UsageError, parseCommandLine } from './args.js';
import { RpcCallError, WsRpc } from './ws-rpc.js';

interface Options {
  seconds: number;
  readRates: number[];
  connections: number;
  subscribers: number;
  subSeconds: number;
  txRates: number[];
  accounts: number;
  echo: boolean;
}

const USAGE = 'usage: node bench/dist/src/rpc.js [--seconds 15] [--read-rates 1000,3000] [--connections 16] [--subscribers 1000] [--sub-seconds 30] [--tx-rates 100,300] [--accounts 200] [--echo]\n';

function parseArgs(argv: string[]): Options {
  const o: Options = { seconds: 15, readRates: [3_000, 6_000, 12_000, 24_000, 48_000], connections: 16, subscribers: 1_000, subSeconds: 30, txRates: [100, 300, 600], accounts: 200, echo: false };
  const rates = (v: string | undefined, flag: string): number[] => {
    const list = (v ?? '').split(',').map(Number);
    if (list.length === 0 || list.some((x) => !Number.isFinite(x) || x <= 0)) throw new UsageError(`${flag} needs a comma-separated list of positive rates`);
    return list;
  };
  parseCommandLine('rpc', USAGE, argv, {
    '--seconds': (f) => (o.seconds = f.positive()),
    '--read-rates': (f) => (o.readRates = rates(f.text(), f.flag)),
    '--connections': (f) => (o.connections = f.count()),
    '--subscribers': (f) => (o.subscribers = f.count()),
    '--sub-seconds': (f) => (o.subSeconds = f.positive()),
    '--tx-rates': (f) => (o.txRates = rates(f.text(), f.flag)),
    '--accounts': (f) => (o.accounts = f.count()),
    '--echo': () => (o.echo = true),
  });
  return o;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const errorKey = (err: unknown) => (err instanceof RpcCallError ? `${err.rpc.code} ${err.rpc.message}` : `client ${(err as Error).message}`);
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/**
 * Sends `rate × seconds` calls on a fixed schedule (open loop: a slow server does not slow the offered rate)
 * and waits up to 10 s for the stragglers. `send(k)` issues call k and resolves when it is answered.
 */
async function openLoop(rate: number, seconds: number, send: (k: number) => Promise<void>): Promise<{ offered: number; answered: number; elapsedS: number; latencies: number[]; errors: Map<string, number> }> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  const inflight: Array<Promise<void>> = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1e3) * rate) + 1);
    for (; sent < due; sent++) {
      const t0 = performance.now();
      inflight.push(send(sent).then(() => void latencies.push(performance.now() - t0), (err: unknown) => void bump(errors, errorKey(err))));
    }
    await sleep(1);
  }
  await Promise.race([Promise.allSettled(inflight), sleep(10_000)]);
  const elapsedS = (performance.now() - start) / 1e3;
  return { offered: total, answered: latencies.length, elapsedS, latencies: latencies.sort((a, b) => a - b), errors };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  process.env.BAI_TESTCONTAINERS ??= '0';
  await cryptoReady();
  const log = (m: string) => process.stdout.write(`[rpc-bench +${r1(performance.now() / 1e3)}s] ${m}\n`);
  log(`starting a 4-validator devnet with ${opts.accounts} bench accounts`);
  const net = await Devnet.start({ validators: 4, extraAccounts: opts.accounts, echo: opts.echo });
  const result: Record<string, unknown> = {};
  try {
    const rpcUrl = net.gatewayUrl.replace(/^http/, 'ws');
    const conns = await Promise.all(Array.from({ length: opts.connections }, () => WsRpc.connect(rpcUrl)));
    const keys = Array.from({ length: opts.accounts }, (_, i) => keyFromUri(`//bench/${i}`, 'sr25519'));
    const accountKeys = keys.map((k) => toHex(storageMapKey('System', 'Account', ['Blake2_128Concat', k.publicKey])));

    // 1. storage reads
    const reads: unknown[] = [];
    const finalizedHeight = async () => Number.parseInt((await conns[0]!.call<{ number: string }>('chain_getHeader')).number, 16);
    for (const rate of opts.readRates) {
      const h0 = await finalizedHeight();
      const r = await openLoop(rate, opts.seconds, (k) => conns[k % conns.length]!.call<string>('state_getStorage', [accountKeys[k % accountKeys.length]]).then(() => undefined));
      const blocksPerS = r1(((await finalizedHeight()) - h0) / r.elapsedS);
      const row = { offered: rate, answeredPerS: Math.round(r.answered / r.elapsedS), p50ms: r1(percentile(r.latencies, 50)), p99ms: r1(percentile(r.latencies, 99)), errors: Object.fromEntries(r.errors), blocksPerS };
      log(`state_getStorage offered ${rate}/s: ${row.answeredPerS}/s answered, p50 ${row.p50ms} ms, p99 ${row.p99ms} ms, errors ${JSON.stringify(row.errors)}, chain ${blocksPerS} blocks/s`);
      reads.push(row);
    }
    result.stateGetStorage = reads;

    // 2. head delivery to many subscribers, against a JetStream consumer in this process as the reference
    const nc = await connect({ ...natsConnectOptions(net.nats.url), name: 'bai-rpc-bench' });
    const stream = `BAI_${net.genesis.chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: `bai.${net.genesis.chainId}.blocks.finalized`, deliver_policy: DeliverPolicy.New });
    const natsSeen = new Map<number, number>();
    const messages = await consumer.consume();
    void (async () => {
      for await (const m of messages) natsSeen.set(Number((JSON.parse(m.string()) as { number: number }).number), performance.now());
    })();
    log(`opening ${opts.subscribers} subscribers`);
    const subscriberConns: WsRpc[] = [];
    const delivered = new Map<number, number[]>(); // block → receive times
    for (let i = 0; i < opts.subscribers; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, opts.subscribers - i) }, () => WsRpc.connect(rpcUrl)));
      subscriberConns.push(...batch);
    }
    const first = new Map<WsRpc, number>();
    await Promise.all(
      subscriberConns.map((c) =>
        c.subscribe('chain_subscribeNewHeads', [], (h) => {
          const n = Number.parseInt((h as { number: string }).number, 16);
          if (!first.has(c)) first.set(c, n);
          const list = delivered.get(n) ?? [];
          list.push(performance.now());
          delivered.set(n, list);
        }),
      ),
    );
    await sleep(opts.subSeconds * 1e3);
    const heights = [...natsSeen.keys()].sort((a, b) => a - b).slice(1, -2); // whole blocks only: skip the edges
    const delays: number[] = [];
    let missed = 0;
    for (const n of heights) {
      const times = delivered.get(n) ?? [];
      const expected = [...first.values()].filter((f) => f <= n).length;
      missed += Math.max(0, expected - times.length);
      for (const t of times) delays.push(t - natsSeen.get(n)!);
    }
    delays.sort((a, b) => a - b);
    result.headDelivery = { subscribers: subscriberConns.length, blocks: heights.length, deliveries: delays.length, missed, p50ms: r1(percentile(delays, 50)), p99ms: r1(percentile(delays, 99)), maxms: r1(delays.at(-1) ?? NaN) };
    log(`head delivery to ${subscriberConns.length} subscribers over ${heights.length} blocks: ${JSON.stringify(result.headDelivery)}`);
    for (const c of subscriberConns) c.close();
    await messages.close();
    await nc.close();

    // 3. submit-and-watch transfers
    const runtime = await conns[0]!.call<{ specVersion: number; transactionVersion: number }>('state_getRuntimeVersion');
    const genesisHash = fromHex(await conns[0]!.call<string>('chain_getBlockHash', [0]), 32);
    const nonces = await Promise.all(keys.map((k) => conns[0]!.call<number>('system_accountNextIndex', [toHex(k.publicKey)])));
    const txRows: unknown[] = [];
    for (const rate of opts.txRates) {
      const headHash = await conns[0]!.call<string>('chain_getFinalizedHead');
      const head = await conns[0]!.call<{ number: string }>('chain_getHeader', [headHash]);
      const birth = { number: Number.parseInt(head.number, 16), hash: fromHex(headHash, 32) };
      const finalizedAfter: number[] = [];
      const watchErrors = new Map<string, number>();
      const loopStart = performance.now();
      let lastFinalizedAt = loopStart;
      const r = await openLoop(rate, opts.seconds, async (k) => {
        const a = k % keys.length;
        const xt = signExtrinsic(keys[a]!, encodeTransfer('keep_alive', keys[(a + 1) % keys.length]!.publicKey, ONE_BAI / 1_000n), { era: mortalEra(birth.number, 64), nonce: nonces[a]!++, tip: 0n }, {
          specVersion: runtime.specVersion,
          transactionVersion: runtime.transactionVersion,
          genesisHash,
          birthHash: birth.hash,
        });
        const t0 = performance.now();
        await new Promise<void>((resolve, reject) => {
          conns[k % conns.length]!
            .subscribe('author_submitAndWatchExtrinsic', [toHex(xt)], (status) => {
              if (typeof status === 'object' && status !== null && 'finalized' in status) {
                lastFinalizedAt = performance.now();
                finalizedAfter.push(lastFinalizedAt - t0);
                resolve();
              } else if (status === 'invalid' || status === 'dropped' || (typeof status === 'object' && status !== null && ('invalid' in status || 'dropped' in status))) {
                bump(watchErrors, `watch ${JSON.stringify(status)}`);
                resolve();
              }
            })
            .catch(reject);
        });
      });
      finalizedAfter.sort((a, b) => a - b);
      const row = {
        offered: rate,
        // Over [first submission, last finalization]: the stragglers' wait does not dilute the rate.
        finalizedPerS: Math.round(finalizedAfter.length / ((lastFinalizedAt - loopStart) / 1e3)),
        finalized: finalizedAfter.length,
        p50ms: r1(percentile(finalizedAfter, 50)),
        p99ms: r1(percentile(finalizedAfter, 99)),
        refused: Object.fromEntries(r.errors),
        watchEnded: Object.fromEntries(watchErrors),
      };
      log(`author_submitAndWatchExtrinsic offered ${rate}/s: ${JSON.stringify(row)}`);
      txRows.push(row);
      // Refused transfers did not use their nonce: re-read before the next rate.
      const fresh = await Promise.all(keys.map((k) => conns[0]!.call<number>('system_accountNextIndex', [toHex(k.publicKey)])));
      fresh.forEach((n, i) => (nonces[i] = n));
    }
    result.submitAndWatch = txRows;
    for (const c of conns) c.close();
  } finally {
    await net.stop();
  }
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`rpc bench: ${(err as Error).message}\n`);
  process.exit(1);
});
