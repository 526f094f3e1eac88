import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeTransport, NO_ANSWER, RpcFault } from '../testing/fake-transport.js';
import { RpcClient } from './client.js';
import { ConnectionClosedError, RpcError, RpcTimeoutError } from './errors.js';

const URL = 'ws://127.0.0.1:9';

describe('the JSON-RPC client', () => {
  it('matches answers to requests by id, whatever order they come in', async () => {
    const t = new FakeTransport({
      slow: async () => (await new Promise((r) => setTimeout(r, 20)), 'slow'),
      fast: () => 'fast',
    });
    const c = new RpcClient(t, URL);
    const [a, b] = await Promise.all([c.request('slow'), c.request('fast', [1])]);
    assert.deepEqual([a, b], ['slow', 'fast']);
    assert.deepEqual(t.requests.map((r) => [r.method, r.params]), [['slow', []], ['fast', [1]]]);
    assert.notEqual(t.requests[0]!.id, t.requests[1]!.id);
  });

  it('turns a JSON-RPC error into one line; 1010 Invalid Transaction carries its data reason', async () => {
    const t = new FakeTransport({
      author_submitExtrinsic: () => {
        throw new RpcFault(1010, 'Invalid Transaction', 'Inability to pay some fees (e.g. account balance too low)');
      },
    });
    const c = new RpcClient(t, URL);
    const err = await c.request('author_submitExtrinsic', ['0x00']).catch((e: unknown) => e);
    assert.ok(err instanceof RpcError);
    assert.equal(err.code, 'INVALID_TRANSACTION');
    assert.equal(err.rpcCode, 1010);
    assert.equal(err.message, 'the chain refused the transaction: Invalid Transaction (1010): Inability to pay some fees (e.g. account balance too low)');
  });

  it('names an unserved method (-32601) and keeps other errors to one line', async () => {
    const t = new FakeTransport({
      bad: () => {
        throw new RpcFault(-32602, 'Invalid params', 'line one\nline two');
      },
    });
    const c = new RpcClient(t, URL);
    await assert.rejects(c.request('nope_method'), { code: 'RPC_ERROR', message: /does not serve nope_method \(-32601 Method not found\)/ });
    const err = (await c.request('bad').catch((e: unknown) => e)) as Error;
    assert.equal(err.message, 'bad failed: Invalid params (-32602): line one line two');
  });

  it('retries a call refused as busy (-32009, -32029) with a doubling delay, then gives the refusal as NODE_BUSY', async () => {
    let refusals = 2;
    const t = new FakeTransport({
      author_submitExtrinsic: () => {
        if (refusals-- > 0) throw new RpcFault(-32009, 'Server is busy, try again later', 'MEMPOOL_FULL');
        return '0xhash';
      },
      state_getStorage: () => {
        throw new RpcFault(-32029, 'Too many requests', 'rate limit of 5 calls per second per connection exceeded; retry later');
      },
    });
    const c = new RpcClient(t, URL, 1000, { retries: 3, delayMs: 20 });
    const started = Date.now();
    assert.equal(await c.request('author_submitExtrinsic', ['0x00']), '0xhash');
    assert.ok(Date.now() - started >= 20 + 40, 'waited 20 ms, then 40 ms');
    assert.equal(t.requests.filter((r) => r.method === 'author_submitExtrinsic').length, 3);
    const err = await c.request('state_getStorage', ['0x00']).catch((e: unknown) => e);
    assert.ok(err instanceof RpcError);
    assert.equal(err.code, 'NODE_BUSY');
    assert.equal(err.message, 'state_getStorage: the node is busy and refused the call (-32029 Too many requests: rate limit of 5 calls per second per connection exceeded; retry later); try again later');
    assert.equal(t.requests.filter((r) => r.method === 'state_getStorage').length, 4, 'the first attempt and 3 retries');
    // Any other refusal is the answer at once.
    const invalid = new RpcClient(new FakeTransport({ x: () => { throw new RpcFault(1010, 'Invalid Transaction', 'Transaction is outdated'); } }), URL, 1000, { retries: 3, delayMs: 20 });
    await assert.rejects(invalid.request('x'), { code: 'INVALID_TRANSACTION' });
  });

  it('times a request out, and a late answer is ignored', async () => {
    const t = new FakeTransport({ stuck: () => NO_ANSWER });
    const c = new RpcClient(t, URL, 30);
    await assert.rejects(c.request('stuck'), (err: unknown) => err instanceof RpcTimeoutError && /no answer to stuck from ws:\/\/127\.0\.0\.1:9 within 0\.03 s/.test(err.message));
    t.emit({ jsonrpc: '2.0', id: t.requests[0]!.id, result: 'late' }); // must not throw
  });

  it('routes notifications by params.subscription, including ones that arrive before the subscription id', async () => {
    const t = new FakeTransport({
      chain_subscribeFinalizedHeads: (_p, node) => {
        // The first head goes out before the answer that names the subscription.
        node.emit({ jsonrpc: '2.0', method: 'chain_finalizedHead', params: { subscription: 'abc', result: { number: '0x1' } } });
        node.notify('chain_finalizedHead', 'abc', { number: '0x2' });
        node.notify('chain_finalizedHead', 'other', { number: '0x99' });
        return 'abc';
      },
      chain_unsubscribeFinalizedHeads: () => true,
    });
    const c = new RpcClient(t, URL);
    const sub = await c.subscribe<{ number: string }>('chain_subscribeFinalizedHeads', [], 'chain_unsubscribeFinalizedHeads');
    assert.equal(sub.id, 'abc');
    assert.deepEqual(await sub.next(), { number: '0x1' });
    assert.deepEqual(await sub.next(), { number: '0x2' });
    await sub.close();
    assert.deepEqual(t.requestsOf('chain_unsubscribeFinalizedHeads').map((r) => r.params), [['abc']]);
  });

  it('fails pending requests and subscriptions with one line when the connection drops', async () => {
    const t = new FakeTransport({ stuck: () => NO_ANSWER, sub: () => 's1' });
    const c = new RpcClient(t, URL);
    const sub = await c.subscribe('sub', [], 'unsub');
    const pending = c.request('stuck');
    const next = sub.next();
    t.drop(new ConnectionClosedError(URL, '1006'));
    await assert.rejects(pending, { code: 'CONNECTION_CLOSED', message: 'the gateway at ws://127.0.0.1:9 closed the connection (1006)' });
    await assert.rejects(next, { code: 'CONNECTION_CLOSED' });
    await assert.rejects(c.request('stuck'), { code: 'CONNECTION_CLOSED' });
  });

  it('a subscription waits for its next item only as long as it is told to', async () => {
    const t = new FakeTransport({ sub: () => 7 });
    const c = new RpcClient(t, URL);
    const sub = await c.subscribe('sub', [], 'unsub');
    assert.equal(sub.id, '7'); // numeric ids work too
    await assert.rejects(sub.next(20, () => new RpcTimeoutError(URL, 'sub', 20)), { code: 'RPC_TIMEOUT' });
    t.notify('x', 7 as unknown as string, 'hello');
    assert.equal(await sub.next(1000), 'hello');
  });

  it('fails fast, in one line, when the endpoint does not speak JSON-RPC 2.0', async () => {
    for (const frame of ['not json{', '{"block":{"number":"5"}}']) {
      const t = new FakeTransport({ stuck: () => NO_ANSWER });
      const c = new RpcClient(t, URL);
      const pending = c.request('stuck');
      t.emit(frame);
      await assert.rejects(pending, { code: 'RPC_PROTOCOL', message: /^unexpected answer from ws:\/\/127\.0\.0\.1:9: not a JSON-RPC 2\.0 endpoint; it sent / });
      assert.ok(t.closed);
    }
  });
});
