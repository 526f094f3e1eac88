import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidatorSets } from './validator-sets.js';

const key = (n: number) => new Uint8Array(32).fill(n);

describe('validator sets by height', () => {
  it('answers the genesis set until an elected set takes effect, then that one', () => {
    const sets = new ValidatorSets([{ key: key(1), stash: 'a' }, { key: key(2), stash: 'b' }]);
    sets.add({ fromHeight: 61, validators: [{ key: key(1), stash: 'a' }, { key: key(2), stash: 'b' }, { key: key(3), stash: 'c' }] });
    assert.equal(sets.at(1).length, 2);
    assert.equal(sets.at(60).length, 2);
    assert.equal(sets.at(61).length, 3);
    assert.equal(sets.indexOf(60, key(3)), null);
    assert.equal(sets.indexOf(61, key(3)), 2);
  });

  it('refuses an empty set, a duplicated key, or a set that does not come after the last', () => {
    const sets = new ValidatorSets([{ key: key(1), stash: 'a' }]);
    assert.throws(() => sets.add({ fromHeight: 5, validators: [] }), /empty/);
    assert.throws(() => sets.add({ fromHeight: 5, validators: [{ key: key(1), stash: 'a' }, { key: key(1), stash: 'b' }] }), /twice/);
    sets.add({ fromHeight: 5, validators: [{ key: key(2), stash: 'b' }] });
    assert.throws(() => sets.add({ fromHeight: 5, validators: [{ key: key(3), stash: 'c' }] }), /not after/);
  });
});
