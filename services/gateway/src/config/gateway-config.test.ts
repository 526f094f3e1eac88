import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadGatewayConfig } from './gateway-config.js';

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
});
