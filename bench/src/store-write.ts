// What a validator's per-block database writes cost, per transfer:
//   node bench/dist/src/store-write.js [--txs 600] [--blocks 10]
// Against an embedded PostgreSQL (BAI_TESTCONTAINERS=0 by default), with the consensus service's own
// ConsensusStore (services/consensus/dist, loaded at run time: bench does not depend on the service):
//   A. commitBlock(): block row + Prisma createMany of N extrinsic_result rows (+ JSON events) + accounts
//   B. saveSignerState() with the lock a validator writes before each vote at such a height
//      (lockedBlock and validBlock as hex JSON of the whole block body)
//   C. the same N extrinsic_result rows through ONE raw `INSERT … SELECT FROM unnest(…)` (as the store
//      already does for accounts), i.e. the suggested fix for A's row insert
// Prints CPU ms and wall ms per block and per transfer for each, plus a RESULT JSON line.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { toHex } from '@balanceai/chain';
import { REPO_ROOT, startPostgres } from '@balanceai/testing';

interface Outcome {
  index: number;
  hash: string;
  signer: string;
  nonce: number;
  call: string;
  args: Record<string, string>;
  applied: boolean;
  success: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  fee: bigint;
  events: Array<{ module: string; name: string; data: Record<string, string | number | boolean> }>;
}
interface StoreLike {
  prisma: {
    $transaction<T>(fn: (tx: { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> }) => Promise<T>): Promise<T>;
  };
  initGenesis(block: unknown, balances: Array<{ id: string; free: bigint }>, totalIssuance: bigint): Promise<void>;
  commitBlock(c: unknown): Promise<void>;
  saveSignerState(s: { height: number; round: number; step: number; lock: object }): Promise<void>;
  close(): Promise<void>;
}

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function measure(label: string, blocks: number, txs: number, fn: (b: number) => Promise<void>): Promise<{ label: string; cpuMsPerBlock: number; wallMsPerBlock: number; cpuMsPerTx: number }> {
  await fn(0); // warm up (query plans, JIT)
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let b = 1; b <= blocks; b++) await fn(b);
  const wall = (performance.now() - t0) / blocks;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e3 / blocks;
  const r = { label, cpuMsPerBlock: Math.round(cpu), wallMsPerBlock: Math.round(wall), cpuMsPerTx: Math.round((cpu / txs) * 1000) / 1000 };
  console.log(`${label.padEnd(58)} CPU ${String(r.cpuMsPerBlock).padStart(5)} ms/block  wall ${String(r.wallMsPerBlock).padStart(5)} ms/block  CPU ${r.cpuMsPerTx} ms/tx`);
  return r;
}

async function main(): Promise<void> {
  const txs = arg('--txs', 600);
  const blocks = arg('--blocks', 10);
  process.env.BAI_TESTCONTAINERS ??= '0';
  const pg = await startPostgres();
  try {
    const url = await pg.createDatabase('bai_store_bench');
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'prisma.mjs'), 'migrate', 'deploy'], {
      cwd: join(REPO_ROOT, 'services', 'consensus'),
      env: { ...process.env, DATABASE_URL: url },
      stdio: 'ignore',
    });
    const mod = (await import(pathToFileURL(join(REPO_ROOT, 'services', 'consensus', 'dist', 'src', 'store', 'store.js')).href)) as {
      ConsensusStore: new (url: string) => StoreLike;
    };
    const store = new mod.ConsensusStore(url);
    const accounts = Array.from({ length: 200 }, () => toHex(randomBytes(32)));
    await store.initGenesis(
      { height: 0, hash: toHex(randomBytes(32)), header: randomBytes(100), body: new Uint8Array([0]), justification: new Uint8Array([0]), timeMs: 0, round: 0, proposer: 0, appHash: randomBytes(32), events: [] },
      accounts.map((id) => ({ id, free: 10n ** 21n })),
      200n * 10n ** 21n,
    );
    const outcomes = (height: number): Outcome[] =>
      Array.from({ length: txs }, (_, i): Outcome => {
        const from = accounts[i % accounts.length]!;
        const to = accounts[(i + 1) % accounts.length]!;
        return {
          index: i,
          hash: toHex(randomBytes(32)),
          signer: from,
          nonce: height,
          call: 'Balances.transfer_keep_alive',
          args: { dest: to, value: '1000000000000000' },
          applied: true,
          success: true,
          errorCode: null,
          errorMessage: null,
          fee: 1_146_000_000_000_000n,
          events: [
            { module: 'TransactionPayment', name: 'TransactionFeePaid', data: { who: from, actualFee: '1146000000000000', tip: '0' } },
            { module: 'Balances', name: 'Transfer', data: { from, to, amount: '1000000000000000' } },
            { module: 'System', name: 'ExtrinsicSuccess', data: {} },
          ],
        };
      });
    const body = randomBytes(146 * txs); // a transfer is ~146 bytes in the block body
    const blockAt = (height: number) => ({
      height,
      hash: toHex(randomBytes(32)),
      header: randomBytes(120),
      body,
      justification: randomBytes(300),
      timeMs: height * 1000,
      round: 0,
      proposer: 0,
      appHash: randomBytes(32),
      events: [],
    });
    let height = 0;
    const results = [];
    results.push(
      await measure(`A commitBlock (${txs} txs, Prisma createMany)`, blocks, txs, async () => {
        height++;
        await store.commitBlock({
          block: blockAt(height),
          outcomes: outcomes(height),
          accounts: accounts.map((id) => ({ id, data: { free: 10n ** 21n - BigInt(height), reserved: 0n, nonce: height } })),
          totalIssuance: 200n * 10n ** 21n,
          includedEvidence: [],
        });
      }),
    );
    const blockJson = { header: toHex(randomBytes(120)), body: toHex(body) };
    results.push(
      await measure(`B saveSignerState (lock = 2 × ${txs}-tx block as hex JSON)`, blocks, txs, async (b) => {
        await store.saveSignerState({ height: 1_000 + b, round: 0, step: 3, lock: { lockedRound: 0, validRound: 0, round: 0, lockedBlock: blockJson, validBlock: blockJson } });
      }),
    );
    results.push(
      await measure(`B' saveSignerState (lock = hashes only)`, blocks, txs, async (b) => {
        await store.saveSignerState({ height: 2_000 + b, round: 0, step: 3, lock: { lockedRound: 0, validRound: 0, round: 0, lockedHash: toHex(randomBytes(32)), validHash: toHex(randomBytes(32)) } });
      }),
    );
    let rawHeight = 1_000_000;
    results.push(
      await measure(`C ${txs} extrinsic rows via one raw INSERT … unnest`, blocks, txs, async () => {
        const h = ++rawHeight;
        const rows = outcomes(h);
        await store.prisma.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(
            `INSERT INTO consensus.extrinsic_result (height, index, hash, signer, nonce, call, args, applied, success, error_code, error_message, fee, events)
             SELECT $1::bigint, * FROM unnest($2::int[], $3::bytea[], $4::bytea[], $5::bigint[], $6::text[], $7::jsonb[], $8::bool[], $9::bool[], $10::text[], $11::text[], $12::numeric[], $13::jsonb[])`,
            String(h),
            rows.map((o) => o.index),
            rows.map((o) => Buffer.from(o.hash.slice(2), 'hex')),
            rows.map((o) => Buffer.from(o.signer.slice(2), 'hex')),
            rows.map((o) => String(o.nonce)),
            rows.map((o) => o.call),
            rows.map((o) => JSON.stringify(o.args)),
            rows.map((o) => o.applied),
            rows.map((o) => o.success),
            rows.map((o) => o.errorCode),
            rows.map((o) => o.errorMessage),
            rows.map((o) => o.fee.toString()),
            rows.map((o) => JSON.stringify(o.events)),
          );
        });
      }),
    );
    await store.close();
    console.log(`RESULT ${JSON.stringify({ bench: 'store-write', txs, blocks, results })}`);
  } finally {
    await pg.stop();
  }
}

await main();
