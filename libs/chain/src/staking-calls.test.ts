import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { CallDecodeError } from './errors.js';
import { IMMORTAL, PALLET, decodeExtrinsic, encodeCall, signExtrinsic } from './extrinsic.js';
import { toHex } from './hex.js';
import { cryptoReady, keyFromUri } from './keys.js';
import { BALANCES_PALLET, SYSTEM_PALLET, buildMetadata } from './metadata.js';
import { ScaleWriter } from './scale.js';
import { STAKING_CALL, type StakingCallData, decodeStakingCall, decodeStakingCallOf, encodeStakingCall, stakingPallet } from './staking-calls.js';

const a = new Uint8Array(32).fill(0xaa);
const b = new Uint8Array(32).fill(0xbb);

function registry() {
  const reg = new TypeRegistry();
  const metadata = new Metadata(reg, buildMetadata([SYSTEM_PALLET, BALANCES_PALLET, stakingPallet({ bondingDuration: 3 })]));
  reg.setMetadata(metadata);
  return { reg, decorated: expandMetadata(reg, metadata) };
}

before(async () => {
  await cryptoReady();
});

describe('staking call codec', () => {
  const samples: StakingCallData[] = [
    { call: 'bond', value: 12_345n * 10n ** 18n, payee: 'Staked' },
    { call: 'bond', value: 0n, payee: 'Stash' },
    { call: 'bond_extra', maxAdditional: (1n << 128n) - 1n },
    { call: 'unbond', value: 7n },
    { call: 'withdraw_unbonded', numSlashingSpans: 4 },
    { call: 'validate', commission: 50_000_000n, blocked: false },
    { call: 'nominate', targets: [a, b] },
    { call: 'chill' },
    { call: 'set_payee', payee: 'Stash' },
    { call: 'rebond', value: 1n },
    { call: 'set_consensus_key', key: b },
  ];

  it('round-trips every call with pallet 7 and pallet-staking call indices', () => {
    for (const s of samples) {
      const call = encodeStakingCall(s);
      assert.equal(call.palletIndex, PALLET.Staking);
      assert.equal(call.callIndex, STAKING_CALL[s.call]);
      assert.deepEqual(decodeStakingCall(call.callIndex, call.args), s);
      assert.deepEqual(decodeStakingCallOf(call), s);
    }
    assert.deepEqual(Object.values(STAKING_CALL), [0, 1, 2, 3, 4, 5, 6, 7, 19, 20]);
  });

  it('encodes the exact bytes of pallet-staking', () => {
    // bond(value: Compact(1), payee: Staked) = 0x04 00
    assert.equal(toHex(encodeStakingCall({ call: 'bond', value: 1n, payee: 'Staked' }).args), '0x0400');
    // validate { commission: Compact(Perbill 10%), blocked: false }: 100_000_000 = 0x05F5E100 → 4-byte mode
    assert.equal(toHex(encodeStakingCall({ call: 'validate', commission: 100_000_000n, blocked: false }).args), '0x0284d71700');
    assert.equal(toHex(encodeStakingCall({ call: 'withdraw_unbonded', numSlashingSpans: 1 }).args), '0x01000000');
    assert.equal(toHex(encodeStakingCall({ call: 'nominate', targets: [a] }).args), `0x0400${'aa'.repeat(32)}`);
  });

  it('refuses unknown indices, unsupported variants, trailing bytes and truncation as BAD_CALL', () => {
    const bad = (index: number, args: Uint8Array) => assert.throws(() => decodeStakingCall(index, args), (e: unknown) => e instanceof CallDecodeError && e.code === 'BAD_CALL');
    bad(8, new Uint8Array(0));
    bad(STAKING_CALL.bond, Uint8Array.of(0x04, 2)); // Controller
    bad(STAKING_CALL.bond, Uint8Array.of(0x04, 9)); // no such variant
    bad(STAKING_CALL.chill, Uint8Array.of(0));
    bad(STAKING_CALL.unbond, Uint8Array.of(0x01, 0)); // non-canonical compact
    bad(STAKING_CALL.set_consensus_key, new Uint8Array(31));
    bad(STAKING_CALL.nominate, new ScaleWriter().compact(1).u8(2).bytes(a).finish()); // MultiAddress::Raw
    bad(STAKING_CALL.nominate, new ScaleWriter().compact(65).finish());
    bad(STAKING_CALL.validate, Uint8Array.of(0, 2)); // bad bool
    assert.throws(() => decodeStakingCallOf({ palletIndex: 5, callIndex: 0, args: new Uint8Array(0) }), CallDecodeError);
  });
});

describe('stakingPallet() metadata', () => {
  it('lets @polkadot/types build staking.bond, whose bytes decode here', () => {
    const { reg, decorated } = registry();
    const bond = decorated.tx['staking']!['bond']!;
    assert.deepEqual([...bond.callIndex], [7, 0]);
    assert.deepEqual(bond.meta.args.map((x) => x.name.toString()), ['value', 'payee']);
    const value = 25_000n * 10n ** 18n;
    const call = reg.createType('Call', { callIndex: [7, 0], args: { value, payee: { Stash: null } } });
    const bytes = call.toU8a();
    assert.equal(bytes[0], 7);
    assert.deepEqual(decodeStakingCall(bytes[1]!, bytes.subarray(2)), { call: 'bond', value, payee: 'Stash' });
    // and ours decodes in @polkadot/types
    const ours = encodeCall(encodeStakingCall({ call: 'bond', value, payee: 'Staked' }));
    const theirs = reg.createType('Call', ours);
    assert.equal(theirs.section, 'staking');
    assert.equal(theirs.method, 'bond');
    assert.equal(theirs.args[1]!.toString(), 'Staked');
    assert.equal(BigInt(theirs.args[0]!.toString()), value);
  });

  it('builds validate, nominate and set_consensus_key with @polkadot/types and they decode here', () => {
    const { reg, decorated } = registry();
    assert.deepEqual([...decorated.tx['staking']!['rebond']!.callIndex], [7, 19]);
    assert.deepEqual([...decorated.tx['staking']!['setConsensusKey']!.callIndex], [7, 20]);
    assert.equal(decorated.consts['staking']!['bondingDuration']!.toString(), '3');
    const validate = reg.createType('Call', { callIndex: [7, 4], args: { prefs: { commission: 50_000_000, blocked: false } } }).toU8a();
    assert.deepEqual(decodeStakingCall(validate[1]!, validate.subarray(2)), { call: 'validate', commission: 50_000_000n, blocked: false });
    const nominate = reg.createType('Call', { callIndex: [7, 5], args: { targets: [{ Id: u8aToHex(a) }, { Id: u8aToHex(b) }] } }).toU8a();
    assert.deepEqual(decodeStakingCall(nominate[1]!, nominate.subarray(2)), { call: 'nominate', targets: [a, b] });
    const key = reg.createType('Call', { callIndex: [7, 20], args: { key: u8aToHex(b) } }).toU8a();
    assert.deepEqual(decodeStakingCall(key[1]!, key.subarray(2)), { call: 'set_consensus_key', key: b });
  });

  it('a signed staking extrinsic decodes in @polkadot/types and carries the call through decodeExtrinsic', () => {
    const { reg } = registry();
    const alice = keyFromUri('//Alice', 'sr25519');
    const genesisHash = new Uint8Array(32).fill(1);
    const bytes = signExtrinsic(alice, encodeStakingCall({ call: 'unbond', value: 5n }), { era: IMMORTAL, nonce: 0, tip: 0n }, { specVersion: 1, transactionVersion: 1, genesisHash, birthHash: genesisHash });
    const xt = decodeExtrinsic(bytes);
    assert.deepEqual(decodeStakingCallOf(xt.call), { call: 'unbond', value: 5n });
    const theirs = reg.createType('Extrinsic', bytes);
    assert.equal(theirs.method.section, 'staking');
    assert.equal(theirs.method.method, 'unbond');
  });
});

describe('stakingPallet() storage', () => {
  // polkadot-sdk's declarations (pallet-staking pallet/mod.rs): [modifier, hashers, value type as polkadot.js names it].
  const expected: Record<string, [string, string[], string]> = {
    ValidatorCount: ['Default', [], 'u32'],
    MinimumValidatorCount: ['Default', [], 'u32'],
    Bonded: ['Optional', ['Twox64Concat'], 'AccountId32'],
    MinNominatorBond: ['Default', [], 'u128'],
    MinValidatorBond: ['Default', [], 'u128'],
    MinCommission: ['Default', [], 'Perbill'],
    Ledger: ['Optional', ['Blake2_128Concat'], 'PalletStakingStakingLedger'],
    Payee: ['Optional', ['Twox64Concat'], 'PalletStakingRewardDestination'],
    Validators: ['Default', ['Twox64Concat'], 'PalletStakingValidatorPrefs'],
    CounterForValidators: ['Default', [], 'u32'],
    Nominators: ['Optional', ['Twox64Concat'], 'PalletStakingNominations'],
    CounterForNominators: ['Default', [], 'u32'],
    CurrentEra: ['Optional', [], 'u32'],
    ActiveEra: ['Optional', [], 'PalletStakingActiveEraInfo'],
    ErasStakers: ['Default', ['Twox64Concat', 'Twox64Concat'], 'SpStakingExposure'],
    ErasStakersOverview: ['Optional', ['Twox64Concat', 'Twox64Concat'], 'SpStakingPagedExposureMetadata'],
    ErasStakersPaged: ['Optional', ['Twox64Concat', 'Twox64Concat', 'Twox64Concat'], 'SpStakingExposurePage'],
    ErasValidatorPrefs: ['Default', ['Twox64Concat', 'Twox64Concat'], 'PalletStakingValidatorPrefs'],
    ErasValidatorReward: ['Optional', ['Twox64Concat'], 'u128'],
    ErasRewardPoints: ['Default', ['Twox64Concat'], 'PalletStakingEraRewardPoints'],
    ErasTotalStake: ['Default', ['Twox64Concat'], 'u128'],
  };

  it('declares polkadot-sdk item names, modifiers, hashers and value types, with fallbacks that decode to the type default', () => {
    const { reg, decorated } = registry();
    const staking = reg.metadata.pallets.find((p) => p.name.toString() === 'Staking')!;
    const items = staking.storage.unwrap().items;
    assert.deepEqual(items.map((i) => i.name.toString()), Object.keys(expected));
    for (const item of items) {
      const name = item.name.toString();
      const [modifier, hashers, typeName] = expected[name]!;
      const type = item.type;
      assert.equal(item.modifier.type, modifier, `${name} modifier`);
      assert.deepEqual(type.isMap ? type.asMap.hashers.map((h) => h.type) : [], hashers, `${name} hashers`);
      const valueId = type.isPlain ? type.asPlain : type.asMap.value;
      const def = reg.lookup.getTypeDef(valueId);
      assert.equal(def.lookupName ?? def.type, typeName, `${name} value type`);
      if (modifier === 'Default') {
        // The fallback is what a client decodes for a missing key: the type's default value, exactly.
        const fallback = reg.createType(reg.createLookupType(valueId), item.fallback.toU8a(true));
        assert.equal(u8aToHex(fallback.toU8a()), u8aToHex(item.fallback.toU8a(true)), `${name} fallback decodes to its bytes`);
        assert.equal(u8aToHex(reg.createType(reg.createLookupType(valueId)).toU8a()), u8aToHex(fallback.toU8a()), `${name} fallback is the type's default`);
      } else {
        assert.equal(item.fallback.length, 0, `${name}: an Optional item has no fallback`);
      }
      assert.ok(decorated.query['staking']![name[0]!.toLowerCase() + name.slice(1)], `api.query.staking.${name}`);
    }
  });

  it('declares the constants api-derive reads (HistoryDepth) with the module\'s values', () => {
    const { decorated } = registry();
    const consts = decorated.consts['staking']!;
    assert.equal(consts['historyDepth']!.toString(), '84');
    assert.equal(consts['maxExposurePageSize']!.toString(), '512');
    assert.equal(consts['bondingDuration']!.toString(), '3');
  });
});
