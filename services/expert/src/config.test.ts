// The expert service listens on loopback unless the deployment says otherwise (issue 9: nothing binds
// 0.0.0.0 by default; compose sets BAI_EXPERT_GRPC_HOST for the gateway).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadExpertConfig } from './config.js';

// loadExpertConfig checks that the interpreter exists; any existing file will do here.
const base = { BAI_EXPERT_PYTHON: process.execPath };

describe('loadExpertConfig listen addresses', () => {
  it('binds gRPC and HTTP to 127.0.0.1 when no host is given', () => {
    const config = loadExpertConfig({ ...base });
    assert.equal(config.grpcHost, '127.0.0.1');
    assert.equal(config.httpHost, '127.0.0.1');
  });

  it('binds where BAI_EXPERT_GRPC_HOST and BAI_HTTP_HOST say, each on its own', () => {
    assert.deepEqual(
      (({ grpcHost, httpHost }) => ({ grpcHost, httpHost }))(loadExpertConfig({ ...base, BAI_EXPERT_GRPC_HOST: '0.0.0.0' })),
      { grpcHost: '0.0.0.0', httpHost: '127.0.0.1' },
    );
    assert.deepEqual(
      (({ grpcHost, httpHost }) => ({ grpcHost, httpHost }))(loadExpertConfig({ ...base, BAI_HTTP_HOST: '0.0.0.0' })),
      { grpcHost: '127.0.0.1', httpHost: '0.0.0.0' },
    );
  });

  it('treats an empty host as unset', () => {
    const config = loadExpertConfig({ ...base, BAI_EXPERT_GRPC_HOST: '', BAI_HTTP_HOST: ' ' });
    assert.equal(config.grpcHost, '127.0.0.1');
    assert.equal(config.httpHost, '127.0.0.1');
  });
});

describe('loadExpertConfig toolkit, sandbox, limits and models', () => {
  it('has safe defaults: sandbox on, workers as nobody, 1 MiB / 32 levels / 1000 positions, no admin token', () => {
    const config = loadExpertConfig({ ...base });
    assert.equal(config.sandbox, true);
    assert.deepEqual(config.workerUser, { uid: 65534, gid: 65534 });
    assert.deepEqual(config.limits, { maxBytes: 1024 * 1024, maxDepth: 32, maxPositions: 1000 });
    assert.equal(config.adminToken, undefined);
    assert.equal(config.defaultModel, 'crypto-risk');
    assert.deepEqual(config.toolkitDirs, []);
  });

  it('reads each variable and refuses bad values naming the variable', () => {
    const config = loadExpertConfig({
      ...base, BAI_EXPERT_SANDBOX: 'off', BAI_EXPERT_WORKER_USER: '1000:1001', BAI_EXPERT_MAX_DEPTH: '8',
      BAI_EXPERT_ADMIN_TOKEN: 'a-long-enough-admin-token', BAI_EXPERT_DEFAULT_MODEL: 'risk-model-crypto',
    });
    assert.equal(config.sandbox, false);
    assert.deepEqual(config.workerUser, { uid: 1000, gid: 1001 });
    assert.equal(config.limits.maxDepth, 8);
    assert.equal(config.adminToken, 'a-long-enough-admin-token');
    assert.equal(config.defaultModel, 'risk-model-crypto');
    assert.throws(() => loadExpertConfig({ ...base, BAI_EXPERT_SANDBOX: 'maybe' }), /BAI_EXPERT_SANDBOX/);
    assert.throws(() => loadExpertConfig({ ...base, BAI_EXPERT_WORKER_USER: 'nobody' }), /BAI_EXPERT_WORKER_USER/);
    assert.throws(() => loadExpertConfig({ ...base, BAI_EXPERT_ADMIN_TOKEN: 'short' }), /BAI_EXPERT_ADMIN_TOKEN/);
    assert.throws(() => loadExpertConfig({ ...base, BAI_EXPERT_TOOLKIT_DIRS: '/nonexistent' }), /BAI_EXPERT_TOOLKIT_DIRS/);
    assert.throws(() => loadExpertConfig({ ...base, BAI_EXPERT_MAX_POSITIONS: '0' }), /BAI_EXPERT_MAX_POSITIONS/);
  });
});
