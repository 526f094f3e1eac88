import { ChainError } from './errors.js';
import { toHex } from './hex.js';
import type { PalletDescriptor, TypeSpec, VariantSpec } from './meta-types.js';
import { MetaType } from './meta-types.js';
import { type EncodeJsonOptions, JsonValueError, encodeJsonValue } from './scale-json.js';
import { ScaleWriter } from './scale.js';

/*
 * System.Events: the events of a block as the SCALE `Vec<frame_system::EventRecord>` that wallets read
 * from storage and decode with our metadata. The ledger and the modules report events as
 * `{ module, name, data }` JSON; this maps each onto its pallet's event variant, field by field.
 */

export type EventPhase = { applyExtrinsic: number } | 'Finalization' | 'Initialization';

export interface EventRecordInput {
  phase: EventPhase;
  /** The pallet name, e.g. `Balances`. */
  module: string;
  /** The event variant, e.g. `Transfer`. */
  name: string;
  data: unknown;
}

export class EventRecordError extends ChainError {
  constructor(
    override readonly code: 'UNKNOWN_EVENT' | 'BAD_EVENT_DATA',
    message: string,
  ) {
    super(code, message);
  }
}

/** sp_runtime::DispatchError in the JSON form encodeJsonValue reads. */
export type DispatchErrorJson = 'Other' | { Module: { index: number; error: string } };

/** Codes the ledger has used for errors pallet_balances has under another name. */
const ERROR_ALIASES: Record<string, string> = { 'Balances.KeepAlive': 'Balances.Expendability' };

/**
 * The DispatchError for a failed extrinsic's error code `Pallet.Error` (e.g. `Balances.InsufficientBalance`):
 * `Module { index: <pallet index>, error: [<variant index>, 0, 0, 0] }` when a pallet declares that error,
 * so wallets show `balances.InsufficientBalance`; `Other` for codes no pallet declares (e.g. a call to a
 * pallet this chain does not have), which is what Substrate reports for errors it cannot name.
 */
export function dispatchErrorFor(pallets: readonly PalletDescriptor[], code: string): DispatchErrorJson {
  const [palletName, errorName] = (ERROR_ALIASES[code] ?? code).split('.', 2);
  const pallet = pallets.find((p) => p.name === palletName);
  const variant = pallet?.errors?.find((e) => e.name === errorName);
  if (!pallet || !variant) return 'Other';
  return { Module: { index: pallet.index, error: toHex(Uint8Array.of(variant.index, 0, 0, 0)) } };
}

export function encodeDispatchError(pallets: readonly PalletDescriptor[], code: string): Uint8Array {
  return encodeJsonValue(MetaType.DispatchError, dispatchErrorFor(pallets, code));
}

const DISPATCH_INFO_PATH = 'frame_support::dispatch::DispatchInfo';
/** The ledger does not meter weight: an event's DispatchInfo, when the data has none, is zero weight, Normal, paid. */
const DEFAULT_DISPATCH_INFO = { weight: { ref_time: 0, proof_size: 0 }, class: 'Normal', pays_fee: 'Yes' };
const OPTIONS: EncodeJsonOptions = {
  defaultFor: (spec: TypeSpec) => (spec.kind === 'composite' && spec.path.join('::') === DISPATCH_INFO_PATH ? DEFAULT_DISPATCH_INFO : undefined),
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** System.ExtrinsicFailed arrives as `{ error: "Pallet.Error" }`; the event's field is `dispatch_error`. */
function withDispatchError(pallets: readonly PalletDescriptor[], data: unknown, where: string): unknown {
  const obj = isObject(data) ? data : {};
  if (obj['dispatch_error'] !== undefined || obj['dispatchError'] !== undefined) return data;
  const code = obj['error'];
  if (typeof code !== 'string' || code.length === 0) throw new EventRecordError('BAD_EVENT_DATA', `${where}: needs an error code ("Pallet.Error") or a dispatchError`);
  return { ...obj, dispatch_error: dispatchErrorFor(pallets, code) };
}

function writePhase(w: ScaleWriter, phase: EventPhase, where: string): void {
  if (phase === 'Finalization') w.u8(1);
  else if (phase === 'Initialization') w.u8(2);
  else if (isObject(phase) && Number.isInteger(phase.applyExtrinsic) && phase.applyExtrinsic >= 0 && phase.applyExtrinsic <= 0xffff_ffff) {
    w.u8(0).u32(phase.applyExtrinsic);
  } else throw new EventRecordError('BAD_EVENT_DATA', `${where}: invalid phase ${JSON.stringify(phase)}`);
}

function eventVariant(pallets: readonly PalletDescriptor[], r: EventRecordInput, where: string): { pallet: PalletDescriptor; variant: VariantSpec } {
  const pallet = pallets.find((p) => p.name === r.module);
  if (!pallet) throw new EventRecordError('UNKNOWN_EVENT', `${where}: no pallet ${r.module} in this runtime`);
  const variant = pallet.events?.find((e) => e.name === r.name);
  if (!variant) throw new EventRecordError('UNKNOWN_EVENT', `${where}: pallet ${r.module} has no event ${r.name}`);
  return { pallet, variant };
}

/** The SCALE value of System.Events for these records, in order, with no topics. */
export function encodeEventRecords(pallets: readonly PalletDescriptor[], records: readonly EventRecordInput[]): Uint8Array {
  const w = new ScaleWriter().compact(records.length);
  records.forEach((r, i) => {
    const where = `event ${i} (${r.module}.${r.name})`;
    writePhase(w, r.phase, where);
    const { pallet, variant } = eventVariant(pallets, r, where);
    const data = r.module === 'System' && r.name === 'ExtrinsicFailed' ? withDispatchError(pallets, r.data, where) : r.data;
    w.u8(pallet.index).u8(variant.index);
    try {
      // An event's fields are named: encode them as a struct of the same fields.
      w.raw(encodeJsonValue({ kind: 'composite', path: [], fields: variant.fields ?? [] }, data, OPTIONS));
    } catch (err) {
      if (err instanceof JsonValueError) throw new EventRecordError('BAD_EVENT_DATA', `${where}: ${err.message}`);
      throw err;
    }
    w.compact(0); // topics
  });
  return w.finish();
}
