// Models and agents marketplace on a devnet (issue 11): providers register with validation locks, the
// validators probe two real provider HTTP servers (one healthy, one failing) and submit set_weights signed
// with their stash keys, the era end pays the models grants fund pro rata to the clipped stake-weighted
// medians in exactly the formula's amounts, >2/3 reports slash a provider into the development fund, a
// deregistered lock returns exactly unlock_delay eras later, and a restart of one validator's models service
// mid-era leaves every validator's store identical.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_MODELS_GENESIS,
  IMMORTAL,
  ONE_BAI,
  cryptoReady,
  encodeModelsCall,
  keyFromUri,
  parseAccountId,
  signExtrinsic,
  ss58Encode,
  toHex,
  type KeyPair,
  type ModelsCallData,
  type ModelsGenesis,
} from '@balanceai/chain';
import { Devnet, type ModuleName } from '@balanceai/testing';
import { Gateway, chainInfo, compareStores, type BlockJson, type ChainInfo, type EventJson, type ExtrinsicJson } from './client.js';

const ERA = 15;
const LOCK = 100n * ONE_BAI;
const MODELS: ModelsGenesis = { ...DEFAULT_MODELS_GENESIS, modelMinLock: LOCK, agentMinLock: LOCK, unlockDelay: 2 };
const VALIDATORS = 4;

let net: Devnet | undefined;
let gw: Gateway;
let info: ChainInfo;
let healthy: Server;
let failing: Server;

const key = (uri: string) => keyFromUri(uri, 'sr25519');
const ALICE = key('//Alice');
const BOB = key('//Bob');
const CHARLIE = key('//Charlie');
const DAVE = key('//Dave');
const STASHES = Array.from({ length: VALIDATORS }, (_, i) => key(`//stash/${i}`));

async function listen(status: number): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { ok: true, path: req.url } : { error: 'down' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

before(async () => {
  await cryptoReady();
  healthy = await listen(200);
  failing = await listen(503);
  net = await Devnet.start({ validators: VALIDATORS, modules: ['emissions', 'staking', 'models'] as ModuleName[], eraLength: ERA, models: MODELS });
  assert.deepEqual(net.genesis.models, MODELS);
  gw = new Gateway(net.gatewayUrl);
  info = await chainInfo(gw);
  await gw.waitHeight(2, 60_000);
});

after(async () => {
  await net?.stop();
  healthy?.close();
  failing?.close();
});

const nonces = new Map<string, number>();
async function submit(from: KeyPair, call: ModelsCallData): Promise<string> {
  const who = toHex(from.publicKey);
  const nonce = nonces.get(who) ?? (await gw.get<{ nextNonce: number }>(`/v1/accounts/${who}`)).nextNonce;
  nonces.set(who, nonce + 1);
  const xt = signExtrinsic(from, encodeModelsCall(call), { era: IMMORTAL, nonce, tip: 0n }, {
    specVersion: info.specVersion,
    transactionVersion: info.transactionVersion,
    genesisHash: info.genesisHash,
    birthHash: info.genesisHash,
  });
  return gw.submitOk(toHex(xt));
}

async function included(hash: string, expect: 'finalized' | 'failed' = 'finalized'): Promise<ExtrinsicJson> {
  const x = await gw.waitIncluded(hash, 60_000);
  assert.equal(x.state, expect, JSON.stringify(x));
  return x;
}

/** A signed access request through the gateway's proxy (docs: services/gateway/src/models/access.ts). */
async function access(who: KeyPair, provider: number, path: string, body = '', over: { ts?: number } = {}): Promise<{ status: number; body: string; code?: string }> {
  const ts = over.ts ?? Date.now();
  const payload = accessPayload({ method: 'POST', path, timestampMs: ts, body: new TextEncoder().encode(body), provider });
  const res = await fetch(`${net!.gatewayUrl}/v1/access/${provider}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bai-account': ss58Encode(who.publicKey, 42), 'x-bai-timestamp': String(ts), 'x-bai-signature': toHex(who.sign(payload)) },
    body,
  });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: res.status, body: text, code };
}

/** sha256 over the body, as the gateway's access payload has it (the same text, kept beside the test). */
function accessPayload(p: { method: string; path: string; timestampMs: number; body: Uint8Array; provider: number }): Uint8Array {
  const bodyHash = createHash('sha256').update(p.body).digest('hex');
  return new TextEncoder().encode(`bai-access/v1\n${p.method}\n${p.path}\n${p.timestampMs}\n${bodyHash}\n${p.provider}`);
}

const eraOf = (height: number) => Math.floor((height - 1) / ERA);
const models = (b: BlockJson | ExtrinsicJson, name: string): EventJson[] => b.events.filter((e) => e.module === 'Models' && e.name === name);
const fundOf = (address: string) => parseAccountId(address);

/** The validators' off-chain worker for one era: probe each provider's endpoint, score it, submit set_weights. */
async function scoreEra(providers: Array<{ id: number; endpoint: string }>): Promise<Array<[number, number]>> {
  const weights: Array<[number, number]> = [];
  for (const p of providers) {
    const ok = await fetch(`${p.endpoint}/health`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    weights.push([p.id, ok ? 65_535 : 0]);
  }
  const hashes = await Promise.all(STASHES.map((s) => submit(s, { call: 'set_weights', weights })));
  for (const h of hashes) await included(h);
  return weights;
}

test('register, score, pay the grants exactly, slash by reports, return a deregistered lock after unlock_delay eras', async () => {
  const genesis = net!.genesis;
  const modelsFund = fundOf(genesis.accounts.modelsGrantsFund);
  const devFund = fundOf(genesis.accounts.developmentFund);

  // Era 0: four model providers; ids in registration order.
  const regs: Array<[KeyPair, string, string]> = [
    [ALICE, 'healthy', urlOf(healthy)],
    [BOB, 'failing', urlOf(failing)],
    [CHARLIE, 'doomed', urlOf(healthy)],
    [DAVE, 'steady', urlOf(healthy)],
  ];
  const before = await gw.balance(toHex(ALICE.publicKey));
  const regHashes: string[] = [];
  for (const [who, name, endpoint] of regs) {
    regHashes.push(await submit(who, { call: 'register', kind: 'Model', name, metadataUri: `ipfs://${name}`, endpoint, minAccessHolding: 10n * ONE_BAI, lock: LOCK }));
  }
  const regs_: ExtrinsicJson[] = [];
  for (const h of regHashes) regs_.push(await included(h));
  // A call's events travel with its extrinsic; the era end's are the block's.
  const registered = regs_.flatMap((x) => models(x, 'Registered'));
  assert.ok(regs_.every((x) => eraOf(x.block!.number) === eraOf(regs_[0]!.block!.number)));
  assert.deepEqual(registered.map((e) => [e.data['provider'], e.data['name']]).sort(), [[0, 'healthy'], [1, 'failing'], [2, 'doomed'], [3, 'steady']]);
  const aliceReg = await gw.extrinsic(regHashes[0]!);
  assert.equal((await gw.balance(toHex(ALICE.publicKey))).free, before.free - LOCK - BigInt(aliceReg.fee!), 'the lock left Alice\'s free balance');
  // A second "healthy" model is refused; the same name as an agent is fine.
  const dup = await submit(BOB, { call: 'register', kind: 'Model', name: 'healthy', metadataUri: 'x', endpoint: urlOf(failing), minAccessHolding: 0n, lock: LOCK });
  assert.equal((await included(dup, 'failed')).error?.code, 'Models.NameTaken');

  // Era 1: the validators probe and score; one validator's models service restarts mid-era.
  const start1 = (eraOf(await gw.height()) + 1) * ERA + 1;
  await gw.waitHeight(start1, 120_000);
  const era = eraOf(start1);
  const endpoints = regs.map(([, , endpoint], id) => ({ id, endpoint }));
  await net!.killModule(1, 'models');
  const weights = await scoreEra(endpoints);
  assert.deepEqual(weights, [[0, 65_535], [1, 0], [2, 65_535], [3, 65_535]]);
  net!.restartModule(1, 'models');
  const end = (era + 1) * ERA;
  assert.ok((await gw.height()) < end, 'the weights landed in the era they score');
  await gw.waitHeight(end, 120_000);

  // The era end: the models fund (its balance before the block plus this block's mint share) is split
  // floor(F · w_p / Σw); all four validators voted alike, so w_p = stake · score_p.
  const endBlock = await gw.block(end);
  const minted = endBlock.events.find((e) => e.module === 'Emissions' && e.name === 'Minted')!;
  const fund = (await gw.freeAt(modelsFund, end - 1)) + BigInt(minted.data['modelsGrants'] as string);
  const scored = models(endBlock, 'EraScored').find((e) => e.data['kind'] === 'Model')!;
  assert.equal(BigInt(scored.data['fund'] as string), fund);
  const total = 3n * 65_535n;
  const pay = (fund * 65_535n) / total;
  const grants = models(endBlock, 'GrantPaid');
  assert.deepEqual(grants.map((g) => [g.data['provider'], BigInt(g.data['amount'] as string)]), [[0, pay], [2, pay], [3, pay]], 'the failing provider earns nothing');
  assert.equal(BigInt(scored.data['paid'] as string), 3n * pay);
  assert.equal(await gw.freeAt(modelsFund, end), fund - 3n * pay, 'the rounding remainder stays in the fund');
  assert.equal((await gw.freeAt(ALICE.publicKey, end)) - (await gw.freeAt(ALICE.publicKey, end - 1)), pay);

  // REST over the Models storage: the provider with its lock and its era, the funds at the era end.
  const detail = await gw.get<{ lock: string; status: string; eras: Array<{ era: number; consensus: number; paid: string }> }>('/v1/models/providers/0');
  assert.equal(detail.lock, LOCK.toString());
  assert.deepEqual(detail.eras.find((x) => x.era === era), { era, consensus: 65_535, weight: (BigInt(scored.data['totalWeight'] as string) / 3n).toString(), paid: pay.toString() });
  const failingOnly = await gw.get<{ providers: Array<{ name: string }> }>('/v1/models/providers?q=fail');
  assert.deepEqual(failingOnly.providers.map((p) => p.name), ['failing']);
  const funds = await gw.get<{ totalLocked: string; eras: Array<{ era: number; kind: string; paid: string }> }>('/v1/models/funds');
  assert.equal(funds.totalLocked, (4n * LOCK).toString());
  assert.equal(funds.eras.find((x) => x.era === era && x.kind === 'model')!.paid, (3n * pay).toString());

  // Access by holding (free + bonded): "steady" asks for exactly validator 0's holding; its stash qualifies
  // only with its bond counted, and one base unit more is refused.
  const stash0 = toHex(STASHES[0]!.publicKey);
  const stashFree = BigInt((await gw.account(stash0)).free);
  const bonded = (await gw.get<{ total: string }>(`/v1/staking/nominators/${stash0}`).catch(() => ({ total: '0' }))).total;
  const holding = stashFree + BigInt(bonded);
  assert.ok(BigInt(bonded) > 0n, 'validator 0 is bonded');
  const setMin = async (min: bigint) => included(await submit(DAVE, { call: 'update', provider: 3, metadataUri: 'ipfs://steady', endpoint: urlOf(healthy), minAccessHolding: min }));
  await setMin(holding);
  const ok = await access(STASHES[0]!, 3, '/evaluate', '{"x":1}');
  assert.equal(ok.status, 200, ok.body);
  assert.deepEqual(JSON.parse(ok.body), { ok: true, path: '/evaluate' });
  await setMin(holding + 1n);
  const low = await access(STASHES[0]!, 3, '/evaluate', '{"x":1}');
  assert.deepEqual([low.status, low.code], [403, 'HOLDING_TOO_LOW']);
  // The failing provider's own answer is passed through; a bad signature never reaches a provider.
  const down = await access(STASHES[0]!, 1, '/evaluate');
  assert.deepEqual([down.status, JSON.parse(down.body)], [503, { error: 'down' }]);
  const forged = await fetch(`${net!.gatewayUrl}/v1/access/3/evaluate`, { method: 'POST', headers: { 'x-bai-account': stash0, 'x-bai-timestamp': String(Date.now()), 'x-bai-signature': '0x' + '11'.repeat(64) } });
  assert.deepEqual([forged.status, ((await forged.json()) as { code: string }).code], [401, 'ACCESS_BAD_SIGNATURE']);
  assert.equal((await access(STASHES[0]!, 0, '/x', '', { ts: Date.now() - 120_000 })).code, 'ACCESS_STALE');

  // Era 2: three of four validators report "doomed" (> 2/3): 10 % of its lock to the development fund.
  const reports = await Promise.all(STASHES.slice(0, 3).map((s) => submit(s, { call: 'report', provider: 2, reason: 'WrongOutput' })));
  const reported: ExtrinsicJson[] = [];
  for (const h of reports) reported.push(await included(h));
  const slashed = reported.flatMap((x) => models(x, 'ProviderSlashed'));
  const slashAt = reported.find((x) => models(x, 'ProviderSlashed').length > 0)!.block!.number;
  assert.equal(reported.flatMap((x) => models(x, 'Reported')).length, 3);
  const slash = (LOCK * BigInt(MODELS.slashFraction)) / 1_000_000_000n;
  assert.deepEqual(slashed.map((e) => [e.data['provider'], BigInt(e.data['amount'] as string)]), [[2, slash]]);
  assert.ok((await gw.freeAt(devFund, slashAt)) - (await gw.freeAt(devFund, slashAt - 1)) >= slash);
  assert.equal((await included(await submit(STASHES[3]!, { call: 'report', provider: 2, reason: 'Fraud' }), 'failed')).error?.code, 'Models.NotActive');
  assert.equal((await access(ALICE, 2, '/evaluate')).code, 'PROVIDER_INACTIVE');

  // Alice deregisters in era e: her lock comes back in the era-end block that starts era e + unlock_delay.
  const dereg = await included(await submit(ALICE, { call: 'deregister', provider: 0 }));
  const e = eraOf(dereg.block!.number);
  const unlockBlock = (e + MODELS.unlockDelay) * ERA;
  await gw.waitHeight(unlockBlock, 180_000);
  for (let h = dereg.block!.number + 1; h < unlockBlock; h++) {
    assert.equal(models(await gw.block(h), 'LockReturned').filter((x) => x.data['provider'] === 0).length, 0, `no early return at ${h}`);
  }
  const returned = models(await gw.block(unlockBlock), 'LockReturned').find((x) => x.data['provider'] === 0)!;
  assert.equal(BigInt(returned.data['amount'] as string), LOCK);
  const aliceDelta = (await gw.freeAt(ALICE.publicKey, unlockBlock)) - (await gw.freeAt(ALICE.publicKey, unlockBlock - 1));
  assert.ok(aliceDelta >= LOCK, `Alice got her lock back (${aliceDelta})`);

  // Every validator, including the one whose models service restarted, stored the same chain.
  const { common, conflicts } = await compareStores(net!.postgres.adminUrl, Array.from({ length: VALIDATORS }, (_, i) => i));
  assert.deepEqual(conflicts, []);
  assert.ok(common >= unlockBlock);
});
