import { ScaleReader, ScaleWriter } from '@balanceai/chain';
import { decodeBlock, decodeJustification, type Block, type Commit } from '../block/block.js';
import { decodeSyncBlocks, encodeSyncBlocks } from '../node/wire.js';
import type { P2PTransport } from '../p2p/transport.js';
import type { StoredBlock } from '../store/store.js';

/** Blocks per sync answer. */
export const SYNC_BATCH = 64;
const SYNC_TIMEOUT_MS = 2_000;

export interface BlockSyncHost {
  committedHeight(): number;
  blocksFrom(height: number, limit: number): Promise<StoredBlock[]>;
  /**
   * Verifies and commits a fetched block on top of the committed chain (in the node's serial queue);
   * throws when it does not verify. Returns false when it is no longer the next height.
   */
  applySynced(block: Block, commit: Commit): Promise<boolean>;
  isStopped(): boolean;
}

/**
 * Block sync (CometBFT's blocksync reactor, pull only): a node that learns, from a verified message,
 * that peers are ahead fetches the blocks it lacks with their commits, and serves its own to others.
 */
export class BlockSync {
  private running = false;

  constructor(
    private readonly transport: P2PTransport,
    private readonly host: BlockSyncHost,
    private readonly onDone: () => void,
  ) {}

  start(): void {
    this.transport.serveBlocks((req) => this.answer(req));
  }

  get syncing(): boolean {
    return this.running;
  }

  request(): void {
    if (this.running) return;
    this.running = true;
    void this.loop()
      .catch(() => {})
      .finally(() => {
        this.running = false;
        this.onDone();
      });
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.host.isStopped()) return;
      let raw;
      try {
        const reply = await this.transport.requestBlocks(new ScaleWriter().u64(BigInt(this.host.committedHeight() + 1)).finish(), SYNC_TIMEOUT_MS);
        raw = decodeSyncBlocks(reply);
      } catch {
        return; // nobody has blocks past ours (or no peer answered): consensus goes on
      }
      if (raw.length === 0) return;
      let applied = 0;
      for (const r of raw) {
        if (this.host.isStopped()) return;
        const block = decodeBlock(r.header, r.body);
        if (block.number !== this.host.committedHeight() + 1) continue;
        if (await this.host.applySynced(block, decodeJustification(r.justification))) applied++;
      }
      // A short batch was all the peer had: asking again would only wait out the timeout.
      if (applied === 0 || raw.length < SYNC_BATCH) return;
    }
  }

  private async answer(data: Uint8Array): Promise<Uint8Array | null> {
    const r = new ScaleReader(data);
    const from = r.u64();
    if (r.remaining !== 0 || from < 1n || from > BigInt(this.host.committedHeight())) return null;
    const rows = await this.host.blocksFrom(Number(from), SYNC_BATCH);
    if (rows.length === 0) return null;
    return encodeSyncBlocks(rows.map((b) => ({ header: b.header, body: b.body, justification: b.justification })));
  }
}
