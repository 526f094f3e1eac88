import { DomainError } from '@balanceai/platform';

/** The chain's maximum encoded extrinsic (bytes); larger ones are refused before reaching a validator. */
export const MAX_EXTRINSIC_BYTES = 64 * 1024;
/**
 * HTTP body limit: the hex of a maximal extrinsic ("0x" + 2 chars a byte) plus room for the JSON
 * envelope and whitespace. Anything larger cannot hold a valid extrinsic.
 */
export const MAX_BODY_BYTES = 2 + 2 * MAX_EXTRINSIC_BYTES + 1024;

const U64_MAX = (1n << 64n) - 1n;
const DECIMAL = /^(?:0|[1-9][0-9]{0,19})$/;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const HEX_BYTES = /^0x(?:[0-9a-fA-F]{2})+$/;

/** A block named by number (decimal string, as the proto's uint64) or by 0x hash. */
export type BlockId = { number: string } | { hash: string };

/**
 * Heights are JSON numbers in every answer, so the gateway serves blocks up to 2^53 − 1 (at one block a
 * second, 285 million years). A larger uint64 is a well-formed id of a block that cannot exist: 404,
 * answered here so no validator is asked for a value the gateway could not represent anyway.
 */
export function parseBlockId(text: string): BlockId {
  if (DECIMAL.test(text) && BigInt(text) <= U64_MAX) {
    if (BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER)) throw new DomainError('BLOCK_NOT_FOUND', `no finalized block ${text}`, 'not_found');
    return { number: text };
  }
  if (HASH.test(text)) return { hash: text.toLowerCase() };
  throw new DomainError('BAD_BLOCK_ID', `block id must be a decimal block number or a 0x 32-byte hash, got "${clip(text)}"`);
}

export function parseHash(text: string, what: string): string {
  if (HASH.test(text)) return text.toLowerCase();
  throw new DomainError('BAD_HASH', `${what} must be a 0x-prefixed 32-byte hex hash, got "${clip(text)}"`);
}

/** The body of POST /v1/extrinsics: `{ "extrinsic": "0x…" }`, checked by hand to keep the hot path thin. */
export function parseSubmitBody(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainError('BAD_REQUEST_BODY', 'body must be a JSON object { "extrinsic": "0x…" }');
  }
  const extrinsic = (body as Record<string, unknown>).extrinsic;
  if (typeof extrinsic !== 'string') {
    throw new DomainError('BAD_REQUEST_BODY', 'field "extrinsic" must be a 0x-prefixed hex string');
  }
  if (extrinsic.length > 2 + 2 * MAX_EXTRINSIC_BYTES) {
    throw new DomainError('EXTRINSIC_TOO_LARGE', `extrinsic exceeds ${MAX_EXTRINSIC_BYTES} bytes`, 'too_large');
  }
  if (!HEX_BYTES.test(extrinsic)) {
    throw new DomainError('BAD_HEX', 'field "extrinsic" must be 0x-prefixed hex with an even number of digits');
  }
  return extrinsic;
}

/** Echoing input back helps the caller, but not a 100 KiB one. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
