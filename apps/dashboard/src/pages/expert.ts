// Expert system: pick a risk model, edit a portfolio (the risk toolkit's request document), read the risks.
import { ApiError, errText, fill, get, h, post, table } from '../util.js';

interface ModelJson {
  name: string;
  version: string;
  description: string;
  load_error?: string;
}
interface Evaluation {
  model: string;
  model_version: string;
  ot_risk_signature: string;
  identified_risks: Array<{ name: string; ot_pos_dealid: string; parameters: Record<string, string>; explanation: string }>;
}

const position = (deal: string, instrument: string, changes: Record<string, unknown> = {}) => ({
  ot_pos_dealid: deal,
  ot_instr_id: instrument,
  ot_instr_name: instrument.split('/')[0],
  ot_pos_direction: 'BUY',
  ot_pos_opening: 100,
  ot_pos_contractsize: 1,
  ot_pos_size: 1,
  ot_risk_check: true,
  ot_pos_stop: 95,
  ot_pos_limit: 110,
  ...changes,
});

/** An example portfolio: one clean position, one oversized without a stop, a correlated pair, a bearish signal. */
export const EXAMPLE_PORTFOLIO = {
  ot_user_id: 'dashboard',
  ot_risk_input: {
    ot_user_balance: 10000,
    ot_user_timeframe: 'DAY',
    ot_user_diversification: 0.2,
    ot_user_limitpertrade: 0.02,
    ot_user_riskrewardratio: 2,
    'position-data': [
      position('D1', 'BTC/USD'),
      position('D2', 'ETH/USD', { ot_pos_contractsize: 40, ot_pos_stop: null }),
      position('D3', 'SOL/USD', { ot_pos_direction: 'SELL', ot_pos_stop: 105, ot_pos_limit: 90 }),
    ],
  },
  ot_correlation_matrix: { 'BTC/USD': { 'ETH/USD': 0.82 } },
  ot_indicators: [{ ot_instr_id: 'BTC/USD', ot_indicator_type: 'sma', ot_instr_sentiment: 'bearish' }],
};

export async function expertPage(main: HTMLElement): Promise<void> {
  const select = h('select', { id: 'x-model', name: 'model' });
  const input = h('textarea', { id: 'x-input', name: 'portfolio', rows: 18, spellcheck: 'false' });
  input.value = JSON.stringify(EXAMPLE_PORTFOLIO, null, 2);
  const out = h('div', { id: 'x-out', 'aria-live': 'polite' });
  const run = h('button', { type: 'submit' }, 'Assess risks');
  const form = h('form', {}, h('label', { for: 'x-model' }, 'Risk model'), select, h('label', { for: 'x-input' }, 'Portfolio (the risk toolkit request, JSON)'), input, h('div', { class: 'row' }, run));
  fill(main, h('h1', {}, 'Expert system'), h('p', {}, 'Try a risk model on a portfolio: the node runs the model and explains each risk it finds.'), h('div', { class: 'cols' }, h('div', { class: 'card' }, form), h('section', { class: 'card', 'aria-labelledby': 'xr' }, h('h2', { id: 'xr' }, 'Risks found'), out)));

  try {
    const { models } = await get<{ models: ModelJson[] }>('/v1/expert/models');
    fill(select, ...models.map((m) => h('option', { value: m.name, disabled: Boolean(m.load_error) }, `${m.name} ${m.version}${m.load_error ? ' (does not load)' : ''}`)));
    if (models.length === 0) fill(out, h('p', { class: 'notice' }, 'No risk model is installed on this node.'));
  } catch (err) {
    select.disabled = true;
    run.disabled = true;
    const unavailable = err instanceof ApiError && err.status === 503;
    fill(out, h('p', { class: 'notice' }, unavailable ? 'The expert system is not running on this network (the gateway cannot reach it).' : errText(err)));
    return;
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse(input.value);
    } catch (err) {
      fill(out, h('p', { class: 'error' }, `The portfolio is not valid JSON: ${errText(err)}`));
      return;
    }
    run.disabled = true;
    fill(out, h('p', {}, 'Assessing…'));
    post<Evaluation>(`/v1/expert/evaluate?model=${encodeURIComponent(select.value)}`, body)
      .then((r) => {
        fill(
          out,
          h('p', {}, `${r.identified_risks.length} risk${r.identified_risks.length === 1 ? '' : 's'} found by ${r.model} ${r.model_version}.`),
          r.identified_risks.length === 0 ? null : table(['Position', 'Risk', 'Explanation'], r.identified_risks.map((x) => [x.ot_pos_dealid, x.name, h('span', { style: 'white-space:normal' }, x.explanation)])),
          h('p', { class: 'muted mono', style: 'overflow-wrap:anywhere' }, `signature ${r.ot_risk_signature}`),
        );
      })
      .catch((err: unknown) => fill(out, h('p', { class: 'error' }, err instanceof ApiError ? `${err.code}: ${err.message}` : errText(err))))
      .finally(() => (run.disabled = false));
  });
}
