// The bridge module on the contract: wire transfers and results, the root and its encoding, the storage
// wallets read (decoded by @polkadot/types from OUR metadata) and System.Events records of every event.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import {
  BRIDGE_STORAGE,
  DEFAULT_BRIDGE_GENESIS,
  bridgeLockId,
  bridgePallet,
  decodeBurnInfo,
  decodeLockInfo,
  cryptoReady,
  devGenesis,
  encodeBridgeCall,
  encodeEventRecords,
  genesisMetadata,
  keyFromUri,
  runtimePallets,
  toHex,
  type BridgeCallData,
  type BridgeStorageItem,
  type EventRecordInput,
  type Genesis,
} from '@balanceai/chain';
import { byItem, decodePalletStorage } from '@balanceai/testing/storage-decode';
import { canonicalJson, type EventOutput, type ExecuteBlockInput, type ExecuteBlockOutput } from '@balanceai/module-host';
import type { BridgeState } from '../logic/types.js';
import { BRIDGE_MODULE_ACCOUNT, BridgeMachine, bridgeSetupFromGenesis } from './bridge.machine.js';
import { decodeBridgeState, encodeBridgeState } from './bridge.state.js';
import { burnInfoValue, lockInfoValue } from './bridge.storage.js';

const BAI = 10n ** 18n;
const ETH = `0x${'3c'.repeat(20)}`;
const T0 = 1_800_000_000_000n;
let genesis: Genesis;
let machine: BridgeMachine;
let ALICE: string;
let BOB: string;
let R: string[];

before(async () => {
  await cryptoReady();
  const g = devGenesis({ validators: 1, genesisTimeMs: 1 }).genesis;
  R = ['//Relayer1', '//Relayer2', '//Relayer3'].map((u) => toHex(keyFromUri(u, 'sr25519').publicKey)).sort();
  genesis = { ...g, bridge: { ...DEFAULT_BRIDGE_GENESIS, relayers: R, threshold: 2, lockTtlSecs: 30, releaseLimit: 100n * BAI } };
  const setup = bridgeSetupFromGenesis(genesis);
  assert.equal(setup.params.releaseWindow, BigInt(Math.ceil(86_400_000 / g.params.blockTimeMs)));
  // A 10-block window keeps the 24 h limit's refill visible in a few blocks.
  machine = new BridgeMachine({ ...setup, params: { ...setup.params, releaseWindow: 10n } });
  ALICE = toHex(keyFromUri('//Alice', 'sr25519').publicKey);
  BOB = toHex(keyFromUri('//Bob', 'sr25519').publicKey);
});

/** Runs blocks through the machine like consensus would, keeping balances (12 s blocks from T0). */
class Run {
  state: BridgeState;
  outputs: ExecuteBlockOutput[] = [];
  balances = new Map<string, bigint>();
  constructor() {
    this.state = machine.initialState();
    this.balances.set(ALICE, 1_000n * BAI);
    this.balances.set(BOB, 1_000n * BAI);
  }

  block(calls: Array<[string, BridgeCallData]> = [], moduleBalance?: bigint): ExecuteBlockOutput {
    const bal = (a: string) => this.balances.get(a) ?? 0n;
    const height = this.state.height + 1n;
    const input: ExecuteBlockInput = {
      context: { height, blockHash: '0x' + '00'.repeat(32), timeMs: T0 + height * 12_000n, proposerIndex: 0, lastCommitSigners: [], offences: [], totalIssuance: null, validators: [] },
      calls: calls.map(([signer, c], i) => {
        const call = encodeBridgeCall(c);
        return { extrinsicIndex: i + 1, extrinsicHash: '0x', signer, callIndex: call.callIndex, args: call.args };
      }),
      signerBalances: new Map([...new Set(calls.map(([s]) => s))].sort().map((s) => [s, bal(s)])),
      moduleBalances: new Map([[BRIDGE_MODULE_ACCOUNT, moduleBalance ?? bal(BRIDGE_MODULE_ACCOUNT)]]),
    };
    const { state, output } = machine.executeBlock(this.state, input);
    for (const t of output.transfers) {
      assert.ok(t.kind !== 'mint');
      assert.ok(bal(t.from) >= t.amount, 'no transfer overdraws');
      this.balances.set(t.from, bal(t.from) - t.amount);
      this.balances.set(t.to, bal(t.to) + t.amount);
    }
    this.state = state;
    this.outputs.push(output);
    return output;
  }
}

/** A run that exercised every call and event: a lock minted, a lock refunded, a burn released, a burn queued then released. */
function fullRun(): { r: Run; mid: BridgeState } {
  const r = new Run();
  r.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 300n * BAI }], [BOB, { call: 'lock', ethRecipient: ETH, amount: 50n * BAI }]]);
  const [minted, refunded] = [bridgeLockId(genesis.chainId, 0n), bridgeLockId(genesis.chainId, 1n)];
  r.block([[R[0]!, { call: 'attest_minted', lockId: minted }], [R[1]!, { call: 'attest_minted', lockId: minted }]]);
  const burn = (n: number, amount: bigint): Array<[string, BridgeCallData]> =>
    [R[0]!, R[2]!].map((s) => [s, { call: 'attest_burn', burnId: `0x${n.toString(16).padStart(64, '0')}`, recipient: BOB, amount }] as [string, BridgeCallData]);
  r.block([...burn(1, 90n * BAI), ...burn(2, 60n * BAI)]);
  const mid = r.state;
  r.block();
  r.block();
  r.block([[R[1]!, { call: 'refund', lockId: refunded }], [R[2]!, { call: 'refund', lockId: refunded }]]);
  return { r, mid };
}

describe('BridgeMachine', () => {
  it('answers transfers on the wire: lock debits into the bridge account, release and refund credit out of it', () => {
    const { r } = fullRun();
    const wire = r.outputs.flatMap((o) => o.transfers);
    assert.deepEqual(wire, [
      { kind: 'debit', from: ALICE, to: BRIDGE_MODULE_ACCOUNT, amount: 300n * BAI },
      { kind: 'debit', from: BOB, to: BRIDGE_MODULE_ACCOUNT, amount: 50n * BAI },
      { kind: 'credit', from: BRIDGE_MODULE_ACCOUNT, to: BOB, amount: 90n * BAI },
      { kind: 'credit', from: BRIDGE_MODULE_ACCOUNT, to: BOB, amount: 50n * BAI },
    ]);
    // 100 − 90 = 10 left at block 3, +10 per block: the 60 BAI release is still held by the 24 h limit at block 6.
    assert.equal(r.state.queue.length, 1);
    assert.equal(r.state.allowance.left, 40n * BAI);
    assert.equal(r.balances.get(BRIDGE_MODULE_ACCOUNT), r.state.escrow);
    assert.equal(r.state.escrow, 300n * BAI - 90n * BAI);
    const results = r.outputs[5]!.results;
    assert.deepEqual(results.map((x) => x.success), [true, true]);
  });

  it('reports refused calls with Bridge.<error> codes', () => {
    const r = new Run();
    const out = r.block([
      [ALICE, { call: 'lock', ethRecipient: ETH, amount: 0n }],
      [ALICE, { call: 'refund', lockId: `0x${'11'.repeat(32)}` }],
      [R[0]!, { call: 'refund', lockId: `0x${'11'.repeat(32)}` }],
    ]);
    assert.deepEqual(out.results.map((x) => x.errorCode), ['Bridge.ZeroAmount', 'Bridge.NotRelayer', 'Bridge.UnknownLock']);
  });

  it('stops when the bridge account holds less than the escrow (the ledger and the module disagree)', () => {
    const r = new Run();
    r.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 5n * BAI }]]);
    assert.throws(() => r.block([], 4n * BAI), (e: unknown) => (e as { code?: string }).code === 'ESCROW_MISMATCH');
  });

  it('encodes its state canonically: decode ∘ encode is the identity and the root is its hash', () => {
    const { r } = fullRun();
    const bytes = encodeBridgeState(r.state);
    const back = decodeBridgeState(bytes);
    assert.deepEqual(encodeBridgeState(back), bytes);
    assert.deepEqual(back, r.state);
    assert.deepEqual(machine.root(back), machine.root(r.state));
    assert.notDeepEqual(machine.root(r.state), machine.root(machine.initialState()));
  });

  it('libs/chain reads back every LockInfo and BurnInfo the module writes (what relayers and the gateway decode)', () => {
    const { r, mid } = fullRun();
    for (const s of [mid, r.state]) {
      for (const l of s.locks.values()) {
        const d = decodeLockInfo(lockInfoValue(l));
        assert.deepEqual(d, { nonce: l.nonce, owner: l.owner, ethRecipient: l.ethRecipient, amount: l.amount, deadline: l.deadline, lockedAt: l.lockedAt, status: l.status, finalAt: l.finalAt, mintAttestations: l.mintVotes, refundAttestations: l.refundVotes });
      }
      for (const b of s.burns.values()) {
        const d = decodeBurnInfo(burnInfoValue(b));
        assert.equal(d.status, b.status);
        assert.deepEqual(d.attestations, b.attestations);
        assert.equal(d.amount, b.status === 'Attesting' ? 0n : b.amount);
        assert.equal(d.recipient, b.status === 'Attesting' ? null : b.recipient);
      }
    }
    assert.throws(() => decodeLockInfo(Uint8Array.of(1, 2, 3)));
  });

  it('checkTx refuses what needs no state, and relayer calls from anyone else', () => {
    const check = (signer: string, c: BridgeCallData, free = 10n * BAI) => {
      const call = encodeBridgeCall(c);
      return machine.checkTx({ signer, callIndex: call.callIndex, args: call.args, signerFree: free });
    };
    assert.deepEqual(check(ALICE, { call: 'lock', ethRecipient: ETH, amount: BAI }), { ok: true });
    assert.equal(check(ALICE, { call: 'lock', ethRecipient: ETH, amount: 1n }).errorCode, 'Bridge.BelowMinLock');
    assert.equal(check(ALICE, { call: 'lock', ethRecipient: ETH, amount: 11n * BAI }).errorCode, 'Bridge.InsufficientBalance');
    assert.equal(check(ALICE, { call: 'lock', ethRecipient: `0x${'00'.repeat(20)}`, amount: BAI }).errorCode, 'Bridge.ZeroEthRecipient');
    assert.equal(check(ALICE, { call: 'refund', lockId: `0x${'11'.repeat(32)}` }).errorCode, 'Bridge.NotRelayer');
    assert.deepEqual(check(R[1]!, { call: 'attest_minted', lockId: `0x${'11'.repeat(32)}` }), { ok: true });
    assert.equal(check(R[1]!, { call: 'attest_burn', burnId: `0x${'11'.repeat(32)}`, recipient: BOB, amount: 0n }).errorCode, 'Bridge.ZeroAmount');
    assert.equal(machine.checkTx({ signer: ALICE, callIndex: 42, args: new Uint8Array(0), signerFree: 0n }).errorCode, 'Bridge.BadCall');
  });
});

describe('Bridge storage and events for wallets', () => {
  it('every storage entry decodes with @polkadot/types from the chain metadata, keys as polkadot.js builds them', () => {
    const { r, mid } = fullRun();
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(genesis));
    registry.setMetadata(metadata);
    const query = expandMetadata(registry, metadata).query['bridge']!;
    const decodeView = (s: BridgeState) => byItem(decodePalletStorage(registry, query, 'Bridge', Object.keys(BRIDGE_STORAGE) as BridgeStorageItem[], machine.storage(s), 10_000));
    const m = decodeView(mid);
    const minted = m['Locks']!.find((e) => e.args[0] === bridgeLockId(genesis.chainId, 0n))!.value as Record<string, unknown>;
    assert.deepEqual(minted['status'], { minted: { at: 2 } });
    assert.equal(minted['ethRecipient'], ETH);
    assert.equal(minted['mintAttestations'] && (minted['mintAttestations'] as unknown[]).length, 2);
    const burns = m['Burns']!.map((e) => e.value as { status: Record<string, unknown> });
    assert.deepEqual(burns.map((b) => Object.keys(b.status)[0]).sort(), ['queued', 'released']);
    assert.equal(m['ReleaseQueue']![0]!.value && (m['ReleaseQueue']![0]!.value as unknown[]).length, 1);
    const end = decodeView(r.state);
    assert.equal(BigInt(end['Escrow']![0]!.value as string | number), r.state.escrow);
    assert.deepEqual((end['Relayers']![0]!.value as string[]).length, 3);
    assert.deepEqual(m['OpenLocks']![0]!.value, [bridgeLockId(genesis.chainId, 1n)], 'after block 3 only the second lock is open');
    assert.deepEqual(end['OpenLocks']![0]!.value, [], 'minted and refunded: none open');
    const refunded = end['Locks']!.find((e) => e.args[0] === bridgeLockId(genesis.chainId, 1n))!.value as Record<string, unknown>;
    assert.deepEqual(refunded['status'], { refunded: { at: 6 } });
    assert.equal(BigInt((end['Totals']![0]!.value as { refunded: string | number }).refunded), 50n * BAI);
  });

  it('every event the pallet declares is emitted and decodes from System.Events with the metadata', () => {
    const { r } = fullRun();
    // The allowance reaches 60 at block 8 and frees the queued release.
    r.block();
    assert.equal(r.state.queue.length, 1);
    r.block();
    assert.equal(r.state.queue.length, 0);
    const events: EventOutput[] = r.outputs.flatMap((o) => o.events);
    const declared = (bridgePallet().events ?? []).map((e) => e.name).sort();
    assert.deepEqual([...new Set(events.map((e) => e.name))].sort(), declared);
    const records: EventRecordInput[] = events.map((e) => ({
      phase: e.extrinsicIndex === null ? 'Finalization' : { applyExtrinsic: e.extrinsicIndex },
      module: 'Bridge',
      name: e.name,
      data: JSON.parse(canonicalJson(e.data)) as unknown,
    }));
    const bytes = encodeEventRecords(runtimePallets(genesis), records);
    const registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, genesisMetadata(genesis)));
    const decoded = registry.createType('Vec<FrameSystemEventRecord>', bytes) as unknown as Array<{ event: { section: string; method: string; data: Codec[] & { names?: string[] } } }>;
    assert.equal(u8aToHex((decoded as unknown as Codec).toU8a()), u8aToHex(bytes));
    assert.deepEqual(decoded.map((x) => `${x.event.section}.${x.event.method}`), events.map((e) => `bridge.${e.name}`));
    const locked = decoded[events.findIndex((e) => e.name === 'Locked')]!.event.data;
    assert.equal(locked[locked.names!.indexOf('ethRecipient')]!.toHex(), ETH);
    assert.equal(locked[locked.names!.indexOf('deadline')]!.toString(), ((T0 + 12_000n) / 1000n + 30n).toString());
    const last = decoded[decoded.length - 1]!.event;
    assert.equal(last.method, 'Released');
    assert.equal(last.data[last.data.names!.indexOf('amount')]!.toString(), (60n * BAI).toString());
  });
});
