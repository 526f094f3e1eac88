import { ScaleReader, ScaleWriter, toHex, utf8, verifySignature } from '@balanceai/chain';

/** A validator counts as online when a verified message of its arrived within this window. */
export const ONLINE_WINDOW_MS = 5_000;
/** A status message whose time is further than this from our clock is ignored (stale or replayed). */
const STATUS_MAX_SKEW_MS = 30_000;

/** Each validator's signed heartbeat: its committed height and round, every second. */
export interface StatusMessage {
  key: Uint8Array;
  height: number;
  round: number;
  timeMs: number;
  signature: Uint8Array;
}

export function statusSignBytes(genesisHash: Uint8Array, s: Omit<StatusMessage, 'signature'>): Uint8Array {
  return new ScaleWriter().raw(genesisHash).raw(utf8('bai/status')).raw(s.key).u64(BigInt(s.height)).u32(s.round).u64(BigInt(s.timeMs)).finish();
}

export function encodeStatus(s: StatusMessage): Uint8Array {
  return new ScaleWriter().raw(s.key).u64(BigInt(s.height)).u32(s.round).u64(BigInt(s.timeMs)).raw(s.signature).finish();
}

export function decodeStatus(bytes: Uint8Array): StatusMessage {
  const r = new ScaleReader(bytes);
  const s = { key: r.raw(32).slice(), height: Number(r.u64()), round: r.u32(), timeMs: Number(r.u64()), signature: r.raw(64).slice() };
  if (r.remaining !== 0) throw new Error('trailing bytes after status');
  return s;
}

/**
 * Which validators are alive, from verified messages only (votes, proposals, signed status): a stranger
 * cannot make a dead validator look online, nor a live one look ahead. Keyed by consensus key, so it
 * survives validator set changes; bounded by the keys of the sets.
 */
export class Liveness {
  private readonly lastSeen = new Map<string, { atMs: number; height: number }>();
  private readonly lastStatusTime = new Map<string, number>();

  constructor(
    private readonly genesisHash: Uint8Array,
    private readonly now: () => number,
  ) {}

  /** This validator's signed heartbeat. */
  heartbeat(key: { publicKey: Uint8Array; sign(bytes: Uint8Array): Uint8Array }, height: number, round: number): Uint8Array {
    const s = { key: key.publicKey, height, round, timeMs: this.now() };
    return encodeStatus({ ...s, signature: key.sign(statusSignBytes(this.genesisHash, s)) });
  }

  /** Call only after the message's signature verified. */
  seen(key: Uint8Array, height: number): void {
    const hex = toHex(key);
    this.lastSeen.set(hex, { atMs: this.now(), height: Math.max(height, this.lastSeen.get(hex)?.height ?? 0) });
  }

  /** How many of `keys` were seen (verified) at a height above `height`. */
  countAhead(keys: Uint8Array[], height: number): number {
    return keys.filter((k) => (this.lastSeen.get(toHex(k))?.height ?? 0) > height).length;
  }

  /**
   * Checks a status message: from a validator in `knownKeys`, signed, fresh, newer than the last one
   * from that key. Returns its height when accepted, else null.
   */
  acceptStatus(data: Uint8Array, isValidator: (key: Uint8Array) => boolean): StatusMessage | null {
    let s: StatusMessage;
    try {
      s = decodeStatus(data);
    } catch {
      return null;
    }
    const hex = toHex(s.key);
    if (!isValidator(s.key)) return null;
    if (Math.abs(s.timeMs - this.now()) > STATUS_MAX_SKEW_MS) return null;
    if (s.timeMs <= (this.lastStatusTime.get(hex) ?? 0)) return null;
    if (!verifySignature('ed25519', s.key, statusSignBytes(this.genesisHash, s), s.signature)) return null;
    this.lastStatusTime.set(hex, s.timeMs);
    this.seen(s.key, s.height + 1);
    return s;
  }

  /** Forgets keys that are in no set any more. */
  retain(keys: Iterable<Uint8Array>): void {
    const keep = new Set([...keys].map((k) => toHex(k)));
    for (const k of this.lastSeen.keys()) if (!keep.has(k)) this.lastSeen.delete(k);
    for (const k of this.lastStatusTime.keys()) if (!keep.has(k)) this.lastStatusTime.delete(k);
  }

  status(key: Uint8Array): { online: boolean; lastSeenHeight: number } {
    const s = this.lastSeen.get(toHex(key));
    return { online: !!s && this.now() - s.atMs < ONLINE_WINDOW_MS, lastSeenHeight: s?.height ?? 0 };
  }
}
