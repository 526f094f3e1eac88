import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AmountError } from './errors.js';
import { MAX_U128, ONE_BAI, formatBai, parseBai, parseBaseUnits } from './amount.js';

test('parseBai reads whole and fractional BAI exactly to the base unit', () => {
  assert.equal(parseBai('1.5'), 1_500_000_000_000_000_000n);
  assert.equal(parseBai('0.000000000000000001'), 1n);
  assert.equal(parseBai('5880000'), 5_880_000n * ONE_BAI);
  assert.equal(parseBai('0'), 0n);
});

test('parseBai rejects empty, signed, exponent, over-precise and junk input with BAD_AMOUNT', () => {
  for (const bad of ['', '-1', '+1', '1e18', '1.0000000000000000001', ' 1', '1 ', '1,5', '.5', '1.', 'abc', '0x10', '1_000']) {
    assert.throws(() => parseBai(bad), (e: unknown) => e instanceof AmountError && e.code === 'BAD_AMOUNT', bad);
  }
});

test('parseBai and parseBaseUnits refuse values above u128', () => {
  assert.equal(parseBaseUnits(MAX_U128.toString()), MAX_U128);
  assert.throws(() => parseBaseUnits((MAX_U128 + 1n).toString()), AmountError);
  assert.throws(() => parseBai('340282366920938463464'), AmountError);
});

test('parseBaseUnits accepts only an unsigned decimal integer', () => {
  assert.equal(parseBaseUnits('1000'), 1000n);
  for (const bad of ['', '1.0', '-1', ' 1', '1e3', '0x1', 'x1']) assert.throws(() => parseBaseUnits(bad), AmountError, bad);
});

test('formatBai is exact and trims trailing zeros; decimals truncates toward zero', () => {
  assert.equal(formatBai(1_500_000_000_000_000_000n), '1.5');
  assert.equal(formatBai(1n), '0.000000000000000001');
  assert.equal(formatBai(3n * ONE_BAI), '3');
  assert.equal(formatBai(0n), '0');
  assert.equal(formatBai(-ONE_BAI / 4n), '-0.25');
  assert.equal(formatBai(1_999_999_999_999_999_999n, { decimals: 2 }), '1.99');
  assert.equal(formatBai(1n, { decimals: 4 }), '0');
  for (const v of [1n, 123456789n * ONE_BAI + 987n, MAX_U128]) assert.equal(parseBai(formatBai(v)), v);
});
