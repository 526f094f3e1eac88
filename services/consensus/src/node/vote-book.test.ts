import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VoteBook } from './vote-book.js';
import { FutureInbox } from './future-inbox.js';

describe('bounded vote buffers', () => {
  it('keeps at most the first vote and one conflicting vote per validator, round and type', () => {
    const book = new VoteBook();
    book.reset(5);
    const sig = new Uint8Array(64);
    const vote = (hash: string, round = 0) => ({ type: 'prevote' as const, height: 5, round, validator: 2, blockHash: hash });
    assert.equal(book.add(vote('0xaa'), sig), true);
    assert.equal(book.add(vote('0xbb'), sig), true, 'the conflicting vote is kept as evidence');
    for (let i = 0; i < 1_000; i++) assert.equal(book.add(vote(`0x${i}`), sig), false);
    assert.equal(book.size, 2);
    assert.equal(book.add({ ...vote('0xaa'), height: 6 }, sig), false, 'another height');
    assert.equal(book.add(vote('0xproposed'), sig, true), true, 'the real vote for a proposed block still counts after forged variants');
  });

  it('buffers at most a few messages per validator for the next height', () => {
    const inbox = new FutureInbox();
    for (let i = 0; i < 10_000; i++) inbox.add('v1', { kind: 'vote', height: 7, data: new Uint8Array(8) });
    for (let i = 0; i < 100; i++) inbox.add('v1', { kind: 'proposal', height: 7, data: new Uint8Array(8) });
    inbox.add('v2', { kind: 'vote', height: 8, data: new Uint8Array(8) });
    assert.equal(inbox.size, 64 + 4 + 1);
    assert.equal(inbox.take(7).length, 68);
    assert.equal(inbox.size, 1, 'later heights stay');
    assert.equal(inbox.take(9).length, 0);
    assert.equal(inbox.size, 0, 'earlier heights are dropped');
  });
});
