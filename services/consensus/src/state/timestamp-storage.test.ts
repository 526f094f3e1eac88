// Timestamp.Now served from the blocks' times, decoded with @polkadot/types from the chain's metadata; and
// module pallets routed by MODULE_STORAGE_PALLETS (staking answers Staking and Session keys).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength } from '@polkadot/util';
import { cryptoReady, fromHex, genesisMetadata, modulePallets, palletPrefix, storagePrefix, toHex } from '@balanceai/chain';
import type { DomainError } from '@balanceai/platform';
import { ModuleSet } from '../modules/module-set.js';
import { ModuleStorage, type ModuleStorageClient } from './module-storage.js';
import { StorageRouter } from './storage-router.js';
import { TestChain } from './state.testkit.js';
import { TimestampStorage } from './timestamp-storage.js';

let t: TestChain;
let registry: TypeRegistry;
let query: ReturnType<typeof expandMetadata>['query'];

const keyOf = (k: Uint8Array) => toHex(compactStripLength(k)[1]);
const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: DomainError) => `${e.code}/${e.kind}`);

function router(chain: TestChain, extra: ConstructorParameters<typeof StorageRouter>[0]['sources'] = () => []) {
  const timestamp = new TimestampStorage(() => chain.chain);
  return new StorageRouter({ chain: () => chain.chain, heightOfHash: chain.store().heightOfHash, sources: () => [timestamp, ...extra()] });
}

describe('Timestamp storage from the blocks', () => {
  before(async () => {
    await cryptoReady();
    t = new TestChain();
    registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(t.genesis, 15));
    registry.setMetadata(metadata);
    query = expandMetadata(registry, metadata).query;
    // The test chain's block h carries time h ms (genesis: 0).
    t.block();
    t.block();
    t.block();
  });

  it('serves Now at each block as the time consensus put in it, a u64 polkadot.js decodes', async () => {
    const now = keyOf(query['timestamp']!['now']!());
    for (const h of [0, 1, 2, 3]) {
      const res = await router(t).readStorage({ at: t.hashAt(h), keys: [now] });
      assert.equal(res.entries[0]!.present, true);
      assert.equal(registry.createType('u64', fromHex(res.entries[0]!.value)).toNumber(), h, `Now at block ${h}`);
    }
    const head = await router(t).readStorage({ at: '', keys: [now] });
    assert.equal(registry.createType('u64', fromHex(head.entries[0]!.value)).toNumber(), t.chain.head.timeMs);
  });

  it('lists Now as its only key; other Timestamp keys hold nothing', async () => {
    const prefix = toHex(palletPrefix('Timestamp'));
    const keys = await router(t).storageKeys({ at: '', prefix, count: 10, startKey: '' });
    assert.deepEqual(keys.keys, [toHex(storagePrefix('Timestamp', 'Now'))]);
    const didUpdate = toHex(storagePrefix('Timestamp', 'DidUpdate'));
    assert.deepEqual((await router(t).readStorage({ at: '', keys: [didUpdate] })).entries.map((e) => e.present), [false]);
  });

  it('answers STATE_DISCARDED for Now at a block that left the window (its time is no longer kept in memory)', async () => {
    const long = new TestChain();
    for (let h = 1; h <= 260; h++) long.block();
    const now = keyOf(query['timestamp']!['now']!());
    assert.equal(await code(router(long).readStorage({ at: long.hashAt(4), keys: [now] })), 'STATE_DISCARDED/conflict');
    const oldest = await router(long).readStorage({ at: long.hashAt(5), keys: [now] });
    assert.equal(registry.createType('u64', fromHex(oldest.entries[0]!.value)).toNumber(), 5);
  });
});

describe('module pallets', () => {
  it('ModuleSet gives storage reads one entry per pallet a module serves, the same client for Staking and Session', () => {
    const set = new ModuleSet(
      [
        { name: 'staking', url: '127.0.0.1:1', token: 't' },
        { name: 'emissions', url: '127.0.0.1:2', token: 't' },
      ],
      () => true,
    );
    const routes = set.storageClients;
    assert.deepEqual(routes.map((r) => r.pallet), ['Emissions', 'Staking', 'Session']);
    assert.equal(routes[1]!.client, routes[2]!.client);
  });

  it('routes Session keys to the staking module at the block height, and pages across its two prefixes', async () => {
    const c = new TestChain();
    c.block();
    const asked: Array<[number, string[]]> = [];
    const staking: ModuleStorageClient = {
      readStorage: async (height, keys) => {
        asked.push([height, keys]);
        return { entries: keys.map((key) => ({ key, present: true, value: '0x07000000' })) };
      },
      storageKeys: async (_h, prefix) => ({ keys: [`${prefix}${'00'.repeat(16)}`] }),
    };
    const sources = modulePallets('staking').map((p) => new ModuleStorage(p, staking));
    const r = router(c, () => sources);
    const currentIndex = toHex(storagePrefix('Session', 'CurrentIndex'));
    const activeEra = toHex(storagePrefix('Staking', 'ActiveEra'));
    const res = await r.readStorage({ at: c.hashAt(1), keys: [currentIndex, activeEra] });
    assert.deepEqual(res.entries.map((e) => e.value), ['0x07000000', '0x07000000']);
    assert.deepEqual(asked.map(([h]) => h), [1, 1]);
    assert.deepEqual(asked.map(([, k]) => k).flat().sort(), [activeEra, currentIndex].sort());
    const all = await r.storageKeys({ at: '', prefix: '', count: 10, startKey: '' });
    assert.ok(all.keys.some((k) => k.startsWith(toHex(palletPrefix('Session')))) && all.keys.some((k) => k.startsWith(toHex(palletPrefix('Staking')))));
  });
});
