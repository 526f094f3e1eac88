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

// The OpenAPI `pattern` of each path parameter: the shape the parsers below accept (a value matching it
// can still be refused: a decimal above 2^64 − 1, an SS58 address with a bad checksum).
/** `:id` of /v1/blocks: a decimal block number (at most 20 digits) or a 0x 32-byte hash. */
export const BLOCK_ID_PATTERN = '^(?:0|[1-9][0-9]{0,19}|0x[0-9a-fA-F]{64})$';
/** `:hash` of /v1/extrinsics. */
export const HASH_PATTERN = '^0x[0-9a-fA-F]{64}$';
/** `:address`: an SS58 address of a 32-byte account (base58; 36 to 49 characters, any prefix) or a 0x 32-byte hex id. */
export const ADDRESS_PATTERN = '^(?:0x[0-9a-fA-F]{64}|[1-9A-HJ-NP-Za-km-z]{32,52})$';
/** `:name` of /v1/expert/models: the expert service's model names. */
export const MODEL_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';
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
