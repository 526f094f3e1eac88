import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EVIDENCE_MAX_AGE_BLOCKS, EvidencePool, MAX_EVIDENCE_PER_BLOCK, MAX_PENDING_EVIDENCE, offenceId } from './evidence-pool.js';
import type { Evidence } from '../block/block.js';

const hash = (b: number) => '0x' + b.toString(16).padStart(2, '0').repeat(32);
function evidence(validator: number, height: number): Evidence {
  const vote = (h: string) => ({ type: 'prevote' as const, height, round: 0, validator, blockHash: h, signature: new Uint8Array(64) });
  return { first: vote(hash(1)), second: vote(hash(2)) };
}

describe('evidence pool', () => {
  it('proposes an offence once, and never again after a block included it', () => {
    const pool = new EvidencePool();
    const e = evidence(1, 10);
    assert.equal(pool.add(e, 10), true);
    assert.equal(pool.add(e, 11), false, 'same offence twice');
    assert.equal(pool.forProposal(10).length, 0, 'not in a block of the offence height itself (a later round): every validator would refuse it');
    assert.equal(pool.forProposal(12).length, 1);
    pool.markIncluded([e], 12);
    assert.equal(pool.forProposal(13).length, 0);
    assert.equal(pool.isIncluded(offenceId(e)), true);
    assert.equal(pool.add(e, 13), false, 'an offence already punished');
  });

  it('stays bounded: pending by count (oldest dropped), punished offences by the evidence age rule', () => {
    const pool = new EvidencePool();
    for (let i = 0; i < MAX_PENDING_EVIDENCE + 50; i++) pool.add(evidence(i, 1_000 + i), 2_000);
    assert.equal(pool.pendingCount, MAX_PENDING_EVIDENCE);
    assert.equal(pool.forProposal(3_000).length, MAX_EVIDENCE_PER_BLOCK);
    assert.equal(pool.forProposal(3_000)[0]!.first.height, 1_050, 'the oldest were dropped, the oldest kept come first');
    const old = evidence(7, 5);
    pool.markIncluded([old], 6);
    assert.equal(pool.includedCount, 1);
    pool.markIncluded([], 5 + EVIDENCE_MAX_AGE_BLOCKS + 1);
    assert.equal(pool.includedCount, 0, 'forgotten once too old to be valid in any block');
    assert.equal(pool.add(evidence(8, 5), 5 + EVIDENCE_MAX_AGE_BLOCKS + 2), false, 'too old to add');
  });
});
