import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from './json.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    assert.equal(canonicalJson({ b: [3, { d: 1, c: 2 }], a: null }), '{"a":null,"b":[3,{"c":2,"d":1}]}');
  });
});
