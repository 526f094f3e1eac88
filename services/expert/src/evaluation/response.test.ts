import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assembleResponse, explain, type ModelIdentity, type RiskFact } from './response.js';
import type { ExpertRequest } from './request.js';

const model: ModelIdentity = {
  name: 'm',
  version: '1.0.0',
  digest: 'd1',
  explanations: { 'position-stop-loss': 'Position {ot_pos_dealid} in {param_5} has no stop-loss.' },
};
const request: ExpertRequest = {
  otUserId: 'u1', riskInput: {}, positions: [], profile: {}, correlationMatrix: {}, indicators: [],
  document: { ot_user_id: 'u1', ot_indicators: [{ ot_instr_id: 'A' }] },
};
const stopLoss: RiskFact = { 'risk-is': 'position-stop-loss', ot_pos_dealid: 'D2', name_1: 'A', param_5: 'Alpha', param_1: null };
const oversized: RiskFact = { 'risk-is': 'position-oversized', ot_pos_dealid: 'D1', param_1: 42.5, param_2: 20 };

describe('assembleResponse', () => {
  it('reports each risk with its set parameters as text and its filled explanation', () => {
    const response = assembleResponse(model, request, [stopLoss], new Date(0));
    assert.deepEqual(response.identifiedRisks, [{
      name: 'position-stop-loss', otPosDealid: 'D2', parameters: { name_1: 'A', param_5: 'Alpha' },
      explanation: 'Position D2 in Alpha has no stop-loss.',
    }]);
    assert.equal(response.otIndicatorsJson, '[{"ot_instr_id":"A"}]');
    assert.equal(response.otTimestamp, '1970-01-01T00:00:00.000Z');
  });

  it('orders risks canonically, so firing order does not change the answer or its signature', () => {
    const a = assembleResponse(model, request, [stopLoss, oversized], new Date(0));
    const b = assembleResponse(model, request, [oversized, stopLoss], new Date(1000));
    assert.deepEqual(a.identifiedRisks, b.identifiedRisks);
    assert.equal(a.riskSignature, b.riskSignature);
    assert.equal(a.identifiedRisks[0]?.name, 'position-oversized');
  });

  it('changes the signature when the risks, the input or the model version change', () => {
    const base = assembleResponse(model, request, [stopLoss], new Date(0)).riskSignature;
    assert.match(base, /^[0-9a-f]{64}$/);
    assert.notEqual(assembleResponse(model, request, [oversized], new Date(0)).riskSignature, base);
    assert.notEqual(assembleResponse({ ...model, version: '1.0.1' }, request, [stopLoss], new Date(0)).riskSignature, base);
    const other = { ...request, document: { ...request.document, ot_user_id: 'u2' } };
    assert.notEqual(assembleResponse(model, other, [stopLoss], new Date(0)).riskSignature, base);
  });
});

describe('explain', () => {
  it('lists the parameters when the model has no template for the risk', () => {
    assert.equal(explain('custom', 'D9', { param_1: '3' }, {}), 'custom on D9 (param_1=3)');
  });
});
