import { ScaleReader } from '@balanceai/chain';
import { ScaleDecoder, isVariant, type Value } from './decode.js';
import { MetadataReadError, type RuntimeMetadata } from './portable.js';

export type Phase = { applyExtrinsic: number } | 'Finalization' | 'Initialization';

export interface ChainEvent {
  phase: Phase;
  pallet: string;
  name: string;
  fields: Value;
}

/** The type of `System.Events` (Vec<EventRecord>) as the chain's metadata declares it. */
function eventsType(meta: RuntimeMetadata): number {
  const entry = meta.pallets.find((p) => p.name === 'System')?.storage.find((e) => e.name === 'Events');
  if (!entry) throw new MetadataReadError('the metadata has no System.Events storage item');
  return entry.valueType;
}

/** Decodes the SCALE value of `System.Events` at a block. */
export function decodeEvents(meta: RuntimeMetadata, bytes: Uint8Array): ChainEvent[] {
  const r = new ScaleReader(bytes);
  const records = new ScaleDecoder(meta).decode(eventsType(meta), r);
  r.assertEnd('System.Events');
  if (!Array.isArray(records)) throw new MetadataReadError('System.Events is not a sequence');
  return records.map((record) => {
    const { phase, event } = record as { phase: Value; event: Value };
    // RuntimeEvent is an enum of pallets, each holding its pallet's Event enum.
    if (!isVariant(phase) || !isVariant(event) || !isVariant(event.fields)) throw new MetadataReadError('an EventRecord is not { phase, event, topics }');
    return {
      phase: phase.variant === 'ApplyExtrinsic' ? { applyExtrinsic: Number(phase.fields) } : (phase.variant as 'Finalization' | 'Initialization'),
      pallet: event.variant,
      name: event.fields.variant,
      fields: event.fields.fields,
    };
  });
}

/** The events of the extrinsic at `index` in its block, in order. */
export function eventsOfExtrinsic(events: ChainEvent[], index: number): ChainEvent[] {
  return events.filter((e) => typeof e.phase === 'object' && e.phase.applyExtrinsic === index);
}

/**
 * A DispatchError in words: `Module { index, error }` becomes `Pallet.ErrorName` through the metadata's
 * error enums (as wallets show it); other variants by name, with their inner variant (`Token.FundsUnavailable`).
 */
export function dispatchErrorText(meta: RuntimeMetadata, error: Value): string {
  if (!isVariant(error)) return JSON.stringify(error, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  if (error.variant === 'Module') {
    const { index, error: code } = error.fields as { index: number; error: string };
    const pallet = meta.pallets.find((p) => p.index === Number(index));
    const errorIndex = Number.parseInt(String(code).slice(2, 4), 16);
    const def = pallet?.errorType === undefined ? undefined : new ScaleDecoder(meta).def(pallet.errorType);
    const name = def?.tag === 'variant' ? def.variants.find((v) => v.index === errorIndex)?.name : undefined;
    return `${pallet?.name ?? `pallet ${index}`}.${name ?? `error ${errorIndex}`}`;
  }
  return isVariant(error.fields) ? `${error.variant}.${error.fields.variant}` : error.variant;
}

/** The outcome of one extrinsic from its events: System.ExtrinsicSuccess, or ExtrinsicFailed with its reason. */
export function extrinsicOutcome(meta: RuntimeMetadata, events: ChainEvent[]): { ok: true } | { ok: false; error: string } | undefined {
  for (const e of events) {
    if (e.pallet !== 'System') continue;
    if (e.name === 'ExtrinsicSuccess') return { ok: true };
    if (e.name === 'ExtrinsicFailed') return { ok: false, error: dispatchErrorText(meta, (e.fields as { dispatch_error: Value }).dispatch_error) };
  }
  return undefined;
}
