// The relayer loop against in-memory chains: what it signs and submits, and when it does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BridgeCallData } from '@balanceai/chain';
import { type BaiSnapshot, type ConfirmedBurnView, type LockView, type Progress, type SignedMint, Relayer } from './relayer.js';

const ME = `0x${'aa'.repeat(32)}`;
const OTHER = `0x${'bb'.repeat(32)}`;
const LOCK = `0x${'01'.repeat(32)}`;
const BURN = `0x${'02'.repeat(32)}`;

function lock(over: Partial<LockView> = {}): LockView {
  return { id: LOCK, nonce: 0n, ethRecipient: `0x${'11'.repeat(20)}`, amount: 5n, deadline: 100n, status: 'Locked', mintVotes: [], refundVotes: [], ...over };
}

class World {
  snap: BaiSnapshot = { height: 1n, timeMs: 50_000n, locks: [], burns: new Map() };
  ethStatus: 'None' | 'Minted' | 'Cancelled' = 'None';
  ethPastDeadline = false;
  burns: ConfirmedBurnView[] = [];
  submitted: BridgeCallData[] = [];
  published: SignedMint[] = [];
  saved: Progress | null = null;
  failNext = false;

  relayer(retryBlocks = 3n, log?: (line: string) => void): Relayer {
    return new Relayer({
      account: ME,
      retryBlocks,
      ...(log ? { log } : {}),
      bai: {
        finalized: async () => {
          if (this.failNext) {
            this.failNext = false;
            throw new Error('gateway down');
          }
          return this.snap;
        },
        submit: async (c) => void this.submitted.push(c),
      },
      eth: {
        signMint: async (m) => ({ message: m, signer: '0xsigner', signature: '0xsig' }),
        finalBlock: async () => 10n,
        lockStatus: async () => this.ethStatus,
        refundable: async () => this.ethStatus === 'Cancelled' || (this.ethStatus === 'None' && this.ethPastDeadline),
        pollBurns: async () => this.burns.splice(0),
        burnCursor: () => ({ scannedUpTo: 10n, lastNonce: 1n }),
      },
      board: { publish: async (s) => void this.published.push(s) },
      store: { load: async () => this.saved, save: async (p) => void (this.saved = structuredClone(p)) },
    });
  }
}

describe('Relayer.tick', () => {
  it('signs a final lock once, and no lock past its deadline', async () => {
    const w = new World();
    w.snap = { ...w.snap, locks: [lock(), lock({ id: `0x${'03'.repeat(32)}`, nonce: 1n, deadline: 10n })] };
    const r = w.relayer();
    assert.equal((await r.tick()).signed, 1);
    assert.equal((await r.tick()).signed, 0);
    assert.deepEqual(w.published.map((p) => [p.message.lockId, p.message.amount, p.message.deadline]), [[LOCK, 5n, 100n]]);
    assert.deepEqual(w.submitted, []);
    // A restarted relayer knows from its progress that it signed already.
    assert.equal((await w.relayer().tick()).signed, 0);
  });

  it('reports a mint seen final, and resubmits only after retryBlocks without effect', async () => {
    const w = new World();
    w.snap = { ...w.snap, locks: [lock()] };
    w.ethStatus = 'Minted';
    const r = w.relayer(3n);
    await r.tick();
    await r.tick();
    assert.deepEqual(w.submitted, [{ call: 'attest_minted', lockId: LOCK }]);
    w.snap = { ...w.snap, height: 5n };
    await r.tick();
    assert.equal(w.submitted.length, 2, 'not reflected after 3 blocks: sent again');
    w.snap = { ...w.snap, height: 9n, locks: [lock({ mintVotes: [ME] })] };
    await r.tick();
    assert.equal(w.submitted.length, 2, 'reflected: nothing more');
  });

  it('attests a refund only when Ethereum says refundable and BAI time is past the deadline; never both outcomes', async () => {
    const w = new World();
    w.snap = { ...w.snap, locks: [lock()], timeMs: 100_000n };
    w.ethPastDeadline = true;
    const r = w.relayer();
    await r.tick();
    assert.deepEqual(w.submitted, [], 'BAI time 100 s is not past the deadline 100');
    w.snap = { ...w.snap, timeMs: 101_000n };
    w.ethPastDeadline = false;
    await r.tick();
    assert.deepEqual(w.submitted, [], 'Ethereum not past the deadline at its final block');
    w.ethPastDeadline = true;
    await r.tick();
    assert.deepEqual(w.submitted, [{ call: 'refund', lockId: LOCK }]);
    w.snap = { ...w.snap, height: 20n, locks: [lock({ refundVotes: [ME] })] };
    w.ethStatus = 'Minted';
    await r.tick();
    assert.equal(w.submitted.length, 1, 'a relayer that attested the refund never reports a mint');
  });

  it('keeps a delivered burn in its progress until the pallet shows it, across a restart', async () => {
    const w = new World();
    w.burns = [{ burnId: BURN, nonce: 1n, baiRecipient: OTHER, amount: 9n }];
    w.failNext = false;
    await w.relayer().tick();
    assert.deepEqual(w.submitted, [{ call: 'attest_burn', burnId: BURN, recipient: OTHER, amount: 9n }]);
    assert.deepEqual(w.saved?.pendingBurns.map((b) => b.burnId), [BURN]);
    // Crash; the restarted relayer has no watcher delivery but the saved burn, and attests it again.
    w.snap = { ...w.snap, height: 30n };
    const again = w.relayer();
    await again.tick();
    assert.equal(w.submitted.length, 2);
    w.snap = { ...w.snap, height: 31n, burns: new Map([[BURN, { id: BURN, status: 'Released', attesters: [OTHER] }]]) };
    await again.tick();
    assert.equal(w.submitted.length, 2);
    assert.deepEqual(w.saved?.pendingBurns, []);
  });

  it('run backs off after failures and reports its health', async () => {
    const w = new World();
    w.failNext = true;
    const logs: string[] = [];
    const r = w.relayer(3n, (l) => logs.push(l));
    const abort = new AbortController();
    const run = r.run(abort.signal, 5, 50);
    await new Promise((res) => setTimeout(res, 5));
    assert.equal(r.health().lastTickOk, false);
    assert.equal(r.health().consecutiveFailures, 1);
    await new Promise((res) => setTimeout(res, 60));
    assert.equal(r.health().lastTickOk, true);
    abort.abort();
    await run;
    assert.match(logs[0]!, /gateway down/);
  });
});
