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
