import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry } from '@polkadot/types';
import { ONE_BAI } from './amount.js';
import { toHex } from './hex.js';
import { keyFromUri } from './keys.js';
import { type TypeSpec, MetaType as T } from './meta-types.js';
import { buildMetadata, systemPallet, balancesPallet } from './metadata.js';
import { JsonValueError, encodeJsonValue, snakeToCamel } from './scale-json.js';
import { ss58Encode } from './ss58.js';

const plain = new TypeRegistry();
const hex = (spec: TypeSpec, json: unknown) => toHex(encodeJsonValue(spec, json));
const bad = (spec: TypeSpec, json: unknown, path?: string) =>
  assert.throws(
    () => encodeJsonValue(spec, json),
    (e: unknown) => e instanceof JsonValueError && e.code === 'BAD_JSON_VALUE' && (path === undefined || e.path === path),
    JSON.stringify(json, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
  );

test('integers: every width, signed two\'s complement, from bigint, safe numbers, decimal or hex strings; out of range refused', () => {
  const cases: Array<[string, unknown]> = [
    ['u8', 255], ['u16', '65535'], ['u32', 4_000_000_000], ['u64', '18446744073709551615'], ['u128', 2n ** 127n + 3n],
    ['i8', -128], ['i16', '-2'], ['i32', -1], ['i64', '-9223372036854775808'], ['i128', -(2n ** 100n)], ['u256', 2n ** 255n], ['i256', -7n],
  ];
  for (const [type, value] of cases) {
    const ours = hex({ kind: 'primitive', primitive: type } as TypeSpec, value);
    assert.equal(ours, plain.createType(type, typeof value === 'string' ? BigInt(value) : value).toHex(true), `${type} ${String(value)}`);
  }
  assert.equal(hex(T.u32, '0x10'), '0x10000000');
  bad(T.u8, 256);
  bad(T.u8, -1);
  bad({ kind: 'primitive', primitive: 'i8' }, 128);
  bad(T.u64, 2 ** 60); // not a safe integer: precision may already be lost
  bad(T.u32, '1.5');
  bad(T.u32, '');
  bad(T.u32, true);
  bad(T.u128, null);
});

test('compacts, bools, strings and bytes match @polkadot/types', () => {
  assert.equal(hex(T.compact(T.u128), ONE_BAI), toHex(plain.createType('Compact<u128>', ONE_BAI).toU8a()));
  assert.equal(hex(T.compact(T.u32), 0), '0x00');
  bad(T.compact(T.u8), 300);
  const perbill = T.composite(['sp_arithmetic', 'per_things', 'Perbill'], [{ type: T.u32 }]);
  assert.equal(hex(T.compact(perbill), 50_000_000), toHex(plain.createType('Compact<Perbill>', 50_000_000).toU8a()));
  assert.equal(hex(T.bool, true), '0x01');
  bad(T.bool, 'true');
  assert.equal(hex(T.str, 'BalanceAI ✓'), toHex(plain.createType('Text', 'BalanceAI ✓').toU8a()));
  assert.equal(hex(T.vec(T.u8), '0xdeadbeef'), toHex(plain.createType('Bytes', '0xdeadbeef').toU8a()));
  assert.equal(hex(T.vec(T.u8), [1, 2]), '0x080102');
  assert.equal(hex(T.array(4, T.u8), Uint8Array.of(1, 2, 3, 4)), '0x01020304');
  bad(T.array(4, T.u8), '0x010203');
  bad(T.vec(T.u8), 'deadbeef');
  assert.equal(hex(T.vec(T.u32), [1, '2']), toHex(plain.createType('Vec<u32>', [1, 2]).toU8a()));
  assert.equal(hex(T.tuple(T.u8, T.bool), [7, false]), '0x0700');
  bad(T.tuple(T.u8, T.bool), [7]);
});

test('account ids from 0x hex or SS58 of any prefix; H256 from hex', () => {
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  assert.equal(hex(T.AccountId32, toHex(alice)), toHex(alice));
  assert.equal(hex(T.AccountId32, ss58Encode(alice, 42)), toHex(alice));
  assert.equal(hex(T.AccountId32, ss58Encode(alice, 0)), toHex(alice));
  bad(T.AccountId32, '5NotAnAddress');
  bad(T.AccountId32, toHex(alice.subarray(1)));
  assert.equal(hex(T.H256, `0x${'ab'.repeat(32)}`), `0x${'ab'.repeat(32)}`);
});

test('structs by snake_case or camelCase names (extra keys ignored), enums by name, Option as null or the value', () => {
  assert.equal(snakeToCamel('free_balance'), 'freeBalance');
  assert.equal(snakeToCamel('ref_time'), 'refTime');
  const info = { weight: { refTime: 5, proof_size: '7' }, class: 'operational', paysFee: 'No', extra: 'ignored' };
  assert.equal(
    hex(T.DispatchInfo, info),
    toHex(plain.createType('DispatchInfo', { weight: { refTime: 5, proofSize: 7 }, class: 'Operational', paysFee: 'No' }).toU8a()),
  );
  bad(T.DispatchInfo, { weight: { refTime: 5 }, class: 'Normal', paysFee: 'Yes' }, 'weight.proof_size');
  bad(T.DispatchInfo, { weight: { refTime: 5, proofSize: 0 }, class: 'Urgent', paysFee: 'Yes' }, 'class');
  assert.equal(hex(T.option(T.u32), null), '0x00');
  assert.equal(hex(T.option(T.u32), 9), '0x0109000000');
  assert.equal(hex(T.option(T.AccountId32), undefined), '0x00');
  // A missing Option field is None; a missing other field is an error naming it.
  const s = T.composite(['x', 'S'], [{ name: 'maybe_era', type: T.option(T.u32) }, { name: 'count', type: T.u8 }]);
  assert.equal(hex(s, { count: 3 }), '0x0003');
  assert.equal(hex(s, { maybeEra: 4, count: 3 }), '0x010400000003');
  bad(s, { maybeEra: 4 }, 'count');
  bad(s, [1, 2]);
  // Variants with fields: { Name: value }; a field-less variant refuses a value.
  const e = T.variant(['x', 'E'], [
    { name: 'Plain', index: 0 },
    { name: 'One', index: 3, fields: [{ type: T.u16 }] },
    { name: 'Named', index: 5, fields: [{ name: 'a_b', type: T.u8 }, { name: 'c', type: T.bool }] },
  ]);
  assert.equal(hex(e, 'Plain'), '0x00');
  assert.equal(hex(e, { Plain: null }), '0x00');
  assert.equal(hex(e, { one: 258 }), '0x030201');
  assert.equal(hex(e, { Named: { aB: 1, c: true } }), '0x050101');
  bad(e, { Plain: 1 });
  bad(e, { One: 1, Named: {} });
  bad(e, 'Nope');
  assert.equal(hex(T.result(T.u8, T.bool), { Ok: 1 }), '0x0001');
  assert.equal(hex(T.result(T.u8, T.bool), { Err: true }), '0x0101');
  // Unit structs take nothing (or an object whose keys are all extra).
  assert.equal(hex(T.composite(['x', 'U'], []), {}), '0x');
  bad(T.composite(['x', 'U'], []), 5);
});

test('runtime-wide types need a resolver; the error names the path of a bad nested value', () => {
  assert.throws(() => encodeJsonValue(T.runtimeEvent, {}), JsonValueError);
  const nested = T.composite(['x', 'N'], [{ name: 'list', type: T.vec(T.composite(['x', 'I'], [{ name: 'amount', type: T.u128 }])) }]);
  bad(nested, { list: [{ amount: '1' }, { amount: '-1' }] }, 'list[1].amount');
  const resolved = encodeJsonValue(T.runtimeEvent, 7, { runtime: () => T.u8 });
  assert.equal(toHex(resolved), '0x07');
});

test('@polkadot/types decodes a composite event we encode from JSON back to the same values', () => {
  const Reason = T.enumOf(['pallet_x', 'Reason'], ['Late', 'Unknown']);
  const pallet = {
    name: 'Demo',
    index: 42,
    crate: 'pallet_demo',
    events: [
      {
        name: 'Happened',
        index: 0,
        fields: [
          { name: 'who', type: T.AccountId32 },
          { name: 'amounts', type: T.vec(T.Balance) },
          { name: 'era', type: T.option(T.u32) },
          { name: 'reason', type: Reason },
          { name: 'flag', type: T.bool },
          { name: 'pair', type: T.tuple(T.u16, { kind: 'primitive', primitive: 'i32' }) },
        ],
      },
    ],
  };
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, buildMetadata([systemPallet(), balancesPallet(), pallet]));
  registry.setMetadata(metadata);
  const alice = keyFromUri('//Alice', 'sr25519').publicKey;
  const json = { who: ss58Encode(alice, 42), amounts: ['1', 2n, 3], reason: 'Unknown', flag: true, pair: [7, -7] };
  const typeId = metadata.asLatest.pallets.find((p) => p.name.toString() === 'Demo')!.events.unwrap().type;
  const bytes = Uint8Array.of(0, ...encodeJsonValue({ kind: 'composite', path: [], fields: pallet.events[0]!.fields }, json));
  const decoded = registry.createType(registry.lookup.getTypeDef(typeId).type, bytes);
  assert.deepEqual(decoded.toJSON(), { happened: { who: ss58Encode(alice, 42), amounts: [1, 2, 3], era: null, reason: 'Unknown', flag: true, pair: [7, -7] } });
});
