import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { MAX_EXTRINSIC_BYTES, parseBlockId, parseHash, parseSubmitBody } from './request-params.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DomainError);
    return err.code;
  }
  assert.fail('expected a DomainError');
}

const HASH = `0x${'Ab'.repeat(32)}`;

describe('parseBlockId', () => {
  it('reads decimal block numbers up to 2^53 - 1 as numbers', () => {
    assert.deepEqual(parseBlockId('0'), { number: '0' });
    assert.deepEqual(parseBlockId('42'), { number: '42' });
    assert.deepEqual(parseBlockId('9007199254740991'), { number: '9007199254740991' });
  });

  it('answers BLOCK_NOT_FOUND (404) for a uint64 above 2^53 - 1, without a validator call, up to u64::MAX', () => {
    for (const n of ['9007199254740992', '9223372036854775807', '9223372036854775808', '18446744073709551615']) {
      try {
        parseBlockId(n);
        assert.fail(`expected a refusal of ${n}`);
      } catch (err) {
        assert.ok(err instanceof DomainError, n);
        assert.deepEqual([err.code, err.kind], ['BLOCK_NOT_FOUND', 'not_found'], n);
      }
    }
  });

  it('reads a 0x 32-byte hash, lower-cased', () => {
    assert.deepEqual(parseBlockId(HASH), { hash: HASH.toLowerCase() });
  });

  it('refuses anything else with BAD_BLOCK_ID', () => {
    for (const bad of ['', '-1', '01', '1.5', '1e3', '18446744073709551616', '0x1234', `${HASH}00`, 'latest', ' 1']) {
      assert.equal(codeOf(() => parseBlockId(bad)), 'BAD_BLOCK_ID', bad);
    }
  });
});

describe('parseHash', () => {
  it('accepts 32-byte 0x hex and refuses other lengths or digits with BAD_HASH', () => {
    assert.equal(parseHash(HASH, 'hash'), HASH.toLowerCase());
    assert.equal(codeOf(() => parseHash('0x12', 'hash')), 'BAD_HASH');
    assert.equal(codeOf(() => parseHash(`0x${'g'.repeat(64)}`, 'hash')), 'BAD_HASH');
  });
});

describe('parseSubmitBody', () => {
  it('returns the extrinsic hex of a well-formed body', () => {
    assert.equal(parseSubmitBody({ extrinsic: '0x0a0B' }), '0x0a0B');
  });

  it('refuses a body that is not an object with a string extrinsic', () => {
    for (const body of [null, 'x', [], {}, { extrinsic: 5 }]) {
      assert.equal(codeOf(() => parseSubmitBody(body)), 'BAD_REQUEST_BODY');
    }
  });

  it('refuses hex without 0x, with odd length, empty or with non-hex digits as BAD_HEX', () => {
    for (const extrinsic of ['0a0b', '0xabc', '0x', '0xzz']) {
      assert.equal(codeOf(() => parseSubmitBody({ extrinsic })), 'BAD_HEX', extrinsic);
    }
  });

  it('refuses an extrinsic longer than the chain maximum as EXTRINSIC_TOO_LARGE (413)', () => {
    const atLimit = `0x${'00'.repeat(MAX_EXTRINSIC_BYTES)}`;
    assert.equal(parseSubmitBody({ extrinsic: atLimit }), atLimit);
    try {
      parseSubmitBody({ extrinsic: `${atLimit}00` });
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok(err instanceof DomainError);
      assert.equal(err.code, 'EXTRINSIC_TOO_LARGE');
      assert.equal(err.kind, 'too_large');
    }
  });
});
