import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import type { JsonObject } from '../json.js';
import { parseRequestJson, typeProblem, validateRequest, type ModelShape } from './request.js';

const model: ModelShape = {
  name: 'test-model',
  input: {
    ot_risk_input: { ot_user_balance: 'number' },
    'position-data': { ot_pos_dealid: 'string', ot_pos_direction: ['BUY', 'SELL'], ot_pos_stop: 'number?' },
  },
  templates: { 'position-data': ['ot_pos_dealid', 'ot_pos_direction', 'ot_pos_stop'] },
};

function valid(): JsonObject {
  return {
    ot_user_id: 'u1',
    ot_risk_input: { ot_user_balance: 1000, 'position-data': [{ ot_pos_dealid: 'D1', ot_pos_direction: 'BUY' }] },
  };
}

function rejects(document: JsonObject, field: string): void {
  assert.throws(
    () => validateRequest(document, model),
    (err: unknown) => err instanceof DomainError && err.code === 'BAD_REQUEST' && err.kind === 'invalid' &&
      err.details?.['field'] === field && err.message.startsWith(field),
  );
}

describe('validateRequest', () => {
  it('splits the toolkit document into user facts, positions and the rest', () => {
    const request = validateRequest(valid(), model);
    assert.equal(request.otUserId, 'u1');
    assert.deepEqual(request.riskInput, { ot_user_balance: 1000 });
    assert.deepEqual(request.positions, [{ ot_pos_dealid: 'D1', ot_pos_direction: 'BUY' }]);
  });

  it('names ot_user_id when it is missing', () => {
    const document = valid();
    delete document['ot_user_id'];
    rejects(document, 'ot_user_id');
  });

  it('names a required risk input the manifest declares', () => {
    rejects({ ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 'lots' } }, 'ot_risk_input.ot_user_balance');
  });

  it('names the position key that is not a slot of the model template', () => {
    const document = valid();
    (document['ot_risk_input'] as JsonObject)['position-data'] = [{ ot_pos_dealid: 'D1', ot_pos_direction: 'BUY', colour: 'red' }];
    rejects(document, 'ot_risk_input.position-data[0].colour');
  });

  it('names the enumeration a position breaks', () => {
    const document = valid();
    (document['ot_risk_input'] as JsonObject)['position-data'] = [{ ot_pos_dealid: 'D1', ot_pos_direction: 'HOLD' }];
    rejects(document, 'ot_risk_input.position-data[0].ot_pos_direction');
  });

  it('refuses nested values where CLIPS needs a scalar', () => {
    rejects({ ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 1, extra: [1, 2] } }, 'ot_risk_input.extra');
  });

  it('refuses fact names CLIPS cannot hold', () => {
    rejects({ ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 1, 'bad name': 1 } }, 'ot_risk_input.bad name');
  });

  it('refuses correlation coefficients outside [-1, 1]', () => {
    rejects({ ...valid(), ot_correlation_matrix: { A: { B: 1.5 } } }, 'ot_correlation_matrix.A.B');
  });

  it('refuses indicators for a model without an indicator-data template', () => {
    rejects({ ...valid(), ot_indicators: [{ ot_instr_id: 'A' }] }, 'ot_indicators');
  });

  it('refuses a profile key that repeats a risk input key', () => {
    rejects({ ...valid(), ot_user_profile: { ot_user_balance: 5 } }, 'ot_user_profile.ot_user_balance');
  });
});

describe('parseRequestJson', () => {
  it('names request_json when the text is not a JSON object', () => {
    assert.throws(() => parseRequestJson('[1]'), (e: unknown) => e instanceof DomainError && e.message.startsWith('request_json'));
    assert.throws(() => parseRequestJson('{'), (e: unknown) => e instanceof DomainError && e.code === 'BAD_REQUEST');
  });
});

describe('typeProblem', () => {
  it('accepts numeric text for numbers and true/false text for booleans, as toolkit payloads send them', () => {
    assert.equal(typeProblem('22222222', 'number'), undefined);
    assert.equal(typeProblem('true', 'boolean'), undefined);
    assert.equal(typeProblem(null, 'number?'), undefined);
    assert.equal(typeProblem(null, 'number'), 'is required (number)');
    assert.equal(typeProblem('yes', 'boolean'), 'must be true or false');
  });
});
