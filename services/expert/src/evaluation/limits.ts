// Request limits checked on the raw JSON text, before anything parses it: size, nesting depth and the number of
// positions. A single pass over the bytes with no recursion, so no request can exhaust a parser's stack (Node's
// JSON.parse, or Python's json in a worker) or make a worker build millions of facts.
import { DomainError } from '@balanceai/platform';

export interface RequestLimits {
  /** UTF-8 bytes of the request JSON. */
  maxBytes: number;
  /** Nested arrays/objects; the toolkit document needs 4 (document → ot_risk_input → position-data → position). */
  maxDepth: number;
  /** Entries of every `position-data` list together. */
  maxPositions: number;
}

export const DEFAULT_LIMITS: RequestLimits = { maxBytes: 1024 * 1024, maxDepth: 32, maxPositions: 1000 };

const POSITIONS_KEY = 'position-data';
const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * Throws REQUEST_TOO_LARGE, REQUEST_TOO_DEEP or TOO_MANY_POSITIONS; malformed JSON is left to the parser.
 * A position is an element of an array that is the value of a `"position-data"` key at any depth.
 */
export function checkRequestLimits(text: string, limits: RequestLimits = DEFAULT_LIMITS): void {
  // Cheap bound first: a UTF-8 byte count is at least the string length.
  if (text.length > limits.maxBytes || Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    throw new DomainError('REQUEST_TOO_LARGE', `the request exceeds ${limits.maxBytes} bytes`, 'too_large');
  }
  const bytes = Buffer.from(text, 'utf8');
  // Per open container: whether it is a position-data list, and whether it holds an element yet.
  const positionList: boolean[] = [];
  const hasElement: boolean[] = [];
  let positions = 0;
  let lastString: string | undefined;
  let keyPending: string | undefined; // a string followed by ':' — the key of the next value
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (isSpace(byte)) continue;
    const depth = positionList.length;
    if (depth > 0 && positionList[depth - 1] && !hasElement[depth - 1] && byte !== CLOSE_ARRAY) {
      hasElement[depth - 1] = true;
      positions++;
    } else if (depth > 0 && positionList[depth - 1] && byte === COMMA) {
      positions++;
    }
    if (positions > limits.maxPositions) {
      throw new DomainError(
        'TOO_MANY_POSITIONS', `the request holds more than ${limits.maxPositions} positions`, 'invalid', { field: POSITIONS_KEY },
      );
    }
    if (byte === QUOTE) {
      const start = i + 1;
      i++;
      while (i < bytes.length && bytes[i] !== QUOTE) {
        if (bytes[i] === BACKSLASH) i++;
        i++;
      }
      // Only short strings can be the key we look for; longer ones need not be decoded.
      lastString = i - start <= 32 ? bytes.toString('utf8', start, i) : '';
      continue;
    }
    if (byte === COLON) {
      keyPending = lastString;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      if (positionList.length >= limits.maxDepth) {
        throw new DomainError('REQUEST_TOO_DEEP', `the request nests deeper than ${limits.maxDepth} levels`, 'invalid');
      }
      positionList.push(byte === OPEN_ARRAY && keyPending === POSITIONS_KEY);
      hasElement.push(false);
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      positionList.pop();
      hasElement.pop();
    }
    keyPending = undefined;
  }
}
