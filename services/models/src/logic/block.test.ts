import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ModelsCallData, encodeModelsCall } from '@balanceai/chain';
import { executeModelsBlock, type BlockCall, type BlockInput, type BlockOutput } from './block.js';
import { totalLocked } from './calls.js';
import { type ModelsParams, type ModelsState, emptyState } from './types.js';

const BAI = 10n ** 18n;
const PARAMS: ModelsParams = { modelMinLock: 1_000n * BAI, agentMinLock: 500n * BAI, unlockDelay: 2, slashFraction: 100_000_000, maxWeights: 8 };
const ERA = 10n;
const acct = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const ALICE = acct(0xa1);
const BOB = acct(0xb0);
const V = [acct(1), acct(2), acct(3), acct(4)];
const VALIDATORS = [
  { stash: V[0]!, stake: 400n * BAI },
  { stash: V[1]!, stake: 300n * BAI },
  { stash: V[2]!, stake: 200n * BAI },
  { stash: V[3]!, stake: 100n * BAI },
];

/** A chain of blocks: runs each block on the last state, with rich signers and the given funds. */
class Chain {
  state: ModelsState = emptyState();
  last!: BlockOutput;
  funds = { model: 0n, agent: 0n };
  free = new Map<string, bigint>([[ALICE, 10_000n * BAI], [BOB, 10_000n * BAI]]);

  block(calls: Array<[signer: string, call: ModelsCallData]> = [], over: Partial<BlockInput> = {}): BlockOutput {
    const blockCalls: BlockCall[] = calls.map(([signer, c], i) => {
      const call = encodeModelsCall(c);
      return { extrinsicIndex: i + 1, signer, callIndex: call.callIndex, args: call.args };
    });
    this.last = executeModelsBlock(this.state, {
      height: this.state.height + 1n,
      eraLength: ERA,
      params: PARAMS,
      validators: VALIDATORS,
      calls: blockCalls,
      free: this.free,
      funds: this.funds,
      ...over,
    });
    this.state = this.last.state;
    for (const t of this.last.transfers) {
      if (t.kind === 'debit') this.free.set(t.from, this.free.get(t.from)! - t.amount);
      else {
        if (t.from === 'modelFund') this.funds.model -= t.amount;
        if (t.from === 'agentFund') this.funds.agent -= t.amount;
        if (t.to !== 'developmentFund') this.free.set(t.to, (this.free.get(t.to) ?? 0n) + t.amount);
      }
    }
    return this.last;
  }

  toHeight(h: bigint): void {
    while (this.state.height < h) this.block();
  }

  errors(): Array<string | undefined> {
    return this.last.results.map((r) => r.error?.code);
  }

  eventNames(): string[] {
    return this.last.events.map((e) => e.event.type);
  }
}

const reg = (name: string, kind: 'Model' | 'Agent' = 'Model', lock = 1_000n * BAI): ModelsCallData => ({
  call: 'register',
  kind,
  name,
  metadataUri: `ipfs://${name}`,
  endpoint: `http://127.0.0.1:9000/${name}`,
  minAccessHolding: 10n * BAI,
  lock,
});

describe('registry', () => {
  it('registers with a lock at least the kind minimum, debited from the signer; names unique per kind', () => {
    const c = new Chain();
    c.block([
      [ALICE, reg('alpha')],
      [BOB, reg('alpha')],
      [BOB, reg('alpha', 'Agent', 500n * BAI)],
      [BOB, reg('beta', 'Model', 1_000n * BAI - 1n)],
      [BOB, reg('Bad Name')],
      [BOB, { ...reg('gamma'), endpoint: 'ftp://x' } as ModelsCallData],
      [BOB, reg('rich', 'Model', 10_001n * BAI)],
    ]);
    assert.deepEqual(c.errors(), [undefined, 'NameTaken', undefined, 'LockTooLow', 'BadName', 'BadEndpoint', 'InsufficientBalance']);
    assert.deepEqual(c.last.transfers, [
      { kind: 'debit', from: ALICE, amount: 1_000n * BAI },
      { kind: 'debit', from: BOB, amount: 500n * BAI },
    ]);
    assert.equal(c.state.providers.get(0)!.owner, ALICE);
    assert.equal(c.state.providers.get(1)!.kind, 'Agent');
    assert.equal(c.state.nextId, 2);
    assert.equal(totalLocked(c.state.providers), 1_500n * BAI);
  });

  it('each call sees the free balance the earlier calls of the block left', () => {
    const c = new Chain();
    c.free.set(ALICE, 1_500n * BAI);
    c.block([[ALICE, reg('a')], [ALICE, reg('b')]]);
    assert.deepEqual(c.errors(), [undefined, 'InsufficientBalance']);
  });

  it('update and top_up need the owner and an active provider; deregister starts the unlock', () => {
    const c = new Chain();
    c.block([[ALICE, reg('a')]]);
    c.block([
      [BOB, { call: 'update', provider: 0, metadataUri: 'x', endpoint: 'https://a.example', minAccessHolding: 1n }],
      [ALICE, { call: 'update', provider: 0, metadataUri: 'x', endpoint: 'https://a.example', minAccessHolding: 1n }],
      [ALICE, { call: 'top_up', provider: 0, amount: 0n }],
      [ALICE, { call: 'top_up', provider: 0, amount: 5n }],
      [ALICE, { call: 'top_up', provider: 9, amount: 5n }],
      [ALICE, { call: 'deregister', provider: 0 }],
      [ALICE, { call: 'top_up', provider: 0, amount: 5n }],
      [ALICE, { call: 'deregister', provider: 0 }],
    ]);
    assert.deepEqual(c.errors(), ['NotOwner', undefined, 'ZeroAmount', undefined, 'UnknownProvider', undefined, 'NotActive', 'NotActive']);
    const p = c.state.providers.get(0)!;
    assert.equal(p.endpoint, 'https://a.example');
    assert.equal(p.minAccessHolding, 1n);
    assert.equal(p.lock, 1_000n * BAI + 5n);
    assert.equal(p.status, 'Deregistered');
    assert.equal(p.unlockEra, 2);
  });

  it('a bad call is Models.BadCall and changes nothing', () => {
    const c = new Chain();
    const before = c.state;
    c.last = executeModelsBlock(before, { height: 1n, eraLength: ERA, params: PARAMS, validators: VALIDATORS, calls: [{ extrinsicIndex: 3, signer: ALICE, callIndex: 99, args: new Uint8Array(0) }], free: c.free, funds: c.funds });
    assert.deepEqual(c.last.results, [{ extrinsicIndex: 3, error: { code: 'BadCall', message: 'unknown Models call index 99' } }]);
    assert.equal(c.last.state.providers.size, 0);
    assert.equal(before.height, 0n);
  });
});

describe('set_weights and report', () => {
  it('only active validators, once per era, no duplicates, at most maxWeights, active providers only', () => {
    const c = new Chain();
    c.block([[ALICE, reg('a')], [ALICE, reg('b')], [ALICE, { call: 'deregister', provider: 1 }]]);
    c.block([
      [ALICE, { call: 'set_weights', weights: [[0, 1]] }],
      [V[0]!, { call: 'set_weights', weights: [[0, 1], [0, 2]] }],
      [V[0]!, { call: 'set_weights', weights: [[1, 1]] }],
      [V[0]!, { call: 'set_weights', weights: [[7, 1]] }],
      [V[0]!, { call: 'set_weights', weights: Array.from({ length: 9 }, (_, i): [number, number] => [i, 1]) }],
      [V[0]!, { call: 'set_weights', weights: [[0, 65_535]] }],
      [V[0]!, { call: 'set_weights', weights: [[0, 1]] }],
    ]);
    assert.deepEqual(c.errors(), ['NotValidator', 'DuplicateWeight', 'NotActive', 'UnknownProvider', 'TooManyWeights', undefined, 'WeightsAlreadySet']);
    // a new era opens a new round
    c.toHeight(ERA);
    c.block([[V[0]!, { call: 'set_weights', weights: [[0, 2]] }]]);
    assert.deepEqual(c.errors(), [undefined]);
  });

  it('reports from more than 2/3 of the validators slash the genesis fraction into the development fund and deactivate', () => {
    const c = new Chain();
    c.block([[ALICE, reg('a', 'Model', 1_234n * BAI + 9n)]]);
    c.block([
      [V[0]!, { call: 'report', provider: 0, reason: 'Unreachable' }],
      [V[0]!, { call: 'report', provider: 0, reason: 'Unreachable' }],
      [BOB, { call: 'report', provider: 0, reason: 'Unreachable' }],
      [V[1]!, { call: 'report', provider: 0, reason: 'WrongOutput' }],
    ]);
    // 2 of 4: 3·2 = 6 ≤ 8, not yet
    assert.deepEqual(c.errors(), [undefined, 'AlreadyReported', 'NotValidator', undefined]);
    assert.equal(c.state.providers.get(0)!.status, 'Active');
    assert.deepEqual(c.last.transfers, []);
    c.block([[V[2]!, { call: 'report', provider: 0, reason: 'Fraud' }]]);
    // 3 of 4: 9 > 8 → 10 % of 1234.000000000000000009 BAI, floored
    const slash = ((1_234n * BAI + 9n) * 100_000_000n) / 1_000_000_000n;
    assert.equal(slash, 123_400_000_000_000_000_000n);
    assert.deepEqual(c.eventNames(), ['Reported', 'ProviderSlashed']);
    assert.deepEqual(c.last.transfers, [{ kind: 'credit', from: 'module', to: 'developmentFund', amount: slash }]);
    const p = c.state.providers.get(0)!;
    assert.equal(p.status, 'Slashed');
    assert.equal(p.lock, 1_234n * BAI + 9n - slash);
    assert.equal(p.unlockEra, 2);
    c.block([[V[3]!, { call: 'report', provider: 0, reason: 'Fraud' }], [V[0]!, { call: 'set_weights', weights: [[0, 5]] }]]);
    assert.deepEqual(c.errors(), ['NotActive', 'NotActive']);
  });

  it('a deregistered provider stays slashable until its lock returns', () => {
    const c = new Chain();
    c.block([[ALICE, reg('a')], [ALICE, { call: 'deregister', provider: 0 }]]);
    c.block([[V[0]!, { call: 'report', provider: 0, reason: 'Fraud' }], [V[1]!, { call: 'report', provider: 0, reason: 'Fraud' }], [V[2]!, { call: 'report', provider: 0, reason: 'Fraud' }]]);
    assert.equal(c.state.providers.get(0)!.status, 'Slashed');
    assert.equal(c.state.providers.get(0)!.lock, 900n * BAI);
  });
});

describe('era end', () => {
  it('pays each grants fund pro rata to its kind\'s clipped stake-weighted medians; the remainder stays (exact)', () => {
    const c = new Chain();
    c.block([[ALICE, reg('m0')], [BOB, reg('m1')], [ALICE, reg('a0', 'Agent', 500n * BAI)], [BOB, reg('m2')]]);
    c.block([
      [V[0]!, { call: 'set_weights', weights: [[0, 100], [1, 300], [3, 50]] }],
      [V[1]!, { call: 'set_weights', weights: [[0, 200], [1, 100], [3, 60]] }],
      [V[2]!, { call: 'set_weights', weights: [[0, 65_535], [1, 100]] }],
      // V[3] does not vote
    ]);
    c.funds = { model: 1_000_000n * BAI + 1n, agent: 777n };
    c.toHeight(ERA);
    // voters: 400, 300, 200 (total 900); more than 450 needed
    // m0: 100@400, 200@300, 65535@200 → ≥65535: 200; ≥200: 500 > 450 → 200; weight 400·100 + 300·200 + 200·200 = 140000 (·BAI)
    // m1: 300@400, 100@300, 100@200 → ≥300: 400; ≥100: 900 → 100; weight 900·100 = 90000
    // a0: nobody → 0 (the agent fund pays nothing, keeps 777)
    // m2: 50@400, 60@300, 0@200 → ≥60: 300; ≥50: 700 → 50; weight 400·50 + 300·50 = 35000
    const w0 = 140_000n * BAI;
    const w1 = 90_000n * BAI;
    const w2 = 35_000n * BAI;
    const total = w0 + w1 + w2;
    const fund = 1_000_000n * BAI + 1n;
    const pay = (w: bigint) => (fund * w) / total;
    assert.deepEqual(c.last.transfers, [
      { kind: 'credit', from: 'modelFund', to: ALICE, amount: pay(w0) },
      { kind: 'credit', from: 'modelFund', to: BOB, amount: pay(w1) },
      { kind: 'credit', from: 'modelFund', to: BOB, amount: pay(w2) },
    ]);
    assert.equal(pay(w0), 528_301_886_792_452_830_188_679n);
    const paid = pay(w0) + pay(w1) + pay(w2);
    assert.ok(paid <= fund && fund - paid < 3n);
    assert.deepEqual(c.eventNames(), ['GrantPaid', 'GrantPaid', 'GrantPaid', 'EraScored', 'EraScored']);
    assert.deepEqual(c.last.events[3]!.event, { type: 'EraScored', era: 0, kind: 'Model', fund, paid, totalWeight: total, providers: 3 });
    assert.deepEqual(c.last.events[4]!.event, { type: 'EraScored', era: 0, kind: 'Agent', fund: 777n, paid: 0n, totalWeight: 0n, providers: 1 });
    assert.deepEqual(c.state.funds, { model: fund - paid, agent: 777n });
    assert.equal(c.state.era, 1);
    assert.equal(c.state.weights.size, 0);
    const rec = c.state.history.at(-1)!;
    assert.deepEqual(rec.scores.map((s) => [s.provider, s.consensus, s.weight]), [[0, 200, w0], [1, 100, w1], [2, 0, 0n], [3, 50, w2]]);
    assert.equal(c.state.providers.get(0)!.earned, pay(w0));
  });

  it('returns a deregistered lock exactly unlock_delay eras later and frees the name', () => {
    const c = new Chain();
    c.toHeight(ERA + 3n); // era 1
    c.block([[ALICE, reg('a')]]);
    c.block([[ALICE, { call: 'deregister', provider: 0 }]]);
    assert.equal(c.state.providers.get(0)!.unlockEra, 3);
    c.toHeight(3n * ERA - 1n);
    assert.equal(c.state.providers.get(0)!.status, 'Deregistered');
    c.block(); // height 30 ends era 2: era 3 begins
    assert.deepEqual(c.last.transfers, [{ kind: 'credit', from: 'module', to: ALICE, amount: 1_000n * BAI }]);
    assert.deepEqual(c.eventNames(), ['EraScored', 'EraScored', 'LockReturned']);
    assert.equal(c.state.providers.get(0)!.status, 'Closed');
    assert.equal(c.state.providers.get(0)!.lock, 0n);
    c.block([[BOB, reg('a')]]);
    assert.deepEqual(c.errors(), [undefined]);
    assert.equal(c.state.nextId, 2);
  });

  it('keeps the objects of the sections a block left unchanged (their cached encodings carry over)', () => {
    const c = new Chain();
    c.block([[ALICE, reg('a')]]);
    const before = c.state;
    c.block();
    assert.equal(c.state.providers, before.providers);
    assert.equal(c.state.weights, before.weights);
    assert.equal(c.state.reports, before.reports);
    assert.equal(c.state.history, before.history);
    c.block([[V[0]!, { call: 'set_weights', weights: [[0, 9]] }]]);
    assert.equal(c.state.providers, before.providers);
    assert.notEqual(c.state.weights, before.weights);
    c.block([[ALICE, { call: 'top_up', provider: 0, amount: 1n }]]);
    assert.notEqual(c.state.providers, before.providers);
  });

  it('is deterministic: the same blocks give equal states whatever order validators vote in', () => {
    const run = (order: number[]) => {
      const c = new Chain();
      c.block([[ALICE, reg('m0')], [BOB, reg('m1')]]);
      c.block(order.map((i): [string, ModelsCallData] => [V[i]!, { call: 'set_weights', weights: [[1, 10 * (i + 1)], [0, 7 * (i + 1)]] }]));
      c.funds = { model: 999n, agent: 0n };
      c.toHeight(ERA);
      return c.last.transfers;
    };
    assert.deepEqual(run([0, 1, 2, 3]), run([3, 1, 0, 2]));
  });
});
