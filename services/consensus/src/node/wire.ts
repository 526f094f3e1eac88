import { ScaleReader, ScaleWriter, decodeVecBytes, encodeVecBytes } from '@balanceai/chain';
import { readSignedVote, writeSignedVote, type SignedVote } from '../block/votes.js';

// Gossip payloads between validators (core NATS, subjects p2p.<chainId>.*): canonical SCALE.

export interface ProposalMessage {
  height: number;
  round: number;
  validRound: number;
  proposer: number;
  signature: Uint8Array;
  header: Uint8Array;
  body: Uint8Array;
}

export function encodeProposalMessage(p: ProposalMessage): Uint8Array {
  return new ScaleWriter()
    .u64(BigInt(p.height))
    .u32(p.round)
    .u32(p.validRound + 1)
    .u32(p.proposer)
    .raw(p.signature)
    .bytes(p.header)
    .bytes(p.body)
    .finish();
}

export function decodeProposalMessage(bytes: Uint8Array): ProposalMessage {
  const r = new ScaleReader(bytes);
  const p = {
    height: Number(r.u64()),
    round: r.u32(),
    validRound: r.u32() - 1,
    proposer: r.u32(),
    signature: r.raw(64).slice(),
    header: r.bytes().slice(),
    body: r.bytes().slice(),
  };
  if (r.remaining !== 0) throw new Error('trailing bytes after proposal');
  return p;
}

export function encodeVoteMessage(v: SignedVote): Uint8Array {
  const w = new ScaleWriter();
  writeSignedVote(w, v);
  return w.finish();
}

export function decodeVoteMessage(bytes: Uint8Array): SignedVote {
  const r = new ScaleReader(bytes);
  const v = readSignedVote(r);
  if (r.remaining !== 0) throw new Error('trailing bytes after vote');
  return v;
}

export const encodeTxBatch = (txs: Uint8Array[]): Uint8Array => encodeVecBytes(txs);
export const decodeTxBatch = (bytes: Uint8Array): Uint8Array[] => decodeVecBytes(bytes);

/** Block sync response: Vec<(header, body, justification)>. */
export function encodeSyncBlocks(blocks: Array<{ header: Uint8Array; body: Uint8Array; justification: Uint8Array }>): Uint8Array {
  const w = new ScaleWriter();
  w.vec(blocks, (ww, b) => ww.bytes(b.header).bytes(b.body).bytes(b.justification));
  return w.finish();
}

export function decodeSyncBlocks(bytes: Uint8Array): Array<{ header: Uint8Array; body: Uint8Array; justification: Uint8Array }> {
  const r = new ScaleReader(bytes);
  return r.vec((rr) => ({ header: rr.bytes().slice(), body: rr.bytes().slice(), justification: rr.bytes().slice() }));
}
