import { PALLET } from './extrinsic.js';
import { type PalletDescriptor, MetaType } from './meta-types.js';
import { ScaleWriter } from './scale.js';
import { storagePrefix } from './storage-keys.js';

/*
 * The Timestamp pallet (2, `pallet_timestamp`, Polkadot's index): wallets read `Timestamp.Now` as a block's
 * time (polkadot.js Apps at every new head, explorers for block ages) and derive a block time from
 * `MinimumPeriod` (api-derive's signingInfo: 2 × MinimumPeriod, for the mortal era's length). BalanceAI's
 * block time is set by consensus (the proposer's time in the block, checked by every validator), not by
 * an inherent, so the pallet has no calls and no events: consensus serves `Now` from its block records.
 * Substrate's `DidUpdate` is not declared: it is killed at the end of every block, so no state holds it.
 */

const T = MetaType;
/** u64 milliseconds since the Unix epoch, as pallet_timestamp's Moment. */
const Moment = T.u64;

/** The storage key of `Timestamp.Now` (a plain item). */
export const TIMESTAMP_NOW_KEY: Uint8Array = storagePrefix('Timestamp', 'Now');

export function timestampPallet(opts: { blockTimeMs: number }): PalletDescriptor {
  return {
    name: 'Timestamp',
    index: PALLET.Timestamp,
    crate: 'pallet_timestamp',
    storage: {
      prefix: 'Timestamp',
      items: [{ name: 'Now', modifier: 'Default', kind: 'plain', value: Moment, fallback: new Uint8Array(8), docs: [' The time of the block, ms since the Unix epoch (set by consensus).'] }],
    },
    constants: [
      {
        name: 'MinimumPeriod',
        type: Moment,
        // Half the block time, as Substrate configures it: clients double it to get the expected block time.
        value: new ScaleWriter().u64(BigInt(Math.floor(opts.blockTimeMs / 2))).finish(),
        docs: [' The minimum period between blocks: half the target block time (clients take 2 × this as the block time).'],
      },
    ],
    docs: ['Block time: `Now` is the time consensus put in the block; there is no set call (no inherent).'],
  };
}
