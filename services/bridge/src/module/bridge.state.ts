// The bridge module's canonical state encoding: the preimage of its root and what the repository stores, so
// a stored state that decodes is byte for byte the state that was rooted. Changing it changes every root.
import { BURN_STATUS, BURN_STATUSES, LOCK_STATUS, LOCK_STATUSES, ScaleReader, ScaleWriter, fromHex, toHex } from '@balanceai/chain';
import { type BridgeState, type Burn, type Lock, compareIds } from '../logic/types.js';

const VERSION = 1;
const id32 = (w: ScaleWriter, a: string): ScaleWriter => w.raw(fromHex(a, 32));
const read32 = (r: ScaleReader): string => toHex(r.raw(32));

function tagOf<T>(list: readonly T[], tag: number, what: string): T {
  const v = list[tag];
  if (v === undefined) throw new RangeError(`bad ${what} tag ${tag}`);
  return v;
}

export function encodeBridgeState(s: BridgeState): Uint8Array {
  const w = new ScaleWriter();
  w.u8(VERSION).u64(s.height).u64(s.nextNonce).u128(s.escrow).u128(s.totals.locked).u128(s.totals.released).u128(s.totals.refunded);
  w.u128(s.allowance.left).u64(s.allowance.updatedAt);
  const locks = [...s.locks.values()].sort((a, b) => compareIds(a.id, b.id));
  w.vec(locks, (w, l) => {
    id32(w, l.id).u64(l.nonce);
    id32(w, l.owner).raw(fromHex(l.ethRecipient, 20)).u128(l.amount).u64(l.deadline).u64(l.lockedAt).u8(LOCK_STATUS[l.status]).u64(l.finalAt);
    w.vec(l.mintVotes, id32).vec(l.refundVotes, id32);
  });
  const burns = [...s.burns.values()].sort((a, b) => compareIds(a.id, b.id));
  w.vec(burns, (w, b) => {
    id32(w, b.id).u8(BURN_STATUS[b.status]);
    w.vec(b.attestations, (w, a) => id32(id32(w, a.relayer), a.recipient).u128(a.amount));
    id32(w, b.recipient).u128(b.amount).u64(b.at);
  });
  w.vec(s.queue, id32);
  return w.finish();
}

export function decodeBridgeState(bytes: Uint8Array): BridgeState {
  const r = new ScaleReader(bytes);
  const version = r.u8();
  if (version !== VERSION) throw new RangeError(`unknown bridge state encoding version ${version}`);
  const height = r.u64();
  const nextNonce = r.u64();
  const escrow = r.u128();
  const totals = { locked: r.u128(), released: r.u128(), refunded: r.u128() };
  const allowance = { left: r.u128(), updatedAt: r.u64() };
  const locks = new Map<string, Lock>();
  r.vec((r) => {
    const l: Lock = {
      id: read32(r),
      nonce: r.u64(),
      owner: read32(r),
      ethRecipient: toHex(r.raw(20)),
      amount: r.u128(),
      deadline: r.u64(),
      lockedAt: r.u64(),
      status: tagOf(LOCK_STATUSES, r.u8(), 'lock status'),
      finalAt: r.u64(),
      mintVotes: r.vec(read32),
      refundVotes: r.vec(read32),
    };
    locks.set(l.id, l);
  });
  const burns = new Map<string, Burn>();
  r.vec((r) => {
    const b: Burn = {
      id: read32(r),
      status: tagOf(BURN_STATUSES, r.u8(), 'burn status'),
      attestations: r.vec((r) => ({ relayer: read32(r), recipient: read32(r), amount: r.u128() })),
      recipient: read32(r),
      amount: r.u128(),
      at: r.u64(),
    };
    burns.set(b.id, b);
  });
  const queue = r.vec(read32);
  r.assertEnd('bridge state');
  return { height, nextNonce, escrow, totals, locks, burns, queue, allowance };
}
