import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BRIDGE_ETH, bridgeBurnId, toHex, uint256Word } from '@balanceai/chain';
import { BridgeConfigError, BridgeEthereum, EthereumUnavailable, bridgeEthereumOptions, type BridgeEthereumOptions, type Fetch } from './bridge.ethereum.js';
import { relayersView } from './bridge.views.js';

// Mint signatures made with viem (ethereum/ signMint) by keys 0x11…, 0x22…, 0x33… for this domain and lock;
// key 3 signed 1 base unit more (a relayer signing a wrong amount).
const BRIDGE = '0x5fbdb2315678afecb367f032d93f642f64180aa3';
const TOKEN = `0x${'77'.repeat(20)}`;
const LOCK = { lockId: `0x${'5c'.repeat(32)}`, recipient: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8', amount: 1_500_000_000_000_000_000n, deadline: 1_899_999_999n };
const SIGNERS = ['0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a', '0x1563915e194d8cfba1943570603f7606a3115508', '0x5cbdd86a2fa8dc4bddd8a8f69dba48572eec07fb'];
const SIGS = [
  '0x285fb874615360aff3fc693d1e12c30c2fed88af334bc66476f9f9d62b184a6a4d5debd6ad1d73bdcf5b112640a7c92ead7a484a71eb2e19434fca2b1611f7041b',
  '0x6ee3ed562ba4ee82b28fb4dfccb246730cc381f1309faa40867da71e6155c7b636ec54427452c31e5a0b1bc8682cf11cb59dff38464456eb31a15b927820c6501b',
  '0x590202e770b965e3d0aa19faea3c24fe985667006a8bc1e308358f4988f6b259063d67f370fd63e55548ccd8c31705bcec3191aeb8aaeeaa7936196d9dd8565f1c',
];
const ACCOUNTS = ['0x0a', '0x0b', '0x0c'].map((a) => `${a}${'00'.repeat(31)}`);
const word = (v: bigint) => toHex(uint256Word(v)).slice(2);
const addressWord = (a: string) => `${'00'.repeat(12)}${a.slice(2)}`;

interface World {
  /** What board i serves for LOCK (undefined: 404). */
  served: Array<{ message: typeof LOCK; signer: string; signature: string } | undefined>;
  contractRelayers: string[];
  head: bigint;
  burns: Array<{ nonce: bigint; block: bigint; recipient: string; amount: bigint }>;
  supply: bigint;
  calls: string[];
}

function world(over: Partial<World> = {}): World {
  return {
    served: [0, 1].map((i) => ({ message: LOCK, signer: SIGNERS[i]!, signature: SIGS[i]! })),
    contractRelayers: [...SIGNERS],
    head: 100n,
    burns: [],
    supply: 0n,
    calls: [],
    ...over,
  };
}

function fakeFetch(w: World): Fetch {
  const json = (status: number, body: unknown) => ({ status, json: async () => JSON.parse(JSON.stringify(body, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) as unknown });
  return async (url, init) => {
    w.calls.push(url);
    const board = /^http:\/\/r(\d)(\/.*)$/.exec(url);
    if (board) {
      const i = Number(board[1]);
      if (i === 3) throw new Error('connect ECONNREFUSED');
      if (board[2] === '/healthz') return json(i === 2 ? 503 : 200, { account: ACCOUNTS[i], lastTickOk: i !== 2, lastTickAtMs: 5, consecutiveFailures: i === 2 ? 4 : 0, ethAddress: SIGNERS[i], bridge: BRIDGE, chainId: 31337 });
      const s = w.served[i];
      return s && board[2] === `/v1/bridge/signatures/${LOCK.lockId}` ? json(200, s) : json(404, { code: 'NOT_SIGNED' });
    }
    assert.equal(url, 'http://eth');
    const { method, params } = JSON.parse(init!.body!) as { method: string; params: any[] };
    const ok = (result: unknown) => json(200, { jsonrpc: '2.0', id: 1, result });
    if (method === 'eth_chainId') return ok('0x7a69');
    if (method === 'eth_blockNumber') return ok(`0x${w.head.toString(16)}`);
    if (method === 'eth_call') {
      const { to, data } = params[0] as { to: string; data: string };
      if (data === BRIDGE_ETH.relayers) return ok(`0x${word(32n)}${word(BigInt(w.contractRelayers.length))}${w.contractRelayers.map(addressWord).join('')}`);
      if (to === BRIDGE && data === BRIDGE_ETH.token) return ok(`0x${addressWord(TOKEN)}`);
      if (to === BRIDGE && data === BRIDGE_ETH.burnNonce) return ok(`0x${word(BigInt(w.burns.length))}`);
      if (to === TOKEN && data === BRIDGE_ETH.totalSupply) return ok(`0x${word(w.supply)}`);
    }
    if (method === 'eth_getLogs') {
      const nonce = BigInt(params[0].topics[1]);
      assert.equal(params[0].topics[0], BRIDGE_ETH.burnedTopic);
      return ok(w.burns.filter((b) => b.nonce === nonce).map((b) => ({ topics: [BRIDGE_ETH.burnedTopic, `0x${word(b.nonce)}`, `0x${addressWord(LOCK.recipient)}`, b.recipient], data: `0x${word(b.amount)}`, blockNumber: `0x${b.block.toString(16)}` })));
    }
    return json(200, { jsonrpc: '2.0', id: 1, error: { message: `unexpected ${method}` } });
  };
}

const opts = (over: Partial<BridgeEthereumOptions> = {}): BridgeEthereumOptions => ({ relayerUrls: ['http://r0', 'http://r1', 'http://r2', 'http://r3'], ethRpcUrl: 'http://eth', contract: null, confirmations: 4, timeoutMs: 1_000, ...over });

describe('gateway bridge: the Ethereum half', () => {
  it('collects the relayers\' signatures of a lock, signers ascending, skipping boards that are down', async () => {
    const e = new BridgeEthereum(opts(), fakeFetch(world()));
    const got = await e.signatures(LOCK);
    assert.deepEqual(got.signatures.map((s) => s.signer), [SIGNERS[1], SIGNERS[0]]);
    assert.deepEqual(got.signatures.find((s) => s.signer === SIGNERS[0])?.signature, SIGS[0]);
    assert.deepEqual(got.refused, []);
    assert.deepEqual(got.missing, ['http://r2', 'http://r3']);
  });

  it('refuses a relayer that signed a wrong amount, a signature claimed by another signer, and a signer BaiBridge does not know', async () => {
    const w = world({ contractRelayers: [SIGNERS[0]!, SIGNERS[2]!] });
    // r1: a valid signature by a key BaiBridge no longer has; r2: the wrong-amount message as it signed it.
    w.served[2] = { message: { ...LOCK, amount: LOCK.amount + 1n }, signer: SIGNERS[2]!, signature: SIGS[2]! };
    let got = await new BridgeEthereum(opts(), fakeFetch(w)).signatures(LOCK);
    assert.deepEqual(got.signatures.map((s) => s.signer), [SIGNERS[0]]);
    assert.deepEqual(got.refused.map((r) => [r.url, r.reason.split(':')[0]]), [['http://r1', 'NOT_RELAYER'], ['http://r2', 'MESSAGE_MISMATCH']]);
    // r2 now claims its wrong-amount signature is of the real lock: it does not recover to it.
    w.served[2] = { message: LOCK, signer: SIGNERS[2]!, signature: SIGS[2]! };
    got = await new BridgeEthereum(opts(), fakeFetch(w)).signatures(LOCK);
    assert.deepEqual(got.refused.map((r) => [r.url, r.reason.split(':')[0]]), [['http://r1', 'NOT_RELAYER'], ['http://r2', 'BAD_SIGNATURE']]);
    // A forged signature (one byte changed) recovers to someone else.
    w.served[2] = { message: LOCK, signer: SIGNERS[0]!, signature: SIGS[0]!.replace(/..$/, '1c') };
    got = await new BridgeEthereum(opts(), fakeFetch(w)).signatures(LOCK);
    assert.equal(got.refused.find((r) => r.url === 'http://r2')?.reason.split(':')[0], 'BAD_SIGNATURE');
  });

  it('without an Ethereum RPC, the boards\' keys are the relayer set and their bridge the domain', async () => {
    const w = world();
    const got = await new BridgeEthereum(opts({ ethRpcUrl: null }), fakeFetch(w)).signatures(LOCK);
    assert.equal(got.signatures.length, 2);
    assert.ok(!w.calls.includes('http://eth'));
    await assert.rejects(new BridgeEthereum(opts({ ethRpcUrl: null }), fakeFetch(w)).supply(), EthereumUnavailable);
  });

  it('a configured contract that differs from the boards\' makes every signature fail to recover', async () => {
    const got = await new BridgeEthereum(opts({ contract: `0x${'99'.repeat(20)}` }), fakeFetch(world())).signatures(LOCK);
    assert.equal(got.signatures.length, 0);
    assert.deepEqual(got.refused.map((r) => r.reason.split(':')[0]), ['BAD_SIGNATURE', 'BAD_SIGNATURE']);
  });

  it('reads wBAI supply at the latest block, and a burn as burned, then confirmed', async () => {
    const w = world({ supply: 7n, burns: [{ nonce: 1n, block: 98n, recipient: `0x${'0b'.repeat(32)}`, amount: 5n }] });
    const e = new BridgeEthereum(opts(), fakeFetch(w));
    assert.deepEqual(await e.supply(), { supply: 7n, block: 100n, bridge: BRIDGE, token: TOKEN, chainId: 31337 });
    const id = bridgeBurnId(31337, BRIDGE, 1n);
    let b = await e.burn(id.toUpperCase().replace('0X', '0x'));
    assert.deepEqual(b && [b.nonce, b.amount, b.baiRecipient, b.confirmations, b.confirmed, b.from], [1n, 5n, `0x${'0b'.repeat(32)}`, 3n, false, LOCK.recipient]);
    w.head = 101n;
    b = await e.burn(id);
    assert.deepEqual(b && [b.confirmations, b.confirmed], [4n, true]);
    assert.equal(await e.burn(bridgeBurnId(31337, BRIDGE, 2n)), null, 'no such nonce yet');
    // Reorged away: the nonce is counted but the event is gone.
    w.burns = [{ nonce: 1n, block: 98n, recipient: `0x${'0b'.repeat(32)}`, amount: 5n }, { nonce: 2n, block: 99n, recipient: `0x${'0b'.repeat(32)}`, amount: 1n }];
    assert.equal((await e.burn(bridgeBurnId(31337, BRIDGE, 2n)))?.amount, 1n);
    // Reorged away: the nonce is still counted but its event is gone from the chain.
    w.burns = [{ nonce: 1n, block: 98n, recipient: `0x${'0b'.repeat(32)}`, amount: 5n }, { nonce: 2n, block: 99n, recipient: `0x${'0b'.repeat(32)}`, amount: 1n }];
    const e2 = new BridgeEthereum(opts(), fakeFetch(w));
    assert.equal((await e2.burn(bridgeBurnId(31337, BRIDGE, 1n)))?.amount, 5n);
    w.burns = [{ nonce: 2n, block: 99n, recipient: `0x${'0b'.repeat(32)}`, amount: 1n }, { nonce: 3n, block: 99n, recipient: `0x${'0b'.repeat(32)}`, amount: 1n }];
    assert.equal(await e2.burn(bridgeBurnId(31337, BRIDGE, 1n)), null);
  });

  it('the relayer set joined with the boards\' health', async () => {
    const boards = await new BridgeEthereum(opts(), fakeFetch(world())).boards();
    const v = relayersView('0xat', [ACCOUNTS[2]!, ACCOUNTS[0]!, `0x${'0d'.repeat(32)}`], 2, boards);
    assert.deepEqual(v.relayers.map((r) => [r.account, r.inSet, r.board, r.healthy]), [
      [ACCOUNTS[0], true, 'http://r0', true],
      [ACCOUNTS[2], true, 'http://r2', false],
      [`0x${'0d'.repeat(32)}`, true, null, false],
      [ACCOUNTS[1], false, 'http://r1', true],
      ['', false, 'http://r3', false],
    ]);
    assert.equal(v.healthy, 1);
    assert.equal(v.relayers[1]!.consecutiveFailures, 4);
    assert.match(v.relayers[4]!.error ?? '', /ECONNREFUSED/);
  });

  it('a board that goes down is still shown as the relayer it last was', async () => {
    let down = false;
    const base = fakeFetch(world());
    const e = new BridgeEthereum(opts({ relayerUrls: ['http://r0'] }), async (url, init) => {
      if (down) throw new Error('connect ECONNREFUSED');
      return base(url, init);
    });
    assert.equal((await e.boards())[0]!.account, ACCOUNTS[0]);
    down = true;
    const [b] = await e.boards();
    assert.deepEqual([b!.account, b!.ethAddress, b!.reachable, b!.healthy], [ACCOUNTS[0], SIGNERS[0], false, false]);
    const v = relayersView('0xat', [ACCOUNTS[0]!], 2, [b!]);
    assert.deepEqual(v.relayers.map((r) => [r.account, r.inSet, r.healthy]), [[ACCOUNTS[0], true, false]]);
  });

  it('configuration: URLs, contract and confirmations checked, naming the variable', () => {
    const c = bridgeEthereumOptions({ BAI_BRIDGE_RELAYER_URLS: ' http://127.0.0.1:9620/ ,http://127.0.0.1:9622', BAI_BRIDGE_ETH_RPC_URL: 'http://127.0.0.1:8545', BAI_BRIDGE_CONTRACT: BRIDGE.toUpperCase().replace('0X', '0x'), BAI_BRIDGE_CONFIRMATIONS: '3' });
    assert.deepEqual([c.relayerUrls, c.ethRpcUrl, c.contract, c.confirmations], [['http://127.0.0.1:9620', 'http://127.0.0.1:9622'], 'http://127.0.0.1:8545', BRIDGE, 3]);
    assert.deepEqual(bridgeEthereumOptions({}).relayerUrls, []);
    const bad = (env: Record<string, string>) => {
      try {
        bridgeEthereumOptions(env);
      } catch (err) {
        assert.ok(err instanceof BridgeConfigError);
        return err.variable;
      }
      assert.fail('accepted');
    };
    assert.equal(bad({ BAI_BRIDGE_RELAYER_URLS: 'ftp://x' }), 'BAI_BRIDGE_RELAYER_URLS');
    assert.equal(bad({ BAI_BRIDGE_ETH_RPC_URL: 'nope' }), 'BAI_BRIDGE_ETH_RPC_URL');
    assert.equal(bad({ BAI_BRIDGE_CONTRACT: '0x12' }), 'BAI_BRIDGE_CONTRACT');
    assert.equal(bad({ BAI_BRIDGE_CONFIRMATIONS: '0' }), 'BAI_BRIDGE_CONFIRMATIONS');
  });
});
