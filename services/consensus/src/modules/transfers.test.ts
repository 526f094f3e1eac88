import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_SUPPLY } from '@balanceai/chain';
import { Ledger } from '../ledger/ledger.js';
import { applyModuleTransfers, ModuleFault } from './transfers.js';

const id = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const MOD = id(99);

describe("re-checking a module's transfers", () => {
  it('applies debits from signers into the module account and credits out of it, keeping issuance', () => {
    const l = Ledger.fromBalances([{ id: id(1), free: 100n }, { id: id(2), free: 5n }], 1n);
    applyModuleTransfers(l, { name: 'staking', account: MOD, mayMint: false }, [
      { kind: 'debit', from: id(1), to: MOD, amount: 60n },
      { kind: 'credit', from: MOD, to: id(2), amount: 10n },
    ], new Set([id(1)]));
    assert.equal(l.get(id(1)).free, 40n);
    assert.equal(l.get(MOD).free, 50n);
    assert.equal(l.get(id(2)).free, 15n);
    assert.equal(l.sumOfBalances(), l.totalIssuance);
  });

  it('mints new issuance only for the emissions module, within the cap', () => {
    const l = Ledger.fromBalances([{ id: id(1), free: 100n }], 1n);
    applyModuleTransfers(l, { name: 'emissions', account: MOD, mayMint: true }, [{ kind: 'mint', from: '', to: id(3), amount: 7n }], new Set());
    assert.equal(l.totalIssuance, 107n);
    assert.equal(l.sumOfBalances(), l.totalIssuance);
    assert.throws(() => applyModuleTransfers(l, { name: 'staking', account: MOD, mayMint: false }, [{ kind: 'mint', from: '', to: id(3), amount: 1n }], new Set()), ModuleFault);
    assert.throws(() => applyModuleTransfers(l, { name: 'emissions', account: MOD, mayMint: true }, [{ kind: 'mint', from: '', to: id(3), amount: MAX_SUPPLY }], new Set()), /cap/);
  });

  it('lets a module pay out of a fund the genesis gives it, and no other', () => {
    const pot = id(7);
    const l = Ledger.fromBalances([{ id: pot, free: 100n }, { id: id(8), free: 100n }], 1n);
    const staking = { name: 'staking', account: MOD, mayMint: false, funds: new Set([pot]) };
    applyModuleTransfers(l, staking, [{ kind: 'credit', from: pot, to: id(2), amount: 30n }], new Set());
    assert.equal(l.get(pot).free, 70n);
    assert.equal(l.get(id(2)).free, 30n);
    assert.throws(() => applyModuleTransfers(l, staking, [{ kind: 'credit', from: id(8), to: id(2), amount: 1n }], new Set()), /not its own account/);
  });

  it('stops on an overdraft, a debit of a non-signer and a credit out of a foreign account', () => {
    const l = Ledger.fromBalances([{ id: id(1), free: 10n }], 1n);
    const m = { name: 'models', account: MOD, mayMint: false };
    assert.throws(() => applyModuleTransfers(l, m, [{ kind: 'debit', from: id(1), to: MOD, amount: 11n }], new Set([id(1)])), /overdraws/);
    assert.throws(() => applyModuleTransfers(l, m, [{ kind: 'debit', from: id(1), to: MOD, amount: 1n }], new Set()), /signed none/);
    assert.throws(() => applyModuleTransfers(l, m, [{ kind: 'credit', from: id(1), to: MOD, amount: 1n }], new Set()), /not its own account/);
  });
});
