// Example portfolios for the built-in crypto-risk model. Every position is "clean" (1 % of the balance, a loss of
// 0.05 % to its stop, reward/risk exactly 2) unless a test changes the one thing that should raise a risk.
import type { JsonObject, JsonValue } from '../../src/json.js';

export const user = {
  ot_user_balance: 10000,
  ot_user_timeframe: 'DAY',
  ot_user_diversification: 0.2,
  ot_user_limitpertrade: 0.02,
  ot_user_riskrewardratio: 2,
};

export function position(deal: string, instrument: string, changes: JsonObject = {}): JsonObject {
  return {
    ot_pos_dealid: deal,
    ot_instr_id: instrument,
    ot_instr_name: instrument.split('/')[0] as string,
    ot_pos_direction: 'BUY',
    ot_pos_opening: 100,
    ot_pos_contractsize: 1,
    ot_pos_size: 1,
    ot_risk_check: 'true',
    ot_pos_stop: 95,
    ot_pos_limit: 110,
    ...changes,
  };
}

export function portfolio(positions: JsonObject[], extra: Record<string, JsonValue> = {}): JsonObject {
  return { ot_user_id: 'user-1', ot_risk_input: { ...user, 'position-data': positions }, ...extra };
}

/** Daily closes swinging ±1 %: about 21 % annualised, under the 80 % default limit. */
export const calmPrices = [100, 101, 100, 101, 100, 101];
/** Daily closes swinging ±20-40 %: far above the limit. */
export const wildPrices = [100, 120, 90, 130, 80];

/** The model's realised volatility, computed independently of functions.py. */
export function annualisedVolatility(prices: number[]): number {
  const returns = prices.slice(1).map((p, i) => Math.log(p / (prices[i] as number)));
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1);
  return Math.sqrt(variance) * Math.sqrt(365);
}

/** A 12-position portfolio raising a mix of risks, for the bench and the determinism test. */
export function twelvePositions(): JsonObject {
  const coins = ['BTC', 'ETH', 'SOL', 'XRP', 'ADA', 'DOT', 'LTC', 'LINK', 'UNI', 'MATIC', 'NEAR', 'DOGE'];
  const positions = coins.map((coin, i) =>
    position(`D${i + 1}`, `${coin}/USD`, {
      ot_pos_contractsize: 1 + i * 3,
      ot_pos_stop: i % 4 === 0 ? null : 95 - i,
      ot_pos_limit: 110 + i * 4,
      ot_pos_direction: i % 3 === 0 ? 'SELL' : 'BUY',
    }),
  );
  return portfolio(positions, {
    ot_correlation_matrix: { 'BTC/USD': { 'ETH/USD': 0.82, 'SOL/USD': -0.7 }, 'XRP/USD': { 'ADA/USD': 0.9 } },
    ot_indicators: [
      { ot_instr_id: 'BTC/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bearish' },
      { ot_instr_id: 'ETH/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bullish' },
    ],
    ot_price_history: { 'DOGE/USD': wildPrices, 'BTC/USD': calmPrices },
  });
}
