// The bridge module's state as pallet Bridge storage (libs/chain bridge-calls.ts declares the items): the
// keys and SCALE values wallets and the gateway read as `api.query.bridge.*`.
import { BRIDGE_STORAGE, BURN_STATUS, LOCK_STATUS, ScaleWriter, fromHex, storageMapKey, storagePrefix, type BridgeStorageItem } from '@balanceai/chain';
import { storageView, type ModuleStorageView, type StorageEntryBytes } from '@balanceai/module-host';
import { type BridgeState, type Burn, type Lock, compareIds } from '../logic/types.js';

const PALLET = 'Bridge';

function keyOf(item: BridgeStorageItem, ...parts: Uint8Array[]): Uint8Array {
  const hashers = BRIDGE_STORAGE[item];
  if (parts.length !== hashers.length) throw new RangeError(`Bridge.${item} takes ${hashers.length} key parts, got ${parts.length}`);
  if (parts.length === 0) return storagePrefix(PALLET, item);
  return storageMapKey(PALLET, item, ...parts.map((p, i): [(typeof hashers)[number], Uint8Array] => [hashers[i]!, p]));
}

const id32 = (w: ScaleWriter, a: string): ScaleWriter => w.raw(fromHex(a, 32));

/** LockInfo, field by field as the descriptor declares it. */
export function lockInfoValue(l: Lock): Uint8Array {
  const w = new ScaleWriter().u64(l.nonce);
  id32(w, l.owner).raw(fromHex(l.ethRecipient, 20)).u128(l.amount).u64(l.deadline).u64(l.lockedAt).u8(LOCK_STATUS[l.status]);
  if (l.status !== 'Locked') w.u64(l.finalAt);
  return w.vec(l.mintVotes, id32).vec(l.refundVotes, id32).finish();
}

/** BurnInfo, field by field as the descriptor declares it. */
export function burnInfoValue(b: Burn): Uint8Array {
  const w = new ScaleWriter().u8(BURN_STATUS[b.status]);
  if (b.status !== 'Attesting') id32(w, b.recipient).u128(b.amount).u64(b.at);
  return w.vec(b.attestations, (w, a) => id32(id32(w, a.relayer), a.recipient).u128(a.amount)).finish();
}

function* entries(s: BridgeState, relayers: readonly string[]): Generator<StorageEntryBytes> {
  yield [keyOf('NextLockNonce'), new ScaleWriter().u64(s.nextNonce).finish()];
  yield [keyOf('Escrow'), new ScaleWriter().u128(s.escrow).finish()];
  yield [keyOf('Totals'), new ScaleWriter().u128(s.totals.locked).u128(s.totals.released).u128(s.totals.refunded).finish()];
  yield [keyOf('ReleaseAllowance'), new ScaleWriter().u128(s.allowance.left).u64(s.allowance.updatedAt).finish()];
  yield [keyOf('ReleaseQueue'), new ScaleWriter().vec(s.queue, id32).finish()];
  yield [keyOf('Relayers'), new ScaleWriter().vec([...relayers].sort(compareIds), id32).finish()];
  const open = [...s.locks.values()].filter((l) => l.status === 'Locked').map((l) => l.id).sort(compareIds);
  yield [keyOf('OpenLocks'), new ScaleWriter().vec(open, id32).finish()];
  for (const l of [...s.locks.values()].sort((a, b) => compareIds(a.id, b.id))) yield [keyOf('Locks', fromHex(l.id, 32)), lockInfoValue(l)];
  for (const b of [...s.burns.values()].sort((a, b) => compareIds(a.id, b.id))) yield [keyOf('Burns', fromHex(b.id, 32)), burnInfoValue(b)];
}

/** The storage of a committed state (ModuleStateMachine.storage). */
export function bridgeStorage(s: BridgeState, relayers: readonly string[]): ModuleStorageView {
  return storageView(entries(s, relayers));
}
