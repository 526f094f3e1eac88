import { readFileSync } from 'node:fs';
import pg from 'pg';
import { GENESIS_SUPPLY, ONE_BAI, toHex } from '@balanceai/chain';
import { databaseUrl } from '../postgres.js';
import type { Devnet } from '../devnet.js';

/** Epoch 0 of the emission schedule: R0 per 7,200 blocks, exact by the floor formula (written here independently). */
const R0 = 2_480n * ONE_BAI;
const DAY = 7_200n;
export const scheduledIssuance = (height: number): bigint => GENESIS_SUPPLY + (BigInt(height) * R0) / DAY;

export async function withValidatorDb<T>(net: Devnet, i: number, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(net.postgres.adminUrl, `bai_v${i}`) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Heights where two validators' stores hold different blocks. */
export async function forks(net: Devnet): Promise<string[]> {
  const stores = await Promise.all(
    net.validators.map((_, i) =>
      withValidatorDb(net, i, async (c) => {
        const r = await c.query<{ h: string; hash: Buffer }>('SELECT height::text AS h, hash FROM consensus.block ORDER BY height');
        return new Map(r.rows.map((row) => [Number(row.h), toHex(row.hash)]));
      }),
    ),
  );
  const out: string[] = [];
  const top = Math.max(...stores.map((s) => s.size));
  for (let h = 0; h < top; h++) {
    const hashes = new Set(stores.map((s) => s.get(h)).filter((x) => x !== undefined));
    if (hashes.size > 1) out.push(`height ${h}: ${[...hashes].join(' vs ')}`);
  }
  return out;
}

/** Per validator: sum of balances == total issuance == the emission schedule at its height. */
export async function ledgerViolations(net: Devnet): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < net.validators.length; i++) {
    await withValidatorDb(net, i, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      try {
        const sum = await c.query<{ s: string }>('SELECT (COALESCE(SUM(free), 0) + COALESCE(SUM(reserved), 0))::text AS s FROM consensus.account');
        const st = await c.query<{ h: string; t: string }>('SELECT height::text AS h, total_issuance::text AS t FROM consensus.chain_state');
        const height = Number(st.rows[0]!.h);
        const issuance = BigInt(st.rows[0]!.t);
        if (BigInt(sum.rows[0]!.s) !== issuance) out.push(`validator ${i} at ${height}: balances ${sum.rows[0]!.s} != issuance ${issuance}`);
        if (issuance !== scheduledIssuance(height)) out.push(`validator ${i} at ${height}: issuance ${issuance} != schedule ${scheduledIssuance(height)}`);
      } finally {
        await c.query('COMMIT');
      }
    });
  }
  return out;
}

/** Extrinsics applied more than once in validator i's chain (one hash, two blocks). */
export function doubleApplied(net: Devnet, i: number): Promise<string[]> {
  return withValidatorDb(net, i, async (c) => {
    const r = await c.query<{ hash: Buffer }>('SELECT hash FROM consensus.extrinsic_result WHERE applied GROUP BY hash HAVING COUNT(*) > 1');
    return r.rows.map((row) => toHex(row.hash));
  });
}

/** Hashes of the extrinsics applied in validator i's blocks in (afterHeight, top], and that top height. */
export function appliedSince(net: Devnet, i: number, afterHeight: number): Promise<{ hashes: string[]; top: number }> {
  return withValidatorDb(net, i, async (c) => {
    // The top first, then the results up to it: a block committed in between waits for the next scan.
    const top = Number((await c.query<{ h: string }>('SELECT height::text AS h FROM consensus.chain_state')).rows[0]!.h);
    const r = await c.query<{ hash: Buffer }>('SELECT hash FROM consensus.extrinsic_result WHERE applied AND height > $1 AND height <= $2', [afterHeight, top]);
    return { hashes: r.rows.map((row) => toHex(row.hash)), top };
  });
}

/** Of `hashes`, those applied in validator i's chain. */
export function appliedAmong(net: Devnet, i: number, hashes: string[]): Promise<Set<string>> {
  return withValidatorDb(net, i, async (c) => {
    const r = await c.query<{ hash: Buffer }>('SELECT DISTINCT hash FROM consensus.extrinsic_result WHERE applied AND hash = ANY($1::bytea[])', [
      hashes.map((h) => Buffer.from(h.slice(2), 'hex')),
    ]);
    return new Set(r.rows.map((row) => toHex(row.hash)));
  });
}

export interface NodeHealth {
  validator: number;
  /** The validator stopped itself (/healthz 503 halted). */
  halted: boolean;
  height: number | null;
}

/** Each validator's own word: halted or not, and its finalized height (null when it does not answer). */
export async function health(net: Devnet): Promise<NodeHealth[]> {
  return Promise.all(
    net.validators.map(async (_, i) => {
      let halted = false;
      let height: number | null = null;
      try {
        const live = await fetch(`${net.validatorHttpUrl(i)}/healthz`, { signal: AbortSignal.timeout(2_000) });
        halted = live.status === 503 && JSON.stringify(await live.json()).includes('halted');
        const ready = await fetch(`${net.validatorHttpUrl(i)}/readyz`, { signal: AbortSignal.timeout(2_000) });
        const body = (await ready.json()) as { height?: number; message?: { height?: number } };
        height = body.height ?? body.message?.height ?? null;
      } catch {
        // not answering (killed, paused, restarting)
      }
      return { validator: i, halted, height };
    }),
  );
}

/** Resident memory (MiB) of every process of the devnet, by name. */
export function memory(net: Devnet): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of [...net.validators, ...net.moduleChildren.flat(), ...(net.gatewayChild ? [net.gatewayChild] : []), ...(net.expertChild ? [net.expertChild] : [])]) {
    const pid = c.proc?.pid;
    if (!pid || c.proc?.exitCode !== null) continue;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) out.set(c.name, Number(m[1]) / 1024);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}
