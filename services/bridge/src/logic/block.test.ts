import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BridgeCallData, bridgeLockId, encodeBridgeCall } from '@balanceai/chain';
import { type BlockOutput, executeBridgeBlock, refilled } from './block.js';
import { type BridgeParams, type BridgeState, emptyState } from './types.js';

const acct = (n: number) => `0x${n.toString(16).padStart(2, '0').repeat(32)}`;
const R1 = acct(0xa1);
const R2 = acct(0xa2);
const R3 = acct(0xa3);
const ALICE = acct(0x01);
const BOB = acct(0x02);
const ETH = `0x${'22'.repeat(20)}`;
const burnId = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const BLOCK_MS = 6_000n;
const T0 = 1_700_000_000_000n;

function params(over: Partial<BridgeParams> = {}): BridgeParams {
  return { relayers: [R1, R2, R3], threshold: 2, lockTtlSecs: 60n, minLock: 10n, releaseLimit: 0n, releaseWindow: 10n, chainId: 'test', ...over };
}

type Op = readonly [signer: string, call: BridgeCallData];

/** A chain of blocks over the pure logic with a ledger of free balances that applies the transfers. */
class Chain {
  state: BridgeState;
  readonly free = new Map<string, bigint>([
    [ALICE, 1_000n],
    [BOB, 1_000n],
  ]);
  module = 0n;
  outputs: BlockOutput[] = [];

  constructor(readonly p: BridgeParams = params()) {
    this.state = emptyState(p);
  }

  timeOf(height: bigint): bigint {
    return T0 + height * BLOCK_MS;
  }

  block(ops: readonly Op[] = []): BlockOutput {
    const height = this.state.height + 1n;
    const before = this.state;
    const frozen = JSON.stringify([...before.locks.values(), ...before.burns.values(), before.queue, before.totals], (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    const calls = ops.map(([signer, c], i) => {
      const call = encodeBridgeCall(c);
      return { extrinsicIndex: i + 1, signer, callIndex: call.callIndex, args: call.args };
    });
    const input = { height, timeMs: this.timeOf(height), params: this.p, calls, free: new Map([...new Set(ops.map(([s]) => s))].map((s) => [s, this.free.get(s) ?? 0n])) };
    const out = executeBridgeBlock(before, input);
    // Pure: the input state is untouched and a second run gives the same output.
    assert.equal(JSON.stringify([...before.locks.values(), ...before.burns.values(), before.queue, before.totals], (_, v) => (typeof v === 'bigint' ? v.toString() : v)), frozen);
    const again = executeBridgeBlock(before, input);
    assert.deepEqual(again, out);
    for (const t of out.transfers) {
      if (t.kind === 'debit') {
        const f = this.free.get(t.from) ?? 0n;
        assert.ok(f >= t.amount, 'a debit never overdraws');
        this.free.set(t.from, f - t.amount);
        this.module += t.amount;
      } else {
        assert.ok(this.module >= t.amount, 'a credit never overdraws the module account');
        this.module -= t.amount;
        this.free.set(t.to, (this.free.get(t.to) ?? 0n) + t.amount);
      }
    }
    const s = out.state;
    assert.equal(s.escrow, s.totals.locked - s.totals.released - s.totals.refunded);
    assert.equal(this.module, s.escrow, 'the module account holds exactly the escrow');
    this.state = s;
    this.outputs.push(out);
    return out;
  }

  /** Blocks until the block time is past `deadline` (Unix seconds). */
  pastDeadline(deadline: bigint): void {
    while (this.timeOf(this.state.height + 1n) / 1000n <= deadline) this.block();
  }
}

const errors = (out: BlockOutput) => out.results.map((r) => r.error?.code ?? 'ok');
const names = (out: BlockOutput) => out.events.map((e) => e.event.type);

describe('lock', () => {
  it('escrows the amount in the module account, with a lock id from the chain id and a block-time deadline', () => {
    const c = new Chain();
    const out = c.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 100n }], [ALICE, { call: 'lock', ethRecipient: ETH, amount: 900n }], [ALICE, { call: 'lock', ethRecipient: ETH, amount: 1n * 10n }]]);
    assert.deepEqual(errors(out), ['ok', 'ok', 'InsufficientBalance']);
    assert.deepEqual(out.transfers, [
      { kind: 'debit', from: ALICE, amount: 100n },
      { kind: 'debit', from: ALICE, amount: 900n },
    ]);
    const e = out.events[0]!.event;
    assert.deepEqual(e, { type: 'Locked', lockId: bridgeLockId('test', 0n), owner: ALICE, ethRecipient: ETH, amount: 100n, deadline: (T0 + BLOCK_MS) / 1000n + 60n, nonce: 0n });
    assert.equal(c.state.escrow, 1_000n);
    assert.equal(c.state.locks.get(bridgeLockId('test', 1n))?.amount, 900n);
  });

  it('refuses zero, below the minimum and the zero Ethereum address', () => {
    const c = new Chain();
    const out = c.block([
      [BOB, { call: 'lock', ethRecipient: ETH, amount: 0n }],
      [BOB, { call: 'lock', ethRecipient: ETH, amount: 9n }],
      [BOB, { call: 'lock', ethRecipient: `0x${'00'.repeat(20)}`, amount: 10n }],
    ]);
    assert.deepEqual(errors(out), ['ZeroAmount', 'BelowMinLock', 'ZeroEthRecipient']);
    assert.equal(out.transfers.length, 0);
    assert.equal(c.state.nextNonce, 0n);
  });

  it('reports a call that does not decode as BadCall', () => {
    const c = new Chain();
    const out = executeBridgeBlock(c.state, { height: 1n, timeMs: T0, params: c.p, calls: [{ extrinsicIndex: 1, signer: ALICE, callIndex: 0, args: Uint8Array.of(1, 2) }], free: new Map() });
    assert.equal(out.results[0]!.error?.code, 'BadCall');
  });
});

describe('attest_burn', () => {
  it('pays the recipient once at M matching attestations; mismatching ones do not count together', () => {
    const c = new Chain();
    c.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 500n }]]);
    const b = burnId(1);
    const first = c.block([
      [ALICE, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 200n }],
      [R1, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 200n }],
      [R2, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 201n }],
      [R1, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 200n }],
    ]);
    assert.deepEqual(errors(first), ['NotRelayer', 'ok', 'ok', 'AlreadyAttested']);
    assert.equal(first.transfers.length, 0, 'one vote for 200 and one for 201 are not two matching');
    assert.deepEqual(
      first.events.map((e) => e.event.type === 'BurnAttested' && e.event.attestations),
      [1, 1],
    );
    const second = c.block([
      [R3, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 200n }],
      [R2, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 200n }],
    ]);
    assert.deepEqual(errors(second), ['ok', 'BurnAlreadyConfirmed']);
    assert.deepEqual(names(second), ['BurnAttested', 'Released']);
    assert.deepEqual(second.transfers, [{ kind: 'credit', to: BOB, amount: 200n }]);
    assert.equal(c.free.get(BOB), 1_200n);
    assert.equal(c.state.escrow, 300n);
    assert.equal(c.state.burns.get(b)?.status, 'Released');
    // Later attestations of the released burn never pay again.
    assert.deepEqual(errors(c.block([[R2, { call: 'attest_burn', burnId: b, recipient: BOB, amount: 200n }]])), ['BurnAlreadyConfirmed']);
    assert.equal(c.state.totals.released, 200n);
  });

  it('refuses a zero amount and the zero recipient', () => {
    const c = new Chain();
    const out = c.block([
      [R1, { call: 'attest_burn', burnId: burnId(2), recipient: BOB, amount: 0n }],
      [R1, { call: 'attest_burn', burnId: burnId(2), recipient: `0x${'00'.repeat(32)}`, amount: 5n }],
    ]);
    assert.deepEqual(errors(out), ['ZeroAmount', 'ZeroRecipient']);
  });

  it('a confirmed burn larger than the escrow waits in the queue until the escrow covers it', () => {
    const c = new Chain();
    c.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 50n }]]);
    const out = c.block([
      [R1, { call: 'attest_burn', burnId: burnId(3), recipient: BOB, amount: 80n }],
      [R3, { call: 'attest_burn', burnId: burnId(3), recipient: BOB, amount: 80n }],
    ]);
    assert.deepEqual(names(out), ['BurnAttested', 'BurnAttested', 'BurnQueued']);
    assert.equal(out.transfers.length, 0);
    c.block();
    const later = c.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 30n }]]);
    assert.deepEqual(names(later), ['Locked']);
    const paid = c.block();
    assert.deepEqual(paid.events.map((e) => [e.event.type, e.extrinsicIndex]), [['Released', null]]);
    assert.equal(c.state.escrow, 0n);
  });
});

describe('refund and mint reports', () => {
  function locked(p = params()) {
    const c = new Chain(p);
    const out = c.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 300n }]]);
    const e = out.events[0]!.event;
    assert.equal(e.type, 'Locked');
    return { c, lockId: e.type === 'Locked' ? e.lockId : '', deadline: e.type === 'Locked' ? e.deadline : 0n };
  }

  it('refunds the locker once, only after the deadline and only at M relayer attestations', () => {
    const { c, lockId, deadline } = locked();
    assert.deepEqual(errors(c.block([[R1, { call: 'refund', lockId }], [ALICE, { call: 'refund', lockId }]])), ['DeadlineNotPassed', 'NotRelayer']);
    c.pastDeadline(deadline);
    const one = c.block([[R2, { call: 'refund', lockId }], [R2, { call: 'refund', lockId }], [R1, { call: 'refund', lockId: `0x${'77'.repeat(32)}` }]]);
    assert.deepEqual(errors(one), ['ok', 'AlreadyAttested', 'UnknownLock']);
    assert.equal(one.transfers.length, 0);
    const two = c.block([[R3, { call: 'refund', lockId }], [R1, { call: 'refund', lockId }], [R1, { call: 'attest_minted', lockId }]]);
    assert.deepEqual(errors(two), ['ok', 'LockRefunded', 'LockRefunded']);
    assert.deepEqual(names(two), ['RefundAttested', 'Refunded']);
    assert.deepEqual(two.transfers, [{ kind: 'credit', to: ALICE, amount: 300n }]);
    assert.equal(c.free.get(ALICE), 1_000n);
    assert.equal(c.state.locks.get(lockId)?.status, 'Refunded');
    assert.equal(c.state.escrow, 0n);
  });

  it('a lock reported minted by M relayers is never refunded; a relayer cannot report both outcomes', () => {
    const { c, lockId, deadline } = locked();
    assert.deepEqual(errors(c.block([[R1, { call: 'attest_minted', lockId }]])), ['ok']);
    c.pastDeadline(deadline);
    const out = c.block([[R1, { call: 'refund', lockId }], [R2, { call: 'refund', lockId }], [R3, { call: 'attest_minted', lockId }], [R3, { call: 'refund', lockId }]]);
    assert.deepEqual(errors(out), ['ConflictingAttestation', 'ok', 'ok', 'LockMinted']);
    assert.deepEqual(names(out), ['RefundAttested', 'MintAttested', 'Minted']);
    assert.equal(out.transfers.length, 0);
    assert.equal(c.state.locks.get(lockId)?.status, 'Minted');
    assert.equal(c.state.escrow, 300n, 'a minted lock stays in escrow (backs the wBAI)');
  });

  it('race: mint reports and refund attestations in every order and block split end in exactly one outcome', () => {
    // Every order of the six possible reports (3 relayers × {minted, refund}), split over blocks at every cut.
    const reports: Op[] = [];
    for (const r of [R1, R2, R3]) for (const call of ['attest_minted', 'refund'] as const) reports.push([r, { call, lockId: '' }]);
    const perms = (xs: Op[]): Op[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest])));
    let runs = 0;
    const outcomes = { Minted: 0, Refunded: 0 };
    for (const order of perms(reports)) {
      for (const cut of [0, 2, 3, 5]) {
        const { c, lockId, deadline } = locked();
        c.pastDeadline(deadline);
        const ops = order.map(([s, call]) => [s, { ...call, lockId }] as Op);
        c.block(ops.slice(0, cut));
        c.block(ops.slice(cut));
        const lock = c.state.locks.get(lockId)!;
        assert.notEqual(lock.status, 'Locked');
        const events = c.outputs.flatMap((o) => names(o));
        assert.equal(events.filter((n) => n === 'Minted').length + events.filter((n) => n === 'Refunded').length, 1, 'exactly one final outcome');
        assert.equal(c.free.get(ALICE), lock.status === 'Refunded' ? 1_000n : 700n);
        assert.equal(c.state.escrow, lock.status === 'Refunded' ? 0n : 300n);
        outcomes[lock.status as 'Minted' | 'Refunded']++;
        runs++;
      }
    }
    assert.equal(runs, 720 * 4);
    assert.ok(outcomes.Minted > 0 && outcomes.Refunded > 0, 'both outcomes occur across orders');
  });
});

describe('24 h release limit', () => {
  it('refills linearly per block, capped at the limit', () => {
    const p = { releaseLimit: 100n, releaseWindow: 10n };
    assert.deepEqual(refilled({ left: 0n, updatedAt: 5n }, 8n, p), { left: 30n, updatedAt: 8n });
    assert.deepEqual(refilled({ left: 90n, updatedAt: 5n }, 8n, p), { left: 100n, updatedAt: 8n });
    assert.deepEqual(refilled({ left: 7n, updatedAt: 5n }, 5n, p), { left: 7n, updatedAt: 5n });
  });

  it('queues releases beyond the allowance, pays them as it refills, and a burn over the limit after a full window', () => {
    const c = new Chain(params({ releaseLimit: 100n, releaseWindow: 10n, minLock: 1n }));
    c.free.set(ALICE, 10_000n);
    c.block([[ALICE, { call: 'lock', ethRecipient: ETH, amount: 5_000n }]]);
    const attest = (n: number, amount: bigint): Op[] => [
      [R1, { call: 'attest_burn', burnId: burnId(n), recipient: BOB, amount }],
      [R2, { call: 'attest_burn', burnId: burnId(n), recipient: BOB, amount }],
    ];
    const a = c.block(attest(1, 80n)); // height 2: allowance 100 → 20
    assert.deepEqual(names(a).slice(-1), ['Released']);
    const b = c.block(attest(2, 50n)); // height 3: 20 + 10 = 30 < 50
    assert.deepEqual(names(b).slice(-1), ['BurnQueued']);
    const c4 = c.block(attest(3, 1n)); // behind the queued burn: waits too (oldest first)
    assert.deepEqual(names(c4).slice(-1), ['BurnQueued']);
    // height 5: 30 + 10 + 10 = 50 pays burn 2 (allowance 0); height 6: 10 pays burn 3.
    assert.deepEqual(c.block().transfers.map((t) => t.amount), [50n]);
    assert.deepEqual(c.block().transfers.map((t) => t.amount), [1n]);
    assert.equal(c.state.queue.length, 0);
    // 500 never fits a limit of 100: it goes after waiting a full window.
    const big = c.block(attest(4, 500n));
    const confirmedAt = c.state.height;
    assert.deepEqual(names(big).slice(-1), ['BurnQueued']);
    while (c.state.height < confirmedAt + 9n) assert.equal(c.block().transfers.length, 0);
    assert.deepEqual(c.block().transfers, [{ kind: 'credit', to: BOB, amount: 500n }]);
    assert.equal(c.state.allowance.left, 0n);
  });
});

describe('random load', () => {
  it('keeps escrow = locked − released − refunded = the module account, pays each burn and lock at most once', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const c = new Chain(params({ releaseLimit: 400n, releaseWindow: 20n, minLock: 1n, lockTtlSecs: 30n }));
    c.free.set(ALICE, 100_000n);
    c.free.set(BOB, 100_000n);
    const relayers = [R1, R2, R3];
    for (let h = 0; h < 300; h++) {
      const ops: Op[] = [];
      for (let k = rnd(5); k > 0; k--) {
        const locks = [...c.state.locks.keys()];
        const choice = rnd(4);
        const r = relayers[rnd(3)]!;
        if (choice === 0) ops.push([rnd(2) ? ALICE : BOB, { call: 'lock', ethRecipient: ETH, amount: BigInt(1 + rnd(200)) }]);
        else if (choice === 1) {
          // One burn per id on Ethereum; one attestation in five has a wrong amount (a faulty relayer).
          const n = rnd(40);
          ops.push([r, { call: 'attest_burn', burnId: burnId(n), recipient: n % 2 ? ALICE : BOB, amount: BigInt(1 + (n % 3)) * 50n + (rnd(5) === 0 ? 1n : 0n) }]);
        }
        else if (locks.length) ops.push([r, { call: rnd(2) ? 'refund' : 'attest_minted', lockId: locks[rnd(locks.length)]! }]);
      }
      c.block(ops);
    }
    const events = c.outputs.flatMap((o) => o.events.map((e) => e.event));
    const released = events.filter((e) => e.type === 'Released').map((e) => (e.type === 'Released' ? e.burnId : ''));
    assert.equal(new Set(released).size, released.length, 'each burn released at most once');
    const finals = events.filter((e) => e.type === 'Minted' || e.type === 'Refunded').map((e) => ('lockId' in e ? e.lockId : ''));
    assert.equal(new Set(finals).size, finals.length, 'each lock minted or refunded at most once, never both');
    assert.ok(released.length > 5 && finals.length > 5, `enough happened (${released.length} releases, ${finals.length} final locks)`);
  });
});
