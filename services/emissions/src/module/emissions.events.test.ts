// The emissions module's events (Minted, Halving) as System.Events records: encoded from the canonical JSON
// consensus receives by libs/chain encodeEventRecords, decoded by @polkadot/types from the runtime metadata.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, TypeRegistry } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { blake2_256, cryptoReady, devGenesis, emissionsPallet, encodeEventRecords, genesisMetadata, runtimePallets, toHex, type Genesis } from '@balanceai/chain';
import { canonicalJson, type EventOutput } from '@balanceai/module-host';
import { EmissionsMachine, emissionsSetupFromGenesis } from './emissions.machine.js';

let genesis: Genesis;
before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
  genesis = devGenesis({ validators: 1, genesisTimeMs: 1 }).genesis;
});

/** Blocks of a small schedule (no genesis issuance, 100k base units a block, cap 1M) past its first halving. */
function representativeEvents(): EventOutput[] {
  const setup = emissionsSetupFromGenesis(genesis);
  const schedule = { ...setup.schedule, genesisIssuance: 0n, maxSupply: 1_000_000n, baseRatePerDay: 7_200n * 100_000n, blocksPerDay: 7_200n };
  const machine = new EmissionsMachine({ ...setup, schedule });
  let state = machine.initialState();
  const events: EventOutput[] = [];
  for (let h = 1n; h <= 12n; h++) {
    const r = machine.executeBlock(state, {
      context: { height: h, blockHash: toHex(blake2_256(Uint8Array.of(Number(h)))), timeMs: h, proposerIndex: 0, lastCommitSigners: [], offences: [], totalIssuance: null, validators: [] },
      calls: [],
      signerBalances: new Map(),
      moduleBalances: new Map(),
    });
    events.push(...r.output.events);
    state = r.state;
  }
  return events;
}

describe('emissions events in System.Events', () => {
  it('emits every event the Emissions descriptor declares', () => {
    assert.deepEqual([...new Set(representativeEvents().map((e) => e.name))].sort(), (emissionsPallet().events ?? []).map((e) => e.name).sort());
  });

  it('every emitted event encodes with the runtime pallets and decodes with @polkadot/types, field by field', () => {
    const events = representativeEvents();
    assert.ok(events.length > 10);
    const bytes = encodeEventRecords(
      runtimePallets(genesis),
      events.map((e) => ({ phase: 'Finalization' as const, module: 'Emissions', name: e.name, data: JSON.parse(canonicalJson(e.data)) as unknown })),
    );
    const registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, genesisMetadata(genesis)));
    const decoded = registry.createType('Vec<FrameSystemEventRecord>', bytes) as unknown as Array<{ event: { section: string; method: string; data: Codec[] & { names?: string[] } } }>;
    assert.equal(u8aToHex((decoded as unknown as Codec).toU8a()), u8aToHex(bytes));
    events.forEach((e, i) => {
      const ev = decoded[i]!.event;
      assert.equal(`${ev.section}.${ev.method}`, `emissions.${e.name}`);
      // Each field's camelCase name is the JSON key, and the decoded value is the JSON value.
      const json = JSON.parse(canonicalJson(e.data)) as Record<string, string | number>;
      assert.deepEqual(Object.fromEntries(ev.data.names!.map((n, j) => [n, ev.data[j]!.toString()])), Object.fromEntries(Object.entries(json).map(([k, v]) => [k, String(v)])));
    });
  });
});
