import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationView, modelView } from './expert.views.js';
import { expertClientOptions } from './expert.module.js';

describe('expert REST views', () => {
  it('returns the evaluation with the toolkit keys and the indicators as JSON, not text', () => {
    const view = evaluationView({
      otUserId: 'u1', otTimestamp: '2026-01-01T00:00:00.000Z', riskSignature: 'ab', model: 'crypto-risk', modelVersion: '1.0.0',
      identifiedRisks: [{ name: 'position-stop-loss', otPosDealid: 'D1', parameters: { param_5: 'BTC' }, explanation: 'no stop' }],
      otIndicatorsJson: '[{"ot_instr_id":"BTC/USD"}]', warnings: [], toolkitAnswerJson: '{}',
    });
    assert.deepEqual(view, {
      ot_user_id: 'u1', ot_timestamp: '2026-01-01T00:00:00.000Z', ot_risk_signature: 'ab', model: 'crypto-risk', model_version: '1.0.0',
      identified_risks: [{ name: 'position-stop-loss', ot_pos_dealid: 'D1', parameters: { param_5: 'BTC' }, explanation: 'no stop' }],
      ot_indicators: [{ ot_instr_id: 'BTC/USD' }],
    });
  });

  it('shows a load error only for a model that does not load', () => {
    const base = {
      name: 'm', version: '1.0.0', description: '', versions: ['1.0.0'], inputSchemaJson: '{"ot_risk_input":{}}',
      explanations: {}, hasPython: false, digest: 'd', loadError: '',
    };
    assert.equal('load_error' in modelView(base), false);
    assert.deepEqual(modelView(base).input, { ot_risk_input: {} });
    assert.equal(modelView({ ...base, loadError: 'model.clp does not parse' }).load_error, 'model.clp does not parse');
  });
});

describe('expertClientOptions', () => {
  it('defaults to the expert service port and rejects a URL that is not host:port', () => {
    assert.deepEqual(expertClientOptions({}), { url: '127.0.0.1:50070', deadlineMs: 10000 });
    assert.throws(() => expertClientOptions({ BAI_EXPERT_URL: 'http://expert:50070' }), /BAI_EXPERT_URL/);
  });
});
