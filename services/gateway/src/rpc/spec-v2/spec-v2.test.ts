// The new JSON-RPC API through the gateway's registry and dispatcher, as a WebSocket client sees it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { RpcDispatcher } from '../dispatch.js';
import { RpcRegistry } from '../registry.js';
import { RpcSession, type PushChannel } from '../session.js';
import { FakeChain, hashOf, tick } from './fake-chain.js';
import { specV2Modules } from './index.js';

type Json = Record<string, unknown>;

class Channel implements PushChannel {
  bufferedAmount = 0;
  open = true;
  readonly sent: Json[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text) as Json);
  }
  close(): void {
    this.open = false;
  }
  /** Notifications of one subscription, their results in order. */
  of(subscription: unknown): Json[] {
    return this.sent.filter((m) => (m.params as Json | undefined)?.subscription === subscription).map((m) => (m.params as Json).result as Json);
  }
}

function setup(chain = new FakeChain(3)) {
  const registry = new RpcRegistry();
  for (const m of specV2Modules(chain, { follow: { maxFollowsPerConnection: 2 }, transaction: { maxBroadcastsPerConnection: 2, unknownBlocks: 2 } })) registry.install(m);
  const dispatcher = new RpcDispatcher(registry, { maxBatchSize: 10, maxResponseBytes: 1 << 20 });
  const channel = new Channel();
  const session = new RpcSession(channel, { rateLimitPerSecond: 1e6, rateLimitBurst: 1e6, maxSubscriptionsPerConnection: 16, maxConnectionBufferBytes: 1 << 20 });
  let id = 0;
  const call = async (method: string, params: unknown = []): Promise<Json> => {
    const out = await dispatcher.dispatch(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }), session);
    if (out.text !== undefined) session.push(out.text);
    out.announce();
    for (let i = 0; i < 10; i++) await tick();
    return JSON.parse(out.text!) as Json;
  };
  const result = async (method: string, params: unknown = []): Promise<unknown> => {
    const r = await call(method, params);
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result;
  };
  return { chain, call, result, channel, session, registry };
}

describe('chainSpec_v1', () => {
  it('names the chain, its genesis hash and its properties', async () => {
    const { result } = setup();
    assert.equal(await result('chainSpec_v1_chainName'), 'BalanceAI Devnet');
    assert.equal(await result('chainSpec_v1_genesisHash'), hashOf(0));
    assert.deepEqual(await result('chainSpec_v1_properties'), { ss58Format: 42, tokenDecimals: 18, tokenSymbol: 'BAI' });
  });
});

describe('chainHead_v1 through the dispatcher', () => {
  it('follows, reads a header and storage, unpins and unfollows', async () => {
    const { chain, result, channel } = setup();
    const sub = await result('chainHead_v1_follow', [true]);
    assert.equal(channel.of(sub)[0]!.event, 'initialized');
    chain.addBlock(true, { '0xaa01': '0x2a' });
    for (let i = 0; i < 10; i++) await tick();
    assert.deepEqual(channel.of(sub).map((e) => e.event), ['initialized', 'newBlock', 'bestBlockChanged', 'finalized']);
    assert.match(String(await result('chainHead_v1_header', [sub, hashOf(4)])), /^0x/);
    const op = (await result('chainHead_v1_storage', [sub, hashOf(4), [{ key: '0xaa01', type: 'value' }], null])) as Json;
    assert.equal(op.result, 'started');
    assert.deepEqual(channel.of(sub).filter((e) => e.operationId === op.operationId), [
      { event: 'operationStorageItems', operationId: op.operationId, items: [{ key: '0xaa01', value: '0x2a' }] },
      { event: 'operationStorageDone', operationId: op.operationId },
    ]);
    // Named params, as some clients send them.
    assert.equal(await result('chainHead_v1_unpin', { followSubscription: sub, hashOrHashes: [hashOf(3), hashOf(4)] }), null);
    await result('chainHead_v1_unfollow', [sub]);
    const seen = channel.of(sub).length;
    chain.addBlock();
    for (let i = 0; i < 10; i++) await tick();
    assert.equal(channel.of(sub).length, seen, 'nothing after unfollow');
    assert.equal(chain.listeners.size, 0);
  });

  it('takes "" as empty callParameters, as polkadot-api sends them', async () => {
    const { chain, result } = setup();
    const sub = await result('chainHead_v1_follow', [true]);
    const op = (await result('chainHead_v1_call', [sub, hashOf(3), 'Metadata_metadata_versions', ''])) as Json;
    assert.equal(op.result, 'started');
    assert.ok(chain.calls.includes('call Metadata_metadata_versions 0x'), chain.calls.join(', '));
  });

  it('answers what the spec says for a subscription it does not know: null or limitReached, never an error', async () => {
    const { result } = setup();
    assert.equal(await result('chainHead_v1_header', ['nope', hashOf(1)]), null);
    assert.deepEqual(await result('chainHead_v1_body', ['nope', hashOf(1)]), { result: 'limitReached' });
    assert.deepEqual(await result('chainHead_v1_call', ['nope', hashOf(1), 'Core_version', '0x']), { result: 'limitReached' });
    assert.deepEqual(await result('chainHead_v1_storage', ['nope', hashOf(1), [], null]), { result: 'limitReached' });
    assert.equal(await result('chainHead_v1_unpin', ['nope', hashOf(1)]), null);
    assert.equal(await result('chainHead_v1_continue', ['nope', '1']), null);
    assert.equal(await result('chainHead_v1_stopOperation', ['nope', '1']), null);
  });

  it('refuses bad params with -32602 and a third follow on a connection with -32800', async () => {
    const { call, result } = setup();
    assert.equal(((await call('chainHead_v1_follow', ['yes'])).error as Json).code, -32602);
    const sub = await result('chainHead_v1_follow', [false]);
    assert.equal(((await call('chainHead_v1_header', [sub, '0x1234'])).error as Json).code, -32602);
    assert.equal(((await call('chainHead_v1_storage', [sub, hashOf(3), [{ key: '0x00', type: 'everything' }], null])).error as Json).code, -32602);
    assert.equal(((await call('chainHead_v1_call', [sub, hashOf(3), 'Core_version', '0x'])).error as Json).code, -32802);
    assert.equal(((await call('chainHead_v1_header', [sub, hashOf(1)])).error as Json).code, -32801);
    await result('chainHead_v1_follow', [true]);
    assert.equal(((await call('chainHead_v1_follow', [true])).error as Json).code, -32800);
  });

  it('reads `:code` as a stable stand-in whose hash changes with the runtime', async () => {
    // FakeChain serves storage from its maps; the stand-in itself is tested in runtime.test.ts and
    // chain.test.ts. Here: a `hash` item of `:code` is answered like any other key.
    const { chain, result, channel } = setup();
    chain.addBlock(false, { '0x3a636f6465': '0x0102' });
    chain.addBlock(false);
    const sub = await result('chainHead_v1_follow', [true]);
    const op = (await result('chainHead_v1_storage', [sub, hashOf(5), [{ key: '0x3a636f6465', type: 'hash' }], null])) as Json;
    const items = channel.of(sub).find((e) => e.operationId === op.operationId)!.items as Json[];
    assert.deepEqual(items, [{ key: '0x3a636f6465', hash: toHex(blake2_256(fromHex('0x0102'))) }]);
  });
});

describe('transaction_v1 and transactionWatch_v1', () => {
  it('submitAndWatch: validated, then bestChainBlockIncluded and finalized at the block holding it; then nothing', async () => {
    const { chain, result, channel } = setup();
    const sub = await result('transactionWatch_v1_submitAndWatch', ['0x0c0102']);
    assert.deepEqual(channel.of(sub), [{ event: 'validated' }]);
    chain.addBlock();
    for (let i = 0; i < 10; i++) await tick();
    const block = { hash: hashOf(4), index: 0 };
    assert.deepEqual(channel.of(sub), [{ event: 'validated' }, { event: 'bestChainBlockIncluded', block }, { event: 'finalized', block }]);
    chain.addBlock();
    for (let i = 0; i < 10; i++) await tick();
    assert.equal(channel.of(sub).length, 3);
  });

  it('a refused transaction is `invalid` with the reason; a full pool `dropped`; an outage of every validator `dropped`', async () => {
    const { chain, result, channel } = setup();
    chain.submitError = new DomainError('PAYMENT', 'balance too low to pay the fee');
    const invalid = await result('transactionWatch_v1_submitAndWatch', ['0x0c0102']);
    assert.deepEqual(channel.of(invalid), [{ event: 'invalid', error: 'Invalid Transaction: Inability to pay some fees (e.g. account balance too low)' }]);
    chain.submitError = new DomainError('MEMPOOL_FULL', 'full', 'unavailable');
    const full = await result('transactionWatch_v1_submitAndWatch', ['0x0c0102']);
    assert.equal(channel.of(full)[0]!.event, 'dropped');
    chain.submitError = new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable');
    const outage = await result('transactionWatch_v1_submitAndWatch', ['0x0c0102']);
    assert.deepEqual(channel.of(outage), [{ event: 'dropped', error: 'no validator node is reachable' }]);
  });

  it('already in the pool: validated and watched like a new one', async () => {
    const { chain, result, channel } = setup();
    await chain.submit('0x0c0102');
    chain.submitError = new DomainError('ALREADY_IMPORTED', 'already imported', 'conflict');
    const sub = await result('transactionWatch_v1_submitAndWatch', ['0x0c0102']);
    chain.addBlock();
    for (let i = 0; i < 10; i++) await tick();
    assert.deepEqual(channel.of(sub).map((e) => e.event), ['validated', 'bestChainBlockIncluded', 'finalized']);
  });

  it('a transaction the validators forgot is dropped after a few blocks', async () => {
    const { chain, result, channel } = setup();
    const sub = await result('transactionWatch_v1_submitAndWatch', ['0x0c0102']);
    chain.mempool.clear();
    for (let i = 0; i < 3; i++) {
      chain.addBlock();
      for (let j = 0; j < 10; j++) await tick();
    }
    assert.deepEqual(channel.of(sub).map((e) => e.event), ['validated', 'dropped']);
  });

  it('a bad hex transaction is refused with -32602', async () => {
    const { call } = setup();
    assert.equal(((await call('transactionWatch_v1_submitAndWatch', ['0xabc'])).error as Json).code, -32602);
    assert.equal(((await call('transaction_v1_broadcast', ['nothex'])).error as Json).code, -32602);
  });

  it('broadcast hands the transaction over and returns an id; stop forgets it; over the limit: null', async () => {
    const { chain, call, result } = setup();
    const a = await result('transaction_v1_broadcast', ['0x0c0102']);
    assert.equal(typeof a, 'string');
    assert.equal(chain.mempool.size, 1);
    await result('transaction_v1_broadcast', ['0x0c0103']);
    assert.equal(await result('transaction_v1_broadcast', ['0x0c0104']), null);
    assert.equal(await result('transaction_v1_stop', [a]), null);
    assert.equal(((await call('transaction_v1_stop', [a])).error as Json).code, -32602);
    // A refused broadcast is silent, as the spec says.
    chain.submitError = new DomainError('BAD_PROOF', 'bad signature');
    assert.equal(typeof (await result('transaction_v1_broadcast', ['0x0c0105'])), 'string');
  });
});
