import { decodeExtrinsic, type DecodedExtrinsic } from '@balanceai/chain';

/**
 * Decoded extrinsics by the byte array they were decoded from. A proposal's block keeps the same arrays
 * from its arrival (mempool prevalidation) to its execution, so decoding (and blake2-hashing) an
 * extrinsic there with `decodeOnce` lets execution take the result instead of doing both again. Weak: an
 * entry lives as long as its block's bytes. The decoded form is frozen, since the mempool and the block
 * may both hold it (its byte arrays cannot be frozen and are never written).
 */
const byBytes = new WeakMap<Uint8Array, DecodedExtrinsic>();

/** decodeExtrinsic, remembered for this byte array (a malformed one throws every time). */
export function decodeOnce(bytes: Uint8Array): DecodedExtrinsic {
  const known = byBytes.get(bytes);
  if (known) return known;
  const xt = freezeDecoded(decodeExtrinsic(bytes));
  byBytes.set(bytes, xt);
  return xt;
}

/** What `decodeOnce` remembered for this byte array, if anything (does not decode). */
export function decodedOf(bytes: Uint8Array): DecodedExtrinsic | undefined {
  return byBytes.get(bytes);
}

function freezeDecoded(xt: DecodedExtrinsic): DecodedExtrinsic {
  Object.freeze(xt.extra.era);
  Object.freeze(xt.extra);
  Object.freeze(xt.call);
  return Object.freeze(xt);
}
