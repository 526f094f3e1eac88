// The expert service end to end over gRPC: Nest microservice, proto-loader client, domain codes in metadata.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { fromGrpcError } from '@balanceai/platform';
import { createExpertApp, type ExpertApp } from '../src/index.js';
import { testConfig } from './support/engine.js';
import { call, expertClient, freePort, type ExpertGrpcClient } from './support/grpc-client.js';
import { portfolio, position } from './support/portfolios.js';

describe('ExpertService over gRPC', () => {
  let expert: ExpertApp;
  let client: ExpertGrpcClient;
  let httpPort = 0;
  before(async () => {
    httpPort = await freePort();
    expert = await createExpertApp(testConfig({ grpcHost: '127.0.0.1', grpcPort: await freePort(), httpPort }));
    client = expertClient(expert.url);
  });
  after(async () => {
    client.close();
    await expert.close();
  });

  it('answers its probes and serves /metrics over HTTP', async () => {
    const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { workers: number }).workers, 2);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(metrics, /bai_process_cpu_seconds_total|bai_process_resident_memory_bytes/);
  });

  it('lists the built-in model with its explanations and input schema', async () => {
    const { models } = await call(client.listModels, client, {});
    const builtin = models.find((m) => m.name === 'crypto-risk');
    assert.equal(builtin?.version, '1.0.0');
    assert.equal(builtin?.hasPython, true);
    assert.equal(builtin?.loadError, '');
    assert.ok(builtin?.explanations['position-stop-loss']);
    assert.equal(JSON.parse(builtin?.inputSchemaJson ?? '{}').ot_risk_input.ot_user_balance, 'number');
  });

  it('evaluates a portfolio and returns the identified risks', async () => {
    const response = await call(client.evaluate, client, {
      model: 'crypto-risk', modelVersion: '', requestJson: JSON.stringify(portfolio([position('G1', 'BTC/USD', { ot_pos_limit: null })])),
    });
    assert.equal(response.otUserId, 'user-1');
    assert.equal(response.model, 'crypto-risk');
    assert.deepEqual(response.identifiedRisks.map((r) => [r.name, r.otPosDealid, r.explanation]), [
      ['position-take-profit', 'G1', 'Position G1 in BTC has no take-profit order.'],
    ]);
    assert.match(response.riskSignature, /^[0-9a-f]{64}$/);
  });

  it('sends a malformed request back as INVALID_ARGUMENT with BAD_REQUEST in the metadata', async () => {
    const err = await call(client.evaluate, client, {
      model: '', modelVersion: '', requestJson: JSON.stringify({ ot_user_id: 'u1' }),
    }).then(() => undefined, (e: ServiceError) => e);
    assert.equal(err?.code, status.INVALID_ARGUMENT);
    const domain = fromGrpcError(err);
    assert.equal(domain.code, 'BAD_REQUEST');
    assert.match(domain.message, /^ot_risk_input is required/);
  });

  it('sends an unknown model back as NOT_FOUND', async () => {
    const err = await call(client.getModel, client, { name: 'nope', version: '' }).then(() => undefined, (e: ServiceError) => e);
    assert.equal(err?.code, status.NOT_FOUND);
    assert.equal(fromGrpcError(err).code, 'MODEL_NOT_FOUND');
  });
});
