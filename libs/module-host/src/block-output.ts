import type { EventData, ExecuteBlockOutput, TransferOutput } from './state-machine.js';

/** A call's result as a module's pure logic reports it: an error with a code, or none. */
export interface LogicCallResult {
  readonly extrinsicIndex: number;
  readonly error?: { readonly code: string; readonly message: string } | null;
}

/** An event as a module's pure logic reports it: `type` is the event name, the other fields its data. */
export interface LogicEvent {
  readonly event: { readonly type: string };
  readonly extrinsicIndex: number | null;
}

/**
 * The wire output of a block from a module's pure block result: a failed call's code is prefixed with the
 * pallet name (`Bridge.BelowMinLock`), an event's `type` becomes its name and the rest its data, and each
 * transfer goes through `toWire` (which names the module's accounts), in order.
 */
export function blockOutput<T>(
  pallet: string,
  out: { readonly results: readonly LogicCallResult[]; readonly events: readonly LogicEvent[]; readonly transfers: readonly T[] },
  toWire: (t: T) => TransferOutput,
): ExecuteBlockOutput {
  return {
    results: out.results.map((r) =>
      r.error
        ? { extrinsicIndex: r.extrinsicIndex, success: false, errorCode: `${pallet}.${r.error.code}`, errorMessage: r.error.message }
        : { extrinsicIndex: r.extrinsicIndex, success: true },
    ),
    events: out.events.map(({ event, extrinsicIndex }) => {
      const { type, ...data } = event;
      return { name: type, data: data as Record<string, EventData>, extrinsicIndex };
    }),
    transfers: out.transfers.map((t) => toWire(t)),
  };
}
