import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { GRPC_HEALTH_PROTO, ServingStatus, healthCheck } from './grpc-health.js';

describe('grpc.health.v1 Check', () => {
  it('answers the overall status for "" and known services, NOT_FOUND for others', () => {
    assert.ok(existsSync(GRPC_HEALTH_PROTO));
    assert.deepEqual(healthCheck('', ['balanceai.consensus.v1.ConsensusService'], true), { status: ServingStatus.SERVING });
    assert.deepEqual(healthCheck('balanceai.consensus.v1.ConsensusService', ['balanceai.consensus.v1.ConsensusService'], false), { status: ServingStatus.NOT_SERVING });
    assert.throws(() => healthCheck('nope', [], true), (e: { code?: number }) => e.code === 5);
  });
});
