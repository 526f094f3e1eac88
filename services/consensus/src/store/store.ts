import { Logger } from '@nestjs/common';
import pg from 'pg';
import { fromHex, toHex } from '@balanceai/chain';
import { pgAdapter } from '@balanceai/platform';
import { PrismaClient } from '../generated/prisma/client.js';
import type { AccountData } from '../ledger/ledger.js';
import type { ExtrinsicOutcome } from '../ledger/executor.js';

export interface StoredBlock {
  height: number;
  hash: string;
  header: Uint8Array;
  body: Uint8Array;
  justification: Uint8Array;
  timeMs: number;
  round: number;
  proposer: number;
  appHash: Uint8Array;
  events: unknown[];
}

export interface ChainStateRow {
  height: number;
  blockHash: Uint8Array;
  appHash: Uint8Array;
  totalIssuance: bigint;
}

export interface CommittedBlock {
  block: StoredBlock;
  outcomes: ExtrinsicOutcome[];
  accounts: Array<{ id: string; data: AccountData | null }>;
  totalIssuance: bigint;
  includedEvidence: Array<{ id: string; height: number; validator: number; votes: Uint8Array }>;
  moduleRequests: Array<{ module: string; request: object }>;
  /** A validator set elected by this block, taking effect from `fromHeight`. */
  validatorSet: { fromHeight: number; validators: Array<{ key: string; stash: string }> } | null;
}

export interface SignerStateRow {
  height: number;
  round: number;
  step: number;
  lockedRound: number;
  validRound: number;
  lockedBlock: Uint8Array | null;
  validBlock: Uint8Array | null;
}

export interface ExtrinsicRow {
  height: number;
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
  events: unknown[];
}

/** What the consensus node reads and writes (ConsensusStore on PostgreSQL; an in-memory one in simulations). */
export type NodeStore = Pick<
  ConsensusStore,
  | 'chainState'
  | 'loadAccounts'
  | 'initGenesis'
  | 'blockByHeight'
  | 'blocksFrom'
  | 'recentBlockHashes'
  | 'validatorSets'
  | 'includedEvidence'
  | 'pendingEvidence'
  | 'addEvidence'
  | 'signerState'
  | 'saveSignerState'
  | 'commitBlock'
  | 'moduleRequest'
>;

/** A 0x hex string as PostgreSQL's bytea text form (`\\x…`), for bytea values inside a JSON parameter. */
const pgHex = (hex: string): string => `\\x${hex.slice(2)}`;

/**
 * One statement, one round trip: the chain_state row moves from height - 1 to height (cs), and every
 * other write reads cs, so nothing is written unless that row moved. $1 height, $2 hash, $3 app hash,
 * $4 total issuance, $5-$11 the block row, $12 extrinsic results (JSON rows of the table), $13 accounts
 * (JSON rows), $14 reaped account ids, $15-$16 an elected validator set, $17 module requests (JSON),
 * $18-$21 included evidence (recorded if this node never saw it, marked included either way).
 */
const COMMIT_BLOCK_SQL = `
WITH cs AS (
  UPDATE consensus.chain_state SET height = $1::bigint, block_hash = $2::bytea, app_hash = $3::bytea, total_issuance = $4::numeric
  WHERE id = 1 AND height = $1::bigint - 1
  RETURNING id
), blk AS (
  INSERT INTO consensus.block (height, hash, header, body, justification, time_ms, round, proposer, app_hash, events)
  SELECT $1::bigint, $2::bytea, $5::bytea, $6::bytea, $7::bytea, $8::bigint, $9::int, $10::int, $3::bytea, $11::jsonb FROM cs
), xr AS (
  INSERT INTO consensus.extrinsic_result (height, index, hash, signer, nonce, call, args, applied, success, error_code, error_message, fee, events)
  SELECT x.height, x.index, x.hash, x.signer, x.nonce, x.call, x.args, x.applied, x.success, x.error_code, x.error_message, x.fee, x.events
  FROM cs, json_populate_recordset(null::consensus.extrinsic_result, $12::json) x
), acc AS (
  INSERT INTO consensus.account (id, free, reserved, nonce)
  SELECT x.id, x.free, x.reserved, x.nonce FROM cs, json_populate_recordset(null::consensus.account, $13::json) x
  ON CONFLICT (id) DO UPDATE SET free = EXCLUDED.free, reserved = EXCLUDED.reserved, nonce = EXCLUDED.nonce
), reaped AS (
  DELETE FROM consensus.account WHERE id = ANY($14::bytea[]) AND EXISTS (SELECT 1 FROM cs)
), vs AS (
  INSERT INTO consensus.validator_set (from_height, validators) SELECT $15::bigint, $16::jsonb FROM cs WHERE $15::bigint IS NOT NULL
), mr AS (
  INSERT INTO consensus.module_request (height, module, request)
  SELECT $1::bigint, x.module, x.request FROM cs, jsonb_to_recordset($17::jsonb) AS x(module text, request jsonb)
), evi AS (
  INSERT INTO consensus.evidence (id, height, validator, votes, included_in)
  SELECT e.id, e.height, e.validator, e.votes, $1::bigint FROM cs, unnest($18::bytea[], $19::bigint[], $20::int[], $21::bytea[]) AS e(id, height, validator, votes)
  ON CONFLICT (id) DO UPDATE SET included_in = EXCLUDED.included_in
)
SELECT count(*)::int AS written FROM cs`;

const SELECT_BLOCK = `SELECT height::text AS height, hash, header, body, justification, time_ms::text AS time_ms, round, proposer, app_hash, events FROM consensus.block`;

const SELECT_RESULT = `SELECT height::text AS height, index, hash, signer, nonce::text AS nonce, call, args, applied, success, error_code,
  error_message, fee::text AS fee, events FROM consensus.extrinsic_result`;

interface ExtrinsicResultRow {
  height: string;
  index: number;
  hash: Uint8Array;
  signer: Uint8Array;
  nonce: string;
  call: string;
  args: Record<string, string>;
  applied: boolean;
  success: boolean;
  error_code: string | null;
  error_message: string | null;
  fee: string;
  events: unknown[];
}

interface BlockRow {
  height: string;
  hash: Buffer;
  header: Buffer;
  body: Buffer;
  justification: Buffer;
  time_ms: string;
  round: number;
  proposer: number;
  app_hash: Buffer;
  events: unknown;
}

/** A block row as read by node-postgres (bytea as Buffer, bigint as text, jsonb parsed). */
function storedOf(r: BlockRow): StoredBlock {
  return {
    height: Number(r.height),
    hash: toHex(r.hash),
    header: u8(r.header),
    body: u8(r.body),
    justification: u8(r.justification),
    timeMs: Number(r.time_ms),
    round: r.round,
    proposer: r.proposer,
    appHash: u8(r.app_hash),
    events: Array.isArray(r.events) ? r.events : [],
  };
}

/** Bytes for a Prisma Bytes field. */
const buf = (b: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(b);
/** Bytes for a raw pg parameter (node-postgres encodes Buffers as bytea). */
const pgBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const u8 = (b: Uint8Array) => new Uint8Array(b);

/**
 * The consensus service's repository: block store, ledger rows, signer state, evidence.
 * A committed block and every state change it causes are written in ONE transaction, so a crash
 * leaves either the whole block or none of it (then block sync fetches it again).
 */
export class ConsensusStore {
  readonly prisma: PrismaClient;
  /** The hot paths' own connections (a block's commit, the signer state before each vote), raw SQL; Prisma serves the rest. */
  private readonly pool: pg.Pool;
  /** Reads of whole blocks (API, block sync), raw SQL, apart from the commit path's connections. */
  private readonly readPool: pg.Pool;
  private readonly log = new Logger('ConsensusStore');

  constructor(databaseUrl: string) {
    this.prisma = new PrismaClient({ adapter: pgAdapter(databaseUrl, { maxConnections: 8 }) });
    const u = new URL(databaseUrl);
    const server = {
      host: u.hostname,
      port: u.port ? Number(u.port) : 5432,
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      database: u.pathname.replace(/^\//, '') || 'postgres',
      allowExitOnIdle: true,
    };
    this.pool = new pg.Pool({ ...server, max: 2 });
    this.readPool = new pg.Pool({ ...server, max: 4 });
    // An idle connection dropped by the server must not crash the node; the next query reconnects.
    for (const p of [this.pool, this.readPool]) p.on('error', (err) => this.log.warn(`database connection lost: ${err.message}`));
  }

  async close(): Promise<void> {
    await Promise.all([this.prisma.$disconnect(), this.pool.end(), this.readPool.end()]);
  }

  async chainState(): Promise<ChainStateRow | null> {
    const rows = await this.prisma.$queryRaw<Array<{ height: bigint; block_hash: Uint8Array; app_hash: Uint8Array; total_issuance: string }>>`
      SELECT height, block_hash, app_hash, total_issuance::text AS total_issuance FROM consensus.chain_state WHERE id = 1`;
    const r = rows[0];
    if (!r) return null;
    return { height: Number(r.height), blockHash: u8(r.block_hash), appHash: u8(r.app_hash), totalIssuance: BigInt(r.total_issuance) };
  }

  async loadAccounts(): Promise<Array<{ id: string; free: bigint; reserved: bigint; nonce: number }>> {
    const rows = await this.prisma.$queryRaw<Array<{ id: Uint8Array; free: string; reserved: string; nonce: bigint }>>`
      SELECT id, free::text AS free, reserved::text AS reserved, nonce FROM consensus.account`;
    return rows.map((r) => ({ id: toHex(u8(r.id)), free: BigInt(r.free), reserved: BigInt(r.reserved), nonce: Number(r.nonce) }));
  }

  /** Writes genesis state (height 0) once; a second call with the same genesis is a no-op. */
  async initGenesis(genesisBlock: StoredBlock, balances: Array<{ id: string; free: bigint }>, totalIssuance: bigint): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const existing = await tx.chainState.findUnique({ where: { id: 1 } });
      if (existing) return;
      await tx.block.create({ data: this.blockRow(genesisBlock) });
      await this.upsertAccounts(tx, balances.map((b) => ({ id: b.id, data: { free: b.free, reserved: 0n, nonce: 0 } })));
      await tx.chainState.create({
        data: { id: 1, height: 0n, blockHash: buf(fromHex(genesisBlock.hash)), appHash: buf(genesisBlock.appHash), totalIssuance: totalIssuance.toString() },
      });
    });
  }

  /**
   * Writes a committed block and every state change it causes as ONE SQL statement (data-modifying CTEs,
   * one round trip, atomic by itself): Prisma's interactive transaction cost ~25 % of a follower's CPU.
   * Every write is gated on the chain_state row moving from height - 1 to height, so a block that is not
   * the next one writes nothing; any failing part (a duplicate row, a bad value) aborts the whole statement.
   */
  async commitBlock(c: CommittedBlock): Promise<void> {
    const b = c.block;
    const live: Array<{ id: string; free: string; reserved: string; nonce: number }> = [];
    const dead: Buffer[] = [];
    for (const a of c.accounts) {
      if (a.data) live.push({ id: pgHex(a.id), free: a.data.free.toString(), reserved: a.data.reserved.toString(), nonce: a.data.nonce });
      else dead.push(pgBytes(fromHex(a.id)));
    }
    const results = c.outcomes.map((o) => ({
      height: b.height,
      index: o.index,
      hash: pgHex(o.hash),
      signer: pgHex(o.signer),
      nonce: o.nonce,
      call: o.call,
      args: o.args,
      applied: o.applied,
      success: o.success,
      error_code: o.errorCode,
      error_message: o.errorMessage,
      fee: o.fee.toString(),
      events: o.events,
    }));
    const ev = c.includedEvidence;
    const res = await this.pool.query<{ written: number }>({
      name: 'consensus-commit-block',
      text: COMMIT_BLOCK_SQL,
      values: [
        b.height,
        pgBytes(fromHex(b.hash)),
        pgBytes(b.appHash),
        c.totalIssuance.toString(),
        pgBytes(b.header),
        pgBytes(b.body),
        pgBytes(b.justification),
        b.timeMs,
        b.round,
        b.proposer,
        JSON.stringify(b.events),
        JSON.stringify(results),
        JSON.stringify(live),
        dead,
        c.validatorSet ? c.validatorSet.fromHeight : null,
        c.validatorSet ? JSON.stringify(c.validatorSet.validators) : null,
        JSON.stringify(c.moduleRequests),
        ev.map((e) => pgBytes(fromHex(e.id))),
        ev.map((e) => e.height),
        ev.map((e) => e.validator),
        ev.map((e) => pgBytes(e.votes)),
      ],
    });
    if (res.rows[0]?.written !== 1) {
      throw new Error(`block ${b.height} is not the next block of the stored chain (chain_state is not at height ${b.height - 1}): nothing written`);
    }
  }

  private blockRow(b: StoredBlock) {
    return {
      height: BigInt(b.height),
      hash: buf(fromHex(b.hash)),
      header: buf(b.header),
      body: buf(b.body),
      justification: buf(b.justification),
      timeMs: BigInt(b.timeMs),
      round: b.round,
      proposer: b.proposer,
      appHash: buf(b.appHash),
      events: b.events as object[],
    };
  }

  /** One statement for all of genesis' accounts. */
  private async upsertAccounts(
    tx: Pick<PrismaClient, '$executeRawUnsafe'>,
    accounts: Array<{ id: string; data: AccountData | null }>,
  ): Promise<void> {
    const live = accounts.filter((a) => a.data);
    const dead = accounts.filter((a) => !a.data);
    if (live.length > 0) {
      await tx.$executeRawUnsafe(
        `INSERT INTO consensus.account (id, free, reserved, nonce)
         SELECT * FROM unnest($1::bytea[], $2::numeric[], $3::numeric[], $4::bigint[])
         ON CONFLICT (id) DO UPDATE SET free = EXCLUDED.free, reserved = EXCLUDED.reserved, nonce = EXCLUDED.nonce`,
        live.map((a) => pgBytes(fromHex(a.id))),
        live.map((a) => a.data!.free.toString()),
        live.map((a) => a.data!.reserved.toString()),
        live.map((a) => String(a.data!.nonce)),
      );
    }
    if (dead.length > 0) {
      await tx.$executeRawUnsafe(`DELETE FROM consensus.account WHERE id = ANY($1::bytea[])`, dead.map((a) => pgBytes(fromHex(a.id))));
    }
  }

  // Whole blocks (their bodies are ~150 bytes per extrinsic) are read through the read pool: Prisma's adapter
  // converted every byte of a body in JS on each GetBlock, GetExtrinsic and block-sync request.
  async blockByHeight(height: number): Promise<StoredBlock | null> {
    const r = await this.readPool.query<BlockRow>({ name: 'consensus-block-by-height', text: `${SELECT_BLOCK} WHERE height = $1`, values: [height] });
    return r.rows[0] ? storedOf(r.rows[0]) : null;
  }

  async blockByHash(hash: string): Promise<StoredBlock | null> {
    const r = await this.readPool.query<BlockRow>({ name: 'consensus-block-by-hash', text: `${SELECT_BLOCK} WHERE hash = $1`, values: [pgBytes(fromHex(hash, 32))] });
    return r.rows[0] ? storedOf(r.rows[0]) : null;
  }

  /** Height of a stored block by 0x hash (what a storage read `at` a block hash resolves first). */
  async heightOfHash(hash: string): Promise<number | null> {
    const rows = await this.prisma.$queryRaw<Array<{ height: bigint }>>`SELECT height FROM consensus.block WHERE hash = ${pgBytes(fromHex(hash, 32))}`;
    return rows[0] ? Number(rows[0].height) : null;
  }

  async blockHashAt(height: number): Promise<string | null> {
    const rows = await this.prisma.$queryRaw<Array<{ hash: Uint8Array }>>`SELECT hash FROM consensus.block WHERE height = ${BigInt(height)}`;
    return rows[0] ? toHex(u8(rows[0].hash)) : null;
  }

  /** A block's block-level events (not its extrinsics'), null when there is no such block. */
  async blockEvents(height: number): Promise<unknown[] | null> {
    const rows = await this.prisma.$queryRaw<Array<{ events: unknown }>>`SELECT events FROM consensus.block WHERE height = ${BigInt(height)}`;
    if (!rows[0]) return null;
    return Array.isArray(rows[0].events) ? rows[0].events : [];
  }

  /** Each extrinsic's events of a block, by index. */
  async extrinsicEvents(height: number): Promise<Array<{ index: number; events: unknown[] }>> {
    const rows = await this.prisma.$queryRaw<Array<{ index: number; events: unknown }>>`
      SELECT index, events FROM consensus.extrinsic_result WHERE height = ${BigInt(height)} ORDER BY index`;
    return rows.map((r) => ({ index: r.index, events: Array.isArray(r.events) ? r.events : [] }));
  }

  async blocksFrom(height: number, limit: number): Promise<StoredBlock[]> {
    const r = await this.readPool.query<BlockRow>({
      name: 'consensus-blocks-from',
      text: `${SELECT_BLOCK} WHERE height >= $1 ORDER BY height LIMIT $2`,
      values: [height, limit],
    });
    return r.rows.map(storedOf);
  }

  /** Hashes of the most recent blocks (for mortality checks), oldest first. */
  async recentBlockHashes(count: number): Promise<Array<{ height: number; hash: Uint8Array }>> {
    const rows = await this.prisma.block.findMany({ select: { height: true, hash: true }, orderBy: { height: 'desc' }, take: count });
    return rows.reverse().map((r) => ({ height: Number(r.height), hash: u8(r.hash) }));
  }

  // Through the read pool, as whole blocks: a block's results are read for every GetBlock (the gateway's
  // feed), and Prisma's adapter converted each row's bytea columns in JS.
  async extrinsicByHash(hash: string): Promise<ExtrinsicRow | null> {
    const r = await this.readPool.query<ExtrinsicResultRow>({
      name: 'consensus-extrinsic-by-hash',
      text: `${SELECT_RESULT} WHERE hash = $1 ORDER BY applied DESC, height ASC LIMIT 1`,
      values: [pgBytes(fromHex(hash, 32))],
    });
    return r.rows[0] ? this.toExtrinsicRow(r.rows[0]) : null;
  }

  async extrinsicsOfBlock(height: number): Promise<ExtrinsicRow[]> {
    const r = await this.readPool.query<ExtrinsicResultRow>({ name: 'consensus-extrinsics-of-block', text: `${SELECT_RESULT} WHERE height = $1 ORDER BY index`, values: [height] });
    return r.rows.map((row) => this.toExtrinsicRow(row));
  }

  private toExtrinsicRow(r: ExtrinsicResultRow): ExtrinsicRow {
    return {
      height: Number(r.height),
      index: r.index,
      hash: toHex(r.hash),
      signer: toHex(r.signer),
      nonce: Number(r.nonce),
      call: r.call,
      args: r.args,
      applied: r.applied,
      success: r.success,
      errorCode: r.error_code,
      errorMessage: r.error_message,
      fee: BigInt(r.fee),
      events: r.events,
    };
  }

  async signerState(): Promise<SignerStateRow | null> {
    const r = await this.prisma.signerState.findUnique({ where: { id: 1 } });
    if (!r) return null;
    return {
      height: Number(r.height),
      round: r.round,
      step: r.step,
      lockedRound: r.lockedRound,
      validRound: r.validRound,
      lockedBlock: r.lockedBlock ? u8(r.lockedBlock) : null,
      validBlock: r.validBlock ? u8(r.validBlock) : null,
    };
  }

  /**
   * Persisted before a vote leaves this node: a restart then never signs a conflicting vote and keeps
   * its lock. The blocks are written only when given (the lock changed); otherwise they are kept.
   */
  async saveSignerState(s: {
    height: number;
    round: number;
    step: number;
    lockedRound: number;
    validRound: number;
    blocks?: { locked: Uint8Array | null; valid: Uint8Array | null };
  }): Promise<void> {
    // Through the commit path's pool: the locked block (~the whole block) is a binary parameter there,
    // where Prisma's adapter hex-encoded it in JS on every lock change (each height).
    if (s.blocks) {
      await this.pool.query({
        name: 'consensus-save-signer-state-blocks',
        text: `INSERT INTO consensus.signer_state (id, height, round, step, locked_round, valid_round, locked_block, valid_block)
         VALUES (1, $1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (id) DO UPDATE SET height = $1, round = $2, step = $3, locked_round = $4, valid_round = $5,
           locked_block = $6, valid_block = $7`,
        values: [
          s.height, s.round, s.step, s.lockedRound, s.validRound,
          s.blocks.locked ? pgBytes(s.blocks.locked) : null,
          s.blocks.valid ? pgBytes(s.blocks.valid) : null,
        ],
      });
      return;
    }
    await this.pool.query({
      name: 'consensus-save-signer-state',
      text: `INSERT INTO consensus.signer_state (id, height, round, step, locked_round, valid_round)
       VALUES (1, $1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET height = $1, round = $2, step = $3, locked_round = $4, valid_round = $5`,
      values: [s.height, s.round, s.step, s.lockedRound, s.validRound],
    });
  }

  async addEvidence(id: string, height: number, validator: number, votes: Uint8Array): Promise<void> {
    await this.prisma.evidence.upsert({
      where: { id: buf(fromHex(id)) },
      create: { id: buf(fromHex(id)), height: BigInt(height), validator, votes: buf(votes) },
      update: {},
    });
  }

  async validatorSets(): Promise<Array<{ fromHeight: number; validators: Array<{ key: string; stash: string }> }>> {
    const rows = await this.prisma.validatorSet.findMany({ orderBy: { fromHeight: 'asc' } });
    return rows.map((r) => ({ fromHeight: Number(r.fromHeight), validators: r.validators as Array<{ key: string; stash: string }> }));
  }

  async moduleRequest(height: number, module: string): Promise<unknown | null> {
    const r = await this.prisma.moduleRequest.findUnique({ where: { height_module: { height: BigInt(height), module } } });
    return r ? r.request : null;
  }

  /** Offences punished in blocks, of heights from `minHeight` on (older evidence is invalid anyway). */
  async includedEvidence(minHeight: number): Promise<Array<{ id: string; height: number }>> {
    const rows = await this.prisma.evidence.findMany({
      where: { includedIn: { not: null }, height: { gte: BigInt(minHeight) } },
      select: { id: true, height: true },
    });
    return rows.map((r) => ({ id: toHex(u8(r.id)), height: Number(r.height) }));
  }

  async pendingEvidence(): Promise<Array<{ id: string; votes: Uint8Array }>> {
    const rows = await this.prisma.evidence.findMany({ where: { includedIn: null }, orderBy: { height: 'asc' } });
    return rows.map((r) => ({ id: toHex(u8(r.id)), votes: u8(r.votes) }));
  }
}
