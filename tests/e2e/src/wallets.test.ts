// Substrate wallets on a devnet (issue 10): unmodified @polkadot/api, dedot and polkadot-api connect to the
// gateway's JSON-RPC (ws://host:port/), read System.Account, estimate a fee, sign and submit a transfer and
// see it finalized with its events, bond and nominate, follow new and finalized heads and read staking
// storage; then polkadot.js Apps' start-up sequence is replayed. Every client talks through a recording
// relay (wallets/recorder.ts), so a failure names the request and the answer that broke it. The calls each
// client makes are listed in wallets/README.md.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { DedotClient, WsProvider as DedotWsProvider } from 'dedot';
import { createClient, type PolkadotClient } from 'polkadot-api';
import { getWsProvider } from 'polkadot-api/ws';
import { getPolkadotSigner } from 'polkadot-api/signer';
import { ONE_BAI, cryptoReady, keyFromUri, parseAccountId, ss58Encode, toHex } from '@balanceai/chain';
import { Devnet } from '@balanceai/testing';
import { Gateway, sleep } from './client.js';
import { RpcRecorder } from './wallets/recorder.js';

const SS58 = 42;
const TRANSFER = 1_500_000_000_000_000_000n; // 1.5 BAI
const BOND = 1_000n * ONE_BAI;
const STEP_MS = 60_000;

let net: Devnet;
let gw: Gateway;
let wsUrl = '';
let keyring: Keyring;
const recorders: RpcRecorder[] = [];

before(async () => {
  await Promise.all([cryptoReady(), cryptoWaitReady()]);
  keyring = new Keyring({ type: 'sr25519', ss58Format: SS58 });
  net = await Devnet.start({ validators: 4, modules: ['emissions', 'staking'] });
  gw = new Gateway(net.gatewayUrl);
  wsUrl = net.gatewayUrl.replace(/^http/, 'ws');
  await gw.waitHeight(2, 60_000);
});

after(async () => {
  for (const r of recorders) await r.stop().catch(() => undefined);
  await net?.stop();
});

async function recorder(): Promise<RpcRecorder> {
  const r = await RpcRecorder.start(wsUrl);
  recorders.push(r);
  return r;
}

// ------------------------------------------------------------------------------------------ helpers

const pair = (name: string): KeyringPair => keyring.addFromUri(`//${name}`);
const address = (uri: string) => ss58Encode(keyFromUri(uri, 'sr25519').publicKey, SS58);
/** The first genesis validator's stash: the nominees of every client. */
const validatorStash = () => address('//stash/0');

/** An account id as 0x hex, from whatever a client decodes it to (SS58 text, hex, pjs AccountId, dedot AccountId32). */
function accountHex(v: unknown): string {
  if (typeof v === 'string') return toHex(parseAccountId(v));
  if (v instanceof Uint8Array) return toHex(v);
  if (v && typeof v === 'object') {
    const o = v as { raw?: unknown; toU8a?: () => Uint8Array };
    if (typeof o.raw === 'string') return toHex(parseAccountId(o.raw));
    if (typeof o.toU8a === 'function') return toHex(o.toU8a());
  }
  throw new Error(`not an account id: ${String(v)}`);
}

/** A plain bigint from a client's number (bigint, number, pjs BN-backed codec, hex or decimal text). */
function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (typeof v === 'string') return BigInt(v);
  if (v && typeof v === 'object' && typeof (v as { toBigInt?: unknown }).toBigInt === 'function') return (v as { toBigInt: () => bigint }).toBigInt();
  if (v && typeof v === 'object' && typeof (v as { toString?: unknown }).toString === 'function') return BigInt(String(v));
  throw new Error(`not a number: ${String(v)}`);
}

async function within<T>(what: string, p: Promise<T>, rec: RpcRecorder, ms = STEP_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms\n${rec.report()}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } catch (err) {
    if (err instanceof Error && !err.message.includes('methods:')) err.message += `\n${rec.report()}`;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Walks `root` along a dotted path and calls the function there with its owner as `this`. */
function invoke(root: unknown, path: string, ...args: unknown[]): unknown {
  const parts = path.split('.');
  let owner: unknown = root;
  for (const p of parts.slice(0, -1)) {
    owner = (owner as Record<string, unknown> | undefined)?.[p];
    if (owner === undefined) throw new Error(`${path}: ${p} is missing (not in the metadata?)`);
  }
  const fn = (owner as Record<string, unknown>)[parts.at(-1)!];
  if (typeof fn !== 'function') throw new Error(`${path} is not a function (not in the metadata?)`);
  return (fn as (...a: unknown[]) => unknown).apply(owner, args);
}

// ------------------------------------------------------------------------------------------ a wallet's view

interface TxOutcome {
  hash: string;
  blockHash: string;
  /** Transaction states seen, in order (client-specific names). */
  states: string[];
  events: Array<{ pallet: string; name: string; data: Record<string, unknown> }>;
}

interface StakingView {
  ledger: { stash: string; total: bigint; active: bigint } | undefined;
  bonded: string | undefined;
  payee: string | undefined;
  targets: string[];
  validatorCommission: bigint | undefined;
}

interface Head {
  number: number;
  hash: string;
}

/** What every client does, behind one interface so the assertions are the same for all three. */
interface Wallet {
  readonly rec: RpcRecorder;
  account(addr: string): Promise<{ nonce: number; free: bigint }>;
  fee(from: KeyringPair, to: string, amount: bigint): Promise<bigint>;
  transfer(from: KeyringPair, to: string, amount: bigint): Promise<TxOutcome>;
  bond(from: KeyringPair, value: bigint): Promise<TxOutcome>;
  nominate(from: KeyringPair, target: string): Promise<TxOutcome>;
  heads(kind: 'best' | 'finalized', count: number): Promise<Head[]>;
  staking(stash: string, validator: string): Promise<StakingView>;
  close(): Promise<void>;
}

// ---- @polkadot/api

class PolkadotJsWallet implements Wallet {
  private constructor(
    readonly rec: RpcRecorder,
    private readonly api: ApiPromise,
  ) {}

  static async connect(rec: RpcRecorder): Promise<PolkadotJsWallet> {
    const api = new ApiPromise({ provider: new WsProvider(rec.url, 1_000), throwOnConnect: true, noInitWarn: true });
    try {
      await within('ApiPromise ready', api.isReadyOrError, rec);
    } catch (err) {
      await api.disconnect().catch(() => undefined);
      throw err;
    }
    return new PolkadotJsWallet(rec, api);
  }

  async account(addr: string) {
    const a = (await this.api.query.system.account(addr)) as unknown as { nonce: unknown; data: { free: unknown } };
    return { nonce: Number(big(a.nonce)), free: big(a.data.free) };
  }

  async fee(from: KeyringPair, to: string, amount: bigint) {
    const info = await this.api.tx.balances.transferKeepAlive(to, amount).paymentInfo(from);
    return big(info.partialFee);
  }

  private submit(tx: SubmittableExtrinsic<'promise'>, from: KeyringPair): Promise<TxOutcome> {
    return new Promise<TxOutcome>((resolve, reject) => {
      const states: string[] = [];
      tx.signAndSend(from, (result) => {
        states.push(result.status.type);
        if (result.status.isFinalized) {
          resolve({
            hash: result.txHash.toHex(),
            blockHash: result.status.asFinalized.toHex(),
            states,
            events: result.events.map(({ event }) => ({
              pallet: event.section,
              name: event.method,
              data: Object.fromEntries(((event.data as unknown as { names?: string[] }).names ?? []).map((n, i) => [n, event.data[i]])),
            })),
          });
        } else if (result.isError || result.status.isInvalid || result.status.isDropped || result.status.isUsurped) {
          reject(new Error(`transaction ${result.status.type}: ${JSON.stringify(result.toHuman())}`));
        }
      }).catch(reject);
    });
  }

  transfer(from: KeyringPair, to: string, amount: bigint) {
    return this.submit(this.api.tx.balances.transferKeepAlive(to, amount), from);
  }

  bond(from: KeyringPair, value: bigint) {
    return this.submit(this.api.tx.staking.bond(value, 'Staked'), from);
  }

  nominate(from: KeyringPair, target: string) {
    return this.submit(this.api.tx.staking.nominate([target]), from);
  }

  async heads(kind: 'best' | 'finalized', count: number) {
    const seen: Head[] = [];
    let unsub: (() => void) | undefined;
    await new Promise<void>((resolve, reject) => {
      const cb = (h: { number: { toNumber(): number }; hash: { toHex(): string } }) => {
        seen.push({ number: h.number.toNumber(), hash: h.hash.toHex() });
        if (seen.length >= count) resolve();
      };
      const sub = kind === 'best' ? this.api.rpc.chain.subscribeNewHeads(cb) : this.api.rpc.chain.subscribeFinalizedHeads(cb);
      sub.then((u) => (unsub = u)).catch(reject);
    });
    unsub?.();
    return seen;
  }

  async staking(stash: string, validator: string): Promise<StakingView> {
    const q = this.api.query.staking;
    const ledger = (await q.ledger(stash)) as unknown as { isSome: boolean; unwrap(): { stash: unknown; total: unknown; active: unknown } };
    const bonded = (await q.bonded(stash)) as unknown as { isSome: boolean; unwrap(): unknown };
    const payee = (await q.payee(stash)) as unknown as { isSome?: boolean; unwrap?: () => unknown; toString(): string };
    const nominators = (await q.nominators(stash)) as unknown as { isSome: boolean; unwrap(): { targets: unknown[] } };
    const prefs = (await q.validators(validator)) as unknown as { commission: unknown };
    const l = ledger.isSome ? ledger.unwrap() : undefined;
    return {
      ledger: l && { stash: accountHex(l.stash), total: big(l.total), active: big(l.active) },
      bonded: bonded.isSome ? accountHex(bonded.unwrap()) : undefined,
      payee: payee.isSome === false ? undefined : String(payee.unwrap ? payee.unwrap() : payee),
      targets: nominators.isSome ? nominators.unwrap().targets.map(accountHex) : [],
      validatorCommission: big(prefs.commission),
    };
  }

  async close() {
    await this.api.disconnect();
  }
}

// ---- dedot

type DedotTx = { paymentInfo(a: string): Promise<{ partialFee: bigint }>; signAndSend(p: KeyringPair, cb: (r: DedotResult) => void): Promise<unknown> };
interface DedotResult {
  status: { type: string; value?: { blockHash: string } };
  txHash: string;
  events: Array<{ event: { pallet: string; palletEvent: string | { name: string; data?: Record<string, unknown> } } }>;
}

class DedotWallet implements Wallet {
  private constructor(
    readonly rec: RpcRecorder,
    private readonly client: DedotClient,
  ) {}

  static async connect(rec: RpcRecorder, rpcVersion?: 'legacy' | 'v2'): Promise<DedotWallet> {
    const provider = new DedotWsProvider(rec.url);
    try {
      return new DedotWallet(rec, await within('DedotClient.new', DedotClient.new({ provider, rpcVersion }), rec));
    } catch (err) {
      // A client that failed to start keeps reconnecting otherwise.
      await provider.disconnect().catch(() => undefined);
      throw err;
    }
  }

  get version() {
    return this.client.rpcVersion;
  }

  async account(addr: string) {
    const a = (await invoke(this.client, 'query.system.account', addr)) as { nonce: number; data: { free: bigint } };
    return { nonce: a.nonce, free: a.data.free };
  }

  private tx(path: string, ...args: unknown[]): DedotTx {
    return invoke(this.client, `tx.${path}`, ...args) as DedotTx;
  }

  async fee(from: KeyringPair, to: string, amount: bigint) {
    return (await this.tx('balances.transferKeepAlive', { type: 'Id', value: to }, amount).paymentInfo(from.address)).partialFee;
  }

  private submit(tx: DedotTx, from: KeyringPair): Promise<TxOutcome> {
    return new Promise<TxOutcome>((resolve, reject) => {
      const states: string[] = [];
      tx.signAndSend(from, (r) => {
        states.push(r.status.type);
        if (r.status.type === 'Finalized') {
          resolve({
            hash: r.txHash,
            blockHash: r.status.value!.blockHash,
            states,
            events: r.events.map(({ event }) =>
              typeof event.palletEvent === 'string'
                ? { pallet: event.pallet, name: event.palletEvent, data: {} }
                : { pallet: event.pallet, name: event.palletEvent.name, data: event.palletEvent.data ?? {} },
            ),
          });
        } else if (r.status.type === 'Invalid' || r.status.type === 'Drop') {
          reject(new Error(`transaction ${JSON.stringify(r.status)}`));
        }
      }).catch(reject);
    });
  }

  transfer(from: KeyringPair, to: string, amount: bigint) {
    return this.submit(this.tx('balances.transferKeepAlive', { type: 'Id', value: to }, amount), from);
  }

  bond(from: KeyringPair, value: bigint) {
    return this.submit(this.tx('staking.bond', value, { type: 'Staked' }), from);
  }

  nominate(from: KeyringPair, target: string) {
    return this.submit(this.tx('staking.nominate', [{ type: 'Id', value: target }]), from);
  }

  async heads(kind: 'best' | 'finalized', count: number) {
    const seen: Head[] = [];
    let unsub: (() => void) | undefined;
    await new Promise<void>((resolve) => {
      unsub = this.client.block[kind]((b) => {
        seen.push({ number: b.number, hash: b.hash });
        if (seen.length >= count) resolve();
      });
    });
    unsub?.();
    return seen;
  }

  async staking(stash: string, validator: string): Promise<StakingView> {
    const ledger = (await invoke(this.client, 'query.staking.ledger', stash)) as { stash: unknown; total: bigint; active: bigint } | undefined;
    const bonded = await invoke(this.client, 'query.staking.bonded', stash);
    const payee = (await invoke(this.client, 'query.staking.payee', stash)) as { type: string } | undefined;
    const nominators = (await invoke(this.client, 'query.staking.nominators', stash)) as { targets: unknown[] } | undefined;
    const prefs = (await invoke(this.client, 'query.staking.validators', validator)) as { commission: number | bigint };
    return {
      ledger: ledger && { stash: accountHex(ledger.stash), total: ledger.total, active: ledger.active },
      bonded: bonded ? accountHex(bonded) : undefined,
      payee: payee?.type,
      targets: (nominators?.targets ?? []).map(accountHex),
      validatorCommission: big(prefs.commission),
    };
  }

  async close() {
    await this.client.disconnect();
  }
}

// ---- polkadot-api (no generated descriptors: the unsafe API reads everything from the chain's metadata)

interface PapiTx {
  getEstimatedFees(from: string): Promise<bigint>;
  signSubmitAndWatch(signer: unknown): { subscribe(o: { next(e: PapiTxEvent): void; error(e: unknown): void }): { unsubscribe(): void } };
}
type PapiTxEvent =
  | { type: 'signed' | 'broadcasted'; txHash: string }
  | { type: 'txBestBlocksState'; txHash: string; found: boolean }
  | { type: 'finalized'; txHash: string; ok: boolean; block: { hash: string }; events: Array<{ type: string; value: { type: string; value: unknown } }>; dispatchError?: unknown };

class PapiWallet implements Wallet {
  private readonly api: unknown;

  private constructor(
    readonly rec: RpcRecorder,
    private readonly client: PolkadotClient,
  ) {
    this.api = client.getUnsafeApi();
  }

  static async connect(rec: RpcRecorder): Promise<PapiWallet> {
    const client = createClient(getWsProvider(rec.url, { websocketClass: WebSocket as unknown as typeof globalThis.WebSocket }));
    const w = new PapiWallet(rec, client);
    // The unsafe API is usable once the runtime (metadata) of the finalized block is loaded.
    try {
      await within('polkadot-api runtime (getStaticApis)', invoke(w.api, 'getStaticApis') as Promise<unknown>, rec);
    } catch (err) {
      client.destroy();
      throw err;
    }
    return w;
  }

  async account(addr: string) {
    const a = (await invoke(this.api, 'query.System.Account.getValue', addr)) as { nonce: number; data: { free: bigint } };
    return { nonce: a.nonce, free: a.data.free };
  }

  private tx(path: string, args: unknown): PapiTx {
    return invoke(this.api, `tx.${path}`, args) as PapiTx;
  }

  private signer(from: KeyringPair) {
    return getPolkadotSigner(from.publicKey, 'Sr25519', (payload) => from.sign(payload));
  }

  fee(from: KeyringPair, to: string, amount: bigint) {
    return this.tx('Balances.transfer_keep_alive', { dest: { type: 'Id', value: to }, value: amount }).getEstimatedFees(from.address);
  }

  private submit(tx: PapiTx, from: KeyringPair): Promise<TxOutcome> {
    return new Promise<TxOutcome>((resolve, reject) => {
      const states: string[] = [];
      const sub = tx.signSubmitAndWatch(this.signer(from)).subscribe({
        next: (e) => {
          states.push(e.type);
          if (e.type !== 'finalized') return;
          sub?.unsubscribe();
          if (!e.ok) reject(new Error(`dispatch failed: ${JSON.stringify(e.dispatchError, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`));
          resolve({
            hash: e.txHash,
            blockHash: e.block.hash,
            states,
            events: e.events.map((ev) => ({ pallet: ev.type, name: ev.value.type, data: (ev.value.value ?? {}) as Record<string, unknown> })),
          });
        },
        error: reject,
      });
    });
  }

  transfer(from: KeyringPair, to: string, amount: bigint) {
    return this.submit(this.tx('Balances.transfer_keep_alive', { dest: { type: 'Id', value: to }, value: amount }), from);
  }

  bond(from: KeyringPair, value: bigint) {
    return this.submit(this.tx('Staking.bond', { value, payee: { type: 'Staked', value: undefined } }), from);
  }

  nominate(from: KeyringPair, target: string) {
    return this.submit(this.tx('Staking.nominate', { targets: [{ type: 'Id', value: target }] }), from);
  }

  async heads(kind: 'best' | 'finalized', count: number) {
    const seen: Head[] = [];
    await new Promise<void>((resolve, reject) => {
      const sub =
        kind === 'finalized'
          ? this.client.finalizedBlock$.subscribe({
              next: (b) => {
                if (seen.at(-1)?.hash !== b.hash) seen.push({ number: b.number, hash: b.hash });
                if (seen.length >= count) {
                  resolve();
                  setImmediate(() => sub.unsubscribe());
                }
              },
              error: reject,
            })
          : this.client.bestBlocks$.subscribe({
              next: (bs) => {
                const b = bs[0];
                if (b && seen.at(-1)?.hash !== b.hash) seen.push({ number: b.number, hash: b.hash });
                if (seen.length >= count) {
                  resolve();
                  setImmediate(() => sub.unsubscribe());
                }
              },
              error: reject,
            });
    });
    return seen;
  }

  async staking(stash: string, validator: string): Promise<StakingView> {
    const get = (item: string, key: string) => invoke(this.api, `query.Staking.${item}.getValue`, key);
    const ledger = (await get('Ledger', stash)) as { stash: string; total: bigint; active: bigint } | undefined;
    const bonded = (await get('Bonded', stash)) as string | undefined;
    const payee = (await get('Payee', stash)) as { type: string } | undefined;
    const nominators = (await get('Nominators', stash)) as { targets: string[] } | undefined;
    const prefs = (await get('Validators', validator)) as { commission: number };
    return {
      ledger: ledger && { stash: accountHex(ledger.stash), total: ledger.total, active: ledger.active },
      bonded: bonded ? accountHex(bonded) : undefined,
      payee: payee?.type,
      targets: (nominators?.targets ?? []).map(accountHex),
      validatorCommission: big(prefs.commission),
    };
  }

  async close() {
    this.client.destroy();
  }
}

// ------------------------------------------------------------------------------------------ the same checks for each client

function eventsOf(outcome: TxOutcome, pallet: string, name: string) {
  return outcome.events.filter((e) => e.pallet.toLowerCase() === pallet.toLowerCase() && e.name === name);
}

function walletSuite(
  name: string,
  senderName: string,
  connect: (rec: RpcRecorder) => Promise<Wallet>,
  /** A method the client must have used: which of the two APIs it speaks. */
  speaks?: string,
): void {
  describe(name, () => {
    let w: Wallet | undefined;
    const sender = () => pair(senderName);
    const wallet = () => {
      if (!w) throw new Error(`${name} is not connected (see the first failure)`);
      return w;
    };
    after(async () => {
      if (w) console.log(`${name} sent: ${w.rec.methods().map(([m, n]) => `${m}×${n}`).join(', ')}`);
      await w?.close().catch(() => undefined);
    });

    test('connects', { timeout: STEP_MS }, async () => {
      w = await connect(await recorder());
      if (speaks) assert.ok(w.rec.exchanges.some((x) => x.method === speaks), `${name} did not call ${speaks}: ${w.rec.report()}`);
    });

    test('reads System.Account of Alice as the gateway does', { timeout: STEP_MS }, async () => {
      const alice = address('//Alice');
      const viaRpc = await within('System.Account', wallet().account(alice), wallet().rec);
      const viaRest = await gw.account(toHex(parseAccountId(alice)));
      assert.equal(viaRpc.free, BigInt(viaRest.free));
      assert.equal(viaRpc.nonce, viaRest.nonce);
    });

    test('estimates the fee, signs and submits a transfer and sees it finalized with its events', { timeout: STEP_MS * 2 }, async () => {
      const from = sender();
      const to = address('//Ferdie');
      const fee = await within('fee estimate', wallet().fee(from, to, TRANSFER), wallet().rec);
      assert.ok(fee > 0n, `fee ${fee}`);
      const before = await gw.balance(toHex(from.publicKey));
      const out = await within('transfer finalized', wallet().transfer(from, to, TRANSFER), wallet().rec);

      assert.equal(eventsOf(out, 'System', 'ExtrinsicSuccess').length, 1, `events: ${JSON.stringify(out.events.map((e) => `${e.pallet}.${e.name}`))}`);
      const transfers = eventsOf(out, 'Balances', 'Transfer');
      assert.equal(transfers.length, 1);
      assert.equal(accountHex(transfers[0]!.data.from), toHex(from.publicKey));
      assert.equal(accountHex(transfers[0]!.data.to), toHex(parseAccountId(to)));
      assert.equal(big(transfers[0]!.data.amount), TRANSFER);

      // The gateway agrees: finalized in that block, and the fee charged is the one the client estimated.
      const x = await gw.waitIncluded(out.hash, 30_000);
      assert.equal(x.state, 'finalized');
      assert.equal(x.block?.hash, out.blockHash);
      assert.equal(BigInt(x.fee ?? -1), fee, `charged ${x.fee}, estimated ${fee}`);
      const afterBalance = await gw.balance(toHex(from.publicKey));
      assert.equal(before.free - afterBalance.free, TRANSFER + fee);
    });

    test('bonds (payee Staked) and nominates a genesis validator; reads the staking storage', { timeout: STEP_MS * 2 }, async () => {
      const from = sender();
      const stash = validatorStash();
      const bond = await within('bond finalized', wallet().bond(from, BOND), wallet().rec);
      assert.equal(eventsOf(bond, 'System', 'ExtrinsicSuccess').length, 1, `events: ${JSON.stringify(bond.events.map((e) => `${e.pallet}.${e.name}`))}`);
      const nominate = await within('nominate finalized', wallet().nominate(from, stash), wallet().rec);
      assert.equal(eventsOf(nominate, 'System', 'ExtrinsicSuccess').length, 1, `events: ${JSON.stringify(nominate.events.map((e) => `${e.pallet}.${e.name}`))}`);

      const view = await within('staking storage', wallet().staking(from.address, stash), wallet().rec);
      const me = toHex(from.publicKey);
      assert.deepEqual(view.ledger, { stash: me, total: BOND, active: BOND });
      assert.equal(view.bonded, me);
      assert.equal(view.payee, 'Staked');
      assert.deepEqual(view.targets, [toHex(parseAccountId(stash))]);
      assert.equal(typeof view.validatorCommission, 'bigint');
    });

    test('follows new and finalized heads', { timeout: STEP_MS }, async () => {
      const best = await within('new heads', wallet().heads('best', 3), wallet().rec);
      const finalized = await within('finalized heads', wallet().heads('finalized', 3), wallet().rec);
      for (const list of [best, finalized]) {
        for (let i = 1; i < list.length; i++) assert.ok(list[i]!.number > list[i - 1]!.number, `heads in order: ${JSON.stringify(list)}`);
      }
      // A finalized head is the gateway's block of that height.
      const last = finalized.at(-1)!;
      assert.equal((await gw.block(last.number)).hash, last.hash);
    });
  });
}

walletSuite('@polkadot/api 16', 'Alice', (rec) => PolkadotJsWallet.connect(rec));
walletSuite('dedot 1 (legacy JSON-RPC)', 'Bob', (rec) => DedotWallet.connect(rec, 'legacy'), 'chain_getBlockHash');
// With no rpcVersion dedot reads rpc_methods and picks the new JSON-RPC spec, which the gateway serves.
walletSuite('dedot 1 (new JSON-RPC)', 'Dave', (rec) => DedotWallet.connect(rec), 'chainHead_v1_follow');
walletSuite('polkadot-api 2 (unsafe API, new JSON-RPC)', 'Charlie', (rec) => PapiWallet.connect(rec), 'chainHead_v1_follow');

// ------------------------------------------------------------------------------------------ polkadot.js Apps on load

interface Codec {
  toString(): string;
  toJSON(): unknown;
}

describe('polkadot.js Apps start-up', () => {
  test('the calls Apps makes on load all succeed', { timeout: STEP_MS * 2 }, async () => {
    const rec = await recorder();
    // react-api Api.tsx: new ApiPromise({ provider: new WsProvider(url), registry, signer, types, typesBundle }).
    const api = new ApiPromise({ provider: new WsProvider(rec.url, 1_000), throwOnConnect: true, noInitWarn: true });
    try {
      await within('Apps ApiPromise ready', api.isReadyOrError, rec);
      const alice = address('//Alice');
      const status = await gw.status();

      // loadOnReady → retrieve(): system_chain, system_chainType (when the node lists it), system_name, system_version.
      const [chain, chainType, nodeName, nodeVersion] = await within('Apps retrieve()', Promise.all([
        api.rpc.system.chain(),
        api.rpc.system.chainType ? api.rpc.system.chainType() : Promise.resolve(api.registry.createType('ChainType', 'Live')),
        api.rpc.system.name(),
        api.rpc.system.version(),
      ]), rec);
      assert.equal(chain.toString(), status.chainId);
      assert.ok(nodeName.toString().length > 0 && nodeVersion.toString().length > 0);
      assert.ok(['Development', 'Local', 'Live'].includes(chainType.toString()), chainType.toString());
      assert.equal(api.registry.chainSS58, SS58);
      assert.deepEqual(api.registry.chainDecimals, [18]);
      assert.deepEqual(api.registry.chainTokens, ['BAI']);
      assert.equal(api.genesisHash.toHex(), status.genesisHash);
      // apiDefaultTx: the first call of the first pallet.
      const section = Object.keys(api.tx)[0]!;
      assert.ok(Object.keys(api.tx[section]!).length > 0, `api.tx.${section} has calls`);

      // The first value of a subscription; the subscription is dropped once it came.
      const first = <T>(what: string, subscribe: (cb: (v: T) => void) => Promise<unknown>): Promise<T> =>
        within(what, new Promise<T>((resolve, reject) => {
          let done = false;
          subscribe((v) => {
            if (done) return;
            done = true;
            resolve(v);
          }).then((unsub) => {
            const stop = unsub as () => void;
            if (done) stop();
            else setTimeout(stop, 5_000);
          }).catch(reject);
        }), rec);
      // Apps' hooks (useCall, the contexts) log a failing call and carry on: so does the replay, and
      // every failure is listed at the end.
      const problems: string[] = [];
      const step = async (what: string, run: () => Promise<unknown>): Promise<void> => {
        try {
          await run();
        } catch (err) {
          problems.push(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        }
      };

      // Side bar ChainInfo and NodeInfo: state_subscribeRuntimeVersion, derive.chain.bestNumber.
      await step('state.subscribeRuntimeVersion', async () => {
        const version = await first<{ specVersion: Codec }>('subscribeRuntimeVersion', (cb) => api.rpc.state.subscribeRuntimeVersion(cb));
        assert.equal(version.specVersion.toString(), String((await gw.runtime()).specVersion));
      });
      await step('derive.chain.bestNumber', () => first<Codec>('derive.chain.bestNumber', (cb) => api.derive.chain.bestNumber(cb)));
      // BlockAuthors context: derive.chain.subscribeNewHeads, then timestamp.now at that block; era points.
      await step('BlockAuthors: derive.chain.subscribeNewHeads, api.at(head).query.timestamp.now', async () => {
        const header = await first<{ hash: { toHex(): string }; number: Codec }>('derive.chain.subscribeNewHeads', (cb) => api.derive.chain.subscribeNewHeads(cb));
        const at = await within('api.at(header)', api.at(header.hash.toHex()), rec);
        if (!at.query.timestamp) throw new Error('no Timestamp pallet: Apps calls query.timestamp.now() at every new head and fails');
        await within('timestamp.now at the head', at.query.timestamp.now(), rec);
      });
      await step('BlockAuthors: derive.staking.currentPoints', async () => {
        if (!api.derive.staking) return;
        if (!api.derive.session) throw new Error('api.derive.session is missing (no Session pallet): derive.staking.currentPoints reads derive.session.indexes');
        await first<Codec>('derive.staking.currentPoints', (cb) => api.derive.staking.currentPoints(cb));
      });
      // BlockEvents context: query.system.events subscription, then chain_getHeader(createdAtHash).
      await step('BlockEvents: system.events, chain.getHeader(createdAtHash)', async () => {
        const records = await first<{ createdAtHash?: { toHex(): string } } & Codec>('system.events', (cb) => api.query.system.events(cb));
        assert.ok(records.createdAtHash, 'events carry the block they were read at');
        await within('chain_getHeader(createdAtHash)', api.rpc.chain.getHeader(records.createdAtHash.toHex()), rec);
      });
      // Explorer summary: timestamp.now, balances.totalIssuance (and inactiveIssuance), finalized and best numbers.
      await step('Summary: timestamp.now', async () => {
        if (api.query.timestamp) await first<Codec>('timestamp.now', (cb) => api.query.timestamp.now(cb));
      });
      await step('Summary: balances.totalIssuance', async () => {
        const issuance = await first<Codec>('balances.totalIssuance', (cb) => api.query.balances.totalIssuance(cb));
        assert.ok(BigInt(issuance.toString()) > 0n);
        if (api.query.balances.inactiveIssuance) await first<Codec>('balances.inactiveIssuance', (cb) => api.query.balances.inactiveIssuance(cb));
      });
      await step('Summary: derive.chain.bestNumberFinalized', () => first<Codec>('derive.chain.bestNumberFinalized', (cb) => api.derive.chain.bestNumberFinalized(cb)));
      await step('Summary: derive.session.progress', async () => {
        if (api.query.session) await within('derive.session.progress', api.derive.session.progress(), rec);
      });
      // ApiStats polls the provider; the status bar polls system_health.
      await step('system.health', () => within('system_health', api.rpc.system.health(), rec));
      // Accounts page: derive.balances.all and derive.accounts.info of each account.
      await step('Accounts: derive.balances.all', () => first<unknown>('derive.balances.all', (cb) => api.derive.balances.all(alice, cb)));
      await step('Accounts: derive.accounts.info', () => first<unknown>('derive.accounts.info', (cb) => api.derive.accounts.info(alice, cb)));

      await sleep(500);
      console.log(`Apps sent: ${rec.methods().map(([m, n]) => `${m}×${n}`).join(', ')}`);
      const rpcErrors = rec.errors().map((x) => `${x.method} ${JSON.stringify(x.params)} → ${JSON.stringify(x.error)}`);
      assert.deepEqual([...problems, ...rpcErrors], [], rec.report());
    } finally {
      await api.disconnect();
    }
  });
});

// ------------------------------------------------------------------------------------------ protocol details wallets rely on

describe('JSON-RPC details', () => {
  test('HTTP POST at / answers like the WebSocket', { timeout: STEP_MS }, async () => {
    const res = await fetch(`${net.gatewayUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_chain', params: [] }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { jsonrpc: '2.0', id: 1, result: (await gw.status()).chainId });
  });

  test('a method we do not serve answers -32601 Method not found', { timeout: STEP_MS }, async () => {
    const res = await fetch(`${net.gatewayUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'nonsense_method', params: [] }),
    });
    const body = (await res.json()) as { id: number; error?: { code: number; message: string } };
    assert.equal(body.id, 7);
    assert.equal(body.error?.code, -32601);
  });

  test('an invalid transaction is refused with 1010 Invalid Transaction and the reason', { timeout: STEP_MS }, async () => {
    const rec = await recorder();
    const api = new ApiPromise({ provider: new WsProvider(rec.url, 1_000), throwOnConnect: true, noInitWarn: true });
    try {
      await within('ApiPromise ready', api.isReadyOrError, rec);
      const pauper = keyring.addFromUri('//nobody/has/funds');
      await assert.rejects(
        within('submit', api.tx.balances.transferKeepAlive(address('//Ferdie'), ONE_BAI).signAndSend(pauper), rec),
        (err: Error) => /1010/.test(err.message) && /Invalid Transaction/i.test(err.message),
      );
      const refused = rec.exchanges.find((x) => x.method.startsWith('author_submit') && x.error);
      assert.equal(refused?.error?.code, 1010, rec.report());
    } finally {
      await api.disconnect();
    }
  });
});
