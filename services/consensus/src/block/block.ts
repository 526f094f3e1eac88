import {
  ScaleReader,
  ScaleWriter,
  decodeHeader,
  decodeVecBytes,
  encodeHeader,
  encodeVecBytes,
  extrinsicsRoot,
  headerHash,
  toHex,
  utf8,
  fromUtf8,
  type DigestItem,
  type Header,
} from '@balanceai/chain';
import { readSignedVote, writeSignedVote, type SignedVote } from './votes.js';

// Digest items of a BalanceAI block (Substrate digests with our own engine ids, so wallets decode them):
//   PreRuntime 'BAI0'  the block's round, proposer index and time (ms): time comes from the block, never a clock
//   Consensus  'BFTC'  the commit of the previous block (CometBFT's LastCommit): era points read it
//   Consensus  'BFTE'  equivocation evidence: staking slashes from it
export const ENGINE_META = 'BAI0';
export const ENGINE_LAST_COMMIT = 'BFTC';
export const ENGINE_EVIDENCE = 'BFTE';
/** Justification engine id for the commit that finalized a block (Substrate `Justifications`). */
export const ENGINE_JUSTIFICATION = 'BFT1';

export interface BlockMeta {
  round: number;
  proposer: number;
  timeMs: number;
}

/** +2/3 precommits for one block at one round. */
export interface Commit {
  readonly height: number;
  readonly round: number;
  readonly blockHash: string;
  readonly precommits: readonly SignedVote[];
}

export interface Evidence {
  readonly first: SignedVote;
  readonly second: SignedVote;
}

/** A block is a value: built once from its bytes and frozen (see buildBlock). */
export interface Block {
  readonly header: Header;
  readonly headerBytes: Uint8Array;
  readonly hash: string;
  readonly number: number;
  readonly extrinsics: readonly Uint8Array[];
  readonly meta: BlockMeta;
  readonly lastCommit: Commit | null;
  readonly evidence: readonly Evidence[];
}

export function encodeCommit(c: Commit): Uint8Array {
  const w = new ScaleWriter().u64(BigInt(c.height)).u32(c.round);
  w.vec(c.precommits, (ww, v) => writeSignedVote(ww, v));
  return w.finish();
}

export function decodeCommit(bytes: Uint8Array): Commit {
  const r = new ScaleReader(bytes);
  const height = Number(r.u64());
  const round = r.u32();
  const precommits = r.vec((rr) => readSignedVote(rr));
  if (r.remaining !== 0) throw new Error('trailing bytes after commit');
  const blockHash = precommits[0]?.blockHash;
  if (!blockHash) throw new Error('commit without precommits for a block');
  for (const v of precommits) {
    if (v.type !== 'precommit' || v.height !== height || v.round !== round || v.blockHash !== blockHash) {
      throw new Error('commit mixes votes of different blocks, rounds or types');
    }
  }
  return deepFreeze({ height, round, blockHash, precommits });
}

function encodeEvidence(list: Evidence[]): Uint8Array {
  const w = new ScaleWriter();
  w.vec(list, (ww, e) => {
    writeSignedVote(ww, e.first);
    writeSignedVote(ww, e.second);
  });
  return w.finish();
}

function decodeEvidence(bytes: Uint8Array): Evidence[] {
  const r = new ScaleReader(bytes);
  const list = r.vec((rr) => ({ first: readSignedVote(rr), second: readSignedVote(rr) }));
  if (r.remaining !== 0) throw new Error('trailing bytes after evidence');
  return list;
}

function encodeMeta(m: BlockMeta): Uint8Array {
  return new ScaleWriter().u32(m.round).u32(m.proposer).u64(BigInt(m.timeMs)).finish();
}

function decodeMeta(bytes: Uint8Array): BlockMeta {
  const r = new ScaleReader(bytes);
  const meta = { round: r.u32(), proposer: r.u32(), timeMs: Number(r.u64()) };
  if (r.remaining !== 0) throw new Error('trailing bytes after block meta');
  return meta;
}

export function buildBlock(args: {
  parentHash: Uint8Array;
  number: number;
  stateRoot: Uint8Array;
  extrinsics: Uint8Array[];
  meta: BlockMeta;
  lastCommit: Commit | null;
  evidence: Evidence[];
}): Block {
  const digest: DigestItem[] = [{ type: 'PreRuntime', engine: ENGINE_META, data: encodeMeta(args.meta) }];
  if (args.lastCommit) digest.push({ type: 'Consensus', engine: ENGINE_LAST_COMMIT, data: encodeCommit(args.lastCommit) });
  if (args.evidence.length > 0) digest.push({ type: 'Consensus', engine: ENGINE_EVIDENCE, data: encodeEvidence(args.evidence) });
  const header: Header = {
    parentHash: args.parentHash,
    number: args.number,
    stateRoot: args.stateRoot,
    extrinsicsRoot: extrinsicsRoot(args.extrinsics),
    digest,
  };
  // The block is read back from its own bytes: nothing the caller passed in (a commit that a late
  // precommit extends, a mempool array) is shared with it, so what executes is what was signed.
  return decodeBlock(encodeHeader(header), encodeVecBytes(args.extrinsics));
}

/** Decodes a block from its header and body bytes; throws on anything malformed (a peer's bad block). */
export function decodeBlock(headerBytes: Uint8Array, bodyBytes: Uint8Array): Block {
  const header = decodeHeader(headerBytes);
  const extrinsics = decodeVecBytes(bodyBytes);
  let meta: BlockMeta | null = null;
  let lastCommit: Commit | null = null;
  let evidence: Evidence[] = [];
  for (const item of header.digest) {
    if (item.type === 'PreRuntime' && item.engine === ENGINE_META) meta = decodeMeta(item.data);
    else if (item.type === 'Consensus' && item.engine === ENGINE_LAST_COMMIT) lastCommit = decodeCommit(item.data);
    else if (item.type === 'Consensus' && item.engine === ENGINE_EVIDENCE) evidence = decodeEvidence(item.data);
  }
  if (!meta) throw new Error('block has no BAI0 pre-runtime digest');
  return deepFreeze({
    header,
    headerBytes,
    hash: toHex(headerHash(header)),
    number: header.number,
    extrinsics,
    meta,
    lastCommit,
    evidence,
  });
}

/** Blocks, commits and votes are values: frozen all the way down (byte arrays cannot be frozen, and are never written). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function encodeBody(b: Block): Uint8Array {
  return encodeVecBytes(b.extrinsics as Uint8Array[]);
}

/** Substrate `Justifications`: Vec<(ConsensusEngineId, Vec<u8>)> with our commit. */
export function encodeJustification(c: Commit): Uint8Array {
  const w = new ScaleWriter().compact(1).raw(utf8(ENGINE_JUSTIFICATION));
  w.bytes(encodeCommit(c));
  return w.finish();
}

export function decodeJustification(bytes: Uint8Array): Commit {
  const r = new ScaleReader(bytes);
  const n = r.compactU32();
  for (let i = 0; i < n; i++) {
    const engine = fromUtf8(r.raw(4));
    const data = r.bytes();
    if (engine === ENGINE_JUSTIFICATION) return decodeCommit(data);
  }
  throw new Error('no BFT1 justification');
}
