import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.js';

const base = { BAI_GENESIS_FILE: '/g.json', DATABASE_URL: 'postgresql://u:p@127.0.0.1/db', NATS_URL: 'nats://127.0.0.1:4222' };

describe('consensus config', () => {
  it('binds gRPC and HTTP to loopback unless told otherwise', () => {
    const c = loadConfig(base);
    assert.equal(c.grpcHost, '127.0.0.1');
    assert.equal(c.httpHost, '127.0.0.1');
    assert.equal(loadConfig({ ...base, BAI_HTTP_HOST: '0.0.0.0' }).httpHost, '0.0.0.0');
  });

  it('splits NATS credentials out of the URL (the client ignores them there) and keeps them out of the logged URL', () => {
    const c = loadConfig({ ...base, NATS_URL: 'nats://validator-0:s3cret@127.0.0.1:4222' });
    assert.equal(c.nats.user, 'validator-0');
    assert.equal(c.nats.pass, 's3cret');
    assert.ok(!c.natsUrl.includes('s3cret'));
  });

  it('requires the module token with modules, and a long one', () => {
    assert.throws(() => loadConfig({ ...base, BAI_MODULES: 'emissions=127.0.0.1:50061' }), ConfigError);
    assert.throws(() => loadConfig({ ...base, BAI_MODULES: 'emissions=127.0.0.1:50061', BAI_MODULE_TOKEN: 'short' }), /at least 32/);
    const c = loadConfig({ ...base, BAI_MODULES: 'emissions=127.0.0.1:50061', BAI_MODULE_TOKEN: 'x'.repeat(32) });
    assert.equal(c.modules[0]!.name, 'emissions');
  });

  it('creates the chain stream with 1 replica unless told (1-5; 3 on a 3-node NATS cluster)', () => {
    assert.equal(loadConfig(base).streamReplicas, 1);
    assert.equal(loadConfig({ ...base, BAI_NATS_STREAM_REPLICAS: '3' }).streamReplicas, 3);
    for (const bad of ['0', '6', '2.5', 'three']) assert.throws(() => loadConfig({ ...base, BAI_NATS_STREAM_REPLICAS: bad }), /BAI_NATS_STREAM_REPLICAS/);
  });

  it('bounds the mempool by the genesis count and 32 MiB unless told, and refuses a bound that is not a positive integer', () => {
    assert.deepEqual(loadConfig(base).mempool, { maxTxs: undefined, maxBytes: 32 * 1024 * 1024 });
    assert.deepEqual(loadConfig({ ...base, BAI_MEMPOOL_MAX_TXS: '5000', BAI_MEMPOOL_MAX_BYTES: '1048576' }).mempool, { maxTxs: 5000, maxBytes: 1048576 });
    for (const bad of ['0', '-1', '2.5', 'many']) assert.throws(() => loadConfig({ ...base, BAI_MEMPOOL_MAX_TXS: bad }), /BAI_MEMPOOL_MAX_TXS/);
  });

  it('verifies signatures in one worker thread unless told (0 = inline, at most 16)', () => {
    assert.equal(loadConfig(base).verifyWorkers, 1);
    assert.equal(loadConfig({ ...base, BAI_VERIFY_WORKERS: '0' }).verifyWorkers, 0);
    for (const bad of ['-1', '17', '1.5']) assert.throws(() => loadConfig({ ...base, BAI_VERIFY_WORKERS: bad }), /BAI_VERIFY_WORKERS/);
  });

  it('names the variable of a bad port', () => {
    assert.throws(() => loadConfig({ ...base, BAI_GRPC_PORT: '70000' }), /BAI_GRPC_PORT/);
  });
});
