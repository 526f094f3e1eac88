import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_RPC_CONFIG, DEFAULT_SUBMIT_CONFIG, loadGatewayConfig, rpcConfigOf, submitConfigOf } from './gateway-config.js';

const valid = {
  BAI_CONSENSUS_URLS: 'validator-0:50051, 10.0.0.2:50051',
  NATS_URL: 'nats://nats:4222',
  BAI_CHAIN_ID: 'balanceai-dev',
};

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    loadGatewayConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the configuration to be refused');
}

describe('loadGatewayConfig', () => {
  it('reads the validator URLs in order, trimmed, with PORT and HOST defaults', () => {
    const config = loadGatewayConfig(valid);
    assert.deepEqual(config.consensusUrls, ['validator-0:50051', '10.0.0.2:50051']);
    assert.equal(config.natsUrl, 'nats://nats:4222');
    assert.equal(config.chainId, 'balanceai-dev');
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
  });

  it('takes PORT and HOST from the environment', () => {
    const config = loadGatewayConfig({ ...valid, PORT: '9000', HOST: '127.0.0.1' });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '127.0.0.1');
  });

  for (const variable of ['BAI_CONSENSUS_URLS', 'NATS_URL', 'BAI_CHAIN_ID']) {
    it(`names ${variable} when it is missing or blank`, () => {
      assert.equal(failure({ ...valid, [variable]: undefined }).variable, variable);
      assert.equal(failure({ ...valid, [variable]: '  ' }).variable, variable);
    });
  }

  it('refuses a validator endpoint that is not host:port, quoting it', () => {
    const err = failure({ ...valid, BAI_CONSENSUS_URLS: 'validator-0:50051,http://v1' });
    assert.equal(err.variable, 'BAI_CONSENSUS_URLS');
    assert.match(err.message, /http:\/\/v1/);
    assert.equal(failure({ ...valid, BAI_CONSENSUS_URLS: 'v0:0' }).variable, 'BAI_CONSENSUS_URLS');
    assert.equal(failure({ ...valid, BAI_CONSENSUS_URLS: ',' }).variable, 'BAI_CONSENSUS_URLS');
  });

  it('refuses a PORT that is not a TCP port', () => {
    assert.equal(failure({ ...valid, PORT: 'http' }).variable, 'PORT');
    assert.equal(failure({ ...valid, PORT: '70000' }).variable, 'PORT');
  });

  it('refuses a chain id that cannot be a NATS subject token', () => {
    assert.equal(failure({ ...valid, BAI_CHAIN_ID: 'bai.main' }).variable, 'BAI_CHAIN_ID');
    assert.equal(failure({ ...valid, BAI_CHAIN_ID: 'bai>' }).variable, 'BAI_CHAIN_ID');
  });

  it('refuses a NATS_URL with a non-NATS scheme', () => {
    assert.equal(failure({ ...valid, NATS_URL: 'http://nats:4222' }).variable, 'NATS_URL');
  });

  it('reads the health policy with defaults, refusing values that are not positive integers', () => {
    const config = loadGatewayConfig(valid);
    assert.deepEqual([config.healthPollMs, config.staleAfterMs, config.maxLagBlocks], [1000, 5000, 5]);
    const tuned = loadGatewayConfig({ ...valid, BAI_HEALTH_POLL_MS: '250', BAI_STALE_AFTER_MS: '3000', BAI_MAX_LAG_BLOCKS: '2' });
    assert.deepEqual([tuned.healthPollMs, tuned.staleAfterMs, tuned.maxLagBlocks], [250, 3000, 2]);
    for (const variable of ['BAI_HEALTH_POLL_MS', 'BAI_STALE_AFTER_MS', 'BAI_MAX_LAG_BLOCKS']) {
      assert.equal(failure({ ...valid, [variable]: '0' }).variable, variable);
      assert.equal(failure({ ...valid, [variable]: 'soon' }).variable, variable);
    }
  });

  it('accepts a NATS_URL carrying per-service credentials', () => {
    assert.equal(loadGatewayConfig({ ...valid, NATS_URL: 'nats://gateway:s3cret@nats:4222' }).natsUrl, 'nats://gateway:s3cret@nats:4222');
  });

  it('reads the RPC limits with Substrate-like defaults (1,024 subscriptions per connection, 15 MiB responses)', () => {
    const config = loadGatewayConfig(valid);
    assert.deepEqual(config.rpc, DEFAULT_RPC_CONFIG);
    assert.equal(config.rpc?.maxSubscriptionsPerConnection, 1024);
    assert.equal(config.rpc?.maxResponseBytes, 15 * 1024 * 1024);
    const tuned = loadGatewayConfig({ ...valid, BAI_RPC_MAX_BATCH: '10', BAI_RPC_RATE_LIMIT: '50', BAI_RPC_RATE_BURST: '60', BAI_RPC_MAX_CONNECTIONS: '2000' });
    assert.deepEqual([tuned.rpc?.maxBatchSize, tuned.rpc?.rateLimitPerSecond, tuned.rpc?.rateLimitBurst, tuned.rpc?.maxConnections], [10, 50, 60, 2000]);
    for (const variable of ['BAI_RPC_MAX_REQUEST_BYTES', 'BAI_RPC_MAX_RESPONSE_BYTES', 'BAI_RPC_MAX_BATCH', 'BAI_RPC_MAX_SUBSCRIPTIONS', 'BAI_RPC_MAX_CONNECTIONS', 'BAI_RPC_RATE_LIMIT', 'BAI_RPC_MAX_BUFFER_BYTES']) {
      assert.equal(failure({ ...valid, [variable]: '0' }).variable, variable);
      assert.equal(failure({ ...valid, [variable]: '-5' }).variable, variable);
    }
  });

  it('refuses a rate burst below the sustained rate', () => {
    assert.equal(failure({ ...valid, BAI_RPC_RATE_LIMIT: '100', BAI_RPC_RATE_BURST: '50' }).variable, 'BAI_RPC_RATE_BURST');
  });

  it('fills RPC defaults into a configuration built in code without them', () => {
    assert.deepEqual(rpcConfigOf({}), DEFAULT_RPC_CONFIG);
    assert.equal(rpcConfigOf({ rpc: { maxBatchSize: 3 } }).maxBatchSize, 3);
    assert.equal(rpcConfigOf({ rpc: { maxBatchSize: 3 } }).maxConnections, DEFAULT_RPC_CONFIG.maxConnections);
  });

  it('reads the submission batching and bounds with defaults, refusing values that are not positive integers', () => {
    assert.deepEqual(submitConfigOf(loadGatewayConfig(valid)), DEFAULT_SUBMIT_CONFIG);
    assert.deepEqual(DEFAULT_SUBMIT_CONFIG, { maxBatch: 256, concurrentBatches: 2, maxPending: 4096, maxPerConnection: 256 });
    const config = loadGatewayConfig({
      ...valid,
      BAI_SUBMIT_MAX_BATCH: '1',
      BAI_SUBMIT_CONCURRENT_BATCHES: '8',
      BAI_MAX_PENDING_SUBMISSIONS: '100',
      BAI_MAX_SUBMISSIONS_PER_CONNECTION: '10',
    });
    assert.deepEqual(submitConfigOf(config), { maxBatch: 1, concurrentBatches: 8, maxPending: 100, maxPerConnection: 10 });
    for (const variable of ['BAI_SUBMIT_MAX_BATCH', 'BAI_SUBMIT_CONCURRENT_BATCHES', 'BAI_MAX_PENDING_SUBMISSIONS', 'BAI_MAX_SUBMISSIONS_PER_CONNECTION']) {
      assert.equal(failure({ ...valid, [variable]: '0' }).variable, variable);
    }
    assert.equal(submitConfigOf({ submit: { maxPending: 5 } }).maxBatch, DEFAULT_SUBMIT_CONFIG.maxBatch);
  });
});
