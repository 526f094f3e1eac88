import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cryptoReady, keyFromUri } from '@balanceai/chain';
import { buildBlock } from '../block/block.js';
import { DoubleSignRefused, PrivValidator, SignerStateCorrupt, encodeBlockBytes, type SignerStore } from './signer.js';

const GH = new Uint8Array(32).fill(4);

function memoryStore(fail = false): SignerStore & { rows: unknown[] } {
  const rows: unknown[] = [];
  return {
    rows,
    async saveSignerState(s) {
      if (fail) throw new Error('disk full');
      rows.push(s);
    },
  };
}

const row = (over: Partial<{ height: number; round: number; step: number; lockedBlock: Uint8Array | null }> = {}) => ({
  height: 7,
  round: 2,
  step: 2,
  lockedRound: -1,
  validRound: -1,
  lockedBlock: null,
  validBlock: null,
  ...over,
});

describe('privval', () => {
  before(async () => {
    await cryptoReady();
  });

  it('refuses to start from a signer state whose lock does not decode (no silent loss of the lock)', () => {
    const key = keyFromUri('//validator//0', 'ed25519');
    assert.throws(() => new PrivValidator(key, GH, memoryStore(), row({ lockedBlock: new Uint8Array([1, 2, 3]) })), SignerStateCorrupt);
  });

  it('restores the lock of its height and resumes at a later round', () => {
    const key = keyFromUri('//validator//0', 'ed25519');
    const block = buildBlock({ parentHash: new Uint8Array(32), number: 7, stateRoot: new Uint8Array(32), extrinsics: [], meta: { round: 1, proposer: 0, timeMs: 5 }, lastCommit: null, evidence: [] });
    const p = new PrivValidator(key, GH, memoryStore(), { ...row(), lockedRound: 1, lockedBlock: encodeBlockBytes(block) });
    assert.equal(p.lockFor(7)?.lockedValue?.hash, block.hash);
    assert.equal(p.lockFor(7)?.round, 3);
    assert.equal(p.lockFor(8), undefined);
  });

  it('never signs at or below the height/round/step it signed last, across a restart', () => {
    const key = keyFromUri('//validator//0', 'ed25519');
    const p = new PrivValidator(key, GH, memoryStore(), row({ height: 7, round: 2, step: 3 }));
    const vote = (height: number, round: number, type: 'prevote' | 'precommit') => ({ type, height, round, validator: 0, blockHash: null });
    assert.throws(() => p.signVote(vote(7, 2, 'precommit'), undefined), DoubleSignRefused);
    assert.throws(() => p.signVote(vote(7, 1, 'prevote'), undefined), DoubleSignRefused);
    assert.throws(() => p.signVote(vote(6, 9, 'prevote'), undefined), DoubleSignRefused);
    p.signVote(vote(7, 3, 'prevote'), undefined);
    assert.throws(() => p.signVote(vote(7, 3, 'prevote'), undefined), DoubleSignRefused, 'the same vote slot twice');
    p.signVote(vote(8, 0, 'prevote'), undefined);
  });

  it('reports a failed signer-state write, so the vote is not sent', async () => {
    const key = keyFromUri('//validator//0', 'ed25519');
    const p = new PrivValidator(key, GH, memoryStore(true), null);
    const lock = { lockedRound: -1, lockedValue: null, validRound: -1, validValue: null, round: 0 };
    const { persisted } = p.signVote({ type: 'prevote', height: 1, round: 0, validator: 0, blockHash: null }, lock);
    await assert.rejects(persisted, /disk full/);
  });
});
