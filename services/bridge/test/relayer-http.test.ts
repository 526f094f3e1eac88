// A relayer's HTTP side: its signatures served on loopback and collected by a minter from several relayers
// (one down), its health, and the process configuration's refusals.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { HttpSignatureBoard, RelayerConfigError, collectSignatures, loadRelayerConfig, type SignedMint } from '../src/relayer/index.js';
import { loadRelayerConfig as fromMain } from '../src/relayer/main.js';

const LOCK = `0x${'ab'.repeat(32)}`;
const signed = (signer: string): SignedMint => ({ message: { lockId: LOCK, recipient: `0x${'11'.repeat(20)}`, amount: 10n ** 18n + 1n, deadline: 1_900_000_000n }, signer, signature: `0x${'cd'.repeat(65)}` });

let healthy = false;
const ID = { ethAddress: `0x${'aa'.repeat(20)}`, bridge: `0x${'bb'.repeat(20)}`, chainId: 31337 };
const a = new HttpSignatureBoard(() => ({ account: '0x01', lastTickOk: healthy, lastTickAtMs: 1, consecutiveFailures: healthy ? 0 : 3 }), ID);
const b = new HttpSignatureBoard(() => ({ account: '0x02', lastTickOk: true, lastTickAtMs: 1, consecutiveFailures: 0 }));

after(async () => {
  await a.close();
  await b.close();
});

describe('relayer HTTP board', () => {
  it('serves each relayer\'s signature; a minter collects them from every relayer that answers', async () => {
    const pa = await a.listen('127.0.0.1', 0);
    const pb = await b.listen('127.0.0.1', 0);
    const urls = [`http://127.0.0.1:${pa}`, `http://127.0.0.1:${pb}`, 'http://127.0.0.1:1'];
    assert.deepEqual(await collectSignatures(urls, LOCK), []);
    await a.publish(signed('0xBB00000000000000000000000000000000000002'));
    await b.publish(signed('0xaa00000000000000000000000000000000000001'));
    const got = await collectSignatures(urls, LOCK.toUpperCase().replace('0X', '0x'));
    assert.deepEqual(got.map((s) => s.signer), ['0xaa00000000000000000000000000000000000001', '0xBB00000000000000000000000000000000000002']);
    assert.equal(got[0]!.message.amount, 10n ** 18n + 1n);
    const missing = await fetch(`http://127.0.0.1:${pa}/v1/bridge/signatures/0x${'00'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { code: string }).code, 'NOT_SIGNED');
    assert.equal((await fetch(`http://127.0.0.1:${pa}/v1/bridge/signatures/0x12`)).status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${pa}/healthz`)).status, 503);
    healthy = true;
    const h = await fetch(`http://127.0.0.1:${pa}/healthz`);
    assert.equal(h.status, 200);
    // Its Ethereum identity travels with its health: a reader checks its signatures against it.
    assert.deepEqual(await h.json(), { account: '0x01', lastTickOk: true, lastTickAtMs: 1, consecutiveFailures: 0, ...ID });
  });

  it('refuses a configuration without its keys, contract or with a bad number, naming the variable', () => {
    assert.equal(loadRelayerConfig, fromMain);
    const env = {
      BAI_GATEWAY_URL: 'http://127.0.0.1:8080/',
      BAI_RELAYER_KEY_URI: '//Charlie',
      ETH_RPC_URL: 'http://127.0.0.1:8545',
      ETH_CHAIN_ID: '31337',
      BAI_BRIDGE_CONTRACT: `0x${'12'.repeat(20)}`,
      ETH_RELAYER_PRIVATE_KEY: `0x${'34'.repeat(32)}`,
    };
    const c = loadRelayerConfig(env);
    assert.equal(c.gatewayUrl, 'http://127.0.0.1:8080');
    assert.equal(c.confirmations, 12);
    assert.equal(c.httpHost, '127.0.0.1');
    const bad = (over: Record<string, string | undefined>, re: RegExp) => assert.throws(() => loadRelayerConfig({ ...env, ...over }), (e: unknown) => e instanceof RelayerConfigError && re.test((e as Error).message));
    bad({ BAI_RELAYER_KEY_URI: undefined }, /BAI_RELAYER_KEY_URI is required/);
    bad({ BAI_BRIDGE_CONTRACT: '0x12' }, /BAI_BRIDGE_CONTRACT/);
    bad({ ETH_RELAYER_PRIVATE_KEY: '0x34' }, /ETH_RELAYER_PRIVATE_KEY/);
    bad({ BAI_BRIDGE_CONFIRMATIONS: '0' }, /BAI_BRIDGE_CONFIRMATIONS/);
  });
});
