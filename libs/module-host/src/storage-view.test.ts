import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { storageView } from './storage-view.js';

const e = (key: string, value: string) => [fromHex(key), fromHex(value)] as const;

describe('storageView', () => {
  // Deliberately unsorted input, with keys that are prefixes of others and hex digits on both sides of '9'/'a'.
  const view = storageView([
    e('0xaa02', '0x02'),
    e('0xaa', '0x00'),
    e('0xab00', '0x03'),
    e('0x0a', '0x04'),
    e('0xaa01ff', '0x05'),
    e('0xaa01', '0x01'),
    e('0x90', '0x06'),
  ]);

  it('reads values by full key, and nothing under a key that is only a prefix of stored ones', () => {
    assert.equal(view.get('0xaa01'), '0x01');
    assert.equal(view.get('0xaa'), '0x00');
    assert.equal(view.get('0xa'), undefined);
    assert.equal(view.get('0xaa03'), undefined);
  });

  it('lists keys in byte order (lowercase hex order is byte order)', () => {
    assert.deepEqual(view.keys('0x', null, 100), ['0x0a', '0x90', '0xaa', '0xaa01', '0xaa01ff', '0xaa02', '0xab00']);
  });

  it('pages under a prefix strictly after the start key, at most count', () => {
    assert.deepEqual(view.keys('0xaa', null, 2), ['0xaa', '0xaa01']);
    assert.deepEqual(view.keys('0xaa', '0xaa01', 2), ['0xaa01ff', '0xaa02']);
    assert.deepEqual(view.keys('0xaa', '0xaa02', 2), []);
    // A start key before the prefix starts at the prefix; after all of it gives nothing.
    assert.deepEqual(view.keys('0xaa', '0x0a', 10), ['0xaa', '0xaa01', '0xaa01ff', '0xaa02']);
    assert.deepEqual(view.keys('0xaa', '0xff', 10), []);
    // A start key that is not itself stored.
    assert.deepEqual(view.keys('0xaa', '0xaa0100', 10), ['0xaa01ff', '0xaa02']);
    assert.deepEqual(view.keys('0xaa01', null, 0), []);
  });

  it('walks every key exactly once when paging with the last key as the next start', () => {
    const all: string[] = [];
    let start: string | null = null;
    for (;;) {
      const page = view.keys('0x', start, 3);
      if (page.length === 0) break;
      all.push(...page);
      start = page[page.length - 1]!;
    }
    assert.deepEqual(all, view.keys('0x', null, 100));
  });

  it('refuses a key listed twice (MODULE_BUG)', () => {
    assert.throws(() => storageView([e('0x01', '0x00'), e('0x01', '0x01')]), (err: unknown) => err instanceof DomainError && err.code === 'MODULE_BUG');
  });
});
