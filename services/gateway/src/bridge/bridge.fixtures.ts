// Test fixtures only (no route uses them).
import { ScaleWriter, fromHex, toHex } from '@balanceai/chain';

// SCALE values of the Bridge pallet's storage as services/bridge writes them (bridge.storage.ts), for the
// gateway's tests: the gateway itself only decodes (libs/chain).

export interface LockFixture {
  nonce: bigint;
  owner: string;
  ethRecipient: string;
  amount: bigint;
  deadline: bigint;
  lockedAt: bigint;
  status: 'Locked' | 'Minted' | 'Refunded';
  finalAt?: bigint;
  mint?: string[];
  refund?: string[];
}

export function encodeLock(l: LockFixture): string {
  const w = new ScaleWriter().u64(l.nonce).raw(fromHex(l.owner, 32)).raw(fromHex(l.ethRecipient, 20)).u128(l.amount).u64(l.deadline).u64(l.lockedAt);
  w.u8(['Locked', 'Minted', 'Refunded'].indexOf(l.status));
  if (l.status !== 'Locked') w.u64(l.finalAt ?? 0n);
  w.vec(l.mint ?? [], (w, a) => w.raw(fromHex(a, 32)));
  w.vec(l.refund ?? [], (w, a) => w.raw(fromHex(a, 32)));
  return toHex(w.finish());
}

export interface BurnFixture {
  status: 'Attesting' | 'Queued' | 'Released';
  recipient?: string;
  amount?: bigint;
  at?: bigint;
  attestations: Array<{ relayer: string; recipient: string; amount: bigint }>;
}

export function encodeBurn(b: BurnFixture): string {
  const w = new ScaleWriter().u8(['Attesting', 'Queued', 'Released'].indexOf(b.status));
  if (b.status !== 'Attesting') w.raw(fromHex(b.recipient!, 32)).u128(b.amount!).u64(b.at!);
  w.vec(b.attestations, (w, a) => w.raw(fromHex(a.relayer, 32)).raw(fromHex(a.recipient, 32)).u128(a.amount));
  return toHex(w.finish());
}

export const ids = (list: string[]): string => toHex(new ScaleWriter().vec(list, (w, id) => w.raw(fromHex(id, 32))).finish());
export const u128 = (v: bigint): string => toHex(new ScaleWriter().u128(v).finish());
export const u64 = (v: bigint): string => toHex(new ScaleWriter().u64(v).finish());
export const totals = (locked: bigint, released: bigint, refunded: bigint): string => toHex(new ScaleWriter().u128(locked).u128(released).u128(refunded).finish());
export const allowance = (left: bigint, updatedAt: bigint): string => toHex(new ScaleWriter().u128(left).u64(updatedAt).finish());
