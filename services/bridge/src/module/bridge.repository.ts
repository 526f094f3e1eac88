import { fromHex, toHex } from '@balanceai/chain';
import type { CommittedBlock, CommittedState, ModuleRepository, StoredResponse } from '@balanceai/module-host';
import { DomainError, pgAdapter } from '@balanceai/platform';
import { PrismaClient } from '../generated/prisma/client.js';
import type { BridgeState } from '../logic/types.js';
import { decodeBridgeState, encodeBridgeState } from './bridge.state.js';

/** Bytes for a raw pg parameter (node-postgres encodes Buffers as bytea). */
const pgBytes = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const u8 = (b: Uint8Array) => new Uint8Array(b);

/**
 * The bridge module's persistence (schema `bridge`). A commit writes the block's response and the new state
 * (its canonical encoding) in ONE transaction, and only on top of height − 1: a second writer or a repeated
 * commit fails instead of applying a height twice. The host checks on start that the stored state hashes to
 * the stored root.
 */
export class BridgeRepository implements ModuleRepository<BridgeState> {
  private readonly prisma: PrismaClient;

  constructor(databaseUrl: string) {
    this.prisma = new PrismaClient({ adapter: pgAdapter(databaseUrl, { maxConnections: 4 }) });
  }

  async load(): Promise<CommittedState<BridgeState> | null> {
    const rows = await this.prisma.$queryRaw<Array<{ height: bigint; state: Uint8Array; root: Uint8Array }>>`
      SELECT height, state, root FROM bridge.bridge_state WHERE id = 1`;
    const r = rows[0];
    if (!r) return null;
    let state: BridgeState;
    try {
      state = decodeBridgeState(u8(r.state));
    } catch (err) {
      throw new DomainError('CORRUPT_MODULE_STATE', `bridge: the stored state does not decode: ${(err as Error).message}`, 'internal');
    }
    if (state.height !== BigInt(r.height)) throw new DomainError('CORRUPT_MODULE_STATE', `bridge: state of ${state.height} stored as ${r.height}`, 'internal');
    return { height: BigInt(r.height), root: u8(r.root), state };
  }

  async commit(block: CommittedBlock<BridgeState>): Promise<void> {
    if (block.state.height !== block.height) throw new DomainError('CORRUPT_MODULE_STATE', `bridge: state of ${block.state.height} committed as ${block.height}`, 'internal');
    const encoded = pgBytes(encodeBridgeState(block.state));
    const escrow = block.state.escrow.toString();
    await this.prisma.$transaction(async (tx) => {
      const previous = await tx.$queryRaw<Array<{ height: bigint }>>`
        SELECT height FROM bridge.bridge_state WHERE id = 1 AND height = ${block.height - 1n} FOR UPDATE`;
      if (!previous[0] && block.height !== 1n) {
        throw new DomainError('COMMIT_CONFLICT', `bridge store is not at height ${block.height - 1n}`, 'conflict');
      }
      // The primary key refuses a height stored twice.
      await tx.$executeRaw`
        INSERT INTO bridge.bridge_block (height, block_hash, request_digest, root, response)
        VALUES (${block.height}, ${pgBytes(block.blockHash ? fromHex(block.blockHash) : new Uint8Array(0))}, ${pgBytes(block.requestDigest)}, ${pgBytes(block.root)},
                ${pgBytes(block.response)})`;
      const written = previous[0]
        ? await tx.$executeRaw`
            UPDATE bridge.bridge_state SET height = ${block.height}, escrow = ${escrow}, state = ${encoded}, root = ${pgBytes(block.root)}
            WHERE id = 1 AND height = ${block.height - 1n}`
        : await tx.$executeRaw`
            INSERT INTO bridge.bridge_state (id, height, escrow, state, root)
            VALUES (1, ${block.height}, ${escrow}, ${encoded}, ${pgBytes(block.root)})`;
      if (written !== 1) throw new DomainError('COMMIT_CONFLICT', `bridge store moved while committing ${block.height}`, 'conflict');
    });
  }

  async committedAt(height: bigint): Promise<StoredResponse | null> {
    const rows = await this.prisma.$queryRaw<Array<{ block_hash: Uint8Array; request_digest: Uint8Array; root: Uint8Array; response: Uint8Array }>>`
      SELECT block_hash, request_digest, root, response FROM bridge.bridge_block WHERE height = ${height}`;
    const r = rows[0];
    if (!r) return null;
    return { height, blockHash: r.block_hash.length ? toHex(u8(r.block_hash)) : '', requestDigest: u8(r.request_digest), root: u8(r.root), response: u8(r.response) };
  }

  /** Heights stored, for tests and operators checking that nothing was applied twice or skipped. */
  async committedHeights(): Promise<bigint[]> {
    const rows = await this.prisma.$queryRaw<Array<{ height: bigint }>>`SELECT height FROM bridge.bridge_block ORDER BY height`;
    return rows.map((r) => BigInt(r.height));
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRaw`SELECT 1`;
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
