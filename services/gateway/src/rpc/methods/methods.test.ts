import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RpcDispatcher } from '../dispatch.js';
import { FinalizedHeads } from '../finalized-heads.js';
import { RpcRegistry } from '../registry.js';
import { RpcSession, type PushChannel } from '../session.js';
import { chainData, FakeBlockSource, FakeConsensus } from '../testing.js';
import { chainModule, MAX_BLOCK_HASH_LIST } from './chain.js';
import { MAX_WATCHED_KEYS_PER_CONNECTION, stateModule } from './state.js';
import { chainTypeOf } from './system.js';
import { CODE_KEY } from '../spec-v2/index.js';
import { ScaleWriter, blake2_256, encodeRuntimeVersion, fromHex, runtimeVersion, toHex } from '@balanceai/chain';

function setup() {
  const consensus = new FakeConsensus();
  consensus.handlers.set('readStorage', (req) => ({ at: consensus.blocks.at(-1)!.hash, height: '2', entries: (req.keys as string[]).map((key) => ({ key, present: false, value: '' })) }));
  const chain = chainData(consensus);
  const heads = new FinalizedHeads(new FakeBlockSource(), chain);
  const deps = { chain, heads, validators: { healthy: true, bestKnownHeight: () => 2 }, chainId: 'test', version: '0.0.0' };
  const registry = new RpcRegistry().install(chainModule(deps)).install(stateModule(deps));
  const dispatcher = new RpcDispatcher(registry, { maxBatchSize: 10, maxResponseBytes: 1 << 20 });
  const channel: PushChannel = { bufferedAmount: 0, open: true, send: () => undefined, close: () => undefined };
  const session = new RpcSession(channel, { rateLimitPerSecond: 1e6, rateLimitBurst: 1e6, maxSubscriptionsPerConnection: 100, maxConnectionBufferBytes: 1 << 20 });
  let id = 0;
  const call = async (method: string, params: unknown[]) => {
    const out = await dispatcher.dispatch(JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }), session);
    out.announce();
    return JSON.parse(out.text!) as { result?: unknown; error?: { code: number; data?: unknown } };
  };
  return { call, consensus };
}

const keys = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `0x${tag}${i.toString(16).padStart(8, '0')}`);

describe('state_subscribeStorage', () => {
  it('bounds the storage keys one connection watches, freeing them on unsubscribe', async () => {
    const { call } = setup();
    const half = MAX_WATCHED_KEYS_PER_CONNECTION / 2;
    const first = await call('state_subscribeStorage', [keys(half, 'aa')]);
    assert.equal(typeof first.result, 'string');
    assert.equal(typeof (await call('state_subscribeStorage', [keys(half, 'bb')])).result, 'string');
    const over = await call('state_subscribeStorage', [keys(1, 'cc')]);
    assert.equal(over.error?.code, -32602);
    assert.equal((await call('state_unsubscribeStorage', [first.result])).result, true);
    assert.equal(typeof (await call('state_subscribeStorage', [keys(1, 'cc')])).result, 'string');
  });

  it('refuses a subscription to every key (no key list)', async () => {
    const { call } = setup();
    assert.equal((await call('state_subscribeStorage', [])).error?.code, -32602);
  });
});

describe('chain_getBlockHash', () => {
  it('bounds the numbers of one call', async () => {
    const { call, consensus } = setup();
    assert.equal((await call('chain_getBlockHash', [Array.from({ length: MAX_BLOCK_HASH_LIST + 1 }, () => 1)])).error?.code, -32602);
    assert.equal(consensus.count('getBlock'), 0);
    assert.deepEqual((await call('chain_getBlockHash', [[1, 2]])).result, consensus.blocks.slice(1, 3).map((b) => b.hash));
  });
});

describe('chainTypeOf', () => {
  it('reads the chain type from the chain id', () => {
    assert.equal(chainTypeOf('balanceai-dev'), 'Development');
    assert.equal(chainTypeOf('balanceai-devnet'), 'Development');
    assert.equal(chainTypeOf('dev'), 'Development');
    assert.equal(chainTypeOf('gw-test'), 'Local');
    assert.equal(chainTypeOf('balanceai-local'), 'Local');
    assert.equal(chainTypeOf('balanceai'), 'Live');
    assert.equal(chainTypeOf('devotion-main'), 'Live');
  });
});

describe('state_getStorage of :code', () => {
  it('answers the runtime stand-in the new API serves (never null: polkadot-api keys runtimes by its hash), and its hash', async () => {
    const { call, consensus } = setup();
    const version = toHex(encodeRuntimeVersion(runtimeVersion({ specVersion: 3, transactionVersion: 2 })));
    consensus.handlers.set('runtimeCall', (req) => ({
      at: '',
      height: '2',
      result: req.method === 'Core_version' ? version : toHex(new ScaleWriter().u8(1).bytes(Uint8Array.of(1, 2, 3)).finish()),
    }));
    const head = consensus.blocks.at(-1)!.hash;
    const code = (await call('state_getStorage', [CODE_KEY, head])).result as string;
    assert.match(code, /^0x[0-9a-f]+$/);
    assert.equal((await call('state_getStorage', [CODE_KEY])).result, code, 'the head by default');
    assert.equal((await call('state_getStorageHash', [CODE_KEY, head])).result, toHex(blake2_256(fromHex(code))));
    assert.equal(consensus.count('readStorage'), 0, ':code is not a validator storage key');
  });
});
