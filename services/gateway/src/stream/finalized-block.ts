/** One finalized block as the WebSocket pushes it (and validators publish it on NATS). */
export interface FinalizedBlockMessage {
  type: 'block';
  number: number;
  hash: string;
  parentHash: string;
  timeMs: number;
  extrinsicCount: number;
  proposerIndex: number;
  round: number;
}

/** Subject validators publish finalized blocks on. */
export function finalizedBlocksSubject(chainId: string): string {
  return `bai.${chainId}.blocks.finalized`;
}

/** The JetStream stream holding `bai.<chainId>.>`: `BAI_` + the chain id upper-cased, non-alphanumerics as `_`. */
export function chainStreamName(chainId: string): string {
  return `BAI_${chainId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const HASH = /^0x[0-9a-fA-F]{64}$/;

/** uint64 fields may be published as JSON numbers or decimal strings; both mean the same height. */
function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Reads a validator's finalized-block payload. Returns undefined for anything malformed, so one bad
 * publisher cannot push garbage to every WebSocket client. Extra fields are dropped: the message
 * shape is the gateway's contract, not the validator's.
 */
export function parseFinalizedBlock(payload: string): FinalizedBlockMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const number = count(r.number);
  const timeMs = count(r.timeMs);
  const extrinsicCount = count(r.extrinsicCount);
  const proposerIndex = count(r.proposerIndex);
  const round = count(r.round);
  const { hash, parentHash } = r;
  if (
    number === undefined ||
    timeMs === undefined ||
    extrinsicCount === undefined ||
    proposerIndex === undefined ||
    round === undefined ||
    typeof hash !== 'string' ||
    !HASH.test(hash) ||
    typeof parentHash !== 'string' ||
    !HASH.test(parentHash)
  ) {
    return undefined;
  }
  return { type: 'block', number, hash: hash.toLowerCase(), parentHash: parentHash.toLowerCase(), timeMs, extrinsicCount, proposerIndex, round };
}

/**
 * Remembers the last few block hashes. JetStream drops the 4 validators' copies by `Nats-Msg-Id` within
 * its duplicate window; this catches copies published after it (a validator that was behind).
 */
export class RecentHashes {
  private readonly order: string[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 256) {}

  /** True the first time a hash is offered. */
  add(hash: string): boolean {
    if (this.seen.has(hash)) return false;
    this.seen.add(hash);
    this.order.push(hash);
    if (this.order.length > this.capacity) this.seen.delete(this.order.shift()!);
    return true;
  }
}
