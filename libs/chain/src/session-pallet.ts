import { PALLET } from './extrinsic.js';
import { type FieldSpec, type PalletDescriptor, type StorageHasher, type StorageItemSpec, type TypeSpec, MetaType } from './meta-types.js';

/*
 * The Session pallet (9, `pallet_session`, Polkadot's index), served by the staking module: BalanceAI has
 * one session per era (Staking's SessionsPerEra is 1), so the session index is the active era's index and
 * the session's validators are the era's elected set. @polkadot/api-derive reads it for every staking view
 * (derive.session.indexes: `CurrentIndex`; derive.staking.validators: `Validators`; derive.staking.keys:
 * `QueuedKeys` and `NextKeys`), and derives are only offered when a pallet named `session` exists.
 * The session keys are the one key a validator has here: the ed25519 key it signs consensus votes with
 * (Staking's set_consensus_key sets it). No calls: keys are set through Staking. No events, no errors.
 */

const T = MetaType;
const f = (name: string, type: TypeSpec, typeName: string): FieldSpec => ({ name, type, typeName });

const Ed25519Public = T.composite(['sp_core', 'ed25519', 'Public'], [{ type: T.array(32, T.u8), typeName: '[u8; 32]' }]);
/** The app-crypto key consensus votes are signed with (its key type id is `bcon`). */
const ConsensusPublic = T.composite(['balanceai_consensus', 'app', 'Public'], [{ type: Ed25519Public, typeName: 'ed25519::Public' }]);
/** The runtime's opaque session keys: one field per key type, here only the consensus key. */
export const SessionKeysType: TypeSpec = T.composite(['balanceai_runtime', 'SessionKeys'], [f('consensus', ConsensusPublic, '<Consensus as BoundToRuntimeAppPublic>::Public')]);

/** The Session storage items with their hashers, as the staking module keys its entries. */
export const SESSION_STORAGE = {
  Validators: [],
  CurrentIndex: [],
  QueuedKeys: [],
  NextKeys: ['Twox64Concat'],
} as const satisfies Record<string, readonly StorageHasher[]>;
export type SessionStorageItem = keyof typeof SESSION_STORAGE;

/** Storage items in polkadot-sdk's declaration order. */
function storage(): StorageItemSpec[] {
  return [
    { name: 'Validators', modifier: 'Default', kind: 'plain', value: T.vec(T.AccountId32), fallback: Uint8Array.of(0), docs: [' The validators of the current session: the active era\'s elected set, in set order.'] },
    { name: 'CurrentIndex', modifier: 'Default', kind: 'plain', value: T.u32, fallback: new Uint8Array(4), docs: [' Current index of the session: the active era (one session per era).'] },
    {
      name: 'QueuedKeys',
      modifier: 'Default',
      kind: 'plain',
      value: T.vec(T.tuple(T.AccountId32, SessionKeysType)),
      fallback: Uint8Array.of(0),
      docs: [' The current validators with the keys they carry into the next session (their consensus keys as of now).'],
    },
    {
      name: 'NextKeys',
      modifier: 'Optional',
      kind: 'map',
      hashers: [...SESSION_STORAGE.NextKeys],
      key: T.AccountId32,
      value: SessionKeysType,
      fallback: new Uint8Array(0),
      docs: [' The keys of each validator candidate, used from the next elected set on (Staking set_consensus_key).'],
    },
  ];
}

/** The Session pallet's metadata (pallet 9). */
export function sessionPallet(): PalletDescriptor {
  return {
    name: 'Session',
    index: PALLET.Session,
    crate: 'pallet_session',
    storage: { prefix: 'Session', items: storage() },
    constants: [],
    docs: ['Sessions: one per era, its validators the era\'s elected set (served by the staking module).'],
  };
}
