import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BALANCES_PALLET, SYSTEM_PALLET, ScaleWriter, buildMetadata, toHex } from '@balanceai/chain';
import { decodeEvents, eventsOfExtrinsic, extrinsicOutcome } from './events.js';
import { MetadataReadError, parseMetadata } from './portable.js';

const alice = new Uint8Array(32).fill(0xaa);
const bob = new Uint8Array(32).fill(0xbb);

/** frame_support DispatchInfo { weight { ref_time, proof_size: Compact<u64> }, class, pays_fee }. */
const dispatchInfo = (w: ScaleWriter) => w.compact(1_000).compact(0).u8(0).u8(0);

/** Vec<EventRecord> written by hand, field by field, as a runtime deposits it. */
function events(): Uint8Array {
  const w = new ScaleWriter().compact(4);
  // #0 ApplyExtrinsic(0): System.ExtrinsicSuccess
  w.u8(0).u32(0).u8(0).u8(0);
  dispatchInfo(w).u8(0);
  // #1 ApplyExtrinsic(1): Balances.Transfer { from, to, amount }
  w.u8(0).u32(1).u8(5).u8(2).raw(alice).raw(bob).u128(1_500_000_000_000_000_000n).u8(0);
  // #2 ApplyExtrinsic(1): System.ExtrinsicFailed { Module { index 5, error [2,0,0,0] }, info }
  w.u8(0).u32(1).u8(0).u8(1).u8(3).u8(5).raw(Uint8Array.of(2, 0, 0, 0));
  dispatchInfo(w).u8(0);
  // #3 Finalization: Balances.Deposit { who, amount }
  w.u8(1).u8(5).u8(7).raw(alice).u128(7n).u8(0);
  return w.finish();
}

describe('events from the chain metadata', () => {
  const meta = parseMetadata(buildMetadata([SYSTEM_PALLET, BALANCES_PALLET]));

  it('reads the pallets of the metadata the chain serves', () => {
    assert.deepEqual(meta.pallets.map((p) => [p.name, p.index]), [['System', 0], ['Balances', 5]]);
    assert.ok(meta.pallets[0]!.storage.some((s) => s.name === 'Events'));
  });

  it('decodes System.Events into phase, pallet, name and fields', () => {
    const all = decodeEvents(meta, events());
    assert.deepEqual(all.map((e) => [e.phase, `${e.pallet}.${e.name}`]), [
      [{ applyExtrinsic: 0 }, 'System.ExtrinsicSuccess'],
      [{ applyExtrinsic: 1 }, 'Balances.Transfer'],
      [{ applyExtrinsic: 1 }, 'System.ExtrinsicFailed'],
      ['Finalization', 'Balances.Deposit'],
    ]);
    assert.deepEqual(all[1]!.fields, { from: toHex(alice), to: toHex(bob), amount: 1_500_000_000_000_000_000n });
  });

  it('gives an extrinsic its outcome, naming a module error through the metadata', () => {
    const all = decodeEvents(meta, events());
    assert.deepEqual(extrinsicOutcome(meta, eventsOfExtrinsic(all, 0)), { ok: true });
    assert.deepEqual(extrinsicOutcome(meta, eventsOfExtrinsic(all, 1)), { ok: false, error: 'Balances.InsufficientBalance' });
    assert.equal(extrinsicOutcome(meta, eventsOfExtrinsic(all, 2)), undefined);
  });

  it('refuses what is not metadata, and events with trailing bytes', () => {
    assert.throws(() => parseMetadata(Uint8Array.of(1, 2, 3, 4, 14)), MetadataReadError);
    assert.throws(() => parseMetadata(new ScaleWriter().u32(0x6174656d).u8(13).finish()), /V13 is not supported/);
    assert.throws(() => decodeEvents(meta, new ScaleWriter().raw(events()).u8(0).finish()), /trailing/);
  });
});
