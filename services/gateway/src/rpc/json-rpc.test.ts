import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcCode, invalidParams } from './errors.js';
import { callCount, errorJson, notificationFrame, parseMessage, successJson } from './json-rpc.js';

describe('parseMessage', () => {
  it('reads a call with positional or named params, and a call without params', () => {
    assert.deepEqual(parseMessage('{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":["0x01"]}'), {
      kind: 'single',
      entry: { ok: true, call: { id: 1, method: 'chain_getHeader', params: ['0x01'], notification: false } },
    });
    const named = parseMessage('{"jsonrpc":"2.0","id":"a","method":"m","params":{"x":1}}');
    assert.ok(named.kind === 'single' && named.entry.ok);
    assert.deepEqual(named.entry.call.params, { x: 1 });
    const bare = parseMessage('{"jsonrpc":"2.0","id":null,"method":"m"}');
    assert.ok(bare.kind === 'single' && bare.entry.ok);
    assert.deepEqual(bare.entry.call.params, []);
  });

  it('marks a call without id as a notification', () => {
    const message = parseMessage('{"jsonrpc":"2.0","method":"m","params":[]}');
    assert.ok(message.kind === 'single' && message.entry.ok && message.entry.call.notification);
  });

  it('answers unparsable JSON and an empty batch for the whole message', () => {
    for (const [text, code] of [['{"jsonrpc":', RpcCode.PARSE_ERROR], ['', RpcCode.PARSE_ERROR], ['[]', RpcCode.INVALID_REQUEST]] as const) {
      const message = parseMessage(text);
      assert.equal(message.kind, 'invalid', text);
      assert.equal(message.kind === 'invalid' && message.error.code, code, text);
    }
  });

  it('refuses malformed requests one by one, keeping the id when it is usable', () => {
    const batch = parseMessage(
      JSON.stringify([
        { jsonrpc: '1.0', id: 7, method: 'm' },
        { jsonrpc: '2.0', id: 8 },
        { jsonrpc: '2.0', id: { nested: true }, method: 'm' },
        { jsonrpc: '2.0', id: 9, method: 'm', params: 'x' },
        42,
        { jsonrpc: '2.0', id: 10, method: 'ok' },
      ]),
    );
    assert.equal(batch.kind, 'batch');
    if (batch.kind !== 'batch') return;
    assert.deepEqual(
      batch.entries.map((e) => (e.ok ? 'ok' : `${e.id}:${e.error.code}`)),
      ['7:-32600', '8:-32600', 'null:-32600', '9:-32600', 'null:-32600', 'ok'],
    );
    assert.equal(callCount(batch), 6);
  });
});

describe('response text', () => {
  it('splices a result serialised once into the envelope', () => {
    assert.deepEqual(JSON.parse(successJson(3, '{"a":1}')), { jsonrpc: '2.0', id: 3, result: { a: 1 } });
    assert.deepEqual(JSON.parse(successJson('x', 'null')), { jsonrpc: '2.0', id: 'x', result: null });
  });

  it('writes errors with data only when there is some', () => {
    assert.deepEqual(JSON.parse(errorJson(null, invalidParams('bad key'))), {
      jsonrpc: '2.0',
      id: null,
      error: { code: -32602, message: 'Invalid params', data: 'bad key' },
    });
  });

  it('frames notifications as Substrate sends them', () => {
    const { prefix, suffix } = notificationFrame('chain_newHead', 'abc');
    assert.deepEqual(JSON.parse(`${prefix}{"number":"0x1"}${suffix}`), {
      jsonrpc: '2.0',
      method: 'chain_newHead',
      params: { subscription: 'abc', result: { number: '0x1' } },
    });
  });
});
