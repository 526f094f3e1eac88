// The staking module's state as pallet-session storage (libs/chain session-pallet.ts declares the items).
// BalanceAI has one session per era, so the session is the active era: its index is the era's index and its
// validators the era's elected set. The session keys are the one key a validator has, its consensus key.
import { SESSION_STORAGE, ScaleWriter, fromHex, storageMapKey, storagePrefix, type SessionStorageItem } from '@balanceai/chain';
import type { StorageEntryBytes } from '@balanceai/module-host';
import { compareIds } from '../logic/arith.js';
import type { AccountId } from '../logic/types.js';
import type { StakingModuleState } from './staking.state.js';

const PALLET = 'Session';
const account = (a: AccountId): Uint8Array => fromHex(a, 32);

function keyOf(item: SessionStorageItem, ...parts: Uint8Array[]): Uint8Array {
  const hashers = SESSION_STORAGE[item];
  if (parts.length !== hashers.length) throw new RangeError(`Session.${item} takes ${hashers.length} key parts, got ${parts.length}`);
  if (parts.length === 0) return storagePrefix(PALLET, item);
  return storageMapKey(PALLET, item, ...parts.map((p, i): [(typeof hashers)[number], Uint8Array] => [hashers[i]!, p]));
}

/** SessionKeys { consensus }: the 32-byte ed25519 key, as the runtime's opaque keys encode it. */
const sessionKeys = (consensusKey: string): Uint8Array => fromHex(consensusKey, 32);

export function* sessionEntries(m: StakingModuleState): Generator<StorageEntryBytes> {
  const active = m.staking.active;
  // The elected set in the election's order (by account id), the order consensus numbers a set it adopts.
  yield [keyOf('Validators'), new ScaleWriter().vec(active.validators, (w, v) => w.raw(account(v))).finish()];
  yield [keyOf('CurrentIndex'), new ScaleWriter().u32(active.era).finish()];
  // The keys the current validators carry into the next session: their consensus keys as of now (a key set
  // with set_consensus_key is used from the next elected set on, so a re-elected validator signs with it).
  const queued = active.validators.flatMap((v) => {
    const key = m.consensusKeys.get(v);
    return key ? [[v, key] as const] : [];
  });
  yield [keyOf('QueuedKeys'), new ScaleWriter().vec(queued, (w, [v, key]) => w.raw(account(v)).raw(sessionKeys(key))).finish()];
  for (const [stash, key] of [...m.consensusKeys.entries()].sort((a, b) => compareIds(a[0], b[0]))) {
    yield [keyOf('NextKeys', account(stash)), sessionKeys(key)];
  }
}
