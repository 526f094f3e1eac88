import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { blake2_256, concatBytes, fromHex, toHex } from '@balanceai/chain';
import { Ledger } from '../ledger/ledger.js';
import type { ChainParams } from '../ledger/params.js';
import type { ModuleSet } from '../modules/module-set.js';
import { ModuleFault } from '../modules/transfers.js';
import { ValidatorSets } from '../node/validator-sets.js';
import { BlockExecutor, appHashOf } from './block-executor.js';

const ROOT_A = `0x${'aa'.repeat(32)}`;
const ROOT_B = `0x${'bb'.repeat(32)}`;

/** A module set that answers Info with fixed heights and roots (no I/O). */
function modulesAt(height: number, roots: string[]): ModuleSet {
  return {
    names: roots.map((_, i) => `m${i}`),
    handshake: async () => new Map(roots.map((_, i) => [`m${i}`, height])),
    committedRoots: async () => roots.map((r, i) => ({ name: `m${i}`, height, root: fromHex(r, 32) })),
    replay: async () => {
      throw new Error('nothing to replay');
    },
  } as unknown as ModuleSet;
}

describe('start-up check of the modules against the stored app hash', () => {
  const ledger = Ledger.fromBalances([{ id: `0x${'01'.repeat(32)}`, free: 10n }], 1n);
  const store = { commitBlock: async () => {}, moduleRequest: async () => null };
  const executor = (modules: ModuleSet | null) => new BlockExecutor({} as ChainParams, store, modules, new ValidatorSets([]));

  it('starts when ledger root and module roots give the stored app hash', async () => {
    const stored = blake2_256(concatBytes(ledger.root(), fromHex(ROOT_A, 32), fromHex(ROOT_B, 32)));
    assert.equal(toHex(appHashOf(ledger, [fromHex(ROOT_A, 32), fromHex(ROOT_B, 32)])), toHex(stored));
    await executor(modulesAt(7, [ROOT_A, ROOT_B])).connectModules(7, stored, ledger);
  });

  it('refuses to start when a module answers a root that does not give the stored app hash', async () => {
    const stored = blake2_256(concatBytes(ledger.root(), fromHex(ROOT_A, 32), fromHex(ROOT_B, 32)));
    await assert.rejects(executor(modulesAt(7, [ROOT_A, ROOT_A])).connectModules(7, stored, ledger), (err) => err instanceof ModuleFault && /Refusing to start/.test(err.message));
  });

  it('refuses to start without modules when the ledger does not give the stored app hash', async () => {
    await assert.rejects(executor(null).connectModules(3, new Uint8Array(32), ledger), ModuleFault);
    await executor(null).connectModules(3, ledger.root(), ledger);
  });
});
