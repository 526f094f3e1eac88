import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import { checkRequestLimits } from './limits.js';

function codeOf(text: string, limits = { maxBytes: 1000, maxDepth: 8, maxPositions: 3 }): string | undefined {
  try {
    checkRequestLimits(text, limits);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof DomainError);
    return err.code;
  }
}

const positions = (n: number): string =>
  JSON.stringify({ ot_risk_input: { 'position-data': Array.from({ length: n }, (_, i) => ({ ot_pos_dealid: `D${i}`, x: [1, 2] })) } });

describe('checkRequestLimits', () => {
  it('accepts a request within every limit', () => {
    assert.equal(codeOf(positions(3)), undefined);
    assert.equal(codeOf('{"a": "[[[[[[[[[[[[[[[["}'), undefined, 'brackets inside text are not nesting');
    assert.equal(codeOf('{"position-data": []}'), undefined);
  });

  it('refuses each limit with its own code, before any parsing', () => {
    assert.equal(codeOf(`{"a": "${'x'.repeat(2000)}"}`), 'REQUEST_TOO_LARGE');
    assert.equal(codeOf('{"a": "\u00e9"}', { maxBytes: 10, maxDepth: 8, maxPositions: 3 }), 'REQUEST_TOO_LARGE', 'bytes, not characters');
    assert.equal(codeOf('['.repeat(9) + ']'.repeat(9)), 'REQUEST_TOO_DEEP');
    assert.equal(codeOf('['.repeat(5000), { maxBytes: 10_000, maxDepth: 8, maxPositions: 3 }), 'REQUEST_TOO_DEEP', 'unbalanced deep input never reaches a parser');
    assert.equal(codeOf(positions(4)), 'TOO_MANY_POSITIONS');
    assert.equal(codeOf('{"ot_risk_input": {"position-data": ["a", "b", "c", "d"]}}'), 'TOO_MANY_POSITIONS');
  });

  it('counts positions of every position-data list together, and only those', () => {
    assert.equal(codeOf('{"position-data": [1, 2], "p": {"position-data": [3, 4]}}'), 'TOO_MANY_POSITIONS');
    assert.equal(codeOf('{"other": [1, 2, 3, 4, 5], "position-data": [{"k": [1, 2, 3, 4, 5]}]}'), undefined);
  });
});
