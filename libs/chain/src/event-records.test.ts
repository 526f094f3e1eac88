import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import type { Vec } from '@polkadot/types-codec';
import { ONE_BAI } from './amount.js';
import { EventRecordError, type EventRecordInput, dispatchErrorFor, encodeDispatchError, encodeEventRecords } from './event-records.js';
import { toHex } from './hex.js';
import { keyFromUri } from './keys.js';
import { type PalletDescriptor, balancesPallet, buildMetadata, systemPallet, transactionPaymentPallet } from './metadata.js';
import { ss58Encode } from './ss58.js';

const pallets: PalletDescriptor[] = [systemPallet(), balancesPallet(), transactionPaymentPallet()];
const alice = toHex(keyFromUri('//Alice', 'sr25519').publicKey);
const bob = toHex(keyFromUri('//Bob', 'sr25519').publicKey);
const address = (hex: string) => ss58Encode(Uint8Array.from(Buffer.from(hex.slice(2), 'hex')), 42);

function decodeEvents(bytes: Uint8Array) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, buildMetadata(pallets));
  registry.setMetadata(metadata);
  const eventsType = expandMetadata(registry, metadata).query['system']!['events']!.meta.type.asPlain;
  return { registry, events: registry.createType<Vec<EventRecord>>(registry.lookup.getTypeDef(eventsType).type, bytes) };
}

test('the events the ledger emits for a transfer block decode in @polkadot/types as the same Substrate events', () => {
  const fee = ONE_BAI / 1000n;
  const records: EventRecordInput[] = [
    { phase: { applyExtrinsic: 1 }, module: 'TransactionPayment', name: 'TransactionFeePaid', data: { who: alice, actualFee: fee.toString(), tip: '0' } },
    { phase: { applyExtrinsic: 1 }, module: 'Balances', name: 'Endowed', data: { account: bob, freeBalance: ONE_BAI.toString() } },
    { phase: { applyExtrinsic: 1 }, module: 'Balances', name: 'Transfer', data: { from: alice, to: bob, amount: ONE_BAI.toString() } },
    { phase: { applyExtrinsic: 1 }, module: 'System', name: 'ExtrinsicSuccess', data: {} },
    { phase: { applyExtrinsic: 2 }, module: 'Balances', name: 'DustLost', data: { account: alice, amount: '5' } },
    { phase: { applyExtrinsic: 2 }, module: 'System', name: 'KilledAccount', data: { account: alice } },
    { phase: { applyExtrinsic: 3 }, module: 'System', name: 'ExtrinsicFailed', data: { error: 'Balances.InsufficientBalance' } },
    { phase: 'Finalization', module: 'Balances', name: 'Minted', data: { to: bob, amount: '12' } },
    { phase: 'Initialization', module: 'System', name: 'ExtrinsicSuccess', data: { dispatchInfo: { weight: { refTime: 9, proofSize: 1 }, class: 'Operational', paysFee: 'No' } } },
  ];
  const { registry, events } = decodeEvents(encodeEventRecords(pallets, records));
  assert.equal(events.length, records.length);
  const summary = events.map((e) => [e.phase.toString(), `${e.event.section}.${e.event.method}`, e.event.data.toPrimitive(), e.topics.length]);
  const info0 = { weight: { refTime: 0, proofSize: 0 }, class: 'Normal', paysFee: 'Yes' };
  assert.deepEqual(summary, [
    ['{"applyExtrinsic":1}', 'transactionPayment.TransactionFeePaid', [address(alice), Number(fee), 0], 0],
    ['{"applyExtrinsic":1}', 'balances.Endowed', [address(bob), ONE_BAI.toString()], 0],
    ['{"applyExtrinsic":1}', 'balances.Transfer', [address(alice), address(bob), ONE_BAI.toString()], 0],
    ['{"applyExtrinsic":1}', 'system.ExtrinsicSuccess', [info0], 0],
    ['{"applyExtrinsic":2}', 'balances.DustLost', [address(alice), 5], 0],
    ['{"applyExtrinsic":2}', 'system.KilledAccount', [address(alice)], 0],
    ['{"applyExtrinsic":3}', 'system.ExtrinsicFailed', [{ module: { index: 5, error: '0x02000000' } }, info0], 0],
    ['Finalization', 'balances.Minted', [address(bob), 12], 0],
    ['Initialization', 'system.ExtrinsicSuccess', [{ weight: { refTime: 9, proofSize: 1 }, class: 'Operational', paysFee: 'No' }], 0],
  ]);
  // What a wallet shows for the failure: the pallet error by name, from our metadata.
  const failure = events[6]!.event.data[0] as DispatchError;
  const meta = registry.findMetaError(failure.asModule);
  assert.equal(`${meta.section}.${meta.name}`, 'balances.InsufficientBalance');
});

test('error codes: Balances errors map to their pallet_balances variants; undeclared codes are DispatchError::Other', () => {
  assert.deepEqual(dispatchErrorFor(pallets, 'Balances.InsufficientBalance'), { Module: { index: 5, error: '0x02000000' } });
  assert.deepEqual(dispatchErrorFor(pallets, 'Balances.ExistentialDeposit'), { Module: { index: 5, error: '0x03000000' } });
  assert.deepEqual(dispatchErrorFor(pallets, 'Balances.Expendability'), { Module: { index: 5, error: '0x04000000' } });
  assert.deepEqual(dispatchErrorFor(pallets, 'Balances.KeepAlive'), { Module: { index: 5, error: '0x04000000' } });
  assert.deepEqual(dispatchErrorFor(pallets, 'System.CallFiltered'), { Module: { index: 0, error: '0x05000000' } });
  for (const code of ['System.CallUnavailable', 'System.BadCall', 'Staking.BadCall', 'Nope', '']) assert.equal(dispatchErrorFor(pallets, code), 'Other', code);
  const registry = new TypeRegistry();
  registry.setMetadata(new Metadata(registry, buildMetadata(pallets)));
  const other = registry.createType<DispatchError>('SpRuntimeDispatchError', encodeDispatchError(pallets, 'System.CallUnavailable'));
  assert.equal(other.isOther, true);
  const expendability = registry.createType<DispatchError>('SpRuntimeDispatchError', encodeDispatchError(pallets, 'Balances.Expendability'));
  assert.equal(registry.findMetaError(expendability.asModule).name, 'Expendability');
});

test('unknown pallets or events, and data that does not fit, are typed errors: nothing is dropped', () => {
  const code = (c: string) => (e: unknown) => e instanceof EventRecordError && e.code === c;
  const one = (r: Partial<EventRecordInput>) => encodeEventRecords(pallets, [{ phase: { applyExtrinsic: 0 }, module: 'Balances', name: 'Transfer', data: {}, ...r }]);
  assert.throws(() => one({ module: 'Consensus', name: 'Equivocation', data: { validator: 1 } }), code('UNKNOWN_EVENT'));
  assert.throws(() => one({ name: 'Teleported' }), code('UNKNOWN_EVENT'));
  assert.throws(() => one({ data: { from: alice, to: bob } }), (e: unknown) => code('BAD_EVENT_DATA')(e) && /amount: is missing/.test((e as Error).message));
  assert.throws(() => one({ data: { from: alice, to: 'not an address', amount: '1' } }), code('BAD_EVENT_DATA'));
  assert.throws(() => one({ data: { from: alice, to: bob, amount: '-1' } }), code('BAD_EVENT_DATA'));
  assert.throws(() => one({ module: 'System', name: 'ExtrinsicFailed', data: {} }), code('BAD_EVENT_DATA'));
  assert.throws(() => one({ phase: { applyExtrinsic: -1 }, data: { from: alice, to: bob, amount: '1' } }), code('BAD_EVENT_DATA'));
  assert.equal(toHex(encodeEventRecords(pallets, [])), '0x00');
});
