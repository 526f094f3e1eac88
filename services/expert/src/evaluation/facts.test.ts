import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildFacts, sanitiseText, toClipsValue } from './facts.js';
import type { ExpertRequest } from './request.js';

describe('sanitiseText', () => {
  it('turns spaces into underscores and drops parentheses and dollar signs, as the toolkit does', () => {
    assert.equal(sanitiseText('Bitcoin (spot) $ USD'), 'Bitcoin_spot__USD');
  });
});

describe('toClipsValue', () => {
  it('reads numbers and numeric text as CLIPS numbers', () => {
    assert.deepEqual(toClipsValue(150), ['i', '150']);
    assert.deepEqual(toClipsValue(0.25), ['f', 0.25]);
    assert.deepEqual(toClipsValue('22222222'), ['i', '22222222']);
    assert.deepEqual(toClipsValue('34157.06'), ['f', 34157.06]);
  });

  it('falls back to a float for integer text beyond 64 bits', () => {
    assert.deepEqual(toClipsValue('99999999999999999999'), ['f', 1e20]);
  });

  it('reads booleans, true/false text and plain words as symbols so rules can match them', () => {
    assert.deepEqual(toClipsValue(true), ['s', 'true']);
    assert.deepEqual(toClipsValue('false'), ['s', 'false']);
    assert.deepEqual(toClipsValue('BTC/USD'), ['s', 'BTC/USD']);
  });

  it('sanitises before typing, so "BTC (perp)" becomes one symbol', () => {
    assert.deepEqual(toClipsValue('BTC (perp)'), ['s', 'BTC_perp']);
  });

  it('carries text with CLIPS delimiters as a CLIPS string, never as source', () => {
    assert.deepEqual(toClipsValue('x") (assert (evil'), ['t', 'x"_assert_evil']);
    assert.deepEqual(toClipsValue('a;b'), ['t', 'a;b']);
    assert.deepEqual(toClipsValue('?var'), ['t', '?var']);
  });

  it('maps null to nil', () => {
    assert.equal(toClipsValue(null), null);
  });
});

describe('buildFacts', () => {
  const request: ExpertRequest = {
    otUserId: 'u1',
    riskInput: { ot_user_timeframe: 'DAY', ot_user_balance: 1000 },
    profile: { ot_user_age: 40 },
    positions: [{ ot_pos_stop: null, ot_pos_dealid: 'D1' }],
    indicators: [{ ot_instr_id: 'BTC/USD', ot_instr_sentiment: 'bearish' }],
    correlationMatrix: {},
    document: {},
  };

  it('asserts each scalar as an ordered fact sorted by key, then positions and indicators as template facts', () => {
    assert.deepEqual(buildFacts(request), [
      { ordered: 'ot_user_age', values: [['i', '40']] },
      { ordered: 'ot_user_balance', values: [['i', '1000']] },
      { ordered: 'ot_user_timeframe', values: [['s', 'DAY']] },
      { template: 'position-data', slots: { ot_pos_dealid: ['s', 'D1'], ot_pos_stop: null } },
      { template: 'indicator-data', slots: { ot_instr_id: ['s', 'BTC/USD'], ot_instr_sentiment: ['s', 'bearish'] } },
    ]);
  });

  it('gives the same facts whatever the key order of the request', () => {
    const reordered = { ...request, riskInput: { ot_user_balance: 1000, ot_user_timeframe: 'DAY' } };
    assert.deepEqual(buildFacts(reordered), buildFacts(request));
  });
});
