import { BURN_STATUSES, LOCK_STATUSES, type BurnStatus, type LockStatus } from './bridge-calls.js';
import { toHex } from './hex.js';
import { storagePrefix } from './storage-keys.js';
import { ScaleReader } from './scale.js';

/*
 * Readers of the Bridge pallet's storage values (the layout bridge-calls.ts declares and services/bridge
 * writes), for relayers, the gateway and tools that read `Bridge.*` over state_getStorage without
 * @polkadot/types.
 */

export interface LockInfo {
  readonly nonce: bigint;
  readonly owner: string;
  readonly ethRecipient: string;
  readonly amount: bigint;
  readonly deadline: bigint;
  readonly lockedAt: bigint;
  readonly status: LockStatus;
  /** Height of Minted / Refunded; 0n while Locked. */
  readonly finalAt: bigint;
  readonly mintAttestations: readonly string[];
  readonly refundAttestations: readonly string[];
}

export interface BurnInfo {
  readonly status: BurnStatus;
  /** For Queued / Released: the agreed recipient and amount, and the height (since / at). */
  readonly recipient: string | null;
  readonly amount: bigint;
  readonly at: bigint;
  readonly attestations: ReadonlyArray<{ readonly relayer: string; readonly recipient: string; readonly amount: bigint }>;
}

function tag<T>(list: readonly T[], t: number, what: string): T {
  const v = list[t];
  if (v === undefined) throw new RangeError(`invalid ${what} variant ${t}`);
  return v;
}

export function decodeLockInfo(bytes: Uint8Array): LockInfo {
  const r = new ScaleReader(bytes);
  const nonce = r.u64();
  const owner = toHex(r.raw(32));
  const ethRecipient = toHex(r.raw(20));
  const amount = r.u128();
  const deadline = r.u64();
  const lockedAt = r.u64();
  const status = tag(LOCK_STATUSES, r.u8(), 'LockStatus');
  const finalAt = status === 'Locked' ? 0n : r.u64();
  const mintAttestations = r.vec((r) => toHex(r.raw(32)));
  const refundAttestations = r.vec((r) => toHex(r.raw(32)));
  r.assertEnd('LockInfo');
  return { nonce, owner, ethRecipient, amount, deadline, lockedAt, status, finalAt, mintAttestations, refundAttestations };
}

export function decodeBurnInfo(bytes: Uint8Array): BurnInfo {
  const r = new ScaleReader(bytes);
  const status = tag(BURN_STATUSES, r.u8(), 'BurnStatus');
  let recipient: string | null = null;
  let amount = 0n;
  let at = 0n;
  if (status !== 'Attesting') {
    recipient = toHex(r.raw(32));
    amount = r.u128();
    at = r.u64();
  }
  const attestations = r.vec((r) => ({ relayer: toHex(r.raw(32)), recipient: toHex(r.raw(32)), amount: r.u128() }));
  r.assertEnd('BurnInfo');
  return { status, recipient, amount, at, attestations };
}

/** The storage prefix of Bridge.Locks / Bridge.Burns (keys: prefix ‖ blake2_128(id) ‖ id). */
export const bridgeMapPrefix = (item: 'Locks' | 'Burns'): Uint8Array => storagePrefix('Bridge', item);

/** The 32-byte id at the end of a Bridge.Locks / Bridge.Burns key (Blake2_128Concat). */
export function bridgeIdOfKey(key: Uint8Array): string {
  if (key.length !== 32 + 16 + 32) throw new RangeError(`a Bridge map key is 80 bytes, got ${key.length}`);
  return toHex(key.subarray(48));
}

/**
 * A lock's stage as the issue's API shows it: `locked → signed k/M → minted`, or `refunded`. `signatures` is
 * how many relayers' Mint signatures the caller collected (relayer HTTP boards); k is capped at M.
 */
export function bridgeLockStage(lock: Pick<LockInfo, 'status'>, signatures: number, threshold: number): string {
  if (lock.status === 'Minted') return 'minted';
  if (lock.status === 'Refunded') return 'refunded';
  return signatures > 0 ? `signed ${Math.min(signatures, threshold)}/${threshold}` : 'locked';
}

/**
 * A burn's stage: `burned → confirmed → attested k/M → released` (`queued` while the 24 h limit holds it).
 * `burn` is Bridge.Burns at the head (null before any attestation); `confirmed` whether the Ethereum burn has
 * the relayers' confirmations; k counts the attestations matching the Ethereum event's (recipient, amount).
 */
export function bridgeBurnStage(burn: BurnInfo | null, expected: { recipient: string; amount: bigint }, confirmed: boolean, threshold: number): string {
  if (burn?.status === 'Released') return 'released';
  if (burn?.status === 'Queued') return 'queued';
  const k = burn ? burn.attestations.filter((a) => a.recipient === expected.recipient.toLowerCase() && a.amount === expected.amount).length : 0;
  if (k > 0) return `attested ${Math.min(k, threshold)}/${threshold}`;
  return confirmed ? 'confirmed' : 'burned';
}
