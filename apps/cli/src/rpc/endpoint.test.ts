import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../usage.js';
import { DEFAULT_RPC_URL, rpcUrl } from './endpoint.js';

describe('the RPC endpoint from --rpc / --gateway', () => {
  it('defaults to the local gateway', () => assert.equal(rpcUrl({}), DEFAULT_RPC_URL));
  it('takes --rpc as given', () => {
    assert.equal(rpcUrl({ rpc: 'ws://10.0.0.5:9944' }), 'ws://10.0.0.5:9944');
    assert.equal(rpcUrl({ rpc: 'wss://rpc.example.org/ws' }), 'wss://rpc.example.org/ws');
  });
  it('derives ws from the --gateway http URL (same port, path /)', () => {
    assert.equal(rpcUrl({ gateway: 'http://127.0.0.1:8080' }), 'ws://127.0.0.1:8080');
    assert.equal(rpcUrl({ gateway: 'http://127.0.0.1:8080/' }), 'ws://127.0.0.1:8080');
    assert.equal(rpcUrl({ gateway: 'https://gw.example.org' }), 'wss://gw.example.org');
  });
  it('refuses both flags, junk and other schemes as usage errors', () => {
    assert.throws(() => rpcUrl({ rpc: 'ws://a:1', gateway: 'http://a:1' }), UsageError);
    assert.throws(() => rpcUrl({ rpc: 'localhost:8080' }), UsageError);
    assert.throws(() => rpcUrl({ rpc: 'not a url' }), UsageError);
    assert.throws(() => rpcUrl({ gateway: 'ftp://a' }), /must be a ws/);
  });
});
