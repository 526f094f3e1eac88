// System and Balances storage served from the ledger, checked with @polkadot/types as the oracle: keys
// built by its storage functions from our metadata, values decoded by its types.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { unwrapStorageType } from '@polkadot/types/util';
import { compactStripLength } from '@polkadot/util';
import { xxhashAsHex } from '@polkadot/util-crypto';
import { cryptoReady, fromHex, genesisMetadata, toHex, type KeyPair } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { BalancesStorage, NEW_LOGIC_FLAG, SystemStorage } from './ledger-storage.js';
import { StorageRouter } from './storage-router.js';
import { ALICE, BOB, NEWCOMER, ONE_BAI, TestChain, id } from './state.testkit.js';

let t: TestChain;
let alice: KeyPair;
let bob: KeyPair;
let newcomer: KeyPair;
let registry: TypeRegistry;
let query: ReturnType<typeof expandMetadata>['query'];

/** A key as polkadot.js builds it (its storage functions prefix the key with its compact length). */
const keyOf = (k: Uint8Array) => toHex(compactStripLength(k)[1]);
/** twox128 of a name as polkadot.js computes it, without 0x (for items our metadata does not list). */
const twox128 = (name: string) => xxhashAsHex(name, 128).slice(2);
const decode = (entry: { meta: { type: never } }, value: string) => registry.createType(unwrapStorageType(registry, entry.meta.type), fromHex(value));

function router(chain = t) {
  const system = new SystemStorage({ chain: () => chain.chain, blockHash: (n) => chain.store().blockHashAt(n), events: async () => Uint8Array.of(0) });
  return new StorageRouter({ chain: () => chain.chain, heightOfHash: chain.store().heightOfHash, sources: () => [system, new BalancesStorage(() => chain.chain)] });
}

async function read(keys: string[], at = '') {
  const res = await router().readStorage({ at, keys });
  return res.entries.map((e) => (e.present ? e.value : null));
}

describe('System and Balances storage from the ledger', () => {
  before(async () => {
    await cryptoReady();
    alice = ALICE();
    bob = BOB();
    newcomer = NEWCOMER();
    t = new TestChain();
    registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(t.genesis));
    registry.setMetadata(metadata);
    query = expandMetadata(registry, metadata).query;
    // Block 1: Alice pays Bob; block 2: Alice endows a new account; block 3: nothing.
    t.block([t.transfer(alice, bob.publicKey, 7n * ONE_BAI, 0)]);
    t.block([t.transfer(alice, newcomer.publicKey, 3n * ONE_BAI, 1)]);
    t.block();
  });

  it('serves System.Account as frame_system AccountInfo: nonce, one provider, free, no freezes, the new-logic flag', async () => {
    const [value] = await read([keyOf(query.system!.account!(alice.publicKey))]);
    const info = decode(query.system!.account as never, value!) as unknown as {
      nonce: { toNumber(): number };
      providers: { toNumber(): number };
      consumers: { toNumber(): number };
      data: { free: { toBigInt(): bigint }; reserved: { toBigInt(): bigint }; frozen: { toBigInt(): bigint }; flags: { toBigInt(): bigint } };
    };
    const ledger = t.chain.ledger.get(id(alice));
    assert.equal(info.nonce.toNumber(), 2);
    assert.equal(info.providers.toNumber(), 1);
    assert.equal(info.consumers.toNumber(), 0);
    assert.equal(info.data.free.toBigInt(), ledger.free);
    assert.equal(info.data.reserved.toBigInt(), 0n);
    assert.equal(info.data.frozen.toBigInt(), 0n, 'nothing frozen: a wallet shows all of free as transferable');
    assert.equal(info.data.flags.toBigInt(), NEW_LOGIC_FLAG);
    assert.equal(fromHex(value!).length, 80, 'the whole encoding is read, nothing trails');
  });

  it('serves each account as it was at an older block, and nothing for one that did not exist yet', async () => {
    const key = keyOf(query.system!.account!(newcomer.publicKey));
    const aliceKey = keyOf(query.system!.account!(alice.publicKey));
    const [thenNew, thenAlice] = await read([key, aliceKey], t.hashAt(1));
    assert.equal(thenNew, null, 'created in block 2');
    assert.equal((decode(query.system!.account as never, thenAlice!) as unknown as { nonce: { toNumber(): number } }).nonce.toNumber(), 1);
    const [nowNew] = await read([key], t.hashAt(3));
    assert.equal((decode(query.system!.account as never, nowNew!) as unknown as { data: { free: { toBigInt(): bigint } } }).data.free.toBigInt(), 3n * ONE_BAI);
  });

  it('holds nothing under a malformed or forged System.Account key (Substrate answers null, not an error)', async () => {
    const good = keyOf(query.system!.account!(alice.publicKey));
    const forged = good.slice(0, 66) + 'ff'.repeat(16) + good.slice(98);
    assert.deepEqual(await read([good.slice(0, -2), forged, `${good}00`]), [null, null, null]);
  });

  it('serves Number, ParentHash, BlockHash (the last BlockHashCount parents and genesis) and TotalIssuance at each block', async () => {
    const number = keyOf(query.system!.number!());
    const [n1, n3] = [await read([number], t.hashAt(1)), await read([number])];
    assert.equal((decode(query.system!.number as never, n1[0]!) as unknown as { toNumber(): number }).toNumber(), 1);
    assert.equal((decode(query.system!.number as never, n3[0]!) as unknown as { toNumber(): number }).toNumber(), 3);
    const blockHash = (n: number) => keyOf(query.system!.blockHash!(n));
    assert.deepEqual(await read([blockHash(0), blockHash(1), blockHash(2), blockHash(3)]), [t.hashAt(0), t.hashAt(1), t.hashAt(2), null], 'a block is not in its own BlockHash');
    assert.deepEqual(await read([blockHash(1)], t.hashAt(1)), [null]);
    assert.deepEqual(await read([blockHash(0)], t.hashAt(0)), [null], 'genesis state has no parent');
    const parentHash = `0x${twox128('System')}${twox128('ParentHash')}`;
    assert.deepEqual(await read([parentHash], t.hashAt(2)), [t.hashAt(1)]);
    const issuance = keyOf(query.balances!.totalIssuance!());
    const [total] = await read([issuance]);
    assert.equal((decode(query.balances!.totalIssuance as never, total!) as unknown as { toBigInt(): bigint }).toBigInt(), t.chain.ledger.totalIssuance);
  });

  it('has no locks, holds, freezes or keys of unknown pallets: not present, so clients read the empty default', async () => {
    const mapKey = keyOf(query.system!.account!(alice.publicKey)).slice(66);
    const [locks, holds, freezes] = ['Locks', 'Holds', 'Freezes'].map((item) => `0x${twox128('Balances')}${twox128(item)}${mapKey}`);
    assert.deepEqual(await read([locks!, holds!, freezes!, `0x${'ab'.repeat(32)}`, '0x3a636f6465']), [null, null, null, null, null]);
  });

  it('lists System.Account keys in key order at the head and at an older block, page by page', async () => {
    const prefix = `0x${twox128('System')}${twox128('Account')}`;
    const expect = (ids: Uint8Array[]) => ids.map((a) => keyOf(query.system!.account!(a))).sort();
    // Every account of the head; at block 1 all but the newcomer (endowed in block 2; nobody was reaped).
    const ledgerIds = (height: number) => [...t.chain.ledger.ids()].filter((x) => height >= 2 || x !== id(newcomer));
    for (const height of [3, 1]) {
      const all = expect(ledgerIds(height).map((x) => fromHex(x)));
      const r = router();
      const first = await r.storageKeys({ at: t.hashAt(height), prefix, count: 3, startKey: '' });
      const rest = await r.storageKeys({ at: t.hashAt(height), prefix, count: 1000, startKey: first.keys.at(-1)! });
      assert.deepEqual([...first.keys, ...rest.keys], all, `height ${height}`);
    }
    const atOne = (await router().storageKeys({ at: t.hashAt(1), prefix, count: 1000, startKey: '' })).keys;
    assert.ok(!atOne.includes(keyOf(query.system!.account!(newcomer.publicKey))), 'the newcomer is not listed before it existed');
  });

  it('pages over every ledger key with an empty prefix: each key once, in order, all readable', async () => {
    const r = router();
    const seen: string[] = [];
    let start = '';
    for (;;) {
      const page = await r.storageKeys({ at: '', prefix: '', count: 7, startKey: start });
      seen.push(...page.keys);
      if (page.keys.length < 7) break;
      start = page.keys.at(-1)!;
    }
    assert.deepEqual(seen, [...seen].sort());
    assert.equal(new Set(seen).size, seen.length);
    assert.ok(seen.includes(keyOf(query.balances!.totalIssuance!())) && seen.includes(keyOf(query.system!.blockHash!(0))));
    const values = await read(seen);
    assert.ok(values.every((v) => v !== null), 'every listed key has a value');
  });

  it('refuses more than 1,000 keys, a count above 1,000, keys that are not hex; answers UNKNOWN_BLOCK for a hash it never finalized', async () => {
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: DomainError) => `${e.code}/${e.kind}`);
    assert.equal(await code(router().readStorage({ at: '', keys: Array(1001).fill('0x00') })), 'TOO_MANY_KEYS/invalid');
    assert.equal(await code(router().storageKeys({ at: '', prefix: '', count: 1001, startKey: '' })), 'COUNT_TOO_LARGE/invalid');
    assert.equal(await code(router().readStorage({ at: '', keys: ['zz'] })), 'BAD_STORAGE_KEY/invalid');
    assert.equal(await code(router().readStorage({ at: `0x${'12'.repeat(32)}`, keys: [] })), 'UNKNOWN_BLOCK/not_found');
    assert.equal(await code(router().readStorage({ at: '0x1234', keys: [] })), 'BAD_BLOCK_HASH/invalid');
  });

  it('answers STATE_DISCARDED for a block that left the 256-block window, and keeps the 256 newest', async () => {
    const long = new TestChain();
    const key = keyOf(query.system!.account!(alice.publicKey));
    long.block([long.transfer(alice, bob.publicKey, ONE_BAI, 0)]);
    for (let h = 2; h <= 260; h++) long.block();
    const r = router(long);
    const code = async (p: Promise<unknown>) => p.then(() => 'ok', (e: DomainError) => `${e.code}/${e.kind}`);
    assert.equal(await code(r.readStorage({ at: long.hashAt(4), keys: [key] })), 'STATE_DISCARDED/conflict');
    assert.equal(await code(r.storageKeys({ at: long.hashAt(0), prefix: '', count: 10, startKey: '' })), 'STATE_DISCARDED/conflict');
    const oldest = await r.readStorage({ at: long.hashAt(5), keys: [key] });
    assert.equal(oldest.height, '5');
    assert.ok(oldest.entries[0]!.present);
  });
});
