// Every event the staking module emits must become a System.Events record that wallets decode: the block's
// events as consensus gets them (canonical JSON), encoded by libs/chain encodeEventRecords with the runtime's
// pallets, decoded by @polkadot/types from the runtime metadata.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Metadata, TypeRegistry } from '@polkadot/types';
import type { Codec } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { cryptoReady, devGenesis, encodeEventRecords, genesisMetadata, parseAccountId, runtimePallets, stakingPallet, type EventRecordInput, type Genesis } from '@balanceai/chain';
import { canonicalJson, type EventOutput } from '@balanceai/module-host';
import { A, B, G, N, chain, key } from './staking.fixture.js';

let genesis: Genesis;
before(async () => {
  await cryptoWaitReady();
  await cryptoReady();
  genesis = devGenesis({ validators: 2, genesisTimeMs: 1 }).genesis;
});

const id = (a: string) => parseAccountId(a);

/** Blocks that make the module emit each of its events at least once (credit-from-pot, era length 5). */
function representativeEvents(): EventOutput[] {
  const c = chain('credit-from-pot');
  const events: EventOutput[] = [];
  const run = (...args: Parameters<typeof c.run>) => events.push(...c.run(...args).events);
  run([
    { signer: A, call: { call: 'bond', value: 3_000n, payee: 'Stash' } },
    { signer: B, call: { call: 'bond', value: 2_000n, payee: 'Staked' } },
    { signer: N, call: { call: 'bond', value: 500n, payee: 'Staked' } },
  ]);
  run([
    { signer: A, call: { call: 'set_consensus_key', key: id(key(5)) } },
    { signer: A, call: { call: 'validate', commission: 50_000_000n, blocked: false } },
    { signer: N, call: { call: 'nominate', targets: [id(A), id(G[0]!)] } },
    { signer: B, call: { call: 'unbond', value: 300n } },
    { signer: B, call: { call: 'set_payee', payee: 'Stash' } },
  ]);
  run([{ signer: N, call: { call: 'chill' } }, { signer: N, call: { call: 'unbond', value: 500n } }]);
  run([], { potInflow: 1_000n });
  run([], { potInflow: 1_000n }); // 5: era 0 paid (Rewarded, EraPaid), era 1 elected
  // Offences at height 6 by validator 0: slashed, the same again ignored, an unknown validator ignored.
  const offence = { validator: 0, height: 6n, round: 0, voteType: 'prevote' };
  run([], { offences: [offence, offence, { validator: 99, height: 6n, round: 0, voteType: 'precommit' }] });
  // The genesis validators chill: too few candidates at the next era end, the set is kept (ElectionSkipped).
  run([{ signer: G[0]!, call: { call: 'chill' } }, { signer: G[1]!, call: { call: 'chill' } }]);
  while (c.state.staking.currentEra < 3) run([], { potInflow: 1_000n });
  run([{ signer: N, call: { call: 'withdraw_unbonded', numSlashingSpans: 0 } }]); // everything: Withdrawn, StakerRemoved
  return events;
}

describe('staking events in System.Events', () => {
  it('the scenario emits every event the Staking descriptor declares, and only those', () => {
    const declared = (stakingPallet().events ?? []).map((e) => e.name).sort();
    const emitted = [...new Set(representativeEvents().map((e) => e.name))].sort();
    assert.deepEqual(emitted, declared);
  });

  it('every emitted event encodes with the runtime pallets and decodes with @polkadot/types from the metadata', () => {
    const events = representativeEvents();
    // What consensus receives: canonical JSON text per event (ModuleEvent.data_json).
    const records: EventRecordInput[] = events.map((e) => ({
      phase: e.extrinsicIndex === null ? 'Finalization' : { applyExtrinsic: e.extrinsicIndex },
      module: 'Staking',
      name: e.name,
      data: JSON.parse(canonicalJson(e.data)) as unknown,
    }));
    const bytes = encodeEventRecords(runtimePallets(genesis), records);
    const registry = new TypeRegistry();
    registry.setMetadata(new Metadata(registry, genesisMetadata(genesis)));
    const decoded = registry.createType('Vec<FrameSystemEventRecord>', bytes) as unknown as Array<{ event: { section: string; method: string; data: Codec[] & { names?: string[] } }; phase: Codec }>;
    assert.equal(u8aToHex((decoded as unknown as Codec).toU8a()), u8aToHex(bytes), 'decodes to exactly the bytes');
    assert.deepEqual(decoded.map((r) => `${r.event.section}.${r.event.method}`), events.map((e) => `staking.${e.name}`));
    const field = (i: number, name: string) => {
      const ev = decoded[i]!.event.data;
      return ev[ev.names!.indexOf(name)]!;
    };
    // Spot checks of fields the JSON names differently from polkadot-sdk, or nests.
    const at = (name: string, pick: (e: EventOutput) => boolean = () => true) => events.findIndex((e) => e.name === name && pick(e));
    const paid = at('EraPaid');
    const paidData = events[paid]!.data as { era: number; paid: bigint };
    assert.equal(field(paid, 'eraIndex').toString(), String(paidData.era));
    assert.equal(field(paid, 'validatorPayout').toString(), paidData.paid.toString());
    const prefs = at('ValidatorPrefsSet');
    assert.deepEqual(field(prefs, 'prefs').toJSON(), { commission: 50_000_000, blocked: false });
    const unknown = at('SlashIgnored', (e) => (e.data as { reason: string }).reason === 'UnknownValidator');
    assert.deepEqual([field(unknown, 'validatorIndex').toJSON(), field(unknown, 'offender').toJSON(), field(unknown, 'era').toJSON(), field(unknown, 'reason').toString()], [99, null, null, 'UnknownValidator']);
    const again = at('SlashIgnored', (e) => (e.data as { reason: string }).reason === 'AlreadySlashed');
    assert.equal(u8aToHex(field(again, 'offender').toU8a()), `0x01${(events[again]!.data as { offender: string }).offender.slice(2)}`);
    const key5 = at('ConsensusKeySet');
    assert.equal(field(key5, 'key').toHex(), key(5));
  });
});
