// Bad models and bad requests: each gives a clear typed error, a stuck or broken worker is replaced,
// and the service keeps answering.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import type { ExpertEngine } from '../src/expert-engine.js';
import { evaluate, startEngine } from './support/engine.js';
import { portfolio, position } from './support/portfolios.js';

const TIMEOUT_MS = 1500;

function domainError(code: string, message?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof DomainError, `expected a DomainError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  };
}

const spin = { ot_user_id: 'u1', ot_risk_input: { ot_user_spin: 'yes' } };
const healthy = portfolio([position('H1', 'BTC/USD', { ot_pos_stop: null })]);

describe('expert failures', () => {
  let engine: ExpertEngine;
  before(async () => {
    engine = await startEngine({ timeoutMs: TIMEOUT_MS, memoryMb: 512 }, true);
  });
  after(() => engine.close());

  async function stillAnswers(): Promise<void> {
    const response = await evaluate(engine, healthy);
    assert.deepEqual(response.identifiedRisks.map((r) => r.name), ['position-stop-loss']);
  }

  it('names the CLIPS problem of a model that does not parse, in the listing and on evaluation', async () => {
    const listed = (await engine.listModels()).models.find((m) => m.name === 'broken-syntax');
    assert.match(listed?.loadError ?? '', /model\.clp does not parse: .*defrule/);
    await assert.rejects(
      evaluate(engine, { ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 1 } }, 'broken-syntax'),
      domainError('MODEL_LOAD_FAILED', /Syntax Error|does not parse/),
    );
    await stillAnswers();
  });

  it('cuts an endless loop in CLIPS at the time limit and replaces the worker', async () => {
    const replacements = engine.workerReplacements;
    const started = Date.now();
    await assert.rejects(evaluate(engine, spin, 'clips-loop'), domainError('EVALUATION_TIMEOUT', /1500 ms/));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= TIMEOUT_MS && elapsed < TIMEOUT_MS + 1000, `cut after ${elapsed} ms`);
    assert.equal(engine.workerReplacements, replacements + 1);
    await stillAnswers();
    // The same model still answers inputs that do not loop, on the replaced worker too.
    const calm = await evaluate(engine, { ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 7 } }, 'clips-loop');
    assert.deepEqual(calm.identifiedRisks.map((r) => [r.name, r.otPosDealid]), [['balance-seen', '7']]);
  });

  it('cuts an endless loop in a Python function at the time limit and replaces the worker', async () => {
    const replacements = engine.workerReplacements;
    const pidsBefore = engine.workerPids;
    await assert.rejects(evaluate(engine, spin, 'python-loop'), domainError('EVALUATION_TIMEOUT'));
    assert.equal(engine.workerReplacements, replacements + 1);
    assert.notDeepEqual(engine.workerPids, pidsBefore);
    await stillAnswers();
  });

  it('stops a model that exceeds the memory limit with a clear error and replaces the worker', async () => {
    const replacements = engine.workerReplacements;
    await assert.rejects(
      evaluate(engine, { ot_user_id: 'u1', ot_risk_input: { ot_user_hog: 'yes' } }, 'memory-hog'),
      domainError('MEMORY_LIMIT_EXCEEDED', /memory limit/),
    );
    assert.equal(engine.workerReplacements, replacements + 1);
    await stillAnswers();
  });

  it('reports the Python exception a model function raised', async () => {
    await assert.rejects(
      evaluate(engine, { ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 5 } }, 'python-raises'),
      domainError('EVALUATION_FAILED', /ratio: ZeroDivisionError/),
    );
    await stillAnswers();
  });

  it('refuses network access to model code', async () => {
    const response = await evaluate(engine, { ot_user_id: 'u1', ot_risk_input: { ot_user_probe: '127.0.0.1' } }, 'network-probe');
    assert.equal(response.identifiedRisks[0]?.otPosDealid, 'refused:NetworkDisabled');
  });

  it('answers a malformed request with BAD_REQUEST naming the field', async () => {
    const document = portfolio([position('B1', 'BTC/USD', { ot_pos_opening: 'a lot' })]);
    await assert.rejects(evaluate(engine, document), (err: unknown) => {
      domainError('BAD_REQUEST', /^ot_risk_input\.position-data\[0\]\.ot_pos_opening must be a number/)(err);
      assert.equal((err as DomainError).kind, 'invalid');
      return true;
    });
    await assert.rejects(
      engine.evaluate({ model: '', modelVersion: '', requestJson: '{"ot_user_id": 1' }),
      domainError('BAD_REQUEST', /^request_json/),
    );
  });

  it('answers MODEL_NOT_FOUND for an unknown model or version', async () => {
    await assert.rejects(evaluate(engine, healthy, 'no-such-model'), domainError('MODEL_NOT_FOUND'));
    await assert.rejects(engine.getModel({ name: 'crypto-risk', version: '9.9.9' }), domainError('MODEL_NOT_FOUND'));
  });

  it('runs a model written in the toolkit style: check_pos_corr, check_neg_corr and regex_match', async () => {
    const document = {
      ot_user_id: 'u1',
      ot_risk_input: {
        'position-data': [
          { ot_pos_dealid: 'T1', ot_instr_id: 'BTC/USD', ot_instr_name: 'BTC', ot_pos_direction: 'BUY', ot_risk_check: true },
          { ot_pos_dealid: 'T2', ot_instr_id: 'ETH/USD', ot_instr_name: 'ETH', ot_pos_direction: 'BUY', ot_risk_check: false },
          { ot_pos_dealid: 'T3', ot_instr_id: 'GOLD', ot_instr_name: 'GOLD', ot_pos_direction: 'BUY', ot_risk_check: false },
          { ot_pos_dealid: 'T4', ot_instr_id: 'USDT/USD', ot_instr_name: 'USDT stable', ot_pos_direction: 'BUY', ot_risk_check: true },
        ],
      },
      ot_correlation_matrix: { 'BTC/USD': { 'ETH/USD': 0.7, 'GOLD': -0.66, 'BTC/USD': 1 } },
    };
    const response = await evaluate(engine, document, 'toolkit-style');
    assert.deepEqual(response.identifiedRisks.map((r) => [r.name, r.otPosDealid, r.parameters['param_3'] ?? r.parameters['param_5']]), [
      ['correlated-negative', 'T1', 'GOLD'],
      ['correlated-positive', 'T1', 'ETH/USD'],
      ['stablecoin', 'T4', 'USDT_stable'],
    ]);
  });
});
