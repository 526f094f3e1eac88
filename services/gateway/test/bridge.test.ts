import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BALANCES_PALLET, DEFAULT_BRIDGE_GENESIS, SYSTEM_PALLET, bridgePallet, buildMetadata, toHex } from '@balanceai/chain';
import { createGatewayApp, type GatewayConfig } from '../src/index.js';
import { bridgeKeys } from '../src/bridge/bridge.views.js';
import { allowance, encodeBurn, encodeLock, ids, totals, u128, u64 } from '../src/bridge/bridge.fixtures.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';

// /v1/bridge over the gateway against a FakeValidator holding Bridge (pallet 30) storage as services/bridge
// writes it and metadata with the Bridge pallet: what a wallet sees at the finalized head.

type Json = Record<string, unknown>;
const A = '0x' + '0a'.repeat(32);
const B = '0x' + '0b'.repeat(32);
const C = '0x' + '0c'.repeat(32);
const BOB = '0x' + 'b0'.repeat(32);
const LOCK = '0x' + '11'.repeat(32);
const BURN = '0x' + '22'.repeat(32);

let nats: NatsForTest;
let validator: FakeValidator;
let app: NestFastifyApplication;
let base: string;

async function get(path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Json };
}

function assertError(res: { status: number; body: Json }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message']);
  assert.equal(res.body.code, code);
}

before(async () => {
  nats = await startNatsServer();
  validator = new FakeValidator();
  const config: GatewayConfig = {
    consensusUrls: [await validator.start()],
    natsUrl: nats.url,
    chainId: 'gw-bridge',
    port: 0,
    host: '127.0.0.1',
    grpcDeadlineMs: 2000,
    healthPollMs: 200,
    staleAfterMs: 5000,
    maxLagBlocks: 5,
  };
  app = await createGatewayApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

after(async () => {
  await app?.close();
  validator?.stop();
  await nats?.stop();
});

describe('gateway /v1/bridge', () => {
  it('answers 404 BRIDGE_NOT_ENABLED on a chain without the Bridge pallet', async () => {
    validator.useRealMetadata();
    assertError(await get('/v1/bridge'), 404, 'BRIDGE_NOT_ENABLED');
    assertError(await get(`/v1/bridge/locks/${LOCK}`), 404, 'BRIDGE_NOT_ENABLED');
  });

  it('serves the bridge, its locks and burns at the finalized head', async () => {
    validator.metadata = toHex(
      buildMetadata([SYSTEM_PALLET, BALANCES_PALLET, bridgePallet({ params: { ...DEFAULT_BRIDGE_GENESIS, relayers: [A, B, C], threshold: 2, lockTtlSecs: 40, releaseLimit: 1_000n }, releaseWindow: 100 })], {
        version: 14,
      }),
    );
    const lock = { nonce: 0n, owner: A, ethRecipient: '0x' + '99'.repeat(20), amount: 107n, deadline: 1_700_000_045n, lockedAt: 3n };
    validator.setStorage(bridgeKeys.lock(LOCK), encodeLock({ ...lock, status: 'Locked' }));
    validator.setStorage(bridgeKeys.burn(BURN), encodeBurn({ status: 'Attesting', attestations: [{ relayer: A, recipient: BOB, amount: 43n }] }));
    validator.setStorage(bridgeKeys.relayers(), ids([A, B, C]));
    validator.setStorage(bridgeKeys.escrow(), u128(107n));
    validator.setStorage(bridgeKeys.totals(), totals(150n, 43n, 0n));
    validator.setStorage(bridgeKeys.allowance(), allowance(100n, 2n));
    validator.setStorage(bridgeKeys.openLocks(), ids([LOCK]));
    validator.setStorage(bridgeKeys.nextLockNonce(), u64(1n));
    const head = validator.addBlock([]);

    const overview = await get('/v1/bridge');
    assert.equal(overview.status, 200, JSON.stringify(overview.body));
    assert.deepEqual(overview.body, {
      at: head.hash,
      height: head.number,
      relayers: [A, B, C],
      threshold: 2,
      escrow: '107',
      totals: { locked: '150', released: '43', refunded: '0' },
      // refilled from height 2 to the head (3): 100 + (3 − 2) × 1000 / 100
      releaseLimit: { limit: '1000', windowBlocks: 100, left: String(100 + (Number(head.number) - 2) * 10), queue: [] },
      lockTtlSecs: '40',
      minLock: String(DEFAULT_BRIDGE_GENESIS.minLock),
      openLocks: 1,
      locks: '1',
      // No Ethereum side configured for this gateway.
      wbai: null,
      ethereumNote: 'no Ethereum RPC configured (BAI_BRIDGE_ETH_RPC_URL)',
    });

    const l = await get(`/v1/bridge/locks/${LOCK.toUpperCase().replace('0X', '0x')}`);
    assert.equal(l.status, 200, JSON.stringify(l.body));
    assert.equal(l.body.status, 'locked');
    assert.deepEqual([l.body.signatures, l.body.signaturesNote], [[], 'no relayer boards configured (BAI_BRIDGE_RELAYER_URLS)']);
    assert.equal(l.body.amount, '107');
    assert.equal(l.body.deadline, '1700000045');
    assert.equal(l.body.at, head.hash);

    const b = await get(`/v1/bridge/burns/${BURN}`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(b.body.status, 'attested 1/2');

    // The next finalized block: the lock minted, the burn released.
    validator.setStorage(bridgeKeys.lock(LOCK), encodeLock({ ...lock, status: 'Minted', finalAt: 5n, mint: [A, B] }));
    validator.setStorage(bridgeKeys.burn(BURN), encodeBurn({ status: 'Released', recipient: BOB, amount: 43n, at: 5n, attestations: [{ relayer: A, recipient: BOB, amount: 43n }, { relayer: B, recipient: BOB, amount: 43n }] }));
    validator.addBlock([]);
    assert.equal((await get(`/v1/bridge/locks/${LOCK}`)).body.status, 'minted');
    const released = await get(`/v1/bridge/burns/${BURN}`);
    assert.deepEqual([released.body.status, released.body.recipient, released.body.amount], ['released', BOB, '43']);
  });

  it('answers {code,message} errors for bad and unknown ids', async () => {
    assertError(await get('/v1/bridge/locks/0x12'), 400, 'BAD_LOCK_ID');
    assertError(await get('/v1/bridge/burns/nope'), 400, 'BAD_BURN_ID');
    assertError(await get(`/v1/bridge/locks/0x${'33'.repeat(32)}`), 404, 'LOCK_NOT_FOUND');
    assertError(await get(`/v1/bridge/burns/0x${'33'.repeat(32)}`), 404, 'BURN_NOT_FOUND');
  });

  it('documents the routes in OpenAPI with their error codes', async () => {
    const doc = (await get('/docs/json')).body as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    for (const p of ['/v1/bridge', '/v1/bridge/locks/{lockId}', '/v1/bridge/burns/{burnId}']) {
      assert.ok(doc.paths[p]?.get, p);
      assert.ok(doc.paths[p]!.get!.responses['404'], `${p} 404`);
    }
    assert.ok(doc.paths['/v1/bridge/locks/{lockId}']!.get!.responses['400']);
  });
});
