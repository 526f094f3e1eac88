import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BALANCES_PALLET, ONE_BAI, SYSTEM_PALLET, ScaleWriter, bridgePallet, buildMetadata, cryptoReady, decodeBridgeCallOf, decodeExtrinsic, fromHex, keyFromUri, storagePrefix, toHex, type KeyPair } from '@balanceai/chain';
import { FakeChain, hashOf } from '../testing/fake-chain.js';
import { UsageError } from '../usage.js';
import { BridgeStatusError, bridgeIdArg, bridgeLock, bridgeStatus, ethRecipientArg, gatewayHttpUrl, lockAmountArg, type StatusEnv } from './bridge.js';

const RPC = 'ws://fake:8080';
const ETH = '0x' + 'Ab'.repeat(20);
const LOCK_ID = '0x' + '5a'.repeat(32);
let alice: KeyPair;

before(async () => {
  await cryptoReady();
  alice = keyFromUri('//Alice', 'sr25519');
});

/** System.Events of the block: extrinsic 1 emitted Bridge.Locked, then System.ExtrinsicSuccess. */
function lockedEvents(amount: bigint): string {
  const w = new ScaleWriter().compact(2);
  w.u8(0).u32(1).u8(30).u8(0).raw(fromHex(LOCK_ID, 32)).raw(alice.publicKey).raw(fromHex(ETH, 20)).u128(amount).u64(1_700_000_040n).u64(3n).compact(0);
  w.u8(0).u32(1).u8(0).u8(0).compact(1_000).compact(0).u8(0).u8(0).compact(0);
  return toHex(w.finish());
}

describe('balanceai bridge lock', () => {
  it('signs Bridge.lock(eth_recipient, amount) and prints the lock id and deadline from the Locked event', async () => {
    let chain!: FakeChain;
    chain = new FakeChain({
      state_getMetadata: () => toHex(buildMetadata([SYSTEM_PALLET, BALANCES_PALLET, bridgePallet()])),
      state_getStorage: ([key]) => (key === toHex(storagePrefix('System', 'Events')) && chain.submitted.length > 0 ? lockedEvents((3n * ONE_BAI) / 2n) : null),
    });
    const done = await bridgeLock({ from: '//Alice', eth: ETH, amount: '1.5', rpc: RPC }, chain.env());
    assert.equal(chain.submitted.length, 1);
    const xt = decodeExtrinsic(fromHex(chain.submitted[0]!));
    assert.deepEqual(xt.signer, alice.publicKey);
    assert.equal(xt.call.palletIndex, 30);
    assert.deepEqual(decodeBridgeCallOf(xt.call), { call: 'lock', ethRecipient: ETH.toLowerCase(), amount: (3n * ONE_BAI) / 2n });
    assert.equal(done.lockId, LOCK_ID);
    assert.equal(done.deadline, 1_700_000_040n);
    assert.equal(done.blockHash, hashOf(101));
    assert.ok(chain.lines[0]!.startsWith(`Bridge.lock 1.5 BAI for ${ETH.toLowerCase()} on Ethereum from `), chain.lines[0]);
    assert.ok(chain.lines.includes('  events: Bridge.Locked, System.ExtrinsicSuccess'), chain.lines.join('\n'));
    assert.ok(chain.lines.includes(`lock id ${LOCK_ID}`));
    assert.ok(chain.lines.some((l) => l.startsWith('mint deadline 2023-11-14T22:14:00.000Z (Unix 1700000040)')), chain.lines.join('\n'));
  });

  it('refuses bad arguments before connecting', async () => {
    const chain = new FakeChain();
    await assert.rejects(bridgeLock({ from: '//Alice', eth: '0x12', amount: '1', rpc: RPC }, chain.env()), UsageError);
    await assert.rejects(bridgeLock({ from: '//Alice', eth: ETH, amount: '0', rpc: RPC }, chain.env()), UsageError);
    await assert.rejects(bridgeLock({ eth: ETH, amount: '1', rpc: RPC }, chain.env()), UsageError);
    assert.equal(chain.transport.requestsOf('system_accountNextIndex').length, 0);
  });

  it('parses --eth, --amount and ids', () => {
    assert.equal(ethRecipientArg(ETH), ETH.toLowerCase());
    for (const bad of [undefined, '0x' + 'ab'.repeat(19), 'ab'.repeat(20), '0x' + 'zz'.repeat(20), '0x' + '00'.repeat(20)]) assert.throws(() => ethRecipientArg(bad), UsageError);
    assert.equal(lockAmountArg('1.5'), (3n * ONE_BAI) / 2n);
    assert.equal(lockAmountArg('0.000000000000000001'), 1n);
    assert.throws(() => lockAmountArg('0'), UsageError);
    assert.throws(() => lockAmountArg(undefined), UsageError);
    assert.equal(bridgeIdArg(LOCK_ID.toUpperCase().replace('0X', '0x')), LOCK_ID);
    assert.throws(() => bridgeIdArg('0x12'), UsageError);
    assert.throws(() => bridgeIdArg(undefined), UsageError);
  });

  it('finds the gateway http URL from --gateway or --rpc', () => {
    assert.equal(gatewayHttpUrl({}), 'http://127.0.0.1:8080');
    assert.equal(gatewayHttpUrl({ gateway: 'http://gw:9000/' }), 'http://gw:9000');
    assert.equal(gatewayHttpUrl({ rpc: 'wss://gw.example' }), 'https://gw.example');
    assert.throws(() => gatewayHttpUrl({ rpc: 'ws://a', gateway: 'http://b' }), UsageError);
    assert.throws(() => gatewayHttpUrl({ gateway: 'ftp://x' }), UsageError);
  });
});

describe('balanceai bridge status', () => {
  const env = (routes: Record<string, [number, unknown]>) => {
    const asked: string[] = [];
    const lines: string[] = [];
    const e: StatusEnv = {
      fetch: async (url) => {
        asked.push(url);
        const [status, body] = routes[url] ?? [404, { code: 'ROUTE_NOT_FOUND', message: 'no' }];
        return { status, json: async () => body };
      },
      print: (l) => lines.push(l),
    };
    return { e, asked, lines };
  };

  it('shows a lock from the gateway', async () => {
    const { e, asked, lines } = env({
      [`http://gw:8080/v1/bridge/locks/${LOCK_ID}`]: [200, { at: '0xat', lockId: LOCK_ID, status: 'minted', owner: '0xo', ethRecipient: ETH, amount: String(ONE_BAI), deadline: '1700000040', lockedAt: '3', finalAt: '9', mintAttestations: ['a', 'b'], refundAttestations: [], threshold: 2 }],
    });
    const r = await bridgeStatus(LOCK_ID, { gateway: 'http://gw:8080' }, e);
    assert.equal(r.kind, 'lock');
    assert.deepEqual(asked, [`http://gw:8080/v1/bridge/locks/${LOCK_ID}`]);
    assert.equal(lines[0], `lock ${LOCK_ID}: minted`);
    assert.match(lines[1]!, /^ {2}1 BAI from 0xo to /);
    assert.match(lines[3]!, /minted reports 2\/2/);
  });

  it('shows the signatures collected for an open lock and a burn\'s Ethereum confirmations', async () => {
    const { e, lines } = env({
      [`http://gw:8080/v1/bridge/locks/${LOCK_ID}`]: [200, { at: '0xat', lockId: LOCK_ID, status: 'signed 2/2', owner: '0xo', ethRecipient: ETH, amount: String(ONE_BAI), deadline: '1700000040', lockedAt: '3', finalAt: null, mintAttestations: [], refundAttestations: [], threshold: 2, signatures: [{}, {}, {}], signaturesNote: null }],
    });
    await bridgeStatus(LOCK_ID, { gateway: 'http://gw:8080' }, e);
    assert.equal(lines[0], `lock ${LOCK_ID}: signed 2/2`);
    assert.ok(lines.includes(`  relayer signatures collected 3 (2 needed): anyone can mint now, e.g. balanceai bridge mint ${LOCK_ID}`), lines.join('\n'));
    const burn = env({
      [`http://gw:8080/v1/bridge/locks/${LOCK_ID}`]: [404, { code: 'LOCK_NOT_FOUND', message: 'no lock' }],
      [`http://gw:8080/v1/bridge/burns/${LOCK_ID}`]: [200, { at: '0xat', burnId: LOCK_ID, status: 'burned', recipient: null, amount: null, statusAt: null, attestations: [], threshold: 2, ethereum: { nonce: '4', blockNumber: '90', confirmations: '2', required: 4 } }],
    });
    await bridgeStatus(LOCK_ID, { gateway: 'http://gw:8080' }, burn.e);
    assert.ok(burn.lines.includes('  on Ethereum: nonce 4 in block 90, 2 confirmations (4 needed)'), burn.lines.join('\n'));
  });

  it('falls back to the burn when no lock has the id', async () => {
    const { e, asked, lines } = env({
      [`http://127.0.0.1:8080/v1/bridge/locks/${LOCK_ID}`]: [404, { code: 'LOCK_NOT_FOUND', message: 'no lock' }],
      [`http://127.0.0.1:8080/v1/bridge/burns/${LOCK_ID}`]: [200, { at: '0xat', burnId: LOCK_ID, status: 'attested 1/2', recipient: null, amount: null, statusAt: null, attestations: [{}], threshold: 2 }],
    });
    const r = await bridgeStatus(LOCK_ID, {}, e);
    assert.equal(r.kind, 'burn');
    assert.equal(asked.length, 2);
    assert.equal(lines[0], `burn ${LOCK_ID}: attested 1/2`);
  });

  it('says NOT_FOUND for neither, and passes the gateway\'s other errors on', async () => {
    const none = env({
      [`http://127.0.0.1:8080/v1/bridge/locks/${LOCK_ID}`]: [404, { code: 'LOCK_NOT_FOUND', message: '' }],
      [`http://127.0.0.1:8080/v1/bridge/burns/${LOCK_ID}`]: [404, { code: 'BURN_NOT_FOUND', message: '' }],
    });
    await assert.rejects(bridgeStatus(LOCK_ID, {}, none.e), (e: unknown) => e instanceof BridgeStatusError && e.code === 'NOT_FOUND');
    const off = env({ [`http://127.0.0.1:8080/v1/bridge/locks/${LOCK_ID}`]: [404, { code: 'BRIDGE_NOT_ENABLED', message: 'no Bridge pallet' }] });
    await assert.rejects(bridgeStatus(LOCK_ID, {}, off.e), (e: unknown) => e instanceof BridgeStatusError && e.code === 'BRIDGE_NOT_ENABLED');
    const down: StatusEnv = { fetch: async () => Promise.reject(new Error('ECONNREFUSED')), print: () => undefined };
    await assert.rejects(bridgeStatus(LOCK_ID, {}, down), (e: unknown) => e instanceof BridgeStatusError && e.code === 'GATEWAY_UNREACHABLE');
  });
});
