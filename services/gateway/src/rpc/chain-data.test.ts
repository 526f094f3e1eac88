import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { chainData, FakeConsensus } from './testing.js';

describe('ChainData', () => {
  it('shares one validator call among concurrent identical reads, and caches finalized blocks', async () => {
    const consensus = new FakeConsensus();
    consensus.handlers.set('getRuntime', () => ({ chain: 'c', metadata: '0x01' }));
    const chain = chainData(consensus);
    await Promise.all(Array.from({ length: 50 }, () => chain.runtime()));
    assert.equal(consensus.count('getRuntime'), 1);
    const hash = consensus.blocks[1]!.hash;
    await Promise.all([chain.block({ hash }), chain.block({ hash }), chain.block({ number: 1 })]);
    await chain.block({ number: 1 });
    assert.equal(consensus.count('getBlock'), 2);
    assert.equal(await chain.genesisHash(), consensus.blocks[0]!.hash);
  });

  it('forgets a failed read so the next caller retries, and answers undefined for a block nobody has', async () => {
    const consensus = new FakeConsensus();
    let fail = true;
    consensus.handlers.set('getRuntime', () => {
      if (fail) throw new DomainError('NODE_UNAVAILABLE', 'down', 'unavailable');
      return { chain: 'c' };
    });
    const chain = chainData(consensus);
    await assert.rejects(chain.runtime());
    fail = false;
    assert.equal((await chain.runtime()).chain, 'c');
    assert.equal(await chain.block({ hash: `0x${'ff'.repeat(32)}` }), undefined);
    await assert.rejects(chain.requireBlock(`0x${'ff'.repeat(32)}`), (e: DomainError) => e.code === 'UNKNOWN_BLOCK');
  });

  it('caches runtime-only calls until the runtime changes, and passes state-dependent calls through', async () => {
    const consensus = new FakeConsensus();
    let answer = '0x01';
    consensus.handlers.set('runtimeCall', () => ({ result: answer }));
    const chain = chainData(consensus);
    assert.equal((await chain.runtimeCall('Metadata_metadata_versions', '0x')).result, '0x01');
    answer = '0x02';
    assert.equal((await chain.runtimeCall('Metadata_metadata_versions', '0x')).result, '0x01');
    assert.equal((await chain.runtimeCall('AccountNonceApi_account_nonce', '0xaa')).result, '0x02');
    assert.equal((await chain.runtimeCall('AccountNonceApi_account_nonce', '0xaa')).result, '0x02');
    assert.equal(consensus.count('runtimeCall'), 3);
    chain.invalidateRuntime();
    assert.equal((await chain.runtimeCall('Metadata_metadata_versions', '0x')).result, '0x02');
  });

  it('shares the chain status for a fraction of a block only', async () => {
    const consensus = new FakeConsensus();
    let now = 0;
    const chain = chainData(consensus, () => now);
    await chain.status();
    now += 100;
    await chain.status();
    assert.equal(consensus.count('getChainStatus'), 1);
    now += 500;
    await chain.status();
    assert.equal(consensus.count('getChainStatus'), 2);
  });
});
