import { randomBytes } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { ScaleWriter, cryptoReady, fromHex, keyFromUri, toHex } from '@balanceai/chain';
import { natsConnectOptions } from './nats.js';

// A byzantine validator for e2e tests: it speaks the validators' gossip wire format directly
// (services/consensus/src/block/votes.ts and node/wire.ts), without going through a consensus node.

export type VoteKind = 'prevote' | 'precommit';

const VOTE_TYPE_BYTE: Record<VoteKind, number> = { prevote: 1, precommit: 2 };

export interface ForgedVote {
  type: VoteKind;
  height: number;
  round: number;
  validator: number;
  /** 0x hex of 32 bytes, or null for a nil vote. */
  blockHash: string | null;
}

function writeOptionalHash(w: ScaleWriter, hash: string | null): void {
  w.option(hash, (ww, h) => ww.raw(fromHex(h, 32)));
}

/** What a validator signs: genesisHash [u8;32] | type u8 | height u64 LE | round u32 LE | Option<[u8;32]>. */
export function voteSigningBytes(genesisHash: Uint8Array, v: ForgedVote): Uint8Array {
  const w = new ScaleWriter().raw(genesisHash).u8(VOTE_TYPE_BYTE[v.type]).u64(BigInt(v.height)).u32(v.round);
  writeOptionalHash(w, v.blockHash);
  return w.finish();
}

/** The gossip message: type u8 | height u64 LE | round u32 LE | validator u32 LE | Option<[u8;32]> | signature [u8;64]. */
export function encodeVote(v: ForgedVote, signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error('a vote signature is 64 bytes');
  const w = new ScaleWriter().u8(VOTE_TYPE_BYTE[v.type]).u64(BigInt(v.height)).u32(v.round).u32(v.validator);
  writeOptionalHash(w, v.blockHash);
  return w.raw(signature).finish();
}

export interface DoubleVoteOptions {
  natsUrl: string;
  chainId: string;
  /** 0x hex or bytes. */
  genesisHash: string | Uint8Array;
  /** ed25519 secret URI of the validator that equivocates (e.g. `//validator//3`). */
  validatorKey: string;
  validatorIndex: number;
  height: number;
  round: number;
  /** prevote by default. */
  type?: VoteKind;
}

export interface DoubleVoteResult {
  /** The two conflicting votes that were published, in order. */
  votes: [ForgedVote, ForgedVote];
  messages: [Uint8Array, Uint8Array];
}

/**
 * Signs two conflicting votes (same validator, height, round and type; two different random block
 * hashes) with the validator's ed25519 key and publishes both on core NATS `p2p.<chainId>.vote`.
 * Honest validators that receive both hold a piece of equivocation evidence.
 */
export async function doubleVote(opts: DoubleVoteOptions): Promise<DoubleVoteResult> {
  await cryptoReady();
  const genesisHash = typeof opts.genesisHash === 'string' ? fromHex(opts.genesisHash, 32) : opts.genesisHash;
  const key = keyFromUri(opts.validatorKey, 'ed25519');
  const type = opts.type ?? 'prevote';
  const make = (): ForgedVote => ({
    type,
    height: opts.height,
    round: opts.round,
    validator: opts.validatorIndex,
    blockHash: toHex(randomBytes(32)),
  });
  const votes: [ForgedVote, ForgedVote] = [make(), make()];
  const messages = votes.map((v) => encodeVote(v, key.sign(voteSigningBytes(genesisHash, v)))) as [Uint8Array, Uint8Array];
  const nc = await connect({ ...natsConnectOptions(opts.natsUrl), reconnect: false });
  try {
    for (const m of messages) nc.publish(`p2p.${opts.chainId}.vote`, m);
    await nc.flush();
  } finally {
    await nc.close();
  }
  return { votes, messages };
}
