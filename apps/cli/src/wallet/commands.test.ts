import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  ONE_BAI,
  cryptoReady,
  decodeBalancesCall,
  decodeExtrinsic,
  decodeStakingCall,
  fromHex,
  keyFromUri,
  ss58Encode,
  verifyExtrinsic,
  type KeyPair,
} from '@balanceai/chain';
import { FakeChain, GENESIS, hashOf } from '../testing/fake-chain.js';
import { RpcFault } from '../testing/fake-transport.js';
import { staking } from './staking.js';
import { account } from './account.js';
import { transfer } from './transfer.js';
import { watch } from './watch.js';

const RPC = 'ws://fake:8080';
let alice: KeyPair;
let bob: KeyPair;

before(async () => {
  await cryptoReady();
  alice = keyFromUri('//Alice', 'sr25519');
  bob = keyFromUri('//Bob', 'sr25519');
});

describe('balanceai transfer over JSON-RPC', () => {
  it('signs a mortal extrinsic with the next nonce, born at the finalized head, and follows it to finalized', async () => {
    const chain = new FakeChain();
    const done = await transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '1.5', rpc: RPC }, chain.env());

    assert.equal(chain.submitted.length, 1);
    const xt = decodeExtrinsic(fromHex(chain.submitted[0]!));
    assert.deepEqual(xt.signer, alice.publicKey);
    assert.equal(xt.extra.nonce, 7); // system_accountNextIndex, not a stored nonce
    assert.deepEqual(xt.extra.era, { kind: 'mortal', period: 64, phase: 100 % 64 });
    // Signed for this chain: genesis, spec/tx version from state_getRuntimeVersion, birth = block #100.
    assert.ok(verifyExtrinsic(xt, { specVersion: 3, transactionVersion: 2, genesisHash: fromHex(GENESIS), birthHash: fromHex(hashOf(100)) }));
    assert.deepEqual(decodeBalancesCall(xt.call), { name: 'transfer_allow_death', dest: bob.publicKey, value: (3n * ONE_BAI) / 2n });
    assert.deepEqual(chain.transport.requestsOf('system_accountNextIndex').map((r) => r.params), [[ss58Encode(alice.publicKey, 42)]]);

    assert.equal(done.blockNumber, 101);
    assert.equal(done.index, 1);
    assert.deepEqual(chain.lines, [
      `Balances.transfer_allow_death 1.5 BAI to ${ss58Encode(bob.publicKey, 42)} from ${ss58Encode(alice.publicKey, 42)} (nonce 7, valid 64 blocks from #100)`,
      `submitting ${done.hash} to ${RPC}`,
      '  ready',
      `  in block ${hashOf(101)}`,
      `  finalized in #101 ${hashOf(101)} (extrinsic 1)`,
      '  events: System.ExtrinsicSuccess',
      'ok',
    ]);
    assert.ok(chain.transport.closed, 'the connection is closed so the process can exit');
  });

  it('keep-alive sends transfer_keep_alive', async () => {
    const chain = new FakeChain();
    await transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '2', 'keep-alive': true, rpc: RPC }, chain.env());
    assert.equal(decodeBalancesCall(decodeExtrinsic(fromHex(chain.submitted[0]!)).call).name, 'transfer_keep_alive');
  });

  it('reports a 1010 Invalid Transaction with its reason in one line', async () => {
    const chain = new FakeChain({
      author_submitAndWatchExtrinsic: () => {
        throw new RpcFault(1010, 'Invalid Transaction', 'Inability to pay some fees (e.g. account balance too low)');
      },
    });
    const err = (await transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '1', rpc: RPC }, chain.env()).catch((e: unknown) => e)) as Error & { code: string };
    assert.equal(err.code, 'INVALID_TRANSACTION');
    assert.equal(err.message, 'the chain refused the transaction: Invalid Transaction (1010): Inability to pay some fees (e.g. account balance too low)');
    assert.ok(!err.message.includes('\n'));
    assert.ok(chain.transport.closed);
  });

  it('fails with the dispatch error when the block says System.ExtrinsicFailed', async () => {
    const chain = new FakeChain();
    chain.failWith = 2; // Balances.InsufficientBalance
    await assert.rejects(transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '1', rpc: RPC }, chain.env()), {
      code: 'EXTRINSIC_FAILED',
      message: `finalized in #101 (${hashOf(101)}) but failed: Balances.InsufficientBalance`,
    });
  });

  it('a transaction the pool drops is an error, not a hang', async () => {
    const chain = new FakeChain();
    chain.submitStatuses = () => ['ready', 'dropped'];
    await assert.rejects(transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '1', rpc: RPC }, chain.env()), { code: 'NOT_FINALIZED', message: /dropped/ });
  });

  it('gives up after --timeout when finality never comes', async () => {
    const chain = new FakeChain();
    chain.submitStatuses = () => ['ready'];
    await assert.rejects(transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '1', rpc: RPC, timeout: '0.05' }, chain.env()), { code: 'RPC_TIMEOUT' });
  });

  it('refuses a chain whose token has other decimals than BAI', async () => {
    const chain = new FakeChain();
    chain.tokenDecimals = 12;
    await assert.rejects(transfer({ from: '//Alice', to: ss58Encode(bob.publicKey, 42), amount: '1', rpc: RPC }, chain.env()), { code: 'CHAIN_MISMATCH' });
    assert.equal(chain.submitted.length, 0);
  });
});

describe('balanceai staking commands', () => {
  it('bond sends Staking.bond with the amount and payee', async () => {
    const chain = new FakeChain();
    await staking('bond', { from: '//Alice', amount: '100', payee: 'Stash', rpc: RPC }, chain.env());
    const xt = decodeExtrinsic(fromHex(chain.submitted[0]!));
    assert.equal(xt.call.palletIndex, 7);
    assert.deepEqual(decodeStakingCall(xt.call.callIndex, xt.call.args), { call: 'bond', value: 100n * ONE_BAI, payee: 'Stash' });
  });

  it('nominate, unbond, withdraw, validate, chill and set-consensus-key send their calls', async () => {
    const cases: Array<[string, Record<string, string | boolean>, unknown]> = [
      ['nominate', { targets: `${ss58Encode(bob.publicKey, 42)},0x${'11'.repeat(32)}` }, { call: 'nominate', targets: [bob.publicKey, new Uint8Array(32).fill(0x11)] }],
      ['unbond', { amount: '0.5' }, { call: 'unbond', value: ONE_BAI / 2n }],
      ['withdraw', {}, { call: 'withdraw_unbonded', numSlashingSpans: 0 }],
      ['validate', { commission: '2.5', blocked: true }, { call: 'validate', commission: 25_000_000n, blocked: true }],
      ['chill', {}, { call: 'chill' }],
      ['set-consensus-key', { key: `0x${'22'.repeat(32)}` }, { call: 'set_consensus_key', key: new Uint8Array(32).fill(0x22) }],
      ['set-consensus-key', { key: '//validator' }, { call: 'set_consensus_key', key: keyFromUri('//validator', 'ed25519').publicKey }],
    ];
    for (const [command, opts, expected] of cases) {
      const chain = new FakeChain();
      await staking(command, { from: '//Alice', rpc: RPC, ...opts }, chain.env());
      const xt = decodeExtrinsic(fromHex(chain.submitted[0]!));
      assert.deepEqual(decodeStakingCall(xt.call.callIndex, xt.call.args), expected, command);
    }
  });

  it('refuses bad arguments before connecting', async () => {
    const chain = new FakeChain();
    await assert.rejects(staking('bond', { from: '//Alice', amount: '1', payee: 'Controller', rpc: RPC }, chain.env()), /--payee must be Staked or Stash/);
    await assert.rejects(staking('nominate', { from: '//Alice', targets: 'a,a', rpc: RPC }, chain.env()), /twice/);
    await assert.rejects(staking('validate', { from: '//Alice', commission: '101', rpc: RPC }, chain.env()), /at most 100/);
    assert.equal(chain.transport.requests.length, 0);
  });
});

describe('balanceai account and watch', () => {
  it('account prints System.Account at the finalized head', async () => {
    const chain = new FakeChain();
    chain.setAccount(alice.publicKey, 0, { nonce: 3, providers: 1, free: 10n * ONE_BAI, frozen: 4n * ONE_BAI });
    await account(ss58Encode(alice.publicKey, 42), { rpc: RPC }, chain.env());
    const out = JSON.parse(chain.lines.join('\n'));
    assert.equal(out.address, ss58Encode(alice.publicKey, 42));
    assert.deepEqual(out.at, { number: 100, hash: hashOf(100) });
    assert.equal(out.nonce, 3);
    assert.equal(out.free, (10n * ONE_BAI).toString());
    assert.equal(out.freeBai, '10');
    assert.equal(out.transferableBai, '6');
    assert.deepEqual(chain.transport.requestsOf('state_getStorage')[0]!.params[1], hashOf(100));
  });

  it('watch prints every finalized block once, filling gaps, and the account when its balance changes', async () => {
    const chain = new FakeChain({
      chain_subscribeFinalizedHeads: (_p, node) => {
        const head = (n: number) => ({ parentHash: hashOf(n - 1), number: `0x${n.toString(16)}`, stateRoot: hashOf(0), extrinsicsRoot: hashOf(0), digest: { logs: [] } });
        for (const n of [97, 97, 100]) node.notify('chain_finalizedHead', 'heads', head(n)); // a repeat, then a jump of three
        return 'heads';
      },
      chain_unsubscribeFinalizedHeads: () => true,
    });
    chain.blocks.set(99, ['0x0400', '0x0401', '0x0402']);
    chain.setAccount(alice.publicKey, 0, { nonce: 1, free: 5n * ONE_BAI });
    chain.setAccount(alice.publicKey, 99, { nonce: 2, free: 3n * ONE_BAI, reserved: 1n * ONE_BAI });
    await watch({ rpc: RPC, account: ss58Encode(alice.publicKey, 42), count: '4' }, chain.env());
    const a = ss58Encode(alice.publicKey, 42);
    assert.deepEqual(chain.lines, [
      `#97 ${hashOf(97)} 1 extrinsic`,
      `  ${a} free 5 reserved 0 frozen 0 nonce 1`,
      `#98 ${hashOf(98)} 1 extrinsic`,
      `#99 ${hashOf(99)} 3 extrinsics`,
      `  ${a} free 3 (-2) reserved 1 (+1) frozen 0 nonce 2`,
      `#100 ${hashOf(100)} 1 extrinsic`,
    ]);
    assert.ok(chain.transport.closed);
  });

  it('watch stops cleanly when aborted (Ctrl-C)', async () => {
    const chain = new FakeChain({ chain_subscribeFinalizedHeads: () => 'heads', chain_unsubscribeFinalizedHeads: () => true });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);
    await watch({ rpc: RPC }, chain.env(), abort.signal);
    assert.deepEqual(chain.transport.requestsOf('chain_unsubscribeFinalizedHeads').map((r) => r.params), [['heads']]);
  });
});
