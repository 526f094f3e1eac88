import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChainView } from './chain-view.js';
import { Ledger } from '../ledger/ledger.js';

const parent = '0x' + '05'.repeat(32);
const sig = new Uint8Array(64);
const precommit = (validator: number) => ({ type: 'precommit' as const, height: 4, round: 0, validator, blockHash: parent, signature: sig });

describe('chain view', () => {
  it('extends the carried commit with a late precommit as a new value; a commit already read keeps its signers', () => {
    const ledger = Ledger.fromBalances([], 1n);
    const chain = new ChainView(
      { height: 4, blockHash: new Uint8Array(32).fill(5), timeMs: 1, appHash: new Uint8Array(32), lastCommit: { height: 4, round: 0, blockHash: parent, precommits: [precommit(0), precommit(2), precommit(3)] } },
      ledger,
      [],
      new Uint8Array(32),
    );
    const proposed = chain.head.lastCommit!;
    assert.equal(chain.addLatePrecommit(precommit(1)), true);
    assert.deepEqual(proposed.precommits.map((v) => v.validator), [0, 2, 3], 'what a proposal was built from does not change');
    assert.deepEqual(chain.head.lastCommit!.precommits.map((v) => v.validator), [0, 1, 2, 3]);
    assert.equal(chain.addLatePrecommit(precommit(1)), false, 'once');
    assert.equal(chain.addLatePrecommit({ ...precommit(1), round: 1 }), false, 'another round');
    assert.ok(Object.isFrozen(chain.head) && Object.isFrozen(chain.head.lastCommit));
  });

  it('adopts only the next height', () => {
    const ledger = Ledger.fromBalances([], 1n);
    const chain = new ChainView({ height: 4, blockHash: new Uint8Array(32), timeMs: 1, appHash: new Uint8Array(32), lastCommit: null }, ledger, [], new Uint8Array(32));
    assert.throws(() => chain.adopt({ height: 6, blockHash: new Uint8Array(32), timeMs: 2, appHash: new Uint8Array(32), lastCommit: null }, ledger.draft()), /adopting height 6/);
    chain.adopt({ height: 5, blockHash: new Uint8Array(32).fill(1), timeMs: 2, appHash: new Uint8Array(32), lastCommit: null }, ledger.draft());
    assert.equal(chain.height, 5);
    assert.deepEqual(chain.blockHashAt(5), new Uint8Array(32).fill(1));
  });

  it('records each adopted block in the state window in the same step: the previous height keeps its values', () => {
    const A = '0x' + '0a'.repeat(32);
    const ledger = Ledger.fromBalances([{ id: A, free: 100n }], 1n);
    const chain = new ChainView({ height: 4, blockHash: new Uint8Array(32), timeMs: 1, appHash: new Uint8Array(32), lastCommit: null }, ledger, [], new Uint8Array(32));
    const draft = ledger.draft();
    draft.set(A, { free: 60n, reserved: 0n, nonce: 1 });
    draft.totalIssuance = 90n;
    chain.adopt({ height: 5, blockHash: new Uint8Array(32).fill(1), timeMs: 2, appHash: new Uint8Array(32), lastCommit: null }, draft);
    assert.deepEqual(chain.window.account(A, 4, chain.ledger), { free: 100n, reserved: 0n, nonce: 0 });
    assert.deepEqual(chain.window.account(A, 5, chain.ledger), { free: 60n, reserved: 0n, nonce: 1 });
    assert.equal(chain.window.totalIssuance(4, chain.ledger), 100n);
    assert.equal(chain.window.totalIssuance(5, chain.ledger), 90n);
    assert.equal(chain.window.heightOf('0x' + '01'.repeat(32)), 5);
  });
});
