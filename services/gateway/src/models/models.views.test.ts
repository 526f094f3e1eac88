import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScaleWriter, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { eraScoreView, matches, modelsKeys, parseProviderFilter, parseProviderId, providerIdOfKey, providerView, u128Of, u32Of } from './models.views.js';

const owner = '0x' + 'ab'.repeat(32);
/** ProviderInfo as pallet 20 declares it: a Slashed agent. */
const slashedAgent = toHex(
  new ScaleWriter().raw(new Uint8Array(32).fill(0xab)).u8(1).str('expert').str('ipfs://x').str('http://127.0.0.1:9/').u128(5n).u128(900n).u8(2).u32(7).u32(3).u128(42n).u128(100n).finish(),
);

describe('models views', () => {
  it('decodes a provider as the pallet stores it', () => {
    const { info, view } = providerView(9, modelsKeys.provider(9), slashedAgent);
    assert.deepEqual(view, {
      id: 9,
      owner,
      kind: 'agent',
      name: 'expert',
      metadataUri: 'ipfs://x',
      endpoint: 'http://127.0.0.1:9/',
      minAccessHolding: '5',
      lock: '900',
      status: 'slashed',
      unlockEra: 7,
      registeredEra: 3,
      earned: '42',
      slashed: '100',
    });
    assert.equal(matches(info, parseProviderFilter({ kind: 'agent', q: 'EXP' })), true);
    assert.equal(matches(info, parseProviderFilter({ status: 'active' })), false);
    assert.equal(matches(info, parseProviderFilter({ kind: 'model' })), false);
  });

  it('a stored value that does not decode is BAD_STORAGE_VALUE, not a crash', () => {
    assert.throws(() => providerView(1, 'k', slashedAgent + '00'), (e: unknown) => e instanceof DomainError && e.code === 'BAD_STORAGE_VALUE');
  });

  it('reads the provider id back from its key; refuses bad ids and filters', () => {
    for (const id of [0, 1, 255, 123_456, 0xffff_ffff]) assert.equal(providerIdOfKey(modelsKeys.provider(id)), id);
    assert.equal(parseProviderId('42'), 42);
    for (const bad of ['-1', '01', '4294967296', 'x']) assert.throws(() => parseProviderId(bad), (e: unknown) => e instanceof DomainError && e.code === 'BAD_PROVIDER_ID');
    assert.throws(() => parseProviderFilter({ kind: 'Model' }), (e: unknown) => e instanceof DomainError && e.code === 'BAD_QUERY');
    assert.throws(() => parseProviderFilter({ status: 'gone' }), (e: unknown) => e instanceof DomainError && e.code === 'BAD_QUERY');
  });

  it('decodes era scores and plain values', () => {
    const score = toHex(new ScaleWriter().u16(300).u128(10n ** 24n).u128(7n).finish());
    assert.deepEqual(eraScoreView(4, 'k', score), { era: 4, consensus: 300, weight: (10n ** 24n).toString(), paid: '7' });
    assert.equal(u32Of(toHex(new ScaleWriter().u32(70_000).finish())), 70_000);
    assert.equal(u128Of(toHex(new ScaleWriter().u128((1n << 100n) + 3n).finish())), (1n << 100n) + 3n);
    assert.notEqual(modelsKeys.eraScore(1, 2), modelsKeys.eraScore(2, 1));
  });
});
