import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { emissionsClientOptions } from './emissions-client.js';
import { parsePoints, scheduleView } from './emissions.views.js';

describe('emissions REST views', () => {
  it('accepts points from 2 to 1000 and leaves an absent one to the service default', () => {
    assert.equal(parsePoints(undefined), 0);
    assert.equal(parsePoints('2'), 2);
    assert.equal(parsePoints('1000'), 1000);
    for (const bad of ['1', '1001', '-5', '3.5', 'abc', '1e3']) {
      assert.throws(() => parsePoints(bad), (err: unknown) => err instanceof DomainError && err.code === 'BAD_POINTS' && err.kind === 'invalid', bad);
    }
  });

  it('dates the next halving and reports null at the cap', () => {
    const base = {
      height: '20', lastBlockTimeMs: '0', epoch: 0, issuance: '1', maxSupply: '2', genesisIssuance: '1', ratePerBlock: '1',
      ratePerDay: '1', blocksPerDay: '7200', blockTimeMs: '12000',
    };
    const view = scheduleView({
      ...base,
      nextHalving: { epoch: 1, threshold: '2', remaining: '1', estimatedHeight: '13412904', estimatedTimeMs: '1924992000000' },
    });
    assert.equal(view.nextHalving?.estimatedDate, '2031-01-01T00:00:00.000Z');
    assert.equal(scheduleView({ ...base, nextHalving: undefined }).nextHalving, null);
  });

  it('reads the service address from BAI_EMISSIONS_URL, 127.0.0.1:50061 by default', () => {
    assert.equal(emissionsClientOptions({}).url, '127.0.0.1:50061');
    assert.equal(emissionsClientOptions({ BAI_EMISSIONS_URL: 'emissions:7000' }).url, 'emissions:7000');
    assert.throws(() => emissionsClientOptions({ BAI_EMISSIONS_URL: 'http://x' }), /BAI_EMISSIONS_URL/);
  });
});
