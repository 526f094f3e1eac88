import { ScaleReader, ScaleWriter, blake2_256, fromHex, toHex, utf8 } from '@balanceai/chain';
import type { Vote, VoteType } from '../bft/index.js';

/** A vote with its ed25519 signature, as gossiped and as kept in commits and evidence. */
export interface SignedVote extends Vote {
  signature: Uint8Array;
}

const VOTE_TYPE_BYTE: Record<VoteType, number> = { prevote: 1, precommit: 2 };
const PROPOSAL_BYTE = 0;

/**
 * What a validator signs for a vote: the chain (genesis hash) so a vote is never valid on another chain,
 * then type, height, round and the block hash (None = nil). Canonical SCALE.
 */
export function voteSignBytes(genesisHash: Uint8Array, v: Vote): Uint8Array {
  const w = new ScaleWriter().raw(genesisHash).u8(VOTE_TYPE_BYTE[v.type]).u64(BigInt(v.height)).u32(v.round);
  w.option(v.blockHash, (ww, h) => ww.raw(fromHex(h, 32)));
  return w.finish();
}

export function proposalSignBytes(
  genesisHash: Uint8Array,
  p: { height: number; round: number; validRound: number; blockHash: string },
): Uint8Array {
  return new ScaleWriter()
    .raw(genesisHash)
    .u8(PROPOSAL_BYTE)
    .u64(BigInt(p.height))
    .u32(p.round)
    .u32(p.validRound + 1) // -1 (none) encodes as 0
    .raw(fromHex(p.blockHash, 32))
    .finish();
}

export function writeSignedVote(w: ScaleWriter, v: SignedVote): void {
  w.u8(VOTE_TYPE_BYTE[v.type]).u64(BigInt(v.height)).u32(v.round).u32(v.validator);
  w.option(v.blockHash, (ww, h) => ww.raw(fromHex(h, 32)));
  w.raw(v.signature);
}

export function readSignedVote(r: ScaleReader): SignedVote {
  const typeByte = r.u8();
  if (typeByte !== 1 && typeByte !== 2) throw new Error(`bad vote type ${typeByte}`);
  const height = Number(r.u64());
  const round = r.u32();
  const validator = r.u32();
  const hash = r.option((rr) => rr.raw(32));
  const signature = r.raw(64).slice();
  return {
    type: typeByte === 1 ? 'prevote' : 'precommit',
    height,
    round,
    validator,
    blockHash: hash ? toHex(hash) : null,
    signature,
  };
}

/**
 * The id of an offence: one validator, one height, round and vote type. Two pieces of evidence for the
 * same offence (other pairs of its conflicting votes) share the id, so an offence is punished once.
 */
export function evidenceId(a: SignedVote, _b?: SignedVote): Uint8Array {
  return blake2_256(
    new ScaleWriter().raw(utf8('bai/offence')).u32(a.validator).u64(BigInt(a.height)).u32(a.round).u8(VOTE_TYPE_BYTE[a.type]).finish(),
  );
}
