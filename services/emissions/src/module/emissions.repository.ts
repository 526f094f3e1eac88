import { fromHex, toHex } from '@balanceai/chain';
import type { CommittedBlock, CommittedState, ModuleRepository, StoredResponse } from '@balanceai/module-host';
import { DomainError, pgAdapter } from '@balanceai/platform';
import { PrismaClient } from '../generated/prisma/client.js';
import type { EmissionsModuleState } from './emissions.machine.js';

/** Bytes for a raw pg parameter (node-postgres encodes Buffers as bytea). */
const pgBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const u8 = (b: Uint8Array) => new Uint8Array(b);

interface StateRow {
  height: bigint;
  issuance: string;
  epoch: number;
  epoch_start_height: bigint;
  last_block_time_ms: bigint;
  minted_staking_pot: string;
  minted_models_grants: string;
  minted_agents_grants: string;
  minted_development_fund: string;
  root: Uint8Array;
}

/**
 * The emissions module's persistence (schema `emissions`). A commit writes the block's response and the new
 * state in ONE transaction, and only on top of height − 1: a second writer or a repeated commit fails
 * instead of minting a height twice.
 */
export class EmissionsRepository implements ModuleRepository<EmissionsModuleState> {
  private readonly prisma: PrismaClient;

  constructor(databaseUrl: string) {
    this.prisma = new PrismaClient({ adapter: pgAdapter(databaseUrl, { maxConnections: 4 }) });
  }

  async load(): Promise<CommittedState<EmissionsModuleState> | null> {
    const rows = await this.prisma.$queryRaw<StateRow[]>`
      SELECT height, issuance::text AS issuance, epoch, epoch_start_height, last_block_time_ms,
             minted_staking_pot::text AS minted_staking_pot, minted_models_grants::text AS minted_models_grants,
             minted_agents_grants::text AS minted_agents_grants, minted_development_fund::text AS minted_development_fund, root
      FROM emissions.emission_state WHERE id = 1`;
    const r = rows[0];
    if (!r) return null;
    return {
      height: BigInt(r.height),
      root: u8(r.root),
      state: {
        emission: { height: BigInt(r.height), issuance: BigInt(r.issuance), epoch: r.epoch, epochStartHeight: BigInt(r.epoch_start_height) },
        minted: {
          stakingPot: BigInt(r.minted_staking_pot),
          modelsGrants: BigInt(r.minted_models_grants),
          agentsGrants: BigInt(r.minted_agents_grants),
          developmentFund: BigInt(r.minted_development_fund),
        },
        lastBlockTimeMs: BigInt(r.last_block_time_ms),
      },
    };
  }

  async commit(block: CommittedBlock<EmissionsModuleState>): Promise<void> {
    const { emission: e, minted: m, lastBlockTimeMs } = block.state;
    if (e.height !== block.height) throw new DomainError('CORRUPT_EMISSION_STATE', `state of ${e.height} committed as ${block.height}`, 'internal');
    const minted = m.stakingPot + m.modelsGrants + m.agentsGrants + m.developmentFund;
    await this.prisma.$transaction(async (tx) => {
      const previous = await tx.$queryRaw<Array<{ minted: string }>>`
        SELECT (minted_staking_pot + minted_models_grants + minted_agents_grants + minted_development_fund)::text AS minted
        FROM emissions.emission_state WHERE id = 1 AND height = ${block.height - 1n} FOR UPDATE`;
      const mintedBefore = previous[0] ? BigInt(previous[0].minted) : 0n;
      if (!previous[0] && block.height !== 1n) {
        throw new DomainError('COMMIT_CONFLICT', `emissions store is not at height ${block.height - 1n}`, 'conflict');
      }
      // The primary key refuses a height stored twice.
      await tx.$executeRaw`
        INSERT INTO emissions.emission_block (height, block_hash, request_digest, root, response, minted)
        VALUES (${block.height}, ${pgBytes(block.blockHash ? fromHex(block.blockHash) : new Uint8Array(0))}, ${pgBytes(block.requestDigest)}, ${pgBytes(block.root)},
                ${pgBytes(block.response)}, ${(minted - mintedBefore).toString()}::numeric)`;
      const values = [
        e.height, e.issuance.toString(), e.epoch, e.epochStartHeight, lastBlockTimeMs,
        m.stakingPot.toString(), m.modelsGrants.toString(), m.agentsGrants.toString(), m.developmentFund.toString(), pgBytes(block.root),
      ] as const;
      const written = previous[0]
        ? await tx.$executeRaw`
            UPDATE emissions.emission_state SET height = ${values[0]}, issuance = ${values[1]}::numeric, epoch = ${values[2]},
              epoch_start_height = ${values[3]}, last_block_time_ms = ${values[4]}, minted_staking_pot = ${values[5]}::numeric,
              minted_models_grants = ${values[6]}::numeric, minted_agents_grants = ${values[7]}::numeric,
              minted_development_fund = ${values[8]}::numeric, root = ${values[9]}
            WHERE id = 1 AND height = ${block.height - 1n}`
        : await tx.$executeRaw`
            INSERT INTO emissions.emission_state (id, height, issuance, epoch, epoch_start_height, last_block_time_ms,
              minted_staking_pot, minted_models_grants, minted_agents_grants, minted_development_fund, root)
            VALUES (1, ${values[0]}, ${values[1]}::numeric, ${values[2]}, ${values[3]}, ${values[4]}, ${values[5]}::numeric,
              ${values[6]}::numeric, ${values[7]}::numeric, ${values[8]}::numeric, ${values[9]})`;
      if (written !== 1) throw new DomainError('COMMIT_CONFLICT', `emissions store moved while committing ${block.height}`, 'conflict');
    });
  }

  async committedAt(height: bigint): Promise<StoredResponse | null> {
    const rows = await this.prisma.$queryRaw<Array<{ block_hash: Uint8Array; request_digest: Uint8Array; root: Uint8Array; response: Uint8Array }>>`
      SELECT block_hash, request_digest, root, response FROM emissions.emission_block WHERE height = ${height}`;
    const r = rows[0];
    if (!r) return null;
    return { height, blockHash: r.block_hash.length ? toHex(u8(r.block_hash)) : '', requestDigest: u8(r.request_digest), root: u8(r.root), response: u8(r.response) };
  }

  /** Heights stored, for tests and operators checking that nothing was minted twice or skipped. */
  async committedHeights(): Promise<bigint[]> {
    const rows = await this.prisma.$queryRaw<Array<{ height: bigint }>>`SELECT height FROM emissions.emission_block ORDER BY height`;
    return rows.map((r) => BigInt(r.height));
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
