// The oracle: BalanceAI's risk toolkit itself (its app.py, model and verbiage, run unchanged from its checkout
// in its own Python environment) and this service in toolkit mode answer the same request documents — the
// toolkit's example unchanged and documents exercising null, booleans, floats, text, correlation matrices and
// indicators — and must give the same risks, in the same order, with the same parameters and explanations.
//
// Needs the toolkit checkout (BAI_TOOLKIT_CHECKOUT, default ../shared/reference/balance-ai-risk beside the
// repository) and its environment (services/expert/scripts/setup-python.sh makes test/oracle/.venv).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DomainError } from '@balanceai/platform';
import { packageRoot } from '../src/config.js';
import type { ExpertEngine } from '../src/expert-engine.js';
import { startEngine } from './support/engine.js';

const checkout = resolve(process.env['BAI_TOOLKIT_CHECKOUT'] ?? join(packageRoot, '..', '..', '..', 'shared', 'reference', 'balance-ai-risk'));
const toolkitPython = join(packageRoot, 'test', 'oracle', '.venv', 'bin', 'python');
const driver = join(packageRoot, 'test', 'oracle', 'run_toolkit.py');
const MODEL = 'risk-model-crypto';
// Fail with the cause, not an ENOENT trace at import, when the checkout is not where it is looked for.
if (!existsSync(join(checkout, 'examples', 'crypto_example_payload.json'))) {
  throw new Error(`the risk toolkit checkout is not at ${checkout}: set BAI_TOOLKIT_CHECKOUT to it`);
}

interface ToolkitRun {
  status: number;
  answer?: { ot_user_id: unknown; ot_timestamp: number; ot_risk_answer_signature: string; identified_risks: Record<string, string>[]; ot_indicators: unknown };
  risks?: [string, [string, string][]][];
}

/** Runs the toolkit's own Python on each request text. */
function runToolkit(texts: string[]): ToolkitRun[] {
  const output = execFileSync(toolkitPython, [driver, checkout], {
    input: JSON.stringify(texts), maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'],
  });
  return JSON.parse(output.toString('utf8')) as ToolkitRun[];
}

/** A position as the toolkit's example writes one; `fields` is raw JSON text so 1.0 stays 1.0. */
function position(fields: Record<string, string>): string {
  const base: Record<string, string> = {
    ot_pos_dealid: '"BTC"', ot_pos_cc: '"USD"', ot_pos_exchange: '1', ot_pos_margin: '100', ot_pos_size: '1',
    ot_instr_name: '"BTC/USD"', ot_instr_id: '"BTC/USD"', ot_instr_type: '"CRYPTO"', ot_pos_direction: '"BUY"',
    ot_pos_opening: '100.0', ot_pos_contractsize: '1', ot_risk_check: '"true"', ot_pos_controlled: '"true"',
    ot_pos_stop: '95.0', ot_pos_limit: '110.0',
  };
  const merged = { ...base, ...fields };
  return `{${Object.entries(merged).filter(([, v]) => v !== 'OMIT').map(([k, v]) => `"${k}": ${v}`).join(', ')}}`;
}

function request(positions: string[], extra = '', user = '{"ot_user_balance": 10000, "ot_user_timeframe": "DAY", "ot_user_diversification": 0.3, "ot_user_riskrewardratio": 2, "ot_user_limitpertrade": 0.1'): string {
  return `{"ot_user_id": "u-1", "ot_risk_input": ${user}, "position-data": [${positions.join(', ')}]}${extra}}`;
}

const cases: Record<string, string> = {
  'the toolkit example, unchanged': readFileSync(join(checkout, 'examples', 'crypto_example_payload.json'), 'utf8'),
  'no stop-loss or take-profit order (slots absent, so nil)': request([
    position({ ot_pos_stop: 'OMIT' }),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"', ot_pos_stop: 'OMIT', ot_pos_limit: 'OMIT' }),
  ]),
  'null stop and limit with a JSON true (None, True): a matching error halts the toolkit\'s run': request([
    position({ ot_pos_stop: 'null', ot_pos_limit: 'null', ot_pos_controlled: 'true' }),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH/USD"', ot_pos_stop: 'null', ot_pos_limit: 'null' }),
    position({ ot_pos_dealid: '"LTC"', ot_instr_id: '"LTC/USD"', ot_instr_name: '"LTC"', ot_pos_stop: 'OMIT', ot_pos_limit: 'OMIT' }),
  ]),
  'booleans as JSON and as text, in positions and user facts': request([
    position({ ot_risk_check: 'true', ot_pos_controlled: 'false' }),
    position({ ot_pos_dealid: '"SOL"', ot_instr_id: '"SOL/USD"', ot_instr_name: '"SOL"', ot_risk_check: '"true"', ot_pos_controlled: '"false"', ot_instr_offer: '90.0' }),
  ], '', '{"ot_user_balance": 1000, "ot_user_timeframe": "HOUR", "ot_user_diversification": 0.02, "ot_user_riskrewardratio": 2, "ot_user_limitpertrade": 0.001, "ot_user_flag": true, "ot_user_none": null'),
  'floats that look whole (1.0 stays a FLOAT), exchange 1 against 1.0': request([
    position({ ot_pos_exchange: '1.0', ot_pos_opening: '34157.0', ot_pos_contractsize: '2.0', ot_pos_stop: '30000.0', ot_pos_limit: '50000.0' }),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"', ot_pos_exchange: '1', ot_pos_opening: '2000', ot_pos_contractsize: '3', ot_pos_stop: '1999', ot_pos_limit: '2600' }),
    position({ ot_pos_dealid: '"XRP"', ot_instr_id: '"XRP/USD"', ot_instr_name: '"XRP"', ot_pos_exchange: '1.1', ot_pos_opening: '0.5', ot_pos_contractsize: '100', ot_pos_stop: '0.1', ot_pos_limit: '0.51' }),
  ]),
  'risk limit and risk reward of positions already held (offer against opening)': request([
    position({ ot_pos_controlled: '"false"', ot_instr_offer: '50.5', ot_pos_contractsize: '40' }),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"', ot_pos_controlled: '"false"', ot_instr_offer: '130.25', ot_pos_contractsize: '40' }),
    position({ ot_pos_dealid: '"ADA"', ot_instr_id: '"ADA/USD"', ot_instr_name: '"ADA"', ot_pos_controlled: '"false"', ot_instr_offer: '100.5', ot_pos_contractsize: '1' }),
    position({ ot_pos_dealid: '"DOT"', ot_instr_id: '"DOT/USD"', ot_instr_name: '"DOT"', ot_pos_controlled: '"false"', ot_instr_offer: '105.0', ot_pos_contractsize: '200', ot_pos_opening: '100' }),
    position({ ot_pos_dealid: '"DOGE"', ot_instr_id: '"DOGE/USD"', ot_instr_name: '"DOGE"', ot_pos_controlled: '"false"', ot_instr_offer: '99.5' }),
    position({ ot_pos_dealid: '"XLM"', ot_instr_id: '"XLM/USD"', ot_instr_name: '"XLM"', ot_pos_controlled: '"false"', ot_instr_offer: '170', ot_pos_contractsize: '40' }),
    position({ ot_pos_dealid: '"TRX"', ot_instr_id: '"TRX/USD"', ot_instr_name: '"TRX"', ot_pos_controlled: '"false"', ot_instr_offer: '150.0', ot_pos_contractsize: '40' }),
  ]),
  'text with spaces, parentheses and $; text in a user fact; unknown keys dropped': request([
    position({ ot_instr_name: '"Bitcoin (USD) $"', ot_instr_type: '"crypto coin"', ot_pos_stop: 'null' }),
    position({ ot_pos_dealid: '"E 2"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"Ether"', ot_pos_note: '"not a slot"' }),
  ], '', '{"ot_user_balance": 10000, "ot_user_timeframe": "4 hours", "ot_user_diversification": 0.3, "ot_user_riskrewardratio": 2, "ot_user_limitpertrade": 0.1, "identified_habits": ["x"], "ot_user_list": [1, 2.5, "a"], "ot_user_obj": {"a": 1}'),
  'a symmetric correlation matrix: positive and negative, same and opposite directions': request([
    position({}),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"' }),
    position({ ot_pos_dealid: '"GLD"', ot_instr_id: '"GOLD"', ot_instr_name: '"Gold"', ot_pos_direction: '"SELL"', ot_risk_check: '"false"' }),
    position({ ot_pos_dealid: '"SOL"', ot_instr_id: '"SOL/USD"', ot_instr_name: '"SOL"', ot_pos_direction: '"SELL"' }),
  ], `, "ot_correlation_matrix": {
      "BTC/USD": {"BTC/USD": 1.0, "ETH/USD": 0.82, "GOLD": -0.7, "SOL/USD": 0.9},
      "ETH/USD": {"BTC/USD": 0.82, "ETH/USD": 1.0, "GOLD": 0.1, "SOL/USD": -0.66},
      "GOLD": {"BTC/USD": -0.7, "ETH/USD": 0.1, "GOLD": 1.0, "SOL/USD": 0.0},
      "SOL/USD": {"BTC/USD": 0.9, "ETH/USD": -0.66, "GOLD": 0.0, "SOL/USD": 1.0}}`),
  'a partial correlation matrix (missing cells)': request([
    position({}),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"' }),
  ], ', "ot_correlation_matrix": {"BTC/USD": {"BTC/USD": 1, "ETH/USD": 0.9}, "ETH/USD": {"BTC/USD": 0.9, "ETH/USD": 1}}'),
  'a one-sided correlation matrix (pandas raises on the missing row label)': request([
    position({}),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"' }),
  ], ', "ot_correlation_matrix": {"BTC/USD": {"ETH/USD": 0.9}}'),
  'indicators: sentiment against the position, volatility from bbw/abbw, unknown keys dropped': request([
    position({}),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"ETH"', ot_pos_direction: '"SELL"' }),
    position({ ot_pos_dealid: '"ADA"', ot_instr_id: '"ADA/USD"', ot_instr_name: '"ADA"' }),
  ], `, "ot_indicators": [
      {"ot_instr_id": "BTC/USD", "ot_indicator_type": "sma", "ot_indicator_value": 133, "ot_instr_sentiment": "bearish"},
      {"ot_instr_id": "ETH/USD", "ot_indicator_type": "sma", "ot_indicator_value": 74.5, "ot_instr_sentiment": "bullish"},
      {"ot_instr_id": "BTC/USD", "ot_indicator_type": "ot_indicator_bbw", "ot_indicator_value": 9},
      {"ot_instr_id": "BTC/USD", "ot_indicator_type": "ot_indicator_abbw", "ot_indicator_value": 5.0},
      {"ot_instr_id": "ADA/USD", "ot_indicator_type": "ot_indicator_bbw", "ot_indicator_value": 2.0},
      {"ot_instr_id": "ADA/USD", "ot_indicator_type": "ot_indicator_abbw", "ot_indicator_value": 5},
      {"ot_instr_id": "ADA/USD", "ot_indicator_type": "atr", "ot_indicator_value": null, "ot_instr_name": "ADA"}]`),
  'a position held twice (double crypto, double weight) and a user profile': `{"ot_user_id": 42, "ot_risk_input": {"ot_user_balance": 500, "ot_user_timeframe": "MINUTE_15", "ot_user_riskrewardratio": 1.5, "ot_user_limitpertrade": 0.05, "position-data": [${[
    position({ ot_pos_contractsize: '1.5' }),
    position({ ot_risk_check: '"false"', ot_pos_controlled: 'false', ot_pos_contractsize: '2' }),
  ].join(', ')}]}, "ot_user_profile": {"ot_user_diversification": 0.25}}`,
  'odd values: quotes, unicode, exponents, -0.0, a huge integer, lists and objects inside a position': request([
    position({ ot_instr_name: '"B\\"T\\"C"', ot_pos_cc: '"\u20ac uro"', ot_pos_opening: '1e-07', ot_pos_contractsize: '1E5' }),
    position({ ot_pos_dealid: '"ETH"', ot_instr_id: '"ETH/USD"', ot_instr_name: '"Äther ✓"', ot_pos_margin: '-0.0', ot_pos_size: '12345678901234567890', ot_instr_type: '[1, "a b", null]', ot_pos_cc: '{"k": [true]}' }),
    position({ ot_pos_dealid: '"SOL"', ot_instr_id: '"SOL/USD"', ot_instr_name: '""', ot_pos_opening: '"100.5"', ot_pos_stop: '"95"', ot_pos_limit: '"abc"' }),
  ], ', "ot_indicators": [{"ot_instr_id": "ETH/USD", "ot_instr_sentiment": "bearish", "ot_indicator_value": false}]'),
  'an old flat document without ot_risk_input': `{"ot_user_balance": 1000, "ot_user_diversification": 0.1, "position-data": [${position({ ot_pos_stop: 'null' })}]}`,
  'one position only, no user id': `{"ot_risk_input": {"ot_user_balance": 100, "ot_user_diversification": 0.5, "position-data": [${position({ ot_pos_limit: 'null', ot_pos_contractsize: '"3"' })}]}}`,
};

/** A small deterministic generator (mulberry32), so the generated documents are the same on every run. */
function generator(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Documents built from random mixes of the value kinds the toolkit types differently, as raw JSON text. */
function generatedDocuments(count: number, seed: number): string[] {
  const random = generator(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;
  const number = () => pick(['1', '1.0', '2', '0.5', '100', '100.0', '95.5', '110', '120.25', '80', '1e2', '0.0001', '250000', '"100"', '"1.5"']);
  const value = () => pick([number(), number(), 'null', 'true', 'false', '"true"', '"false"', '"BUY"', '"SELL"', '"a b"', '"x(y)"', '"$5"']);
  const instruments = ['BTC/USD', 'ETH/USD', 'SOL/USD', 'ADA/USD'];
  const docs: string[] = [];
  for (let d = 0; d < count; d++) {
    const positions = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) => {
      const instrument = pick(instruments);
      return position({
        ot_pos_dealid: `"D${i}${pick(['', 'x'])}"`, ot_instr_id: `"${instrument}"`, ot_instr_name: `"${instrument}"`,
        ot_pos_direction: pick(['"BUY"', '"SELL"']), ot_risk_check: pick(['"true"', '"false"', 'true']),
        ot_pos_controlled: pick(['"true"', '"false"', 'false', 'true', 'OMIT']),
        ot_pos_opening: number(), ot_pos_contractsize: number(), ot_pos_size: pick(['1', '2', '1.0']),
        ot_pos_exchange: pick(['1', '1.0', '2']), ot_pos_margin: pick(['100', '50', '100.0']),
        // Mostly values the rules can compute with: one None or word in a numeric slot halts the toolkit's run.
        ot_pos_stop: random() < 0.08 ? value() : pick([number(), number(), 'OMIT']),
        ot_pos_limit: random() < 0.08 ? value() : pick([number(), number(), 'OMIT']),
        ot_instr_offer: pick([number(), 'OMIT', 'OMIT']), ot_pos_weight: random() < 0.05 ? value() : 'OMIT',
      });
    });
    const user = `{"ot_user_balance": ${pick(['10000', '1000.0', '500', '"2000"'])}, "ot_user_timeframe": ${pick(['"DAY"', '"HOUR_4"', '"MINUTE_15"', '"HOUR"'])}, ` +
      `"ot_user_diversification": ${pick(['0.3', '0.05', '1', '0.5'])}, "ot_user_riskrewardratio": ${pick(['2', '1.5', '3.0'])}, "ot_user_limitpertrade": ${pick(['0.1', '0.01', '0.001'])}`;
    const matrix = Object.fromEntries(instruments.map((a) => [a, Object.fromEntries(instruments.map((b) => [b, a === b ? 1 : pick([0.9, -0.8, 0.1, 0.66, -0.66, 0.65])]))]));
    const indicators = Array.from({ length: Math.floor(random() * 4) }, () => ({
      ot_instr_id: pick(instruments), ot_indicator_type: pick(['sma', 'ot_indicator_bbw', 'ot_indicator_abbw', 'atr']),
      ot_indicator_value: pick([1, 2.5, 9, 5, 20]), ...(random() < 0.5 ? { ot_instr_sentiment: pick(['bearish', 'bullish']) } : {}),
    }));
    const extra = `${random() < 0.7 ? `, "ot_correlation_matrix": ${JSON.stringify(matrix)}` : ''}${indicators.length ? `, "ot_indicators": ${JSON.stringify(indicators)}` : ''}`;
    docs.push(request(positions, extra, user));
  }
  return docs;
}

for (const [i, text] of generatedDocuments(60, 14).entries()) cases[`generated document ${i + 1} (seeded)`] = text;

describe('toolkit oracle: the toolkit and the service give the same answers', () => {
  let engine: ExpertEngine;
  let toolkit: ToolkitRun[];
  const names = Object.keys(cases);

  before(async () => {
    assert.ok(existsSync(join(checkout, 'app.py')), `the risk toolkit checkout is missing at ${checkout} (set BAI_TOOLKIT_CHECKOUT)`);
    assert.ok(existsSync(toolkitPython), `the toolkit venv is missing: run services/expert/scripts/setup-python.sh`);
    toolkit = runToolkit(names.map((n) => cases[n] as string));
    engine = await startEngine({ toolkitDirs: [checkout] });
  });
  after(() => engine?.close());

  it('serves the toolkit checkout\'s model unchanged, in toolkit mode', async () => {
    const { model } = await engine.getModel({ name: 'risk_model_crypto', version: '' });
    assert.equal(model?.name, MODEL);
    assert.equal(model?.loadError, '');
  });

  for (const [index, name] of names.entries()) {
    it(name, async () => {
      const expected = toolkit[index] as ToolkitRun;
      assert.equal(expected.status, 200, 'the toolkit answers this document');
      const text = cases[name] as string;
      const ours = await engine.evaluate({ model: MODEL, modelVersion: '', requestJson: text });
      const answer = JSON.parse(ours.toolkitAnswerJson) as NonNullable<ToolkitRun['answer']>;
      // Risks in the toolkit's order, with its explanations, word for word.
      assert.deepEqual(answer.identified_risks, expected.answer?.identified_risks);
      assert.deepEqual(answer.ot_user_id, expected.answer?.ot_user_id);
      assert.deepEqual(answer.ot_indicators, expected.answer?.ot_indicators);
      assert.match(answer.ot_risk_answer_signature, new RegExp(`^${String(expected.answer?.ot_user_id)}_\\d+$`));
      assert.equal(typeof answer.ot_timestamp, 'number');
      // Parameters: every risk's slots as the toolkit reads them (nil left out, as the native shape does).
      const theirs = (expected.risks ?? []).map(([risk, pairs]) => ({
        name: risk,
        deal: pairs.find(([k]) => k === 'ot_pos_dealid')?.[1] ?? '',
        parameters: Object.fromEntries(pairs.filter(([k, v]) => k !== 'ot_pos_dealid' && v !== 'nil')),
      }));
      const mine = ours.identifiedRisks.map((r) => ({ name: r.name, deal: r.otPosDealid, parameters: r.parameters }));
      const key = (r: { name: string; deal: string; parameters: Record<string, string> }) => JSON.stringify([r.name, r.deal, Object.entries(r.parameters).sort()]);
      assert.deepEqual(mine.map(key).sort(), theirs.map((r) => ({ ...r, deal: r.deal === 'nil' ? '' : r.deal })).map(key).sort());
    });
  }

  it('answers BAD_REQUEST where the toolkit itself fails with HTTP 500', async () => {
    const broken = [
      '{"ot_user_id": "1", "ot_risk_input": {"position-data": {"a": 1}}}',
      '{"ot_user_id": "1", "ot_risk_input": [1, 2]}',
      '{"ot_user_id": "1", "ot_risk_input": {"position-data": [1]}}',
    ];
    const runs = runToolkit(broken);
    for (const [i, text] of broken.entries()) {
      assert.equal(runs[i]?.status, 500, `the toolkit answers ${text} with 500`);
      await assert.rejects(engine.evaluate({ model: MODEL, modelVersion: '', requestJson: text }), (err: unknown) => {
        assert.ok(err instanceof DomainError && err.code === 'BAD_REQUEST', String(err));
        return true;
      });
    }
  });

  it('generated documents raise risks too, not only empty answers', () => {
    const generated = names.map((name, i) => [name, toolkit[i]] as const).filter(([name]) => name.startsWith('generated'));
    const risks = generated.flatMap(([, run]) => (run?.risks ?? []).map(([risk]) => risk));
    const halted = generated.filter(([, run]) => (run?.risks ?? []).length === 0).length;
    process.stdout.write(`# generated: ${generated.length} documents, ${risks.length} risks, ${new Set(risks).size} kinds, ${halted} with none\n`);
    assert.ok(risks.length >= 100 && new Set(risks).size >= 10, `${risks.length} risks of ${new Set(risks).size} kinds`);
  });

  it('exercises the rules it claims to: the cases raise many different risks', () => {
    const seen = new Set(toolkit.flatMap((run) => (run.risks ?? []).map(([name]) => name)));
    for (const risk of [
      'position-oversized', 'position-not-oversized', 'position-stop-loss', 'position-take-profit', 'position-risk-limit',
      'position-ok-risk-limit', 'position-high-risk-reward', 'position-low-risk-reward', 'position-ok-risk-reward', 'position-positive-same-corr',
      'position-negative-oposite-corr', 'position-counter-sentiment', 'position-volatility-high', 'position-volatility-low',
      'position-double-crypto', 'position-double-weight', 'position-risk-limit-two', 'position-ok-risk-limit-two',
      'position-positive-oposite-corr', 'position-high-risk-reward-two', 'position-low-risk-reward-two', 'position-ok-risk-reward-two',
    ]) {
      assert.ok(seen.has(risk), `no case raises ${risk}; seen: ${[...seen].sort().join(', ')}`);
    }
  });

  it('reports the facts the toolkit drops as warnings (the example\'s indicators carry ot_instr_name)', async () => {
    const ours = await engine.evaluate({ model: MODEL, modelVersion: '', requestJson: cases['the toolkit example, unchanged'] as string });
    assert.equal(ours.warnings.length, 8);
    assert.match(ours.warnings[0] ?? '', /^ot_indicators\[0\] dropped: .*ot_instr_name/);
  });
});
