// The expert system is the marketplace's first agent (issue 11) on a devnet: the genesis registers the expert
// service as provider 0 (kind agent, its /agent routes as endpoint); a signed request through the gateway's
// access proxy /v1/access/0/risks reaches it and answers the risks the gateway's own /risks gives; each
// proxied request is one metering event on NATS. Then a provider registers a model whose metadata URI carries
// the sha256 of its .clp: the running expert loads it only with the right hash and an on-chain registration,
// and serves it at once (no restart) through the same access proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { IMMORTAL, ONE_BAI, cryptoReady, encodeModelsCall, keyFromUri, ss58Encode, signExtrinsic, toHex, type KeyPair, type ModelsCallData } from '@balanceai/chain';
import { Devnet, EXPERT_AGENT_NAME, natsConnectOptions } from '@balanceai/testing';
import { Gateway, chainInfo, type ChainInfo } from './client.js';

let net: Devnet | undefined;
let gw: Gateway;
let info: ChainInfo;
let nc: NatsConnection;
const metering: Array<Record<string, unknown>> = [];
const ERA = 12;
const ALICE = keyFromUri('//Alice', 'sr25519');
const BOB = keyFromUri('//Bob', 'sr25519');

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: 1, modules: ['emissions', 'staking', 'models'], eraLength: ERA, expert: true, expertAgent: true, modelsWorker: true });
  assert.equal(net.expert.running, true, `the expert service must run for this test: ${net.expert.reason}`);
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  await gw.waitHeight(1, 60_000);
  // The operator's view of the chain's metering subject (the gateway publishes as its own NATS user).
  nc = await connect(natsConnectOptions(net.nats.url));
  const sub = nc.subscribe(`bai.${net.genesis.chainId}.metering.>`);
  void (async () => {
    for await (const m of sub) metering.push(m.json());
  })();
  await nc.flush();
});

after(async () => {
  await nc?.close();
  await net?.stop();
});

/** sha256 over the body, as the gateway's access payload has it (the same text, kept beside the test). */
function accessPayload(p: { method: string; path: string; timestampMs: number; body: Uint8Array; provider: number }): Uint8Array {
  const bodyHash = createHash('sha256').update(p.body).digest('hex');
  return new TextEncoder().encode(`bai-access/v1\n${p.method}\n${p.path}\n${p.timestampMs}\n${bodyHash}\n${p.provider}`);
}

async function access(who: KeyPair, provider: number, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const ts = Date.now();
  const payload = accessPayload({ method: 'POST', path, timestampMs: ts, body: new TextEncoder().encode(body), provider });
  const res = await fetch(`${net!.gatewayUrl}/v1/access/${provider}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bai-account': ss58Encode(who.publicKey, 42), 'x-bai-timestamp': String(ts), 'x-bai-signature': toHex(who.sign(payload)) },
    body,
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function submit(from: KeyPair, call: ModelsCallData): Promise<void> {
  const nonce = (await gw.get<{ nextNonce: number }>(`/v1/accounts/${toHex(from.publicKey)}`)).nextNonce;
  const xt = signExtrinsic(from, encodeModelsCall(call), { era: IMMORTAL, nonce, tip: 0n }, {
    specVersion: info.specVersion,
    transactionVersion: info.transactionVersion,
    genesisHash: info.genesisHash,
    birthHash: info.genesisHash,
  });
  const x = await gw.waitIncluded(await gw.submitOk(toHex(xt)), 60_000);
  assert.equal(x.state, 'finalized', JSON.stringify(x));
}

async function loadModel(body: Record<string, unknown>, token = net!.expert.adminToken): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${net!.expert.httpUrl}/marketplace/models`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { 'x-bai-admin-token': token } : {}) }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const PORTFOLIO = JSON.stringify({
  ot_user_id: 'agent-e2e',
  ot_risk_input: {
    ot_user_balance: 10000,
    ot_user_timeframe: 'DAY',
    ot_user_diversification: 0.2,
    ot_user_limitpertrade: 0.02,
    ot_user_riskrewardratio: 2,
    'position-data': [
      { ot_pos_dealid: 'D1', ot_instr_id: 'BTC/USD', ot_instr_name: 'BTC', ot_pos_direction: 'BUY', ot_pos_opening: 100, ot_pos_contractsize: 40, ot_pos_size: 1, ot_risk_check: 'true', ot_pos_stop: null, ot_pos_limit: 120 },
      { ot_pos_dealid: 'D2', ot_instr_id: 'ETH/USD', ot_instr_name: 'ETH', ot_pos_direction: 'SELL', ot_pos_opening: 100, ot_pos_contractsize: 30, ot_pos_size: 1, ot_risk_check: 'true', ot_pos_stop: 104, ot_pos_limit: 98 },
    ],
  },
});

test('the genesis agent 0 is the expert: a signed access request reaches its evaluate route and answers risks, metered once', async () => {
  const agent = await gw.get<{ id: number; kind: string; name: string; status: string; endpoint: string; lock: string }>('/v1/models/providers/0');
  assert.deepEqual([agent.kind, agent.name, agent.status], ['agent', EXPERT_AGENT_NAME, 'active']);
  assert.equal(agent.endpoint, `${net!.expert.httpUrl}/agent`);
  assert.equal(BigInt(agent.lock), net!.genesis.models!.agentMinLock);

  const through = await access(ALICE, 0, '/risks', PORTFOLIO);
  assert.equal(through.status, 200, JSON.stringify(through.json));
  const risks = through.json['identified_risks'] as unknown[];
  assert.ok(Array.isArray(risks) && risks.length > 0, JSON.stringify(through.json));
  assert.equal(through.json['ot_user_id'], 'agent-e2e');
  // The same answer as the gateway's own toolkit route (one model, one document; only the time differs).
  const direct = await gw.request<Record<string, unknown>>('POST', '/risks', JSON.parse(PORTFOLIO));
  assert.equal(direct.status, 200, JSON.stringify(direct.body));
  assert.deepEqual(risks, direct.body['identified_risks']);

  const event = await waitFor(() => metering.find((e) => e['path'] === '/risks'));
  assert.deepEqual(
    { ...event, durationMs: typeof event['durationMs'] },
    { type: 'access', provider: 0, account: toHex(ALICE.publicKey), method: 'POST', path: '/risks', status: 200, error: '', requestBytes: PORTFOLIO.length, responseBytes: event['responseBytes'], durationMs: 'number' },
  );
  assert.ok((event['responseBytes'] as number) > 0);
  assert.equal(metering.filter((e) => e['path'] === '/risks').length, 1, 'one event per proxied request');
});

test('a model registered with the sha256 of its .clp loads into the running expert only with that hash and that registration', async () => {
  const clp = '(deftemplate risk-data (slot risk-is) (slot ot_pos_dealid))\n(defrule big-balance (ot_user_balance ?b) => (assert (risk-data (risk-is marketplace) (ot_pos_dealid ?b))))';
  const name = 'bob-balance-model';
  const clpSha = createHash('sha256').update(clp).digest('hex');
  await submit(BOB, {
    call: 'register',
    kind: 'Model',
    name,
    metadataUri: `ipfs://bafy-bob-model#clp-sha256=${clpSha}&version=1.0.0`,
    endpoint: `${net!.expert.httpUrl}/agent`,
    minAccessHolding: ONE_BAI,
    lock: net!.genesis.models!.modelMinLock,
  });
  const { providers } = await gw.get<{ providers: Array<{ id: number; name: string }> }>('/v1/models/providers?kind=model');
  const id = providers.find((p) => p.name === name)!.id;
  const files = { provider: id, modelClp: clp, explanations: { marketplace: 'balance {deal1} checked by a marketplace model' } };

  const wrong = await loadModel({ ...files, modelClp: `${clp}\n` });
  assert.deepEqual([wrong.status, wrong.json['code']], [403, 'MARKETPLACE_HASH_MISMATCH'], JSON.stringify(wrong.json));
  const unregistered = await loadModel({ ...files, provider: id + 100 });
  assert.deepEqual([unregistered.status, unregistered.json['code']], [404, 'MARKETPLACE_MODEL_NOT_REGISTERED']);
  const notAdmin = await loadModel(files, 'not-the-admin-token-0000');
  assert.equal(notAdmin.json['code'], 'MODEL_ADMIN_DENIED');
  // Refused loads left nothing behind.
  assert.equal((await gw.request('GET', `/v1/expert/models/${name}`)).status, 404);

  const loaded = await loadModel(files);
  assert.equal(loaded.status, 201, JSON.stringify(loaded.json));
  assert.deepEqual([loaded.json['name'], loaded.json['version'], loaded.json['clpSha256']], [name, '1.0.0', clpSha]);

  // Served at once, through the marketplace: the expert agent evaluates with the new model.
  const answer = await access(ALICE, 0, `/risks?model=${name}`, JSON.stringify({ ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 7 } }));
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.deepEqual(answer.json['identified_risks'], [{ marketplace: 'balance 7 checked by a marketplace model' }]);
});

test('the validator\'s scoring worker probes the expert agent (/agent/health, /agent/sample, allowed as a devnet endpoint) and scores it high', async () => {
  const scored = await waitFor(async () => {
    const d = await gw.get<{ eras: Array<{ era: number; consensus: number; paid: string }> }>('/v1/models/providers/0');
    return d.eras.find((e) => e.consensus > 0);
  }, 4 * ERA * 1_500);
  // 65,535 − 3 per millisecond of the sample's latency: a working sample on a local expert.
  assert.ok(scored.consensus > 60_000, JSON.stringify(scored));
  assert.ok(BigInt(scored.paid) > 0n, 'the agents grants fund paid it');
});

async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms; metering events: ${JSON.stringify(metering)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
