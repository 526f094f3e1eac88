// Shared helpers of the e2e tests: gateway JSON calls, polling, our own transfer builder, and direct
// reads of each validator's database (schema `consensus`).
import pg from 'pg';
import {
  IMMORTAL,
  encodeTransfer,
  fromHex,
  signExtrinsic,
  storageMapKey,
  toHex,
  type Era,
  type KeyPair,
} from '@balanceai/chain';
import { databaseUrl } from '@balanceai/testing';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something other than undefined; the last error or value is in the failure. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(intervalMs);
  }
}

// ------------------------------------------------------------------------------------------ gateway

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

export interface StatusJson {
  chainId: string;
  genesisHash: string;
  finalized: { height: number; hash: string; timeMs: number };
  consensus: { height: number; round: number };
  validatorsOnline: number;
  totalIssuance: string;
  syncing: boolean;
}

export interface EventJson {
  module: string;
  name: string;
  data: Record<string, unknown>;
}

export interface BlockJson {
  number: number;
  hash: string;
  parentHash: string;
  proposerIndex: number;
  round: number;
  commitSigners: number[];
  evidenceCount: number;
  extrinsics: Array<{ hash: string; success: boolean; errorCode: string | null; fee: string }>;
  events: EventJson[];
}

export interface AccountJson {
  address: string;
  free: string;
  reserved: string;
  nonce: number;
  nextNonce: number;
}

export interface ExtrinsicJson {
  hash: string;
  state: 'pending' | 'finalized' | 'failed' | 'unknown';
  block: { number: number; hash: string; index: number } | null;
  fee: string | null;
  error: { code: string; message: string } | null;
  events: EventJson[];
}

export interface RuntimeJson {
  genesisHash: string;
  specVersion: number;
  transactionVersion: number;
  ss58Prefix: number;
  metadata: string;
  fees: { baseFee: string; byteFee: string };
  existentialDeposit: string;
}

export interface ErrorJson {
  code: string;
  message: string;
}

export class Gateway {
  constructor(readonly url: string) {}

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Reply<T>> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T };
  }

  async get<T>(path: string): Promise<T> {
    const r = await this.request<T>('GET', path);
    if (r.status !== 200) throw new Error(`GET ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  status = () => this.get<StatusJson>('/v1/status');
  runtime = () => this.get<RuntimeJson>('/v1/runtime');
  block = (id: number | string) => this.get<BlockJson>(`/v1/blocks/${id}`);
  account = (address: string) => this.get<AccountJson>(`/v1/accounts/${address}`);
  extrinsic = (hash: string) => this.get<ExtrinsicJson>(`/v1/extrinsics/${hash}`);
  submit = (hex: string) => this.request<{ hash: string } & Partial<ErrorJson>>('POST', '/v1/extrinsics', { extrinsic: hex });

  async height(): Promise<number> {
    return (await this.status()).finalized.height;
  }

  /** Waits until the finalized height reaches `target`. */
  waitHeight(target: number, timeoutMs = 30_000): Promise<number> {
    return poll(`finalized height ${target}`, async () => {
      const h = await this.height();
      return h >= target ? h : undefined;
    }, timeoutMs);
  }

  /** Submits and expects 202; returns the hash. */
  async submitOk(hex: string): Promise<string> {
    const r = await this.submit(hex);
    if (r.status !== 202) throw new Error(`submission refused: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.hash;
  }

  /** Waits until the extrinsic is in a finalized block (state finalized or failed). */
  waitIncluded(hash: string, timeoutMs = 30_000): Promise<ExtrinsicJson> {
    return poll(`extrinsic ${hash} included`, async () => {
      const x = await this.extrinsic(hash);
      return x.state === 'finalized' || x.state === 'failed' ? x : undefined;
    }, timeoutMs);
  }

  async balance(address: string): Promise<{ free: bigint; nonce: number }> {
    const a = await this.account(address);
    return { free: BigInt(a.free), nonce: a.nonce };
  }

  /** One JSON-RPC call over HTTP POST at `/`. */
  async rpc<T>(method: string, params: unknown[]): Promise<T> {
    const r = await this.request<{ result?: T; error?: unknown }>('POST', '/', { jsonrpc: '2.0', id: 1, method, params });
    if (r.status !== 200 || r.body.error !== undefined) throw new Error(`${method} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.result as T;
  }

  /** Free balance of `account` (32 bytes) in the state after block `height`, from `System.Account`. */
  async freeAt(account: Uint8Array, height: number): Promise<bigint> {
    const hash = await this.rpc<string>('chain_getBlockHash', [height]);
    const key = toHex(storageMapKey('System', 'Account', ['Blake2_128Concat', account]));
    const info = await this.rpc<string | null>('state_getStorage', [key, hash]);
    if (info === null) return 0n;
    // AccountInfo: nonce, consumers, providers, sufficients (u32 each), then AccountData.free (u128 LE).
    const bytes = fromHex(info);
    let free = 0n;
    for (let i = 31; i >= 16; i--) free = (free << 8n) | BigInt(bytes[i]!);
    return free;
  }
}

// ------------------------------------------------------------------------------------------ transfers

export interface ChainInfo {
  genesisHash: Uint8Array;
  specVersion: number;
  transactionVersion: number;
  baseFee: bigint;
  byteFee: bigint;
  existentialDeposit: bigint;
}

export async function chainInfo(gw: Gateway): Promise<ChainInfo> {
  const r = await gw.runtime();
  return {
    genesisHash: fromHex(r.genesisHash, 32),
    specVersion: r.specVersion,
    transactionVersion: r.transactionVersion,
    baseFee: BigInt(r.fees.baseFee),
    byteFee: BigInt(r.fees.byteFee),
    existentialDeposit: BigInt(r.existentialDeposit),
  };
}

/** fee = baseFee + byteFee × encoded length (with its compact prefix) + tip, computed here independently. */
export function expectedFee(info: ChainInfo, extrinsicHex: string, tip = 0n): bigint {
  return info.baseFee + info.byteFee * BigInt((extrinsicHex.length - 2) / 2) + tip;
}

export interface TransferOptions {
  from: KeyPair;
  dest: Uint8Array;
  value: bigint;
  nonce: number;
  keepAlive?: boolean;
  tip?: bigint;
  era?: Era;
  /** Hash of the era's birth block (mortal eras). */
  birthHash?: Uint8Array;
  /** Sign for another chain. */
  genesisHash?: Uint8Array;
}

/** A Balances transfer signed with our own `signExtrinsic`, as 0x hex. */
export function buildTransfer(info: ChainInfo, o: TransferOptions): string {
  const era = o.era ?? IMMORTAL;
  const genesisHash = o.genesisHash ?? info.genesisHash;
  const bytes = signExtrinsic(
    o.from,
    encodeTransfer(o.keepAlive ? 'keep_alive' : 'allow_death', o.dest, o.value),
    { era, nonce: o.nonce, tip: o.tip ?? 0n },
    {
      specVersion: info.specVersion,
      transactionVersion: info.transactionVersion,
      genesisHash,
      birthHash: era.kind === 'immortal' ? genesisHash : o.birthHash ?? genesisHash,
    },
  );
  return toHex(bytes);
}

// ------------------------------------------------------------------------------------------ databases

/** Runs `fn` with a client on validator i's database (`bai_v<i>`). */
export async function withDb<T>(adminUrl: string, i: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(adminUrl, `bai_v${i}`) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface LedgerCheck {
  height: number;
  balances: bigint;
  issuance: bigint;
}

/** sum(free + reserved) over consensus.account, and chain_state's total issuance and height, in one snapshot. */
export function ledgerCheck(adminUrl: string, i: number): Promise<LedgerCheck> {
  return withDb(adminUrl, i, async (c) => {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    try {
      const sum = await c.query<{ s: string | null }>('SELECT (SUM(free) + SUM(reserved))::text AS s FROM consensus.account');
      const st = await c.query<{ h: string; t: string }>('SELECT height::text AS h, total_issuance::text AS t FROM consensus.chain_state');
      return { height: Number(st.rows[0]!.h), balances: BigInt(sum.rows[0]!.s ?? '0'), issuance: BigInt(st.rows[0]!.t) };
    } finally {
      await c.query('COMMIT');
    }
  });
}

/** (height → block hash) for heights in [from, to] from validator i's block store. */
export function blockHashes(adminUrl: string, i: number, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<Map<number, string>> {
  return withDb(adminUrl, i, async (c) => {
    const r = await c.query<{ h: string; hash: Buffer }>(
      'SELECT height::text AS h, hash FROM consensus.block WHERE height BETWEEN $1 AND $2 ORDER BY height',
      [from, to],
    );
    return new Map(r.rows.map((row) => [Number(row.h), toHex(row.hash)]));
  });
}

/** The highest block in validator i's store. */
export async function storedHeight(adminUrl: string, i: number): Promise<number> {
  return withDb(adminUrl, i, async (c) => {
    const r = await c.query<{ h: string | null }>('SELECT MAX(height)::text AS h FROM consensus.block');
    return Number(r.rows[0]!.h ?? '0');
  });
}

/**
 * Compares the block stores of the given validators at every height they all hold; returns the
 * conflicting heights (none expected) and the common range.
 */
export async function compareStores(adminUrl: string, validators: number[]): Promise<{ common: number; conflicts: string[] }> {
  const stores = await Promise.all(validators.map((i) => blockHashes(adminUrl, i)));
  const common = Math.min(...stores.map((s) => Math.max(...s.keys())));
  const conflicts: string[] = [];
  for (let h = 0; h <= common; h++) {
    const hashes = stores.map((s) => s.get(h));
    if (hashes.some((x) => x === undefined)) conflicts.push(`height ${h}: missing in ${hashes.map((x, k) => (x ? '' : validators[k])).join(' ')}`);
    else if (new Set(hashes).size !== 1) conflicts.push(`height ${h}: ${hashes.join(' vs ')}`);
  }
  return { common, conflicts };
}

/** A validator's own view of its finalized height: `/readyz` answers with `height` (200 when ready, 503 while syncing). */
export async function validatorHeight(httpUrl: string): Promise<number> {
  const res = await fetch(`${httpUrl}/readyz`, { signal: AbortSignal.timeout(3_000) });
  const body = (await res.json()) as { height?: number; message?: { height?: number } };
  const h = body.height ?? body.message?.height;
  if (typeof h !== 'number') throw new Error(`readyz without a height: ${JSON.stringify(body)}`);
  return h;
}
