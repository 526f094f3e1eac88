// normalize is ported from sp-arithmetic (substrate/primitives/arithmetic/src/lib.rs); these are the
// vectors of its `normalize_tests` module, so a drift from Substrate's rounding shows here first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalize, perbillFromRational, perbillOf, PERBILL_ONE } from './arith.js';

const n = (xs: number[]): bigint[] => xs.map(BigInt);

describe('normalize (sp-arithmetic normalize_tests)', () => {
  it('normalize_works_all_le: bumps the smallest first', () => {
    assert.deepEqual(normalize(n([8, 9, 7, 10]), 40n), n([10, 10, 10, 10]));
    assert.deepEqual(normalize(n([7, 7, 7, 7]), 40n), n([10, 10, 10, 10]));
    assert.deepEqual(normalize(n([7, 7, 7, 10]), 40n), n([11, 11, 8, 10]));
    assert.deepEqual(normalize(n([7, 8, 7, 10]), 40n), n([11, 8, 11, 10]));
    assert.deepEqual(normalize(n([7, 7, 8, 10]), 40n), n([11, 11, 8, 10]));
  });
  it('normalize_works_some_ge and always_inc_min', () => {
    assert.deepEqual(normalize(n([8, 11, 9, 10]), 40n), n([10, 11, 9, 10]));
    assert.deepEqual(normalize(n([10, 7, 10, 10]), 40n), n([10, 10, 10, 10]));
    assert.deepEqual(normalize(n([10, 10, 10, 7]), 40n), n([10, 10, 10, 10]));
  });
  it('normalize_works_all_ge: cuts the largest first', () => {
    assert.deepEqual(normalize(n([12, 11, 13, 10]), 40n), n([10, 10, 10, 10]));
    assert.deepEqual(normalize(n([13, 13, 13, 10]), 40n), n([12, 9, 9, 10]));
    assert.deepEqual(normalize(n([13, 12, 13, 10]), 40n), n([9, 12, 9, 10]));
    assert.deepEqual(normalize(n([13, 13, 12, 10]), 40n), n([9, 9, 12, 10]));
  });
  it('does_not_fail_on_subtraction_overflow', () => {
    assert.deepEqual(normalize(n([1, 100, 100]), 10n), n([1, 9, 0]));
    assert.deepEqual(normalize(n([1, 8, 9]), 1n), n([0, 1, 0]));
  });
  it('works_for_per_thing: three 33% become 100% exactly', () => {
    assert.deepEqual(normalize(n([330000000, 330000000, 330000000]), PERBILL_ONE), n([333333334, 333333333, 333333333]));
    assert.deepEqual(normalize(n([200000000, 150000000, 300000000]), PERBILL_ONE), n([316666668, 383333332, 300000000]));
  });
});

describe('Perbill', () => {
  it('from_rational rounds down (2/3 -> 666666666) and q = 0 gives 100%', () => {
    assert.equal(perbillFromRational(2n, 3n), 666_666_666n);
    assert.equal(perbillFromRational(1n, 0n), PERBILL_ONE);
  });
  it('Perbill * value rounds down', () => {
    assert.equal(perbillOf(333_333_333n, 10n), 3n);
    assert.equal(perbillOf(PERBILL_ONE, 7n), 7n);
  });
});
