import { Logger } from '@nestjs/common';
import { ScaleWriter, concatBytes, encodeEventRecords, type EventRecordInput, type PalletDescriptor } from '@balanceai/chain';

/** What the events of a finalized block are read from (the block store). */
export interface EventsStore {
  /** Block-level events (evidence, module end-of-block events), null when the block is unknown. */
  blockEvents(height: number): Promise<unknown[] | null>;
  /** Each extrinsic's events, by its index in the block. */
  extrinsicEvents(height: number): Promise<Array<{ index: number; events: unknown[] }>>;
}

export interface EventsEncoder {
  /** Whether the runtime metadata declares this event (others cannot be decoded by a wallet: left out). */
  declares(module: string, name: string): boolean;
  /** SCALE `Vec<EventRecord>` of the records. */
  encode(records: EventRecordInput[]): Uint8Array;
}

/** The encoder over the runtime's pallets (runtimePallets(genesis)). */
export function palletEvents(pallets: readonly PalletDescriptor[]): EventsEncoder {
  return {
    declares: (module, name) => pallets.some((p) => p.name === module && (p.events ?? []).some((e) => e.name === name)),
    encode: (records) => encodeEventRecords(pallets, records),
  };
}

/** Blocks whose encoded events are kept: every client that saw a block reads its events at once. */
const CACHED_BLOCKS = 32;

/**
 * `System.Events` of a finalized block, as frame_system leaves it after the block: each extrinsic's
 * events under Phase::ApplyExtrinsic(index), then the block-level ones (module end-of-block work,
 * evidence) under Phase::Finalization. Encoded once per block and cached.
 */
export class BlockEvents {
  private readonly log = new Logger('BlockEvents');
  private readonly cache = new Map<number, Promise<Uint8Array>>();

  constructor(
    private readonly store: EventsStore,
    private readonly encoder: EventsEncoder,
  ) {}

  at(height: number): Promise<Uint8Array> {
    let encoded = this.cache.get(height);
    if (!encoded) {
      encoded = this.load(height);
      this.cache.set(height, encoded);
      encoded.catch(() => this.cache.delete(height));
      while (this.cache.size > CACHED_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
    }
    return encoded;
  }

  private async load(height: number): Promise<Uint8Array> {
    const [block, extrinsics] = await Promise.all([this.store.blockEvents(height), this.store.extrinsicEvents(height)]);
    const records: EventRecordInput[] = [];
    for (const x of [...extrinsics].sort((a, b) => a.index - b.index)) {
      for (const e of x.events) records.push({ phase: { applyExtrinsic: x.index }, ...asEvent(e) });
    }
    for (const e of block ?? []) records.push({ phase: 'Finalization', ...asEvent(e) });
    return this.encodeEach(records.filter((r) => this.encoder.declares(r.module, r.name)));
  }

  /**
   * A Vec is its compact length and its items: each record is encoded alone, so one whose stored data
   * does not fit the metadata is left out (and logged) instead of hiding every other event of the block.
   */
  private encodeEach(records: EventRecordInput[]): Uint8Array {
    const items: Uint8Array[] = [];
    for (const r of records) {
      try {
        items.push(this.encoder.encode([r]).subarray(1)); // drop compact(1) = 0x04
      } catch (err) {
        this.log.warn(`event ${r.module}.${r.name} left out of System.Events: ${(err as Error).message}`);
      }
    }
    return concatBytes(new ScaleWriter().compact(items.length).finish(), ...items);
  }
}

function asEvent(e: unknown): { module: string; name: string; data: unknown } {
  const ev = e as { module?: unknown; name?: unknown; data?: unknown };
  return { module: String(ev.module ?? ''), name: String(ev.name ?? ''), data: ev.data ?? {} };
}
