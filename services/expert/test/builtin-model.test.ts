// The built-in crypto-risk model on example portfolios, through the real Python worker pool and CLIPS.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExpertEngine } from '../src/expert-engine.js';
import { evaluate, risksOf, startEngine } from './support/engine.js';
import { annualisedVolatility, calmPrices, portfolio, position, twelvePositions, wildPrices } from './support/portfolios.js';

describe('built-in crypto-risk model', () => {
  let engine: ExpertEngine;
  before(async () => {
    engine = await startEngine();
  });
  after(() => engine.close());

  it('finds no risk in a clean portfolio', async () => {
    const response = await evaluate(engine, portfolio(
      [position('C1', 'BTC/USD'), position('C2', 'ETH/USD'), position('C3', 'SOL/USD', { ot_pos_direction: 'SELL', ot_pos_stop: 105, ot_pos_limit: 90 })],
      {
        ot_correlation_matrix: { 'BTC/USD': { 'ETH/USD': 0.3, 'SOL/USD': -0.5 } },
        ot_indicators: [{ ot_instr_id: 'BTC/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bullish' }],
        ot_price_history: { 'BTC/USD': calmPrices },
      },
    ));
    assert.deepEqual(response.identifiedRisks, []);
    assert.equal(response.otUserId, 'user-1');
    assert.equal(response.otIndicatorsJson, '[{"ot_instr_id":"BTC/USD","ot_indicator_type":"sma","ot_instr_sentiment":"bullish"}]');
  });

  it('flags size, loss, risk/reward band and missing protective orders position by position', async () => {
    const response = await evaluate(engine, portfolio([
      position('P1', 'BTC/USD', { ot_pos_contractsize: 30 }), // 3000 = 30 % of 10000 > 20 %
      position('P2', 'ETH/USD', { ot_pos_contractsize: 10, ot_pos_stop: 70, ot_pos_limit: 160 }), // loses 300 = 3 % > 2 %
      position('P3', 'SOL/USD', { ot_pos_stop: 90, ot_pos_limit: 110 }), // reward/risk 1 < 1.6
      position('P4', 'XRP/USD', { ot_pos_limit: 150 }), // reward/risk 10 > 2.4
      position('P5', 'ADA/USD', { ot_pos_stop: null }),
      position('P6', 'DOT/USD', { ot_pos_limit: null }),
    ]));
    assert.deepEqual(risksOf(response), [
      { name: 'position-high-risk-reward', deal: 'P4', parameters: { name_1: 'XRP/USD', param_1: '10.0', param_2: '2', param_5: 'XRP' } },
      { name: 'position-low-risk-reward', deal: 'P3', parameters: { name_1: 'SOL/USD', param_1: '1.0', param_2: '2', param_5: 'SOL' } },
      { name: 'position-oversized', deal: 'P1', parameters: { name_1: 'BTC/USD', param_1: '30.0', param_2: '20.0', param_5: 'BTC' } },
      { name: 'position-risk-limit', deal: 'P2', parameters: { name_1: 'ETH/USD', param_1: '3.0', param_2: '2.0', param_5: 'ETH', param_6: '300.0' } },
      { name: 'position-stop-loss', deal: 'P5', parameters: { name_1: 'ADA/USD', param_5: 'ADA' } },
      { name: 'position-take-profit', deal: 'P6', parameters: { name_1: 'DOT/USD', param_5: 'DOT' } },
    ]);
    const oversized = response.identifiedRisks.find((r) => r.name === 'position-oversized');
    assert.equal(oversized?.explanation, 'Position P1 in BTC is 30.0% of your balance, above your diversification limit of 20.0%.');
  });

  it('flags a second position in the same coin and correlated positions in each direction', async () => {
    const response = await evaluate(engine, portfolio(
      [
        position('A1', 'BTC/USD'),
        position('A2', 'BTC/USD', { ot_risk_check: 'false', ot_pos_contractsize: 2 }),
        position('E1', 'ETH/USD'),
        position('S1', 'SOL/USD', { ot_risk_check: false }),
        position('X1', 'XRP/USD', { ot_pos_direction: 'SELL', ot_pos_stop: 105, ot_pos_limit: 90 }),
        position('AD1', 'ADA/USD', { ot_risk_check: false }),
        position('D1', 'DOT/USD'),
        position('L1', 'LTC/USD', { ot_risk_check: false }),
        position('K1', 'LINK/USD', { ot_pos_direction: 'SELL', ot_pos_stop: 105, ot_pos_limit: 90 }),
        position('U1', 'UNI/USD', { ot_risk_check: false }),
      ],
      {
        ot_correlation_matrix: {
          'ETH/USD': { 'SOL/USD': 0.9 },
          'ADA/USD': { 'XRP/USD': 0.8 }, // given in the other orientation: the matrix is read both ways
          'DOT/USD': { 'LTC/USD': -0.9 },
          'LINK/USD': { 'UNI/USD': -0.7 },
          'BTC/USD': { 'DOT/USD': 0.6 }, // below the 0.65 threshold: no risk
        },
      },
    ));
    assert.deepEqual(risksOf(response), [
      { name: 'position-double-crypto', deal: 'A1', parameters: { name_1: 'BTC/USD', param_1: 'A2', param_2: '2', param_5: 'BTC' } },
      { name: 'position-negative-opposite-corr', deal: 'K1', parameters: { name_1: 'LINK/USD', param_1: 'U1', param_3: 'UNI/USD', param_4: 'SELL', param_5: 'LINK', param_6: 'UNI' } },
      { name: 'position-negative-same-corr', deal: 'D1', parameters: { name_1: 'DOT/USD', param_1: 'L1', param_3: 'LTC/USD', param_4: 'BUY', param_5: 'DOT', param_6: 'LTC' } },
      { name: 'position-positive-opposite-corr', deal: 'X1', parameters: { name_1: 'XRP/USD', param_1: 'AD1', param_3: 'ADA/USD', param_4: 'SELL', param_5: 'XRP', param_6: 'ADA' } },
      { name: 'position-positive-same-corr', deal: 'E1', parameters: { name_1: 'ETH/USD', param_1: 'S1', param_3: 'SOL/USD', param_4: 'BUY', param_5: 'ETH', param_6: 'SOL' } },
    ]);
  });

  it('flags positions against the indicator sentiment, and high volatility computed in Python', async () => {
    const response = await evaluate(engine, portfolio(
      [
        position('M1', 'MATIC/USD'),
        position('N1', 'NEAR/USD', { ot_pos_direction: 'SELL', ot_pos_stop: 105, ot_pos_limit: 90 }),
        position('V1', 'AVAX/USD'),
        position('G1', 'DOGE/USD'),
      ],
      {
        ot_indicators: [
          { ot_instr_id: 'MATIC/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bearish' },
          { ot_instr_id: 'NEAR/USD', ot_indicator_type: 'rsi', ot_instr_sentiment: 'bullish' },
          { ot_instr_id: 'AVAX/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bullish' },
        ],
        ot_price_history: { 'DOGE/USD': wildPrices, 'AVAX/USD': calmPrices },
      },
    ));
    const volatilityPercent = Math.round(annualisedVolatility(wildPrices) * 10000) / 100;
    assert.ok(volatilityPercent > 80);
    assert.deepEqual(risksOf(response), [
      { name: 'position-counter-sentiment', deal: 'M1', parameters: { name_1: 'MATIC/USD', param_1: 'bearish', param_3: 'sma', param_4: 'BUY', param_5: 'MATIC', param_6: 'DAY' } },
      { name: 'position-counter-sentiment', deal: 'N1', parameters: { name_1: 'NEAR/USD', param_1: 'bullish', param_3: 'rsi', param_4: 'SELL', param_5: 'NEAR', param_6: 'DAY' } },
      { name: 'position-volatility-high', deal: 'G1', parameters: { name_1: 'DOGE/USD', param_1: String(volatilityPercent), param_2: '80.0', param_5: 'DOGE' } },
    ]);
  });

  it('lowers the volatility limit from the user profile', async () => {
    const calm = portfolio([position('B1', 'BTC/USD')], {
      ot_price_history: { 'BTC/USD': calmPrices },
      ot_user_profile: { ot_user_volatility_limit: 0.1 },
    });
    const names = (await evaluate(engine, calm)).identifiedRisks.map((r) => r.name);
    assert.deepEqual(names, ['position-volatility-high']);
  });

  it('gives the same risks and signature for the same input, on either worker', async () => {
    const document = twelvePositions();
    const answers = await Promise.all(Array.from({ length: 6 }, () => evaluate(engine, document)));
    const first = answers[0];
    assert.ok(first && first.identifiedRisks.length > 5);
    for (const answer of answers) {
      assert.deepEqual(answer.identifiedRisks, first.identifiedRisks);
      assert.equal(answer.riskSignature, first.riskSignature);
    }
  });
});
