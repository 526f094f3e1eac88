// Oracle: the Session entries the staking module serves decode with @polkadot/types from the chain's
// metadata as `api.query.session.*` would, under the keys polkadot.js builds; the values are the module's
// active era (index and elected set) and the validators' consensus keys.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { compactStripLength, hexToU8a, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { cryptoReady, devGenesis, genesisMetadata, palletPrefix, parseAccountId, toHex } from '@balanceai/chain';
import type { ModuleStorageView } from '@balanceai/module-host';
import { A, B, G, N, chain, key } from './staking.fixture.js';
import { stakingStorage } from './staking.storage.js';

const registry = new TypeRegistry();
let query: ReturnType<typeof expandMetadata>['query']['session'];

before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
  const metadata = new Metadata(registry, genesisMetadata(devGenesis({ validators: 1, genesisTimeMs: 0 }).genesis, 15));
  registry.setMetadata(metadata);
  query = expandMetadata(registry, metadata).query['session']!;
});

const ss58 = (a: string) => registry.createType('AccountId32', a).toString();
const keyHex = (k: Uint8Array) => u8aToHex(compactStripLength(k)[1]);

/** The value under a `query.session.*` entry's key, decoded by its metadata type (null when absent). */
function read(view: ModuleStorageView, item: string, ...args: unknown[]): unknown {
  const entry = query[item]!;
  const raw = view.get(keyHex(entry(...args)));
  if (raw === undefined) return null;
  const type = registry.createLookupType(entry.meta.type.isPlain ? entry.meta.type.asPlain : entry.meta.type.asMap.value);
  const value = registry.createType(type, hexToU8a(raw)); // bytes: a hex string would read a number big-endian
  assert.equal(u8aToHex(value.toU8a()), raw, `Session.${item} decodes to exactly its bytes`);
  return value.toJSON();
}

/** A validates with a new consensus key and N backs it; era 0 ends at block 5 and era 1 elects A with the genesis validators. */
function scenario() {
  const c = chain('credit-from-pot');
  c.run([
    { signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } },
    { signer: B, call: { call: 'bond', value: 2_000n, payee: 'Staked' } },
    { signer: N, call: { call: 'bond', value: 500n, payee: 'Staked' } },
  ]);
  c.run([
    { signer: A, call: { call: 'set_consensus_key', key: parseAccountId(key(5)) } },
    { signer: A, call: { call: 'validate', commission: 50_000_000n, blocked: false } },
    { signer: N, call: { call: 'nominate', targets: [parseAccountId(A), parseAccountId(G[0]!)] } },
  ]);
  for (let h = 3; h <= 7; h++) c.run([], { potInflow: 1_000n });
  return c;
}

describe('Session storage (oracle: @polkadot/types from the chain metadata)', () => {
  it('CurrentIndex is the active era and Validators its elected set, in the election order', () => {
    const c = scenario();
    const view = stakingStorage(c.state);
    const active = c.state.staking.active;
    assert.equal(active.era, 1);
    assert.ok(active.validators.includes(A), 'A was elected into era 1');
    assert.equal(read(view, 'currentIndex'), 1);
    assert.deepEqual(read(view, 'validators'), active.validators.map(ss58));
  });

  it('QueuedKeys pairs each validator with its consensus key; NextKeys has every stash with a key', () => {
    const c = scenario();
    const view = stakingStorage(c.state);
    const active = c.state.staking.active.validators;
    assert.deepEqual(read(view, 'queuedKeys'), active.map((v) => [ss58(v), { consensus: c.state.consensusKeys.get(v) }]));
    assert.deepEqual(read(view, 'nextKeys', A), { consensus: key(5) });
    assert.deepEqual(read(view, 'nextKeys', G[1]!), { consensus: key(1) });
    assert.equal(read(view, 'nextKeys', N), null, 'a nominator has no session keys: Optional, absent');
  });

  it('serves the genesis state as session 0 of the genesis validators', () => {
    const view = stakingStorage(chain().machine.initialState());
    assert.equal(read(view, 'currentIndex'), 0);
    assert.deepEqual([...(read(view, 'validators') as string[])].sort(), G.map(ss58).sort());
    assert.deepEqual(read(view, 'nextKeys', G[0]!), { consensus: key(0) });
  });

  it('lists exactly the four items\' keys under the Session prefix, each readable', () => {
    const view = stakingStorage(scenario().state);
    const keys = view.keys(toHex(palletPrefix('Session')), null, 1_000);
    assert.equal(keys.length, 3 + scenario().state.consensusKeys.size);
    assert.ok(keys.every((k) => view.get(k) !== undefined));
  });
});
