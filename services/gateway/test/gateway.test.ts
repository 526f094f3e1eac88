import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import WebSocket from 'ws';
import { BlockStream, chainStreamName, ConsensusClient, createGatewayApp, finalizedBlocksSubject, type GatewayConfig } from '../src/index.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';
import { freePort } from './support/ports.js';

const CHAIN_ID = 'gw-test';
const ALICE_SS58 = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const ALICE_HEX = '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';

type Json = Record<string, unknown>;

let nats: NatsForTest;
let validator: FakeValidator;
let liveUrl: string;
let deadUrl: string;
let app: NestFastifyApplication;
let base: string;

async function get(path: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Json };
}

async function post(path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { status: res.status, body: (await res.json()) as Json };
}

/** A client error names its cause and nothing else: no stack, no framework fields. */
function assertClientError(res: { status: number; body: Json }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message']);
  assert.equal(res.body.code, code);
  assert.equal(typeof res.body.message, 'string');
  assert.doesNotMatch(String(res.body.message), /\n\s+at /);
}

before(async () => {
  nats = await startNatsServer();
  validator = new FakeValidator();
  liveUrl = await validator.start();
  // Nothing listens here: the gateway must fail over to the live validator.
  deadUrl = `127.0.0.1:${await freePort()}`;
  const config: GatewayConfig = {
    consensusUrls: [deadUrl, liveUrl],
    natsUrl: nats.url,
    chainId: CHAIN_ID,
    port: 0,
    host: '127.0.0.1',
    grpcDeadlineMs: 2000,
    healthPollMs: 200,
    staleAfterMs: 1000,
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

describe('validator failover', () => {
  it('serves from the second validator when the first is unreachable, and keeps using it', async () => {
    const res = await get('/v1/status');
    assert.equal(res.status, 200);
    assert.equal(app.get(ConsensusClient).currentUrl, liveUrl);
    // Counted by RPC: the gateway's health polls (GetChainStatus, Check) reach it meanwhile.
    const runtimeCalls = () => validator.calls.filter((c) => c === 'GetRuntime').length;
    const before = runtimeCalls();
    await get('/v1/runtime');
    assert.equal(runtimeCalls(), before + 1);
  });

  it('answers 503 NODE_UNAVAILABLE when no validator is reachable', async () => {
    const client = new ConsensusClient({ urls: [deadUrl, `127.0.0.1:${await freePort()}`], deadlineMs: 1000 });
    try {
      await assert.rejects(client.call('getChainStatus', {}), (err: unknown) => err instanceof DomainError && err.code === 'NODE_UNAVAILABLE' && err.kind === 'unavailable');
    } finally {
      client.close();
    }
  });

  it('fails over again when the validator in use goes away', async () => {
    const second = new FakeValidator();
    const secondUrl = await second.start();
    const first = new FakeValidator();
    const firstUrl = await first.start();
    const client = new ConsensusClient({ urls: [firstUrl, secondUrl], deadlineMs: 1000 });
    try {
      await client.call('getRuntime', {});
      assert.equal(client.currentUrl, firstUrl);
      first.stop();
      await client.call('getRuntime', {});
      assert.equal(client.currentUrl, secondUrl);
      assert.deepEqual(second.calls, ['GetRuntime']);
    } finally {
      client.close();
      first.stop();
      second.stop();
    }
  });
});

describe('health', () => {
  it('reports the process up on /healthz and a validator answering on /readyz', async () => {
    assert.deepEqual(await get('/healthz'), { status: 200, body: { status: 'ok' } });
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.validator, liveUrl);
  });
});

describe('GET /v1/status and /v1/runtime', () => {
  it('returns finality, consensus progress, validators and issuance', async () => {
    const { status, body } = await get('/v1/status');
    assert.equal(status, 200);
    assert.equal(body.chainId, 'dev');
    assert.equal(body.genesisHash, validator.genesisHash);
    assert.deepEqual(body.finalized, { height: 2, hash: validator.head.hash, timeMs: Number(validator.head.timeMs) });
    assert.deepEqual(body.consensus, { height: 3, round: 0 });
    assert.equal((body.validators as Json[]).length, 4);
    assert.deepEqual((body.validators as Json[])[3], { index: 3, consensusKey: 'consensus-3', stash: 'stash-3', online: false, lastSeenHeight: 2 });
    assert.equal(body.validatorsOnline, 3);
    assert.equal(body.totalIssuance, '5880000000000000000000000');
    assert.equal(typeof body.mempoolSize, 'number');
  });

  it('returns what a client needs to sign', async () => {
    const { status, body } = await get('/v1/runtime');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      chain: 'BalanceAI Devnet',
      genesisHash: validator.genesisHash,
      specVersion: 1,
      transactionVersion: 1,
      ss58Prefix: 42,
      token: { symbol: 'BAI', decimals: 18 },
      metadata: '0x6d6574610e',
      fees: { baseFee: '1000000000000000', byteFee: '1000000000000' },
      existentialDeposit: '10000000000000000',
      blockTimeMs: 1000,
    });
  });
});

describe('blocks', () => {
  it('returns the finalized head as /v1/blocks/latest', async () => {
    const { status, body } = await get('/v1/blocks/latest');
    assert.equal(status, 200);
    assert.equal(body.number, 2);
    assert.equal(body.hash, validator.head.hash);
    assert.equal(body.parentHash, validator.blocks[1]!.hash);
  });

  it('finds a block by number and by hash', async () => {
    const byNumber = await get('/v1/blocks/1');
    assert.equal(byNumber.status, 200);
    assert.equal(byNumber.body.hash, validator.blocks[1]!.hash);
    const byHash = await get(`/v1/blocks/${validator.blocks[1]!.hash.toUpperCase().replace('0X', '0x')}`);
    assert.equal(byHash.status, 200);
    assert.equal(byHash.body.number, 1);
    assert.deepEqual(byHash.body.events, [{ module: 'System', name: 'BlockFinalized', data: { number: 1 } }]);
  });

  it('answers 400 BAD_BLOCK_ID for an id that is neither a number nor a 32-byte hash', async () => {
    for (const id of ['abc', '-1', '1.5', '0x1234', '99999999999999999999']) assertClientError(await get(`/v1/blocks/${id}`), 400, 'BAD_BLOCK_ID');
  });

  it('answers 404 BLOCK_NOT_FOUND for heights from 2^53 to 2^64 - 1 without passing them to a validator', async () => {
    const getBlockCalls = () => validator.calls.filter((c) => c === 'GetBlock').length;
    const before = getBlockCalls();
    for (const id of ['9007199254740992', '9223372036854775807', '9223372036854775808', '18446744073709551615']) {
      assertClientError(await get(`/v1/blocks/${id}`), 404, 'BLOCK_NOT_FOUND');
    }
    assert.equal(getBlockCalls(), before);
    assertClientError(await get('/v1/blocks/18446744073709551616'), 400, 'BAD_BLOCK_ID');
  });

  it("answers 404 with the validator's code for an unknown block", async () => {
    assertClientError(await get('/v1/blocks/999'), 404, 'BLOCK_NOT_FOUND');
    assertClientError(await get(`/v1/blocks/0x${'ee'.repeat(32)}`), 404, 'BLOCK_NOT_FOUND');
  });
});

describe('extrinsics', () => {
  it('accepts a submission with 202 and its blake2_256 hash, then reports it pending', async () => {
    const extrinsic = '0x280402000bd0e1b95b8a01';
    const res = await post('/v1/extrinsics', JSON.stringify({ extrinsic }));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { hash: toHex(blake2_256(fromHex(extrinsic))) });
    const state = await get(`/v1/extrinsics/${res.body.hash as string}`);
    assert.equal(state.status, 200);
    assert.equal(state.body.state, 'pending');
    assert.equal(state.body.block, null);
  });

  it('reports a finalized and a failed extrinsic with block, fee, error and events', async () => {
    const ok = (await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0x01' }))).body.hash as string;
    const bad = (await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0x02' }))).body.hash as string;
    const block = validator.addBlock([ok, bad]);
    const finalized = await get(`/v1/extrinsics/${ok}`);
    assert.equal(finalized.body.state, 'finalized');
    assert.deepEqual(finalized.body.block, { number: Number(block.number), hash: block.hash, index: 0 });
    assert.equal(finalized.body.fee, '1000000000000000');
    assert.equal(finalized.body.error, null);
    assert.equal((finalized.body.events as Json[])[0]!.name, 'Transfer');
    const failed = await get(`/v1/extrinsics/${bad}`);
    assert.equal(failed.body.state, 'failed');
    assert.deepEqual(failed.body.error, { code: 'Balances.InsufficientBalance', message: 'balance too low to send value' });
    const latest = await get('/v1/blocks/latest');
    assert.equal((latest.body.extrinsics as Json[]).length, 2);
    assert.deepEqual((latest.body.extrinsics as Json[])[1]!.errorCode, 'Balances.InsufficientBalance');
  });

  it('reports an extrinsic nobody has seen as unknown', async () => {
    const res = await get(`/v1/extrinsics/0x${'cd'.repeat(32)}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.state, 'unknown');
  });

  it('answers 400 BAD_HASH for a malformed extrinsic hash', async () => {
    assertClientError(await get('/v1/extrinsics/0xnothex'), 400, 'BAD_HASH');
  });

  it("passes the validator's refusal through with its code and status", async () => {
    validator.refuseNextSubmission(new DomainError('BAD_PROOF', 'signature does not verify'));
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0x03' })), 400, 'BAD_PROOF');
    validator.refuseNextSubmission(new DomainError('STALE_NONCE', 'nonce 0 is below 4', 'conflict'));
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0x03' })), 409, 'STALE_NONCE');
    validator.refuseNextSubmission(new DomainError('ANCIENT_BIRTH_BLOCK', 'era expired'));
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0x03' })), 400, 'ANCIENT_BIRTH_BLOCK');
  });

  it('accepts again bytes that are already pending (ALREADY_IMPORTED), answering their hash', async () => {
    validator.refuseNextSubmission(new DomainError('ALREADY_IMPORTED', 'the extrinsic is already in the pool', 'conflict'));
    const res = await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0x0304' }));
    assert.equal(res.status, 202);
    assert.equal(res.body.hash, toHex(blake2_256(new Uint8Array([3, 4]))));
  });

  it('refuses bad hex, a malformed body, malformed JSON and a wrong content type without calling a validator', async () => {
    const submissions = () => validator.calls.filter((c) => c === 'SubmitExtrinsic').length;
    const callsBefore = submissions();
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ extrinsic: '0xabc' })), 400, 'BAD_HEX');
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ extrinsic: 'abcd' })), 400, 'BAD_HEX');
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ tx: '0xab' })), 400, 'BAD_REQUEST_BODY');
    assertClientError(await post('/v1/extrinsics', '{"extrinsic": "0xab"'), 400, 'MALFORMED_JSON');
    assertClientError(await post('/v1/extrinsics', ''), 400, 'MALFORMED_JSON');
    assertClientError(await post('/v1/extrinsics', '0xab', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertClientError(await post('/v1/extrinsics', 'extrinsic=0xab', 'application/x-www-form-urlencoded'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assert.equal(submissions(), callsBefore);
  });

  it('accepts an extrinsic of the maximum size and answers 413 EXTRINSIC_TOO_LARGE beyond the body limit', async () => {
    const max = await post('/v1/extrinsics', JSON.stringify({ extrinsic: `0x${'07'.repeat(64 * 1024)}` }));
    assert.equal(max.status, 202);
    assertClientError(await post('/v1/extrinsics', JSON.stringify({ extrinsic: `0x${'07'.repeat(70 * 1024)}` })), 413, 'EXTRINSIC_TOO_LARGE');
  });
});

describe('accounts', () => {
  it('reads an account by SS58 address and by 0x public key', async () => {
    validator.accounts.set(ALICE_HEX, { free: 10n ** 21n, reserved: 5n, nonce: 3n });
    for (const address of [ALICE_SS58, ALICE_HEX]) {
      const { status, body } = await get(`/v1/accounts/${address}`);
      assert.equal(status, 200);
      assert.deepEqual({ ...body, address: undefined }, { address: undefined, free: '1000000000000000000000', reserved: '5', nonce: 3, nextNonce: 4 });
    }
  });

  it('answers 400 BAD_ADDRESS for a bad checksum, a short key or garbage', async () => {
    const badChecksum = `${ALICE_SS58.slice(0, -1)}Z`;
    for (const address of [badChecksum, '0x1234', 'not-an-address']) assertClientError(await get(`/v1/accounts/${address}`), 400, 'BAD_ADDRESS');
  });
});

describe('unknown routes and OpenAPI', () => {
  it('answers 404 ROUTE_NOT_FOUND for an unknown route', async () => {
    assertClientError(await get('/v1/nothing'), 404, 'ROUTE_NOT_FOUND');
    assertClientError(await get('/v2/status'), 404, 'ROUTE_NOT_FOUND');
  });

  it('serves Prometheus metrics of the process and of the access proxy', async () => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /^bai_process_cpu_seconds_total\{service="gateway"\} /m);
    assert.match(text, /^bai_access_metering_dropped_total 0$/m);
  });

  it('serves the OpenAPI document listing every route, and the UI', async () => {
    const { status, body } = await get('/docs/json');
    assert.equal(status, 200);
    const paths = Object.keys(body.paths as Json).sort();
    assert.deepEqual(paths, [
      '/healthz',
      '/metrics',
      '/readyz',
      '/risks',
      '/v1/access/{provider}/{path}',
      '/v1/accounts/{address}',
      '/v1/blocks/latest',
      '/v1/blocks/{id}',
      '/v1/bridge',
      '/v1/bridge/burns/{burnId}',
      '/v1/bridge/locks/{lockId}',
      '/v1/bridge/relayers',
      '/v1/emissions/curve',
      '/v1/emissions/funds',
      '/v1/emissions/schedule',
      '/v1/expert/evaluate',
      '/v1/expert/models',
      '/v1/expert/models/{name}',
      '/v1/expert/risks',
      '/v1/extrinsics',
      '/v1/extrinsics/{hash}',
      '/v1/models/funds',
      '/v1/models/providers',
      '/v1/models/providers/{id}',
      '/v1/runtime',
      '/v1/staking/eras',
      '/v1/staking/nominators/{address}',
      '/v1/staking/totals',
      '/v1/staking/validators',
      '/v1/status',
      '/v1/ws/blocks',
    ]);
    const ui = await fetch(`${base}/docs`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
  });

  it('answers a plain GET on the WebSocket path with 426', async () => {
    assertClientError(await get('/v1/ws/blocks'), 426, 'UPGRADE_REQUIRED');
  });
});

describe('WebSocket /v1/ws/blocks', () => {
  let nc: NatsConnection;

  after(async () => {
    await nc?.close();
  });

  it("pushes each finalized block once, in order, as the validator has it: duplicates, republished old blocks and forgeries never reach a client, gaps are filled", async () => {
    nc = await connect({ servers: nats.url });
    // The stream is created after the gateway started, as on a devnet where validators start later.
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: chainStreamName(CHAIN_ID), subjects: [`bai.${CHAIN_ID}.>`], duplicate_window: 60_000_000_000 });
    const stream = app.get(BlockStream);
    await stream.whenConsuming();

    const socket = new WebSocket(`${base.replace('http', 'ws')}/v1/ws/blocks`);
    const received: Json[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as Json));
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    // The gateway subscribes the socket after the upgrade completes; wait for it before publishing.
    while (stream.subscriberCount === 0) await new Promise((resolve) => setTimeout(resolve, 10));

    const js = jetstream(nc);
    const subject = finalizedBlocksSubject(CHAIN_ID);
    /** What a validator publishes (more fields than the feed forwards); msgID = hash, as validators do. */
    const publish = (block: { number: string | number; hash: string; parentHash?: string }, msgID = block.hash) =>
      js.publish(subject, JSON.stringify({ ...block, timeMs: 1, extrinsicCount: 0, proposerIndex: 0, round: 0, stateRoot: `0x${'00'.repeat(32)}` }), { msgID });

    const first = validator.addBlock([]);
    const second = validator.addBlock([]);
    for (let copy = 0; copy < 3; copy++) await publish(first);
    // Forgeries: a block nobody finalized (far ahead), and another hash at a real height.
    await publish({ number: 99_999_999, hash: `0x${'99'.repeat(32)}`, parentHash: `0x${'98'.repeat(32)}` });
    await publish({ number: second.number, hash: `0x${'66'.repeat(32)}`, parentHash: first.hash });
    await publish(second);
    // A catching-up validator republishes an old block past JetStream's dedupe window (another msgID).
    await publish(first, `${first.hash}-late`);
    // A gap: two blocks finalized, only the second announced (a lost message, a NATS reconnect).
    const third = validator.addBlock([]);
    const fourth = validator.addBlock([]);
    await publish(fourth);
    await stream.settled();
    while (received.length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    await stream.settled();
    socket.close();

    assert.deepEqual(
      received.map((m) => m.number),
      [first, second, third, fourth].map((b) => Number(b.number)),
    );
    assert.ok(received.every((m) => m.hash !== `0x${'66'.repeat(32)}` && m.number !== 99_999_999));
    // Built from the validator's GetBlock answer, not from the published payload.
    assert.deepEqual(received[0], {
      type: 'block',
      number: Number(first.number),
      hash: first.hash,
      parentHash: first.parentHash,
      timeMs: Number(first.timeMs),
      extrinsicCount: 0,
      proposerIndex: first.proposerIndex,
      round: first.round,
    });
  });
});
