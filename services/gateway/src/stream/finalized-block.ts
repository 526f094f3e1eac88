import type { consensusV1 } from '@balanceai/contracts';

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

/** What the gateway takes from a finalized-block message on NATS: which block, nothing else. */
export interface FinalizedNotice {
  number: number;
  hash: string;
}

/** uint64 fields may be published as JSON numbers or decimal strings; both mean the same height. */
function count(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * Reads the height and hash of a finalized-block message; undefined for anything malformed. The rest
 * of the payload is ignored: anyone who can publish on the subject could have written it, so what
 * clients receive is built from a validator's GetBlock answer instead (FinalizedRelay).
 */
export function parseFinalizedNotice(payload: string): FinalizedNotice | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const number = count(r.number);
  if (number === undefined || typeof r.hash !== 'string' || !HASH.test(r.hash)) return undefined;
  return { number, hash: r.hash.toLowerCase() };
}

/** The WebSocket message for a block, from a validator's GetBlock answer; undefined if its fields are not sane. */
export function blockMessage(block: consensusV1.GetBlockResponse): FinalizedBlockMessage | undefined {
  const number = count(block.number);
  const timeMs = count(block.timeMs);
  if (number === undefined || timeMs === undefined || !HASH.test(block.hash) || !HASH.test(block.parentHash)) return undefined;
  return {
    type: 'block',
    number,
    hash: block.hash.toLowerCase(),
    parentHash: block.parentHash.toLowerCase(),
    timeMs,
    extrinsicCount: block.extrinsics.length,
    proposerIndex: block.proposerIndex,
    round: block.round,
  };
}
