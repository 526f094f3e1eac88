import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { MAX_STORAGE_KEYS_PAGE, MAX_STORAGE_READ_KEYS, ModuleStorage, windowSource } from './module-storage.js';
import { StateWindow } from './state-window.js';
import { storageView, type ModuleStorageView } from './storage-view.js';

// A state is a count n; its storage is the keys 0x10_00 .. 0x10_(n-1) (u16 big-endian index) with value n.
const keyOf = (i: number) => Uint8Array.of(0x10, i >> 8, i & 0xff);
const hexKey = (i: number) => `0x10${(i >> 8).toString(16).padStart(2, '0')}${(i & 0xff).toString(16).padStart(2, '0')}`;

function setup(window = new StateWindow<number>(4)) {
  let builds = 0;
  const storage = (n: number): ModuleStorageView => {
    builds++;
    return storageView(Array.from({ length: n }, (_, i) => [keyOf(i), Uint8Array.of(n)] as const));
  };
  return { window, storage: new ModuleStorage(windowSource(window, storage)), builds: () => builds };
}

function fails(fn: () => unknown, code: string, kind: string): void {
  assert.throws(fn, (err: unknown) => err instanceof DomainError && err.code === code && err.kind === kind);
}

describe('ModuleStorage', () => {
  it('reads keys at a committed height, in request order, absent ones as present: false', () => {
    const { window, storage } = setup();
    window.push(1n, 2);
    window.push(2n, 3);
    const res = storage.readStorage({ height: '1', keys: [hexKey(1), hexKey(2), hexKey(0).toUpperCase().replace('0X', '0x')] });
    assert.deepEqual(res, {
      height: '1',
      entries: [
        { key: hexKey(1), present: true, value: '0x02' },
        { key: hexKey(2), present: false, value: '' },
        { key: hexKey(0), present: true, value: '0x02' },
      ],
    });
    assert.deepEqual(storage.readStorage({ height: '2', keys: [hexKey(2)] }).entries[0], { key: hexKey(2), present: true, value: '0x03' });
  });

  it('answers heights outside the window with STATE_DISCARDED and HEIGHT_NOT_COMMITTED', () => {
    const { window, storage } = setup();
    for (let h = 10n; h <= 15n; h++) window.push(h, 1);
    fails(() => storage.readStorage({ height: '11', keys: [] }), 'STATE_DISCARDED', 'conflict');
    fails(() => storage.storageKeys({ height: '16', prefix: '', count: 1, startKey: '' }), 'HEIGHT_NOT_COMMITTED', 'conflict');
    assert.equal(storage.readStorage({ height: '12', keys: [] }).height, '12');
  });

  it('refuses bad keys with BAD_STORAGE_KEY (INVALID_ARGUMENT) and bad heights with BAD_ARGUMENT', () => {
    const { window, storage } = setup();
    window.push(0n, 1);
    for (const key of ['10', '0x1', '0xzz', '0x', `0x${'00'.repeat(513)}`]) {
      fails(() => storage.readStorage({ height: '0', keys: [key] }), 'BAD_STORAGE_KEY', 'invalid');
    }
    fails(() => storage.storageKeys({ height: '0', prefix: '0x1', count: 1, startKey: '' }), 'BAD_STORAGE_KEY', 'invalid');
    fails(() => storage.storageKeys({ height: '0', prefix: '0x', count: 1, startKey: 'abc' }), 'BAD_STORAGE_KEY', 'invalid');
    fails(() => storage.readStorage({ height: '-1', keys: [] }), 'BAD_ARGUMENT', 'invalid');
    fails(() => storage.readStorage({ height: '0', keys: Array.from({ length: MAX_STORAGE_READ_KEYS + 1 }, () => '0x00') }), 'TOO_MANY_KEYS', 'too_large');
  });

  it('pages keys in byte order strictly after start_key, capping count at 1,000', () => {
    const { window, storage } = setup();
    window.push(7n, 1_500);
    const first = storage.storageKeys({ height: '7', prefix: '0x10', count: 5_000, startKey: '' });
    assert.equal(first.keys.length, MAX_STORAGE_KEYS_PAGE);
    assert.equal(first.keys[0], hexKey(0));
    const second = storage.storageKeys({ height: '7', prefix: '0x10', count: 5_000, startKey: first.keys.at(-1)! });
    assert.equal(second.keys.length, 500);
    assert.equal(second.keys[0], hexKey(1_000));
    assert.deepEqual(storage.storageKeys({ height: '7', prefix: '0x1005', count: 3, startKey: '0x100510' }).keys, [hexKey(0x511), hexKey(0x512), hexKey(0x513)]);
    assert.deepEqual(storage.storageKeys({ height: '7', prefix: '0x11', count: 3, startKey: '' }).keys, []);
    assert.deepEqual(storage.storageKeys({ height: '7', prefix: '', count: 0, startKey: '' }).keys, []);
  });

  it('builds the view of a height once for repeated reads, and again only after the cache dropped it', () => {
    const ctx = setup(new StateWindow<number>(32));
    for (let h = 1n; h <= 20n; h++) ctx.window.push(h, 2);
    for (let i = 0; i < 10; i++) {
      ctx.storage.readStorage({ height: '20', keys: [hexKey(0)] });
      ctx.storage.storageKeys({ height: '20', prefix: '0x', count: 10, startKey: '' });
    }
    assert.equal(ctx.builds(), 1);
    for (let h = 1; h <= 8; h++) ctx.storage.readStorage({ height: String(h), keys: [] }); // evicts 20 (cache of 8)
    assert.equal(ctx.builds(), 9);
    ctx.storage.readStorage({ height: '20', keys: [] });
    assert.equal(ctx.builds(), 10);
  });

  it('answers every key absent for a module without storage()', () => {
    const window = new StateWindow<number>(2);
    window.push(0n, 0);
    const storage = new ModuleStorage(windowSource(window));
    assert.deepEqual(storage.readStorage({ height: '0', keys: ['0x00'] }).entries, [{ key: '0x00', present: false, value: '' }]);
    assert.deepEqual(storage.storageKeys({ height: '0', prefix: '', count: 10, startKey: '' }).keys, []);
  });

  it('reports a storage() that throws as MODULE_BUG (internal)', () => {
    const window = new StateWindow<number>(2);
    window.push(0n, 0);
    const storage = new ModuleStorage(windowSource(window, () => {
      throw new TypeError('boom');
    }));
    fails(() => storage.readStorage({ height: '0', keys: [] }), 'MODULE_BUG', 'internal');
  });
});
