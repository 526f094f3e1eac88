// System.Events of executed blocks, decoded with @polkadot/types from our metadata as a wallet does
// after `inBlock`: each extrinsic's events under ApplyExtrinsic(i), block-level ones under Finalization.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { Vec } from '@polkadot/types';
import { cryptoReady, fromHex, genesisMetadata, keyFromUri, runtimePallets, storagePrefix, toHex } from '@balanceai/chain';
import { BlockEvents, palletEvents } from './block-events.js';
import { SystemStorage } from './ledger-storage.js';
import { ALICE, BOB, ONE_BAI, TestChain } from './state.testkit.js';

let t: TestChain;
let registry: TypeRegistry;
let eventsType: string;

function decode(bytes: Uint8Array): Array<[string, string, unknown]> {
  const records = registry.createType<Vec<EventRecord>>(eventsType, bytes);
  return records.map((r) => [r.phase.toString(), `${r.event.section}.${r.event.method}`, r.event.data.toJSON()]);
}

describe('System.Events of a block', () => {
  before(async () => {
    await cryptoReady();
    t = new TestChain();
    registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(t.genesis));
    registry.setMetadata(metadata);
    eventsType = registry.lookup.getTypeDef(expandMetadata(registry, metadata).query.system!.events!.meta.type.asPlain).type;
  });

  it('lists each extrinsic’s events in block order under its index, then the block-level ones; leaves out what the metadata does not declare', async () => {
    const alice = ALICE();
    const newcomer = keyFromUri('//Events', 'sr25519');
    const pot = toHex(new Uint8Array(32).fill(3));
    const outcomes = t.block(
      [t.transfer(alice, newcomer.publicKey, 2n * ONE_BAI, 0), t.transfer(alice, BOB().publicKey, 10n ** 30n, 1)],
      [
        { module: 'Consensus', name: 'Equivocation', data: { validator: 0, height: 1, round: 0, voteType: 'prevote' } },
        { module: 'Balances', name: 'Minted', data: { from: '', to: pot, amount: '5' } },
        { module: 'Balances', name: 'Transfer', data: { amount: '1' } }, // stored data that does not fit: left out, logged
      ],
    );
    assert.equal(outcomes[1]!.errorCode, 'Balances.InsufficientBalance');
    const events = new BlockEvents(t.store(), palletEvents(runtimePallets(t.genesis)));
    const got = decode(await events.at(1));
    assert.deepEqual(
      got.map(([phase, name]) => [phase, name]),
      [
        ['{"applyExtrinsic":0}', 'transactionPayment.TransactionFeePaid'],
        ['{"applyExtrinsic":0}', 'balances.Endowed'],
        ['{"applyExtrinsic":0}', 'balances.Transfer'],
        ['{"applyExtrinsic":0}', 'system.ExtrinsicSuccess'],
        ['{"applyExtrinsic":1}', 'transactionPayment.TransactionFeePaid'],
        ['{"applyExtrinsic":1}', 'system.ExtrinsicFailed'],
        ['Finalization', 'balances.Minted'],
      ],
    );
    const transfer = got[2]![2] as unknown[];
    const address = (publicKey: Uint8Array) => registry.createType('AccountId32', publicKey).toString();
    assert.deepEqual(transfer.slice(0, 2), [address(alice.publicKey), address(newcomer.publicKey)]);
    assert.equal(BigInt(transfer[2] as string), 2n * ONE_BAI);
    const failure = registry.createType('SpRuntimeDispatchError', (got[5]![2] as unknown[])[0]) as unknown as { asModule: never };
    assert.equal(registry.findMetaError(failure.asModule).name, 'InsufficientBalance');
  });

  it('serves them as System.Events of that block: an empty list for a block without events', async () => {
    t.block();
    const events = new BlockEvents(t.store(), palletEvents(runtimePallets(t.genesis)));
    const system = new SystemStorage({ chain: () => t.chain, blockHash: t.store().blockHashAt, events: (h) => events.at(h) });
    const key = toHex(storagePrefix('System', 'Events'));
    const [one, two] = [await system.read([key], { height: 1, hash: t.hashAt(1) }), await system.read([key], { height: 2, hash: t.hashAt(2) })];
    assert.equal(decode(fromHex(one[0]!)).length, 7);
    assert.equal(two[0], '0x00');
  });
});
