import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '@balanceai/platform';
import { RpcDispatcher } from './dispatch.js';
import { invalidParams } from './errors.js';
import { RpcRegistry, type SubscriptionSink } from './registry.js';
import { RpcSession, type PushChannel, type SessionLimits } from './session.js';

type Json = Record<string, unknown>;

class RecordingChannel implements PushChannel {
  bufferedAmount = 0;
  open = true;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  send(text: string): void {
    this.sent.push(text);
  }
  close(code: number): void {
    this.closedWith = code;
    this.open = false;
  }
  get messages(): Json[] {
    return this.sent.map((t) => JSON.parse(t) as Json);
  }
}

const LIMITS: SessionLimits = { rateLimitPerSecond: 1000, rateLimitBurst: 1000, maxSubscriptionsPerConnection: 2, maxConnectionBufferBytes: 1024 };

function setup(limits: Partial<SessionLimits> = {}, dispatchLimits = { maxBatchSize: 3, maxResponseBytes: 200 }) {
  const sinks: SubscriptionSink[] = [];
  let tornDown = 0;
  const faults: string[] = [];
  const registry = new RpcRegistry()
    .method('echo', (params) => params, { paramNames: ['a', 'b'] })
    .method('nothing', () => undefined)
    .method('big', () => 'x'.repeat(500))
    .method('refuse', () => {
      throw invalidParams('no');
    })
    .method('outage', () => {
      throw new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable');
    })
    .method('bug', () => {
      throw new TypeError('undefined is not a function');
    })
    .subscription({
      subscribe: 'test_subscribe',
      unsubscribe: 'test_unsubscribe',
      notification: 'test_event',
      subscribeAliases: ['test_sub'],
      handler: (params, sink) => {
        if (params[0] === 'fail') throw invalidParams('cannot');
        sinks.push(sink);
        sink.send('first');
        return () => tornDown++;
      },
    });
  const dispatcher = new RpcDispatcher(registry, dispatchLimits, (method) => faults.push(method));
  const channel = new RecordingChannel();
  const session = new RpcSession(channel, { ...LIMITS, ...limits }, () => 0);
  /** Dispatches and sends as the WebSocket transport does; returns the answer. */
  const call = async (message: unknown): Promise<unknown> => {
    const out = await dispatcher.dispatch(typeof message === 'string' ? message : JSON.stringify(message), session);
    if (out.text !== undefined) session.push(out.text);
    out.announce();
    return out.text === undefined ? undefined : JSON.parse(out.text);
  };
  return { call, channel, session, sinks, faults, tornDown: () => tornDown, dispatcher, registry };
}

const req = (id: number, method: string, params?: unknown) => ({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });

describe('RpcDispatcher', () => {
  it('answers a call, with named params ordered by the declared names', async () => {
    const { call } = setup();
    assert.deepEqual(await call(req(1, 'echo', [1, 2])), { jsonrpc: '2.0', id: 1, result: [1, 2] });
    assert.deepEqual(await call(req(2, 'echo', { b: 2, a: 1 })), { jsonrpc: '2.0', id: 2, result: [1, 2] });
    assert.deepEqual(await call(req(3, 'nothing')), { jsonrpc: '2.0', id: 3, result: null });
  });

  it('answers "Method not found" for every unknown method, never silence', async () => {
    const { call } = setup();
    for (const method of ['author_rotateKeys', 'eth_chainId', 'system_dryRun', 'ECHO']) {
      assert.deepEqual(await call(req(1, method, [])), { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found' } });
    }
  });

  it('answers parse errors and invalid requests with the id it could read', async () => {
    const { call } = setup();
    assert.deepEqual(await call('{not json'), { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } });
    assert.deepEqual(((await call({ jsonrpc: '2.0', id: 5 })) as Json).id, 5);
    assert.equal((((await call({ jsonrpc: '2.0', id: 5 })) as Json).error as Json).code, -32600);
  });

  it('maps errors once: params, outages with their code, bugs hidden and logged', async () => {
    const { call, faults } = setup();
    assert.deepEqual(((await call(req(1, 'refuse'))) as Json).error, { code: -32602, message: 'Invalid params', data: 'no' });
    assert.deepEqual(((await call(req(2, 'outage'))) as Json).error, { code: -32000, message: 'no validator node is reachable', data: 'NODE_UNAVAILABLE' });
    assert.deepEqual(((await call(req(3, 'bug'))) as Json).error, { code: -32603, message: 'Internal error' });
    assert.deepEqual(faults, ['outage', 'bug']);
  });

  it('answers a batch in order, skipping notifications, and nothing for a batch of notifications', async () => {
    const { call } = setup();
    assert.deepEqual(await call([req(1, 'echo', ['a']), { jsonrpc: '2.0', method: 'echo', params: [] }, req(2, 'missing')]), [
      { jsonrpc: '2.0', id: 1, result: ['a'] },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } },
    ]);
    assert.equal(await call([{ jsonrpc: '2.0', method: 'echo' }]), undefined);
    assert.equal(await call({ jsonrpc: '2.0', method: 'echo' }), undefined);
  });

  it('refuses a batch over the limit as a whole, and an oversized answer per call', async () => {
    const { call } = setup();
    assert.deepEqual(await call([1, 2, 3, 4].map((i) => req(i, 'echo'))), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32010, message: 'The batch request was too large', data: 'Exceeded max limit of 3' },
    });
    assert.deepEqual(((await call(req(1, 'big'))) as Json).error, { code: -32008, message: 'Response is too big', data: 'Exceeded max limit of 200' });
  });

  it('throttles a connection past its rate with -32029, per call in a batch', async () => {
    const { call } = setup({ rateLimitPerSecond: 1, rateLimitBurst: 2 }, { maxBatchSize: 3, maxResponseBytes: 10_000 });
    const answers = (await call([req(1, 'echo'), req(2, 'echo'), req(3, 'echo')])) as Json[];
    assert.deepEqual(
      answers.map((a) => (a.error as Json | undefined)?.code ?? 'ok'),
      ['ok', 'ok', -32029],
    );
    assert.match(String((answers[2]!.error as Json).data), /1 calls per second/);
  });

  it("holds a subscription's notifications until its id has been answered, then streams them", async () => {
    const { call, channel, sinks } = setup();
    const answer = (await call(req(1, 'test_subscribe'))) as Json;
    const id = answer.result as string;
    assert.match(id, /^[0-9a-f]{16}$/);
    sinks[0]!.sendJson('"second"');
    assert.deepEqual(
      channel.messages.map((m) => ('id' in m ? 'answer' : (m.params as Json).result)),
      ['answer', 'first', 'second'],
    );
    assert.deepEqual(channel.messages[1], { jsonrpc: '2.0', method: 'test_event', params: { subscription: id, result: 'first' } });
  });

  it('unsubscribes by id (true), and answers false for an unknown id or one of another kind', async () => {
    const { call, sinks, tornDown, session } = setup();
    const id = ((await call(req(1, 'test_sub'))) as Json).result as string;
    assert.deepEqual(await call(req(2, 'test_unsubscribe', ['nope'])), { jsonrpc: '2.0', id: 2, result: false });
    assert.deepEqual(await call(req(3, 'test_unsubscribe', [id])), { jsonrpc: '2.0', id: 3, result: true });
    assert.equal(tornDown(), 1);
    assert.equal(sinks[0]!.closed, true);
    assert.equal(session.subscriptionCount, 0);
    assert.deepEqual(await call(req(4, 'test_unsubscribe', [id])), { jsonrpc: '2.0', id: 4, result: false });
  });

  it('limits subscriptions per connection with -32006', async () => {
    const { call } = setup();
    await call(req(1, 'test_subscribe'));
    await call(req(2, 'test_subscribe'));
    assert.deepEqual(((await call(req(3, 'test_subscribe'))) as Json).error, {
      code: -32006,
      message: 'Too many subscriptions on the connection',
      data: 'Exceeded max limit of 2',
    });
  });

  it('leaves nothing behind when a subscribe handler throws', async () => {
    const { call, session, channel } = setup();
    assert.equal((((await call(req(1, 'test_subscribe', ['fail']))) as Json).error as Json).code, -32602);
    assert.equal(session.subscriptionCount, 0);
    assert.equal(channel.sent.length, 1);
  });

  it('refuses subscriptions on a connection that cannot push (HTTP)', async () => {
    const { dispatcher } = setup();
    const http = new RpcSession(undefined, LIMITS);
    const out = await dispatcher.dispatch(JSON.stringify(req(1, 'test_subscribe')), http);
    assert.deepEqual(JSON.parse(out.text!).error, { code: -32603, message: 'Internal error', data: 'subscriptions need a WebSocket connection' });
  });

  it('ends every subscription when the connection closes, and drops what is sent after', async () => {
    const { call, session, sinks, tornDown, channel } = setup();
    await call(req(1, 'test_subscribe'));
    await call(req(2, 'test_subscribe'));
    session.close();
    assert.equal(tornDown(), 2);
    const before = channel.sent.length;
    sinks[0]!.send('late');
    assert.equal(channel.sent.length, before);
  });

  it('closes a client that lags beyond its buffer instead of queueing more', async () => {
    const { call, channel, sinks, tornDown } = setup();
    await call(req(1, 'test_subscribe'));
    channel.bufferedAmount = 4096;
    sinks[0]!.send('one more');
    assert.equal(channel.closedWith, 1013);
    assert.equal(tornDown(), 1);
  });
});

describe('RpcRegistry', () => {
  it('lists every name sorted, aliases included, and refuses a name registered twice', () => {
    const { registry } = setup();
    assert.deepEqual(registry.names(), ['big', 'bug', 'echo', 'nothing', 'outage', 'refuse', 'test_sub', 'test_subscribe', 'test_unsubscribe']);
    assert.throws(() => registry.method('echo', () => 1), /registered twice/);
  });
});
