// JSON-RPC subscriptions across a validator failover of the gateway (issue 10: "Subscriptions survive a
// validator failover"). One 4-validator devnet; unmodified @polkadot/api on the gateway's WebSocket holds
// finalized-head, new-head and System.Account(Alice) subscriptions and watches a transfer, beside 200 plain
// `ws` clients on chain_subscribeFinalizedHeads. The validator the gateway reads from (its /readyz names
// it) is killed (SIGKILL) right after the transfer's `ready`; later, with it restarted, the gateway's new
// validator is frozen (SIGSTOP). Every stream must go on with each finalized head once, in order (numbers
// consecutive, parent hashes those of the validators' own blocks), the in-flight transfer must end with a
// status (finalized / dropped / invalid / an error, never silence), transfers sent after each failover
// must be finalized and the storage subscription must report their balance change.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { ONE_BAI } from '@balanceai/chain';
import { Devnet } from '@balanceai/testing';
import { poll, sleep, validatorHeight, withDb } from './client.js';

const N = 4;
const RAW_SUBSCRIBERS = 200;
/**
 * How late a head may reach the clients after the chain finalized it, across a failover: the gateway's
 * health poll (every 1 s, 2 s deadline) must find a frozen validator unreachable, then the block is
 * fetched from the next one. (Before the gateway abandoned calls on a frozen validator, this was its
 * 5 s gRPC deadline.)
 */
const FAILOVER_SLACK_MS = 4_500;
const STEP_MS = 45_000;

let net: Devnet;
let api: ApiPromise;
let keyring: Keyring;
let wsUrl = '';
const raw: RawSubscriber[] = [];

// ------------------------------------------------------------------------------------------ what the clients saw

interface Head {
  number: number;
  /** Only @polkadot/api computes it (blake2 of the header); the raw clients check parent hashes. */
  hash?: string;
  parentHash: string;
  /** Arrival time (ms). */
  at: number;
}

const finalizedHeads: Head[] = [];
const newHeads: Head[] = [];
const aliceAccount: Array<{ nonce: number; free: bigint; at: number }> = [];
const unsubs: Array<() => void> = [];

/** A plain JSON-RPC client with one chain_subscribeFinalizedHeads subscription. */
class RawSubscriber {
  readonly heads: Head[] = [];
  readonly problems: string[] = [];
  closedAt: number | undefined;
  private subscriptionId: string | undefined;

  private constructor(private readonly ws: WebSocket) {}

  static open(url: string): Promise<RawSubscriber> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const sub = new RawSubscriber(ws);
      const timer = setTimeout(() => reject(new Error('no subscription id within 20 s')), 20_000);
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      ws.on('close', (code, reason) => {
        sub.closedAt = Date.now();
        sub.problems.push(`closed ${code} ${reason.toString()}`);
      });
      ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain_subscribeFinalizedHeads', params: [] })));
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as {
          id?: number;
          result?: string;
          error?: unknown;
          method?: string;
          params?: { subscription: string; result: { number: string; parentHash: string } };
        };
        if (msg.id === 1) {
          clearTimeout(timer);
          if (typeof msg.result !== 'string') reject(new Error(`subscribe answered ${JSON.stringify(msg)}`));
          sub.subscriptionId = msg.result;
          resolve(sub);
        } else if (msg.method === 'chain_finalizedHead' && msg.params) {
          if (sub.subscriptionId !== undefined && msg.params.subscription !== sub.subscriptionId) sub.problems.push(`a notification of another subscription ${msg.params.subscription}`);
          sub.heads.push({ number: Number(BigInt(msg.params.result.number)), parentHash: msg.params.result.parentHash, at: Date.now() });
        } else sub.problems.push(`unexpected message ${JSON.stringify(msg).slice(0, 200)}`);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

// ------------------------------------------------------------------------------------------ helpers

const pair = (name: string): KeyringPair => keyring.addFromUri(`//${name}`);
const lastHead = () => finalizedHeads.at(-1)?.number ?? -1;

/** Index of the validator the gateway reads from now, per its /readyz (undefined while none is healthy). */
async function gatewayValidator(): Promise<number | undefined> {
  const res = await fetch(`${net.gatewayUrl}/readyz`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { validator: string | null };
  if (!body.validator) return undefined;
  const index = net.grpcPorts.findIndex((p) => body.validator === `127.0.0.1:${p}`);
  assert.ok(index >= 0, `the gateway names ${body.validator}, not a devnet validator`);
  return index;
}

async function waitHeads(count: number, what: string, timeoutMs = STEP_MS): Promise<number> {
  const target = lastHead() + count;
  await poll(`${what}: finalized head #${target} delivered`, async () => (lastHead() >= target ? true : undefined), timeoutMs, 100);
  return target;
}

interface TxEnd {
  status: string;
  txHash?: string;
  blockHash?: string;
  states: string[];
  endedAt: number;
}

/**
 * signAndSend with a status callback. `onReady` runs on the first `Ready`. Resolves with the last status
 * (Finalized, Dropped, Invalid, Usurped, FinalityTimeout) or with the error the submission got.
 */
function watchTx(tx: SubmittableExtrinsic<'promise'>, from: KeyringPair, onReady?: () => void): Promise<TxEnd> {
  return new Promise((resolve) => {
    const states: string[] = [];
    let unsub: (() => void) | undefined;
    let ended = false;
    let txHash: string | undefined;
    const end = (e: Omit<TxEnd, 'states' | 'endedAt'>) => {
      if (ended) return;
      ended = true;
      unsub?.();
      resolve({ ...e, txHash, states, endedAt: Date.now() });
    };
    tx.signAndSend(from, (result) => {
      const type = result.status.type;
      txHash = result.txHash.toHex();
      states.push(type);
      if (result.status.isReady && onReady) {
        const cb = onReady;
        onReady = undefined;
        cb();
      }
      if (result.status.isFinalized) end({ status: type, blockHash: result.status.asFinalized.toHex() });
      else if (result.status.isDropped || result.status.isInvalid || result.status.isUsurped || result.status.isFinalityTimeout) end({ status: type });
    })
      .then((u) => {
        unsub = u;
        if (ended) u();
      })
      .catch((err: unknown) => end({ status: `error: ${err instanceof Error ? err.message : String(err)}` }));
  });
}

async function bounded<T>(what: string, p: Promise<T>, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a transfer from Alice, waits for `finalized`, reads Alice's account at that block and waits for the
 * storage subscription to report exactly that value. Returns how long the report took after `finalized`.
 */
async function transferSeenByStorage(to: string, amount: bigint, label: string): Promise<{ ms: number; end: TxEnd }> {
  const before = aliceAccount.at(-1)!;
  const end = await bounded(`${label}: transfer`, watchTx(api.tx.balances.transferKeepAlive(pair(to).address, amount), pair('Alice')));
  assert.equal(end.status, 'Finalized', `${label}: the transfer ended ${end.status} (states ${end.states.join(' → ')})`);
  const at = (await (await api.at(end.blockHash!)).query.system.account(pair('Alice').address)) as unknown as {
    nonce: { toNumber(): number };
    data: { free: { toBigInt(): bigint } };
  };
  const want = { nonce: at.nonce.toNumber(), free: at.data.free.toBigInt() };
  assert.ok(want.free <= before.free - amount, `${label}: Alice paid ${amount} (free ${before.free} → ${want.free})`);
  const seen = await poll(
    `${label}: the System.Account(Alice) subscription reports nonce ${want.nonce}, free ${want.free}`,
    async () => aliceAccount.find((a) => a.nonce === want.nonce && a.free === want.free),
    15_000,
    100,
  );
  return { ms: Math.max(0, seen.at - end.endedAt), end };
}

/** The chain's own blocks (hash, proposal time) from the store of validator i. */
async function chainBlocks(i: number, from: number, to: number): Promise<Map<number, { hash: string; timeMs: number }>> {
  return withDb(net.postgres.adminUrl, i, async (c) => {
    const r = await c.query<{ h: string; hash: Buffer; t: string }>(
      'SELECT height::text AS h, hash, time_ms::text AS t FROM consensus.block WHERE height BETWEEN $1 AND $2 ORDER BY height',
      [from, to],
    );
    return new Map(r.rows.map((row) => [Number(row.h), { hash: `0x${row.hash.toString('hex')}`, timeMs: Number(row.t) }]));
  });
}

/** Problems of one head stream: numbers not consecutive (gap, duplicate, reorder), parents or hashes not the chain's. */
function streamProblems(name: string, heads: Head[], chain: Map<number, { hash: string }>): string[] {
  const problems: string[] = [];
  for (let k = 0; k < heads.length; k++) {
    const h = heads[k]!;
    if (k > 0 && h.number !== heads[k - 1]!.number + 1) problems.push(`${name}: #${heads[k - 1]!.number} then #${h.number}`);
    const parent = chain.get(h.number - 1)?.hash;
    if (parent !== undefined && h.parentHash !== parent) problems.push(`${name}: #${h.number} parent ${h.parentHash}, the chain's #${h.number - 1} is ${parent}`);
    const own = chain.get(h.number)?.hash;
    if (h.hash !== undefined && own !== undefined && h.hash !== own) problems.push(`${name}: #${h.number} hash ${h.hash}, the chain's is ${own}`);
    if (k > 0 && h.parentHash !== heads[k - 1]!.hash && heads[k - 1]!.hash !== undefined) problems.push(`${name}: #${h.number} does not follow the head before it`);
  }
  return problems;
}

/** Longest wait between two heads arriving that falls in [from, to] (ms), and the heights around it. */
function longestWait(heads: Head[], from: number, to: number): { ms: number; after: number } {
  let best = { ms: 0, after: -1 };
  for (let k = 1; k < heads.length; k++) {
    const a = heads[k - 1]!;
    const b = heads[k]!;
    if (b.at < from || a.at > to) continue;
    if (b.at - a.at > best.ms) best = { ms: b.at - a.at, after: a.number };
  }
  return best;
}

/** Longest time between two consecutive blocks' proposal times in the height range (the chain's own pause). */
function chainPause(chain: Map<number, { timeMs: number }>, from: number, to: number): number {
  let best = 0;
  for (let h = from + 1; h <= to; h++) {
    const a = chain.get(h - 1);
    const b = chain.get(h);
    if (a && b) best = Math.max(best, b.timeMs - a.timeMs);
  }
  return best;
}

/**
 * When the chain itself finalized each height: the first time any validator's /readyz reported it (each
 * validator polled every 100 ms on its own, so a paused one holds up nobody).
 */
const finalizedAt = new Map<number, number>();
let sampling = true;
async function sampleValidator(i: number): Promise<void> {
  while (sampling) {
    try {
      const res = await fetch(`${net.validatorHttpUrl(i)}/readyz`, { signal: AbortSignal.timeout(1_000) });
      const body = (await res.json()) as { height?: number; message?: { height?: number } };
      const h = body.height ?? body.message?.height;
      const now = Date.now();
      if (typeof h === 'number') for (let k = h; k >= 0 && !finalizedAt.has(k); k--) finalizedAt.set(k, now);
    } catch {
      // down, paused or restarting
    }
    await sleep(100);
  }
}

/** Longest delay, over heads delivered in [from, to], between the chain finalizing a head and a client receiving it. */
function longestLag(heads: Head[], from: number, to: number): { ms: number; number: number } {
  let best = { ms: 0, number: -1 };
  for (const h of heads) {
    const chainAt = finalizedAt.get(h.number);
    if (chainAt === undefined || h.at < from || h.at > to) continue;
    if (h.at - chainAt > best.ms) best = { ms: h.at - chainAt, number: h.number };
  }
  return best;
}

// ------------------------------------------------------------------------------------------ the run

const events: { killed?: number; killAt?: number; killHeight?: number; restartAt?: number; restartHeight?: number; paused?: number; pauseAt?: number; pauseHeight?: number; resumeAt?: number; resumeHeight?: number } = {};

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  net = await Devnet.start({ validators: N });
  wsUrl = net.gatewayUrl.replace(/^http/, 'ws');
  for (let i = 0; i < N; i++) void sampleValidator(i);
  api = new ApiPromise({ provider: new WsProvider(wsUrl, 1_000), throwOnConnect: true, noInitWarn: true });
  await bounded('ApiPromise ready', api.isReadyOrError, 60_000);
  const asHead = (h: { number: { toNumber(): number }; hash: { toHex(): string }; parentHash: { toHex(): string } }): Head => ({
    number: h.number.toNumber(),
    hash: h.hash.toHex(),
    parentHash: h.parentHash.toHex(),
    at: Date.now(),
  });
  unsubs.push(await api.rpc.chain.subscribeFinalizedHeads((h) => void finalizedHeads.push(asHead(h))));
  unsubs.push(await api.rpc.chain.subscribeNewHeads((h) => void newHeads.push(asHead(h))));
  unsubs.push(
    (await api.query.system.account(pair('Alice').address, (info: unknown) => {
      const a = info as { nonce: { toNumber(): number }; data: { free: { toBigInt(): bigint } } };
      aliceAccount.push({ nonce: a.nonce.toNumber(), free: a.data.free.toBigInt(), at: Date.now() });
    })) as unknown as () => void,
  );
  for (let k = 0; k < RAW_SUBSCRIBERS; k += 25) {
    raw.push(...(await Promise.all(Array.from({ length: Math.min(25, RAW_SUBSCRIBERS - k) }, () => RawSubscriber.open(wsUrl)))));
  }
  await waitHeads(2, 'start');
  assert.ok(aliceAccount.length > 0, 'the storage subscription sent its first value');
});

after(async () => {
  sampling = false;
  for (const s of raw) s.close();
  for (const u of unsubs) u();
  await api?.disconnect().catch(() => undefined);
  if (net && events.paused !== undefined) net.resume(events.paused);
  await net?.stop();
});

/** Ferdie → Eve, accepted (and gossiped) shortly before the kill. */
let pending: Promise<TxEnd> | undefined;
/** Dave → Eve, accepted by the victim the moment before it is killed: maybe no other validator has it. */
let inFlight: Promise<TxEnd> | undefined;
let daveNonce = 0;

async function nonceOf(name: string): Promise<number> {
  return ((await api.query.system.account(pair(name).address)) as unknown as { nonce: { toNumber(): number } }).nonce.toNumber();
}

test('the validator the gateway reads from is killed (SIGKILL) right after a transfer is ready: heads go on, the gateway moves', { timeout: 90_000 }, async () => {
  const victim = await gatewayValidator();
  assert.ok(victim !== undefined, 'the gateway has a validator');
  daveNonce = await nonceOf('Dave');
  // Other senders than Alice, so her nonce stays free for the transfers after the failover.
  await bounded(
    'the first transfer is ready',
    new Promise<void>((resolve) => (pending = watchTx(api.tx.balances.transferKeepAlive(pair('Eve').address, ONE_BAI), pair('Ferdie'), resolve))),
  );
  await sleep(100);
  let killed!: Promise<void>;
  const ready = new Promise<void>((resolve) => {
    inFlight = watchTx(api.tx.balances.transferKeepAlive(pair('Eve').address, ONE_BAI), pair('Dave'), () => {
      events.killed = victim;
      events.killAt = Date.now();
      events.killHeight = lastHead();
      killed = net.kill(victim);
      resolve();
    });
  });
  await bounded('the in-flight transfer is ready', ready);
  await killed;
  const switched = await poll(
    'the gateway names another validator',
    async () => {
      const v = await gatewayValidator().catch(() => undefined);
      return v !== undefined && v !== victim ? v : undefined;
    },
    30_000,
    100,
  );
  const switchMs = Date.now() - events.killAt!;
  await waitHeads(3, 'after the kill');
  const firstAfter = finalizedHeads.find((h) => h.at > events.killAt! && h.number > events.killHeight!)!;
  console.log(
    `# killed validator-${victim} at #${events.killHeight}; /readyz names validator-${switched} after ${switchMs} ms; ` +
      `next head #${firstAfter.number} ${firstAfter.at - events.killAt!} ms after the kill`,
  );
});

test('the transfers pending at the kill end with a true status, never silence', { timeout: 90_000 }, async () => {
  assert.ok(pending && inFlight, 'two transfers were pending');
  const first = await bounded('the transfer gossiped before the kill', pending, 60_000);
  console.log(`# transfer ready 100 ms before the kill: ${first.states.join(' → ')} ${first.endedAt - events.killAt!} ms after the kill`);
  assert.equal(first.status, 'Finalized', `the transfer ready before the kill ended ${first.status} (${first.states.join(' → ')})`);
  const end = await bounded('the in-flight transfer', inFlight, 60_000);
  console.log(`# transfer ready at the kill: ${end.states.join(' → ')} ${end.endedAt - events.killAt!} ms after the kill`);
  assert.ok(['Finalized', 'Dropped', 'Invalid', 'Usurped', 'FinalityTimeout'].includes(end.status) || end.status.startsWith('error: '), end.status);
  // The status is true: a dropped transfer is in no block (Dave's nonce did not move), a finalized one is.
  await sleep(3_000);
  const included = (await nonceOf('Dave')) > daveNonce;
  assert.equal(included, end.status === 'Finalized', `the transfer ended ${end.status} but Dave's nonce says ${included ? '' : 'not '}included`);
});

test('a transfer sent after the failover is finalized and the System.Account subscription reports it', { timeout: 90_000 }, async () => {
  const { ms, end } = await transferSeenByStorage('Bob', 2n * ONE_BAI, 'after the kill');
  console.log(`# after the kill: transfer ${end.states.join(' → ')}; storage subscription reported it ${ms} ms after finalized`);
});

test('the killed validator restarts and catches up; the gateway\'s validator is then paused (SIGSTOP): heads and transfers go on', { timeout: 120_000 }, async () => {
  const victim = events.killed!;
  events.restartAt = Date.now();
  events.restartHeight = lastHead();
  await net.restart(victim);
  const others = Array.from({ length: N }, (_, i) => i).filter((i) => i !== victim);
  await poll(
    `validator-${victim} within 1 block of the others`,
    async () => {
      const [mine, ...theirs] = await Promise.all([victim, ...others].map((i) => validatorHeight(net.validatorHttpUrl(i))));
      return mine! >= Math.max(...theirs) - 1 ? true : undefined;
    },
    60_000,
    250,
  );
  const target = await gatewayValidator();
  assert.ok(target !== undefined, 'the gateway has a validator');
  events.paused = target;
  events.pauseHeight = lastHead();
  events.pauseAt = Date.now();
  net.pause(target);
  try {
    const switched = await poll(
      'the gateway leaves the paused validator',
      async () => {
        const v = await gatewayValidator().catch(() => undefined);
        return v !== undefined && v !== target ? v : undefined;
      },
      30_000,
      100,
    );
    const switchMs = Date.now() - events.pauseAt;
    await waitHeads(2, 'after the pause');
    const firstAfter = finalizedHeads.find((h) => h.at > events.pauseAt! && h.number > events.pauseHeight!)!;
    console.log(
      `# paused validator-${target} at #${events.pauseHeight}; /readyz names validator-${switched} after ${switchMs} ms; ` +
        `next head #${firstAfter.number} ${firstAfter.at - events.pauseAt} ms after the pause`,
    );
    const { ms, end } = await transferSeenByStorage('Charlie', 3n * ONE_BAI, 'during the pause');
    console.log(`# during the pause: transfer ${end.states.join(' → ')}; storage subscription reported it ${ms} ms after finalized`);
  } finally {
    net.resume(target);
    events.resumeAt = Date.now();
    events.resumeHeight = lastHead();
  }
  await waitHeads(3, 'after SIGCONT');
});

test('every subscriber got every finalized head once, in order, with the chain\'s hashes and at most a failover\'s delay after the chain', { timeout: 60_000 }, async () => {
  const end = lastHead();
  // Every stream has reached the last head the @polkadot/api stream saw.
  await poll(
    `every stream reaches #${end}`,
    async () => (newHeads.at(-1)!.number >= end && raw.every((s) => (s.heads.at(-1)?.number ?? -1) >= end) ? true : undefined),
    15_000,
    100,
  );
  const start = Math.min(finalizedHeads[0]!.number, newHeads[0]!.number, ...raw.map((s) => s.heads[0]!.number));
  // A validator that was neither killed nor paused holds every block.
  const witness = Array.from({ length: N }, (_, i) => i).find((i) => i !== events.killed && i !== events.paused)!;
  const chain = await chainBlocks(witness, start - 1, end + 20);

  const problems = [
    ...streamProblems('@polkadot/api finalized', finalizedHeads, chain),
    ...streamProblems('@polkadot/api new', newHeads, chain),
    ...raw.flatMap((s, k) => [...streamProblems(`ws#${k}`, s.heads, chain), ...s.problems.map((p) => `ws#${k}: ${p}`)]),
  ];
  assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems`);

  // Every subscriber was there before the kill and is still there at the end: it got the whole range.
  for (const [k, s] of raw.entries()) {
    assert.ok(s.heads[0]!.number <= events.killHeight!, `ws#${k} subscribed before the kill`);
    assert.equal(s.closedAt, undefined, `ws#${k} stayed open`);
  }
  const total = raw.reduce((n, s) => n + s.heads.filter((h) => h.number <= end).length, 0);

  // The longest wait between two heads around each fault, against the chain's own pause between blocks.
  const killWait = longestWait(finalizedHeads, events.killAt!, events.restartAt!);
  const pauseWait = longestWait(finalizedHeads, events.pauseAt!, events.resumeAt!);
  const killPause = chainPause(chain, events.killHeight!, events.restartHeight! + 1);
  const pausePause = chainPause(chain, events.pauseHeight!, events.resumeHeight! + 1);
  const rawKillWait = Math.max(...raw.map((s) => longestWait(s.heads, events.killAt!, events.restartAt!).ms));
  const rawPauseWait = Math.max(...raw.map((s) => longestWait(s.heads, events.pauseAt!, events.resumeAt!).ms));
  console.log(
    `# heads #${start}..#${end}: @polkadot/api finalized ${finalizedHeads.length}, new ${newHeads.length}; ` +
      `${RAW_SUBSCRIBERS} ws subscribers ${total} heads in all, 0 gaps, 0 duplicates`,
  );
  console.log(
    `# longest wait for a head: kill ${killWait.ms} ms after #${killWait.after} (ws max ${rawKillWait} ms; chain's own pause ${killPause} ms), ` +
      `pause ${pauseWait.ms} ms after #${pauseWait.after} (ws max ${rawPauseWait} ms; chain's own pause ${pausePause} ms)`,
  );
  const switches = readFileSync(join(net.dir, 'logs', 'gateway.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('switching from'));
  const killLag = longestLag(finalizedHeads, events.killAt!, events.restartAt!);
  const pauseLag = longestLag(finalizedHeads, events.pauseAt!, events.resumeAt! + 5_000);
  const calmLag = longestLag(finalizedHeads, 0, events.killAt!);
  const rawLag = Math.max(...raw.map((s) => longestLag(s.heads, events.killAt!, Date.now()).ms));
  console.log(
    `# head delivery after the chain finalized it (validators' /readyz, 100 ms polls): before the kill ≤ ${calmLag.ms} ms; ` +
      `after the kill ≤ ${killLag.ms} ms (#${killLag.number}); during the pause ≤ ${pauseLag.ms} ms (#${pauseLag.number}); ws subscribers ≤ ${rawLag} ms`,
  );
  assert.ok(killLag.ms <= FAILOVER_SLACK_MS, `after the kill #${killLag.number} reached the clients ${killLag.ms} ms after the chain finalized it`);
  assert.ok(pauseLag.ms <= FAILOVER_SLACK_MS, `during the pause #${pauseLag.number} reached the clients ${pauseLag.ms} ms after the chain finalized it`);
  assert.ok(rawLag <= FAILOVER_SLACK_MS, `a ws subscriber got a head ${rawLag} ms after the chain finalized it`);
  console.log(`# gateway log:\n${switches.map((l) => `#   ${l.slice(0, 240)}`).join('\n')}`);
  assert.ok(killWait.ms <= killPause + FAILOVER_SLACK_MS, `after the kill the clients waited ${killWait.ms} ms, the chain paused ${killPause} ms`);
  assert.ok(pauseWait.ms <= pausePause + FAILOVER_SLACK_MS, `during the pause the clients waited ${pauseWait.ms} ms, the chain paused ${pausePause} ms`);
  assert.ok(rawKillWait <= killPause + FAILOVER_SLACK_MS && rawPauseWait <= pausePause + FAILOVER_SLACK_MS, 'the ws subscribers waited no longer');
});
