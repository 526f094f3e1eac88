import { ScaleError } from './errors.js';
import { blake2_256 } from './hash.js';
import { fromUtf8, utf8 } from './hex.js';
import { ScaleReader, ScaleWriter } from './scale.js';

export type DigestItem =
  | { type: 'PreRuntime' | 'Consensus' | 'Seal'; engine: string; data: Uint8Array }
  | { type: 'Other'; data: Uint8Array }
  | { type: 'RuntimeEnvironmentUpdated' };

export interface Header {
  parentHash: Uint8Array;
  number: number;
  stateRoot: Uint8Array;
  extrinsicsRoot: Uint8Array;
  digest: DigestItem[];
}

// sp_runtime::generic::DigestItem variant indices.
const DIGEST_TAG = { Other: 0, Consensus: 4, Seal: 5, PreRuntime: 6, RuntimeEnvironmentUpdated: 8 } as const;
const ENGINE_ID = /^[\x20-\x7e]{4}$/;

function engineBytes(engine: string): Uint8Array {
  if (!ENGINE_ID.test(engine)) throw new ScaleError(`a consensus engine id is 4 ASCII characters, got "${engine}"`);
  return utf8(engine);
}

function hash32(w: ScaleWriter, h: Uint8Array, what: string): void {
  if (h.length !== 32) throw new ScaleError(`${what} must be 32 bytes, got ${h.length}`);
  w.raw(h);
}

export function encodeHeader(h: Header): Uint8Array {
  const w = new ScaleWriter();
  hash32(w, h.parentHash, 'parentHash');
  if (!Number.isInteger(h.number) || h.number < 0 || h.number > 0xffff_ffff) throw new ScaleError(`block number ${h.number} is not a u32`);
  w.compact(h.number);
  hash32(w, h.stateRoot, 'stateRoot');
  hash32(w, h.extrinsicsRoot, 'extrinsicsRoot');
  w.vec(h.digest, (w, item) => {
    w.u8(DIGEST_TAG[item.type]);
    if (item.type === 'Other') w.bytes(item.data);
    else if (item.type !== 'RuntimeEnvironmentUpdated') w.raw(engineBytes(item.engine)).bytes(item.data);
  });
  return w.finish();
}

function readDigestItem(r: ScaleReader): DigestItem {
  const tag = r.u8();
  switch (tag) {
    case DIGEST_TAG.Other:
      return { type: 'Other', data: r.bytes().slice() };
    case DIGEST_TAG.Consensus:
    case DIGEST_TAG.Seal:
    case DIGEST_TAG.PreRuntime: {
      const type = tag === DIGEST_TAG.Consensus ? 'Consensus' : tag === DIGEST_TAG.Seal ? 'Seal' : 'PreRuntime';
      const engine = fromUtf8(r.raw(4));
      if (!ENGINE_ID.test(engine)) throw new ScaleError('digest engine id is not 4 ASCII characters');
      return { type, engine, data: r.bytes().slice() };
    }
    case DIGEST_TAG.RuntimeEnvironmentUpdated:
      return { type: 'RuntimeEnvironmentUpdated' };
    default:
      throw new ScaleError(`unknown digest item type ${tag}`);
  }
}

export function decodeHeader(bytes: Uint8Array): Header {
  const r = new ScaleReader(bytes);
  const header: Header = {
    parentHash: r.raw(32).slice(),
    number: r.compactU32(),
    stateRoot: r.raw(32).slice(),
    extrinsicsRoot: r.raw(32).slice(),
    digest: r.vec((x) => readDigestItem(x)),
  };
  r.assertEnd('the header');
  return header;
}

/** The block hash: blake2_256 of the SCALE header, which is what Substrate wallets recompute. */
export function headerHash(h: Header): Uint8Array {
  return blake2_256(encodeHeader(h));
}

export function encodeVecBytes(items: Uint8Array[]): Uint8Array {
  return new ScaleWriter().vec(items, (w, item) => w.bytes(item)).finish();
}

export function decodeVecBytes(bytes: Uint8Array): Uint8Array[] {
  const r = new ScaleReader(bytes);
  const items = r.vec((x) => x.bytes().slice());
  r.assertEnd('the byte vectors');
  return items;
}

/**
 * Commitment to a block's extrinsics: blake2_256(SCALE(Vec<Vec<u8>>)) of the encoded extrinsics.
 * Substrate uses a trie root here; wallets never recompute it (they hash the header as given), and a
 * flat hash is enough for validators to agree on the body, so we keep the simple, fast form.
 */
export function extrinsicsRoot(extrinsics: Uint8Array[]): Uint8Array {
  return blake2_256(encodeVecBytes(extrinsics));
}
