// The expert system through a devnet's gateway, as a risk toolkit client uses it (issue 14): the toolkit's own
// model served unchanged from its checkout, its example payload posted unchanged to POST /risks (and sent as the
// body of GET /risks, which the toolkit serves too), the toolkit's answer shape back; portfolios above the
// gateway's 129 KiB limit accepted on the expert routes, bodies above the expert limit and over-deep documents
// refused with their own codes; a model added through the API (403 without the admin token) and served without
// a restart.
import { readFileSync, existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Devnet } from '@balanceai/testing';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = process.env.BAI_TOOLKIT_CHECKOUT ?? join(here, '..', '..', '..', '..', '..', 'shared', 'reference', 'balance-ai-risk');
/** The devnet's expert admin token (the Devnet makes one per run: net.expert.adminToken). */
let admin = '';

let net: Devnet | undefined;
let base = '';

async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A GET with a body, which fetch() refuses to send. */
function getWithBody(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = new URL(`${base}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

before(async () => {
  assert.ok(existsSync(join(checkout, 'ai_models', 'risk_model_crypto.clp')), `no risk toolkit checkout at ${checkout} (BAI_TOOLKIT_CHECKOUT)`);
  // The devnet's services inherit the environment: the expert serves the toolkit checkout.
  process.env.BAI_EXPERT_TOOLKIT_DIRS = checkout;
  net = await Devnet.start({ validators: 1, expert: true });
  assert.equal(net.expert.running, true, `the devnet's expert service is not running: ${'reason' in net.expert ? net.expert.reason : ''}`);
  assert.ok(net.expert.adminToken, 'the devnet gave its expert no admin token');
  admin = net.expert.adminToken;
  base = net.gatewayUrl;
});

after(async () => {
  await net?.stop();
  delete process.env.BAI_EXPERT_TOOLKIT_DIRS;
});

describe('expert through the gateway, as a toolkit client', () => {
  const example = () => readFileSync(join(checkout, 'examples', 'crypto_example_payload.json'), 'utf8');

  it('answers the toolkit example, posted unchanged to POST /risks, in the toolkit shape', async () => {
    const { status, json } = await post('/risks?model=risk_model_crypto', example());
    assert.equal(status, 200, JSON.stringify(json));
    assert.deepEqual(Object.keys(json).sort(), ['identified_risks', 'ot_indicators', 'ot_risk_answer_signature', 'ot_timestamp', 'ot_user_id', 'warnings']);
    assert.deepEqual((json.identified_risks as Record<string, string>[]).map((r) => Object.keys(r)[0]), [
      'position-oversized', 'position-risk-limit-two', 'position-take-profit',
    ]);
    assert.match((json.identified_risks as Record<string, string>[])[0]!['position-oversized']!, /more than 30\.0 percent .* on BTC\/USD/);
    assert.match(String(json.ot_risk_answer_signature), /^1_\d+$/);
    assert.equal((json.warnings as string[]).length, 8, 'the example indicators carry ot_instr_name, which the template lacks');
  });

  it('answers GET /risks and GET /v1/expert/risks with the example as a JSON body, as the toolkit serves GET too', async () => {
    const posted = await post('/risks?model=risk_model_crypto', example());
    for (const path of ['/risks?model=risk_model_crypto', '/v1/expert/risks?model=risk_model_crypto']) {
      // fetch() sends no body with GET: the toolkit's clients (Python requests) do, so the request is made by hand.
      const { status, json } = await getWithBody(path, example(), { 'content-type': 'application/json' });
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(json.identified_risks, posted.json.identified_risks);
      assert.equal(json.ot_user_id, '1');
    }
    const plain = await getWithBody('/risks?model=risk_model_crypto', example(), { 'content-type': 'text/plain' });
    assert.equal(plain.status, 400);
    assert.equal(plain.json.code, 'BAD_REQUEST');
  });

  it('accepts a portfolio above the gateway-wide body limit on the expert routes, refuses one above the expert limit', async () => {
    const big = example().replace('"ot_user_id": "1",', `"ot_user_id": "1", "ot_note": "${'x'.repeat(300 * 1024)}",`);
    assert.equal((await post('/v1/expert/evaluate?model=risk-model-crypto', big)).status, 200);
    const huge = example().replace('"ot_user_id": "1",', `"ot_user_id": "1", "ot_note": "${'x'.repeat(1100 * 1024)}",`);
    const refused = await post('/v1/expert/evaluate?model=risk-model-crypto', huge);
    assert.equal(refused.status, 413);
    assert.equal(refused.json.code, 'REQUEST_TOO_LARGE');
  });

  it('refuses a deeply nested document with REQUEST_TOO_DEEP and keeps answering', async () => {
    const deep = `{"ot_user_id": "1", "ot_risk_input": {"x": ${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const refused = await post('/v1/expert/evaluate', deep);
    assert.equal(refused.status, 400);
    assert.equal(refused.json.code, 'REQUEST_TOO_DEEP');
    assert.equal((await post('/risks?model=risk_model_crypto', example())).status, 200);
  });

  it('adds a model through the API and serves it without a restart', async () => {
    const model = {
      name: 'e2e-hot', version: '1.0.0', mode: 'toolkit', explanations: { big: 'balance above 100 on {deal1}' },
      model_clp: '(deftemplate risk-data (slot risk-is) (slot ot_pos_dealid))\n(defrule big (ot_user_balance ?b&:(> ?b 100)) => (assert (risk-data (risk-is big) (ot_pos_dealid ?b))))',
    };
    for (const headers of [{}, { 'x-bai-admin-token': 'not-the-admin-token-0000' }] as Record<string, string>[]) {
      const denied = await post('/v1/expert/models', JSON.stringify(model), headers);
      assert.equal(denied.status, 403);
      assert.equal(denied.json.code, 'MODEL_ADMIN_DENIED');
    }
    const added = await post('/v1/expert/models', JSON.stringify(model), { 'x-bai-admin-token': admin });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    const { status, json } = await post('/risks?model=e2e-hot', '{"ot_user_id": "7", "ot_risk_input": {"ot_user_balance": 150.0}}');
    assert.equal(status, 200);
    assert.deepEqual(json.identified_risks, [{ big: 'balance above 100 on 150.0' }]);
  });
});
