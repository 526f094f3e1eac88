import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ONE_BAI, cryptoReady, keyFromUri, ss58Encode, toHex } from '@balanceai/chain';
import { UsageError } from '../usage.js';
import { BridgeStatusError } from './bridge.js';
import { bridgeBurn, bridgeMint, type BridgeEthEnv, type EthUserPort } from './bridge-eth.js';

const KEY = `0x${'11'.repeat(32)}`;
const BRIDGE = `0x${'b0'.repeat(20)}`;
const LOCK_ID = `0x${'5a'.repeat(32)}`;
const BURN_ID = `0x${'be'.repeat(32)}`;
let bob: string;

before(async () => {
  await cryptoReady();
  bob = toHex(keyFromUri('//Bob', 'sr25519').publicKey);
});

function env(routes: Record<string, [number, unknown]>, vars: Record<string, string> = { BAI_ETH_PRIVATE_KEY: KEY }) {
  const lines: string[] = [];
  const burns: Parameters<EthUserPort['burnForBai']>[0][] = [];
  const mints: Parameters<EthUserPort['submitMint']>[0][] = [];
  const user: EthUserPort = {
    burnForBai: async (o) => (burns.push(o), { burnId: BURN_ID, nonce: 4n, chainId: 31337, from: '0xF00', txHash: '0xtx', blockNumber: 12n }),
    submitMint: async (o) => (mints.push(o), { txHash: '0xmint', blockNumber: 13n, balance: o.message.amount }),
  };
  const e: BridgeEthEnv = {
    vars,
    fetch: async (url) => {
      const [status, body] = routes[url] ?? [404, { code: 'ROUTE_NOT_FOUND', message: 'no' }];
      return { status, json: async () => body };
    },
    print: (l) => lines.push(l),
    user: async () => user,
  };
  return { e, lines, burns, mints };
}

const OVERVIEW: [number, unknown] = [200, { wbai: { bridge: BRIDGE, token: '0x', totalSupply: '0', block: '1', chainId: 31337 }, ethereumNote: null }];

describe('balanceai bridge burn', () => {
  it('burns for an SS58 or hex BAI account with the key from the environment and BaiBridge from the gateway; prints the burn id and how to follow it', async () => {
    const { e, lines, burns } = env({ 'http://gw:1/v1/bridge': OVERVIEW });
    const r = await bridgeBurn({ amount: '0.5', to: ss58Encode(keyFromUri('//Bob', 'sr25519').publicKey, 42), gateway: 'http://gw:1', 'eth-rpc': 'http://anvil:8545' }, e);
    assert.deepEqual(burns, [{ rpcUrl: 'http://anvil:8545', privateKey: KEY, bridge: BRIDGE, amount: ONE_BAI / 2n, baiRecipient: bob }]);
    assert.deepEqual(r, { burnId: BURN_ID, nonce: 4n });
    assert.ok(lines.includes(`burn id ${BURN_ID}`), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith(`follow it: balanceai bridge status ${BURN_ID} --gateway http://gw:1`)));
  });

  it('takes --bridge and --eth-key over the gateway and the environment, and BAI_ETH_RPC_URL', async () => {
    const other = `0x${'22'.repeat(32)}`;
    const { e, burns } = env({}, { BAI_ETH_PRIVATE_KEY: KEY, BAI_ETH_RPC_URL: 'http://eth:1' });
    await bridgeBurn({ amount: '1', to: bob, bridge: BRIDGE, 'eth-key': other }, e);
    assert.deepEqual([burns[0]!.privateKey, burns[0]!.bridge, burns[0]!.rpcUrl], [other, BRIDGE, 'http://eth:1']);
  });

  it('refuses without a key, a bad recipient, amount or bridge, and when the gateway cannot tell the bridge', async () => {
    await assert.rejects(bridgeBurn({ amount: '1', to: bob, bridge: BRIDGE }, env({}, {}).e), (e: unknown) => e instanceof UsageError && /BAI_ETH_PRIVATE_KEY/.test(e.message));
    await assert.rejects(bridgeBurn({ amount: '1', to: '0x12', bridge: BRIDGE }, env({}).e), UsageError);
    await assert.rejects(bridgeBurn({ amount: '0', to: bob, bridge: BRIDGE }, env({}).e), UsageError);
    await assert.rejects(bridgeBurn({ amount: '1', to: bob, bridge: '0x1' }, env({}).e), UsageError);
    await assert.rejects(bridgeBurn({ to: bob }, env({}).e), UsageError);
    const noEth = env({ 'http://127.0.0.1:8080/v1/bridge': [200, { wbai: null, ethereumNote: 'no Ethereum RPC configured (BAI_BRIDGE_ETH_RPC_URL)' }] });
    await assert.rejects(bridgeBurn({ amount: '1', to: bob }, noEth.e), (e: unknown) => e instanceof BridgeStatusError && e.code === 'BRIDGE_ADDRESS_UNKNOWN' && /BAI_BRIDGE_ETH_RPC_URL/.test(e.message));
    assert.equal(noEth.burns.length, 0);
  });
});

describe('balanceai bridge mint', () => {
  const lock = (status: string, n: number) => ({
    lockId: LOCK_ID,
    status,
    threshold: 2,
    mint: { lockId: LOCK_ID, recipient: `0x${'ab'.repeat(20)}`, amount: '1500000000000000007', deadline: '1900000000' },
    signatures: [1, 2, 3].slice(0, n).map((i) => ({ signer: `0x${String(i).repeat(40)}`, signature: `0x${String(i).repeat(130)}` })),
    signaturesNote: null,
  });

  it('submits the Mint message with M of the collected signatures, in the gateway\'s (ascending) order', async () => {
    const { e, mints, lines } = env({ [`http://gw:1/v1/bridge/locks/${LOCK_ID}`]: [200, lock('signed 2/2', 3)], 'http://gw:1/v1/bridge': OVERVIEW });
    await bridgeMint(LOCK_ID, { gateway: 'http://gw:1' }, e);
    assert.equal(mints.length, 1);
    assert.deepEqual(mints[0]!.message, { lockId: LOCK_ID, recipient: `0x${'ab'.repeat(20)}`, amount: 1_500_000_000_000_000_007n, deadline: 1_900_000_000n });
    assert.deepEqual(mints[0]!.signatures.map((s) => s.signer), [`0x${'1'.repeat(40)}`, `0x${'2'.repeat(40)}`]);
    assert.equal(mints[0]!.bridge, BRIDGE);
    assert.match(lines[0]!, /^minted 1\.500000000000000007 wBAI to 0xabab/);
  });

  it('refuses under the threshold, a minted or refunded lock, and passes the gateway\'s errors on', async () => {
    const code = (c: string) => (e: unknown) => e instanceof BridgeStatusError && e.code === c;
    const url = `http://127.0.0.1:8080/v1/bridge/locks/${LOCK_ID}`;
    const few = env({ [url]: [200, lock('signed 1/2', 1)] });
    await assert.rejects(bridgeMint(LOCK_ID, {}, few.e), code('TOO_FEW_SIGNATURES'));
    assert.equal(few.mints.length, 0);
    await assert.rejects(bridgeMint(LOCK_ID, {}, env({ [url]: [200, lock('minted', 0)] }).e), code('LOCK_ALREADY_MINTED'));
    await assert.rejects(bridgeMint(LOCK_ID, {}, env({ [url]: [200, lock('refunded', 0)] }).e), code('LOCK_REFUNDED'));
    await assert.rejects(bridgeMint(LOCK_ID, {}, env({ [url]: [404, { code: 'LOCK_NOT_FOUND', message: 'no lock' }] }).e), code('LOCK_NOT_FOUND'));
    await assert.rejects(bridgeMint('0x12', {}, env({}).e), UsageError);
  });
});
