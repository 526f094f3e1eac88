import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoReady, keyFromUri, toHex, verifySignature } from '@balanceai/chain';
import { buildBlock, decodeBlock, decodeJustification, encodeBody, encodeJustification, type Commit } from './block.js';
import { voteSignBytes, type SignedVote } from './votes.js';

describe('block format', () => {
  before(async () => {
    await cryptoReady();
  });

  it('round-trips a block with meta, last commit and evidence, and its hash commits to all of them', () => {
    const key = keyFromUri('//validator//0', 'ed25519');
    const gh = new Uint8Array(32).fill(3);
    const vote = (validator: number, blockHash: string): SignedVote => {
      const v = { type: 'precommit' as const, height: 4, round: 1, blockHash, validator };
      return { ...v, signature: key.sign(voteSignBytes(gh, v)) };
    };
    const parent = toHex(new Uint8Array(32).fill(5));
    const lastCommit: Commit = { height: 4, round: 1, blockHash: parent, precommits: [vote(0, parent), vote(1, parent), vote(2, parent)] };
    const evidence = [{ first: vote(0, toHex(new Uint8Array(32).fill(1))), second: vote(0, toHex(new Uint8Array(32).fill(2))) }];
    const b = buildBlock({
      parentHash: new Uint8Array(32).fill(5),
      number: 5,
      stateRoot: new Uint8Array(32).fill(6),
      extrinsics: [new Uint8Array([1, 2]), new Uint8Array([3])],
      meta: { round: 2, proposer: 3, timeMs: 1_700_000_000_123 },
      lastCommit,
      evidence,
    });
    const d = decodeBlock(b.headerBytes, encodeBody(b));
    assert.equal(d.hash, b.hash);
    assert.deepEqual(d.meta, b.meta);
    assert.equal(d.lastCommit?.precommits.length, 3);
    assert.equal(d.evidence.length, 1);
    assert.ok(verifySignature('ed25519', key.publicKey, voteSignBytes(gh, d.lastCommit!.precommits[0]!), d.lastCommit!.precommits[0]!.signature));
    const other = buildBlock({ ...{ parentHash: new Uint8Array(32).fill(5), number: 5, stateRoot: new Uint8Array(32).fill(6) }, extrinsics: [new Uint8Array([1, 2])], meta: b.meta, lastCommit, evidence });
    assert.notEqual(other.hash, b.hash, 'the extrinsics root is in the header');
    assert.deepEqual(decodeJustification(encodeJustification(lastCommit)).precommits.map((v) => v.validator), [0, 1, 2]);
  });

  it('rejects a commit that mixes votes for different blocks', () => {
    const c = encodeJustification({
      height: 1,
      round: 0,
      blockHash: toHex(new Uint8Array(32)),
      precommits: [
        { type: 'precommit', height: 1, round: 0, validator: 0, blockHash: toHex(new Uint8Array(32)), signature: new Uint8Array(64) },
        { type: 'precommit', height: 1, round: 0, validator: 1, blockHash: toHex(new Uint8Array(32).fill(1)), signature: new Uint8Array(64) },
      ],
    });
    assert.throws(() => decodeJustification(c), /different blocks/);
  });

  it('keeps the commit it was built with: a late precommit added to the live commit does not change the block', () => {
    const key = (i: number) => keyFromUri(`//validator//${i}`, 'ed25519');
    const gh = new Uint8Array(32).fill(3);
    const parent = toHex(new Uint8Array(32).fill(5));
    const vote = (validator: number): SignedVote => {
      const v = { type: 'precommit' as const, height: 4, round: 0, blockHash: parent, validator };
      return { ...v, signature: key(validator).sign(voteSignBytes(gh, v)) };
    };
    // The node's view of the last commit, as a late precommit would extend it in place.
    const live = { height: 4, round: 0, blockHash: parent, precommits: [vote(0), vote(2), vote(3)] };
    const b = buildBlock({
      parentHash: new Uint8Array(32).fill(5),
      number: 5,
      stateRoot: new Uint8Array(32).fill(6),
      extrinsics: [],
      meta: { round: 0, proposer: 1, timeMs: 1_700_000_000_000 },
      lastCommit: live,
      evidence: [],
    });
    live.precommits = [vote(0), vote(1), vote(2), vote(3)];
    live.precommits[0]!.validator = 9;
    assert.deepEqual(b.lastCommit!.precommits.map((v) => v.validator), [0, 2, 3], 'the block executes the signers its header names');
    assert.deepEqual(decodeBlock(b.headerBytes, encodeBody(b)).lastCommit!.precommits.map((v) => v.validator), [0, 2, 3]);
    assert.throws(() => {
      (b.lastCommit!.precommits as SignedVote[]).push(vote(1));
    }, TypeError, 'a built block is frozen');
    assert.ok(Object.isFrozen(b) && Object.isFrozen(b.meta) && Object.isFrozen(b.lastCommit!.precommits[0]));
  });
});
