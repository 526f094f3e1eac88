// The Timestamp and Session descriptors as polkadot.js sees them in the chain's metadata: indices, items,
// defaults, the MinimumPeriod constant, and the keys/values the staking module and consensus serve.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength, u8aToHex } from '@polkadot/util';
import { devGenesis, genesisMetadata } from './genesis.js';
import { toHex } from './hex.js';
import { cryptoReady } from './keys.js';
import { MODULE_STORAGE_PALLETS, modulePallets } from './module-pallets.js';
import { ScaleWriter } from './scale.js';
import { SESSION_STORAGE } from './session-pallet.js';
import { storageMapKey, storagePrefix } from './storage-keys.js';
import { TIMESTAMP_NOW_KEY } from './timestamp-pallet.js';

let registry: TypeRegistry;
let d: ReturnType<typeof expandMetadata>;
const genesis = devGenesis({ validators: 2, genesisTimeMs: 1_700_000_000_000, blockTimeMs: 1_000 }).genesis;

before(async () => {
  await cryptoReady();
  registry = new TypeRegistry();
  const metadata = new Metadata(registry, genesisMetadata(genesis, 15));
  registry.setMetadata(metadata);
  d = expandMetadata(registry, metadata);
});

const pallet = (name: string) => registry.metadata.pallets.find((p) => p.name.toString() === name)!;
const keyOf = (k: Uint8Array) => u8aToHex(compactStripLength(k)[1]);

function assertDefaults(name: string): void {
  for (const item of pallet(name).storage.unwrap().items) {
    if (item.modifier.isOptional) continue;
    const type = registry.createLookupType(item.type.isPlain ? item.type.asPlain : item.type.asMap.value);
    assert.equal(u8aToHex(item.fallback.toU8a(true)), u8aToHex(registry.createType(type).toU8a()), `${name}.${item.name.toString()} fallback is the type's default`);
  }
}

describe('timestampPallet() in the runtime metadata', () => {
  it('is pallet 2 with Now (u64, default 0) and MinimumPeriod = half the block time; no calls, no events', () => {
    const p = pallet('Timestamp');
    assert.equal(p.index.toNumber(), 2);
    assert.ok(p.calls.isNone && p.events.isNone);
    assert.deepEqual(p.storage.unwrap().items.map((i) => i.name.toString()), ['Now']);
    assertDefaults('Timestamp');
    assert.equal(d.consts['timestamp']!['minimumPeriod']!.toString(), '500');
    assert.equal(keyOf(d.query['timestamp']!['now']!()), toHex(TIMESTAMP_NOW_KEY));
    // What consensus serves: the block's ms time as a u64, read back as polkadot.js reads Now.
    const value = registry.createType('u64', new ScaleWriter().u64(1_700_000_123_456n).finish());
    assert.equal(value.toString(), '1700000123456');
  });
});

describe('sessionPallet() in the runtime metadata', () => {
  it('is pallet 9 with the items api-derive reads, keyed as SESSION_STORAGE declares; no calls, no events', () => {
    const p = pallet('Session');
    assert.equal(p.index.toNumber(), 9);
    assert.ok(p.calls.isNone && p.events.isNone);
    const items = p.storage.unwrap().items;
    assert.deepEqual(items.map((i) => i.name.toString()), Object.keys(SESSION_STORAGE));
    assertDefaults('Session');
    const q = d.query['session']!;
    for (const item of ['validators', 'currentIndex', 'queuedKeys'] as const) assert.equal(keyOf(q[item]!()), toHex(storagePrefix('Session', item[0]!.toUpperCase() + item.slice(1))));
    const stash = new Uint8Array(32).fill(7);
    assert.equal(keyOf(q['nextKeys']!(stash)), toHex(storageMapKey('Session', 'NextKeys', ['Twox64Concat', stash])));
    // SessionKeys decode as a struct with the consensus key (derive.staking.keys reads its values()).
    const keys = registry.createType(registry.createLookupType(items.find((i) => i.name.toString() === 'NextKeys')!.type.asMap.value), new Uint8Array(32).fill(9));
    assert.deepEqual(Object.keys(keys.toJSON() as object), ['consensus']);
  });

  it('api-derive offers derive.session and derive.staking only with both pallets present (its checks: query.session, query.staking.erasRewardPoints)', () => {
    assert.ok(d.query['session']);
    assert.ok(d.query['staking']!['erasRewardPoints']);
    assert.ok(d.query['staking']!['activeEra'] && d.query['staking']!['currentEra'] && d.query['staking']!['validatorCount']);
  });
});

describe('MODULE_STORAGE_PALLETS', () => {
  it('gives every pallet to one module at most, Session to staking', () => {
    const all = Object.values(MODULE_STORAGE_PALLETS).flat();
    assert.equal(new Set(all).size, all.length);
    assert.deepEqual(modulePallets('staking'), ['Staking', 'Session']);
    assert.deepEqual(modulePallets('unknown'), []);
  });
});
