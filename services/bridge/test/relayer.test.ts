// Relayers between a real EVM (anvil from npm, BaiBridge + WrappedBAI deployed) and the bridge module's
// state machine executed block by block (BridgeMachine with a ledger, the calls the relayers submit as
// extrinsics signed by their BAI accounts). BAI → wBAI → BAI round trips exact to the base unit; forged,
// wrong-amount, under-threshold and replayed mint signatures refused; a relayer crash and restart from its
// saved progress; an Ethereum reorg shallower than the confirmations; a deadline-expired lock refunded
// exactly once and never mintable after. wBAI supply ≤ escrow is checked after every block of either chain.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestClient, getAddress, http, keccak256, toHex as viemHex, type Hex, type LocalAccount, type TestClient } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { BridgeClient, BridgeError, assertSupplyInvariant, connect, deployBridge, signMint, sortAddresses, startAnvil, type Anvil, type RelayerSignature } from '@balanceai/ethereum';
import { DEFAULT_BRIDGE_GENESIS, ONE_BAI, bridgeLockId, cryptoReady, devGenesis, encodeBridgeCall, keyFromUri, toHex, type BridgeCallData, type Genesis } from '@balanceai/chain';
import type { ExecuteBlockOutput } from '@balanceai/module-host';
import { BRIDGE_MODULE_ACCOUNT, BridgeMachine, bridgeSetupFromGenesis } from '../src/index.js';
import type { BridgeState } from '../src/logic/types.js';
import { FileProgressStore, MemorySignatureBoard, Relayer, ViemEthPort, type BaiPort, type BaiSnapshot } from '../src/relayer/index.js';

const MNEMONIC = 'test test test test test test test test test test test junk';
const CHAIN_ID = 31337;
const CONFIRMATIONS = 3;
const TTL = 600;
const BLOCK_MS = 2_000n;
const id = (uri: string) => toHex(keyFromUri(uri, 'sr25519').publicKey);
const ALICE = id('//Alice');
const BOB = id('//Bob');
const RELAYER_BAI = ['//Relayer1', '//Relayer2', '//Relayer3'].map(id);

/** The bridge module executed block by block like consensus does, with a ledger applying its transfers. */
class BaiSim {
  state: BridgeState;
  readonly balances = new Map<string, bigint>([
    [ALICE, 1_000n * ONE_BAI],
    [BOB, 0n],
  ]);
  mempool: Array<{ signer: string; call: BridgeCallData }> = [];
  outputs: ExecuteBlockOutput[] = [];
  constructor(
    readonly machine: BridgeMachine,
    public timeMs: bigint,
  ) {
    this.state = machine.initialState();
  }

  bal = (a: string) => this.balances.get(a) ?? 0n;

  produce(): ExecuteBlockOutput {
    const calls = this.mempool;
    this.mempool = [];
    this.timeMs += BLOCK_MS;
    const { state, output } = this.machine.executeBlock(this.state, {
      context: { height: this.state.height + 1n, blockHash: '0x', timeMs: this.timeMs, proposerIndex: 0, lastCommitSigners: [], offences: [], totalIssuance: null, validators: [] },
      calls: calls.map((c, i) => {
        const e = encodeBridgeCall(c.call);
        return { extrinsicIndex: i + 1, extrinsicHash: '0x', signer: c.signer, callIndex: e.callIndex, args: e.args };
      }),
      signerBalances: new Map([...new Set(calls.map((c) => c.signer))].sort().map((s) => [s, this.bal(s)])),
      moduleBalances: new Map([[BRIDGE_MODULE_ACCOUNT, this.bal(BRIDGE_MODULE_ACCOUNT)]]),
    });
    for (const t of output.transfers) {
      assert.ok(t.kind !== 'mint' && this.bal(t.from) >= t.amount, 'the ledger refuses an overdraft');
      this.balances.set(t.from, this.bal(t.from) - t.amount);
      this.balances.set(t.to, this.bal(t.to) + t.amount);
    }
    this.state = state;
    this.outputs.push(output);
    assert.equal(this.bal(BRIDGE_MODULE_ACCOUNT), state.escrow);
    return output;
  }

  snapshot(): BaiSnapshot {
    const s = this.state;
    return {
      height: s.height,
      timeMs: this.timeMs,
      // As Bridge.OpenLocks gives them to the gateway port: the locks still Locked.
      locks: [...s.locks.values()].filter((l) => l.status === 'Locked'),
      burns: new Map([...s.burns.values()].map((b) => [b.id, { id: b.id, status: b.status, attesters: b.attestations.map((a) => a.relayer) }])),
    };
  }

  port(account: string): BaiPort {
    return {
      finalized: async () => this.snapshot(),
      submit: async (call) => void this.mempool.push({ signer: account, call }),
    };
  }
}

let anvil: Anvil;
let test: TestClient;
let client: BridgeClient;
let user: LocalAccount;
let deployBlock: bigint;
let ethKeys: LocalAccount[];
let sim: BaiSim;
let genesis: Genesis;
let dir: string;
const board = new MemorySignatureBoard();
let relayers: Relayer[] = [];
const checks: Array<{ supply: bigint; escrow: bigint }> = [];

async function invariant(): Promise<void> {
  const c = await assertSupplyInvariant(client.conn.publicClient, client.token, sim.state.escrow);
  checks.push({ supply: c.wbaiSupply, escrow: c.baiEscrow });
}

/** A BAI block, then the invariant. */
async function baiBlock(): Promise<ExecuteBlockOutput> {
  const out = sim.produce();
  await invariant();
  return out;
}

/** Ethereum blocks (anvil mines on demand), the invariant after each. */
async function ethBlocks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await test.mine({ blocks: 1 });
    await invariant();
  }
}

function makeRelayer(i: number): Relayer {
  const store = new FileProgressStore(join(dir, `relayer-${i}.json`));
  let eth: ViemEthPort | undefined;
  const lazyEth = async () => (eth ??= new ViemEthPort({ client, account: ethKeys[i]!, confirmations: CONFIRMATIONS, fromBlock: deployBlock, resume: await store.load() }));
  return new Relayer({
    account: RELAYER_BAI[i]!,
    bai: sim.port(RELAYER_BAI[i]!),
    board,
    store,
    eth: {
      signMint: async (m) => (await lazyEth()).signMint(m),
      finalBlock: async () => (await lazyEth()).finalBlock(),
      lockStatus: async (l, b) => (await lazyEth()).lockStatus(l, b),
      refundable: async (l, d, b) => (await lazyEth()).refundable(l, d, b),
      pollBurns: async () => (await lazyEth()).pollBurns(),
      burnCursor: () => eth!.burnCursor(),
    },
  });
}

async function tickAll(): Promise<BridgeCallData[]> {
  const out: BridgeCallData[] = [];
  for (const r of relayers) out.push(...(await r.tick()).submitted);
  return out;
}

const signaturesFor = (lockId: string): RelayerSignature[] => board.collect(lockId).map((s) => ({ signer: getAddress(s.signer), signature: s.signature as Hex }));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof BridgeError, String(err));
    return err.code;
  }
  assert.fail('expected a refusal');
}

before(async () => {
  await cryptoReady();
  dir = mkdtempSync(join(tmpdir(), 'bai-relayer-'));
  anvil = await startAnvil({ chainId: CHAIN_ID });
  const deployer = mnemonicToAccount(MNEMONIC, { addressIndex: 0 });
  user = mnemonicToAccount(MNEMONIC, { addressIndex: 1 });
  const conn = connect({ rpcUrl: anvil.rpcUrl, chainId: CHAIN_ID, account: deployer, pollingIntervalMs: 20 });
  test = createTestClient({ mode: 'anvil', chain: conn.chain, transport: http(anvil.rpcUrl) });
  ethKeys = [0, 1, 2].map((i) => privateKeyToAccount(keccak256(viemHex(`bai-relayer-${i}`))));
  const d = await deployBridge(conn, { relayers: sortAddresses(ethKeys.map((k) => k.address)), threshold: 2n });
  client = new BridgeClient(conn, d.bridge, d.token).as(user);
  deployBlock = d.deployBlock;
  genesis = { ...devGenesis({ validators: 1, genesisTimeMs: 1 }).genesis, bridge: { ...DEFAULT_BRIDGE_GENESIS, relayers: RELAYER_BAI, threshold: 2, lockTtlSecs: TTL } };
  const start = (await conn.publicClient.getBlock()).timestamp * 1000n;
  sim = new BaiSim(new BridgeMachine(bridgeSetupFromGenesis(genesis)), start);
  relayers = [0, 1, 2].map(makeRelayer);
});

after(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('relayers between anvil and the bridge module', () => {
  const lock0 = () => bridgeLockId(genesis.chainId, 0n);

  it('BAI → wBAI: a lock is signed by every relayer, minted by the user with M signatures, then reported minted on BAI', async () => {
    sim.mempool.push({ signer: ALICE, call: { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: 100n * ONE_BAI } });
    await baiBlock();
    assert.equal(sim.state.escrow, 100n * ONE_BAI);
    assert.deepEqual(await tickAll(), [], 'nothing to attest yet');
    const sigs = signaturesFor(lock0());
    assert.equal(sigs.length, 3);
    const lock = sim.state.locks.get(lock0())!;
    const message = { lockId: lock0() as Hex, recipient: user.address, amount: lock.amount, deadline: lock.deadline };
    // A relayer that signs a wrong amount, a forged signature, one signature, and a wrong-amount pair are all refused.
    const wrong = await signMint(ethKeys[0]!, client.domain, { ...message, amount: message.amount + 1n });
    assert.equal(await refusal(client.mint(message, [wrong, sigs[1]!])), 'SIGNER_MISMATCH');
    // On the contract a wrong-amount signature recovers to an unrelated address: which refusal depends on that address.
    assert.match(await refusal(client.mintWithSignatures(message, [wrong.signature, sigs[1]!.signature])), /^(NOT_RELAYER|SIGNERS_NOT_ASCENDING)$/);
    const outsider = await signMint(user, client.domain, message);
    assert.match(await refusal(client.mint(message, [outsider, sigs[1]!])), /NOT_RELAYER|SIGNERS_NOT_ASCENDING/);
    assert.equal(await refusal(client.mint(message, [sigs[0]!])), 'TOO_FEW_SIGNATURES');
    await invariant();
    await client.mint(message, sigs.slice(0, 2));
    await invariant();
    assert.equal(await client.balanceOf(user.address), 100n * ONE_BAI);
    assert.equal(await refusal(client.mint(message, sigs)), 'LOCK_ALREADY_PROCESSED', 'a replayed mint');
    // Not final on Ethereum yet: nobody reports it.
    assert.deepEqual(await tickAll(), []);
    await ethBlocks(CONFIRMATIONS);
    const reports = await tickAll();
    assert.deepEqual(reports.map((c) => c.call), ['attest_minted', 'attest_minted', 'attest_minted']);
    const out = await baiBlock();
    assert.deepEqual(out.results.map((r) => r.errorCode ?? ''), ['', '', 'Bridge.LockMinted']);
    assert.equal(sim.state.locks.get(lock0())!.status, 'Minted');
    assert.deepEqual(await tickAll(), [], 'a minted lock needs nothing more');
  });

  it('wBAI → BAI: a burn is attested after its confirmations and released exactly once; a relayer restarted from its progress does not attest it again', async () => {
    const { nonce } = await client.burn(40n * ONE_BAI, BOB as Hex);
    assert.equal(nonce, 1n);
    await invariant();
    assert.deepEqual(await tickAll(), [], 'not confirmed yet');
    await ethBlocks(CONFIRMATIONS - 1);
    const attests = await tickAll();
    assert.deepEqual(attests.map((c) => c.call), ['attest_burn', 'attest_burn', 'attest_burn']);
    const out = await baiBlock();
    assert.deepEqual(out.events.map((e) => e.name), ['BurnAttested', 'BurnAttested', 'Released']);
    assert.equal(sim.bal(BOB), 40n * ONE_BAI);
    // Relayer 0 crashes and restarts from its file: the burn is not delivered again.
    const saved = await new FileProgressStore(join(dir, 'relayer-0.json')).load();
    assert.equal(saved?.lastNonce, 1n);
    assert.deepEqual(saved?.pendingBurns.map((b) => b.nonce), [1n], 'kept until the pallet shows it confirmed');
    relayers[0] = makeRelayer(0);
    assert.deepEqual(await tickAll(), []);
    assert.equal(sim.mempool.length, 0);
    const after = await new FileProgressStore(join(dir, 'relayer-0.json')).load();
    assert.equal(after?.lastNonce, 1n, 'resumed after burn 1 (a fresh watcher would start again at nonce 0)');
    assert.ok(after!.scannedUpTo >= saved!.scannedUpTo);
    assert.deepEqual(after?.pendingBurns, [], 'released on BAI: dropped');
  });

  it('an Ethereum reorg shallower than the confirmations: only the burn on the surviving chain is released', async () => {
    const snapshot = await test.snapshot();
    await client.burn(10n * ONE_BAI, BOB as Hex);
    await ethBlocks(1);
    assert.deepEqual(await tickAll(), [], 'one confirmation short');
    await test.revert({ id: snapshot });
    await client.burn(5n * ONE_BAI, BOB as Hex);
    await ethBlocks(CONFIRMATIONS);
    const attests = await tickAll();
    assert.deepEqual(attests.map((c) => (c.call === 'attest_burn' ? c.amount : 0n)), [5n * ONE_BAI, 5n * ONE_BAI, 5n * ONE_BAI]);
    await baiBlock();
    assert.equal(sim.bal(BOB), 45n * ONE_BAI, 'exact to the base unit: 40 + 5, never the orphaned 10');
  });

  it('a lock nobody mints is refunded exactly once after its deadline and can never be minted after', async () => {
    sim.mempool.push({ signer: ALICE, call: { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: 20n * ONE_BAI } });
    await baiBlock();
    await tickAll();
    const lockId = bridgeLockId(genesis.chainId, 1n);
    const lock = sim.state.locks.get(lockId)!;
    const sigs = signaturesFor(lockId);
    assert.equal(sigs.length, 3);
    // Both chains move past the deadline.
    const ethNow = (await client.conn.publicClient.getBlock()).timestamp;
    await test.increaseTime({ seconds: Number(lock.deadline - ethNow) + 5 });
    await ethBlocks(CONFIRMATIONS);
    assert.ok((await client.conn.publicClient.getBlock()).timestamp > lock.deadline);
    sim.timeMs = (lock.deadline + 5n) * 1000n;
    const message = { lockId: lockId as Hex, recipient: user.address, amount: lock.amount, deadline: lock.deadline };
    assert.equal(await refusal(client.mint(message, sigs)), 'DEADLINE_EXPIRED');
    const refunds = await tickAll();
    assert.deepEqual(refunds.map((c) => c.call), ['refund', 'refund', 'refund']);
    const aliceBefore = sim.bal(ALICE);
    const out = await baiBlock();
    assert.deepEqual(out.results.map((r) => r.errorCode ?? ''), ['', '', 'Bridge.LockRefunded']);
    assert.equal(sim.bal(ALICE), aliceBefore + 20n * ONE_BAI);
    assert.deepEqual(await tickAll(), []);
    for (let i = 0; i < 12; i++) await baiBlock(); // past the relayers' retry horizon: still nothing to resubmit
    assert.deepEqual(await tickAll(), []);
    assert.equal(sim.state.totals.refunded, 20n * ONE_BAI);
  });

  it('ends with wBAI supply = escrow exactly, and the invariant held at every block checked', async () => {
    const supply = await client.totalSupply();
    assert.equal(supply, 55n * ONE_BAI);
    assert.equal(sim.state.escrow, 55n * ONE_BAI);
    assert.ok(checks.length > 20 && checks.every((c) => c.supply <= c.escrow), `${checks.length} checks`);
  });

  it('random load with relayer crashes, under-threshold and replayed mints, and reorgs: the invariant holds at every block; after the deadlines supply = escrow', async () => {
    let seed = 20261128;
    const rnd = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    sim.balances.set(ALICE, sim.bal(ALICE) + 10_000n * ONE_BAI);
    const bobBefore = sim.bal(BOB);
    let burned = 0n;
    let mints = 0;
    let restarts = 0;
    let reorgs = 0;
    for (let step = 0; step < 80; step++) {
      const action = rnd(8);
      if (action <= 1) {
        sim.mempool.push({ signer: ALICE, call: { call: 'lock', ethRecipient: user.address.toLowerCase(), amount: BigInt(1 + rnd(50)) * ONE_BAI + BigInt(rnd(1000)) } });
      } else if (action === 2 || action === 3) {
        // Mint some signed, unminted lock: sometimes with one signature (refused), sometimes twice (replay refused).
        const open = [...sim.state.locks.values()].filter((l) => l.status === 'Locked' && board.collect(l.id).length >= 2);
        const l = open[rnd(Math.max(open.length, 1))];
        if (l && (await client.lockStatus(l.id as Hex)) === 'None') {
          const message = { lockId: l.id as Hex, recipient: user.address, amount: l.amount, deadline: l.deadline };
          const sigs = signaturesFor(l.id);
          if (rnd(3) === 0) assert.equal(await refusal(client.mint(message, sigs.slice(0, 1))), 'TOO_FEW_SIGNATURES');
          await client.mint(message, sigs.slice(0, 2));
          mints++;
          if (rnd(2) === 0) assert.equal(await refusal(client.mint(message, sigs.slice(1, 3))), 'LOCK_ALREADY_PROCESSED');
        }
      } else if (action === 4) {
        const held = await client.balanceOf(user.address);
        if (held > 0n) {
          const amount = 1n + (held * BigInt(rnd(100))) / 100n;
          await client.burn(amount > held ? held : amount, BOB as Hex);
          burned += amount > held ? held : amount;
        }
      } else if (action === 5) {
        const i = rnd(3);
        relayers[i] = makeRelayer(i); // a relayer process restarts from its file
        restarts++;
      } else if (action === 6) {
        // A burn that a reorg orphans before it has the confirmations: never released.
        const held = await client.balanceOf(user.address);
        if (held > 0n) {
          const snapshot = await test.snapshot();
          await client.burn(held, BOB as Hex);
          await invariant();
          await ethBlocks(1);
          await tickAll();
          await test.revert({ id: snapshot });
          reorgs++;
        }
      }
      await invariant();
      await tickAll();
      await baiBlock();
      await ethBlocks(1);
    }
    // Drain: every burn confirmed and released, then every unminted lock past its deadline refunded.
    for (let i = 0; i < CONFIRMATIONS + 2; i++) {
      await ethBlocks(1);
      await tickAll();
      await baiBlock();
    }
    assert.equal(sim.bal(BOB) - bobBefore, burned, 'every burned base unit released to Bob, once');
    const latest = (await client.conn.publicClient.getBlock()).timestamp;
    const lastDeadline = [...sim.state.locks.values()].reduce((m, l) => (l.deadline > m ? l.deadline : m), 0n);
    await test.increaseTime({ seconds: Number(lastDeadline - latest) + 5 });
    sim.timeMs = (lastDeadline + 5n) * 1000n;
    for (let i = 0; i < CONFIRMATIONS + 2; i++) {
      await ethBlocks(1);
      await tickAll();
      await baiBlock();
    }
    const locks = [...sim.state.locks.values()];
    assert.ok(locks.every((l) => l.status !== 'Locked'), 'every lock ended minted or refunded by itself');
    assert.ok(restarts > 0 && reorgs > 0, `${restarts} relayer restarts, ${reorgs} reorgs`);
    assert.ok(mints > 3 && locks.some((l) => l.status === 'Refunded' && l.nonce > 1n), `${mints} mints and some refunds under load`);
    for (const l of locks) assert.equal(await client.lockStatus(l.id as Hex), l.status === 'Minted' ? 'Minted' : 'None');
    assert.equal(await client.totalSupply(), sim.state.escrow, 'wBAI supply = escrow exactly');
    assert.ok(checks.every((c) => c.supply <= c.escrow));
  });
});
