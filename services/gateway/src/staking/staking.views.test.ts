import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { stakingClientOptions } from './staking-client.js';
import { parseStakerAddress, perbillPercent, validatorsView } from './staking.views.js';

describe('staking REST views', () => {
  it('shows commission as a percent', () => {
    assert.deepEqual([0, 1, 50_000_000, 123_456_789, 1_000_000_000].map(perbillPercent), ['0', '0.0000001', '5', '12.3456789', '100']);
    const v = { account: '0x', address: 'x', status: 'active', ownBond: '1', totalBacking: '2', ownExposure: '1', commission: 100_000_000, nominatorCount: 1, eraPoints: '3', consensusKey: '', candidate: true };
    assert.equal(validatorsView({ height: '1', currentEra: 0, active: [v], waiting: [] }).active[0]!.commissionPercent, '10');
  });

  it('accepts SS58 and 0x hex addresses and refuses anything else as BAD_ADDRESS', () => {
    assert.equal(parseStakerAddress('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'), '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
    assert.equal(parseStakerAddress(`0x${'ab'.repeat(32)}`), `0x${'ab'.repeat(32)}`);
    for (const bad of ['', 'nope', '0x12', '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ']) {
      assert.throws(() => parseStakerAddress(bad), (err: unknown) => err instanceof DomainError && err.code === 'BAD_ADDRESS' && err.kind === 'invalid', bad);
    }
  });

  it('reads the service address from BAI_STAKING_URL, 127.0.0.1:50062 by default', () => {
    assert.equal(stakingClientOptions({}).url, '127.0.0.1:50062');
    assert.equal(stakingClientOptions({ BAI_STAKING_URL: 'staking:7000' }).url, 'staking:7000');
    assert.throws(() => stakingClientOptions({ BAI_STAKING_URL: 'http://x' }), /BAI_STAKING_URL/);
  });
});
