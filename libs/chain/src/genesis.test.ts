import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metadata, TypeRegistry, expandMetadata } from '@polkadot/types';
import { ONE_BAI } from './amount.js';
import { GenesisError } from './errors.js';
import { blake2_256 } from './hash.js';
import { encodeHeader, extrinsicsRoot, headerHash } from './header.js';
import { toHex, utf8 } from './hex.js';
import { keyFromUri } from './keys.js';
import { ss58Decode, ss58Encode } from './ss58.js';
import { GENESIS_SUPPLY, MAX_SUPPLY, type Genesis, devGenesis, genesisFromJson, genesisHash, genesisHeader, genesisMetadata, genesisRuntimeVersion, genesisToJson } from './genesis.js';
import { runtimeVersionJson } from './runtime-api.js';

const { genesis, validatorKeys } = devGenesis({ validators: 4, extraAccounts: 3, genesisTimeMs: 1_700_000_000_000 });

test('devGenesis funds exactly the genesis supply and round-trips through JSON', () => {
  assert.equal(genesis.balances.reduce((s, b) => s + b.free, 0n), GENESIS_SUPPLY);
  assert.equal(GENESIS_SUPPLY, 5_880_000n * ONE_BAI);
  assert.equal(MAX_SUPPLY, 21_000_000n * ONE_BAI);
  assert.deepEqual(genesisFromJson(genesisToJson(genesis)), genesis);
  assert.equal(genesisToJson(genesisFromJson(genesisToJson(genesis))), genesisToJson(genesis));
  assert.equal(genesis.balances.length, 6 + 4 + 3 + 1);
  assert.equal(genesis.params.blockTimeMs, 1_000);
  assert.equal(genesis.params.existentialDeposit, ONE_BAI / 100n);
});

test('devGenesis validator keys are the ed25519 keys of the returned secret URIs', () => {
  assert.deepEqual(validatorKeys, ['//validator//0', '//validator//1', '//validator//2', '//validator//3']);
  genesis.validators.forEach((v, i) => {
    assert.equal(v.consensusKey, toHex(keyFromUri(validatorKeys[i]!, 'ed25519').publicKey));
    assert.deepEqual(ss58Decode(v.stash).publicKey, keyFromUri(`//stash/${i}`, 'sr25519').publicKey);
  });
  const alice = ss58Encode(keyFromUri('//Alice', 'sr25519').publicKey, 42);
  assert.equal(genesis.balances[0]!.address, alice);
});

test('genesisToJson writes amounts as decimal strings in a fixed key order', () => {
  const json = genesisToJson(genesis);
  const doc = JSON.parse(json) as { params: Record<string, unknown>; balances: Array<{ free: unknown }> };
  assert.equal(doc.params['existentialDeposit'], '10000000000000000');
  assert.equal(typeof doc.balances[0]!.free, 'string');
  assert.deepEqual(Object.keys(JSON.parse(json) as object), ['chain', 'chainId', 'ss58Prefix', 'tokenSymbol', 'tokenDecimals', 'genesisTimeMs', 'params', 'accounts', 'validators', 'balances']);
  const shuffled = { ...genesis, params: Object.fromEntries(Object.entries(genesis.params).reverse()) as unknown as Genesis['params'] };
  assert.equal(genesisToJson(shuffled), json, 'object key order of the input does not matter');
});

test('genesisHeader is block #0 committing to the genesis; any change changes the genesis hash', () => {
  const header = genesisHeader(genesis);
  assert.equal(header.number, 0);
  assert.deepEqual(header.parentHash, new Uint8Array(32));
  assert.deepEqual(header.stateRoot, blake2_256(utf8(genesisToJson(genesis))));
  assert.deepEqual(header.extrinsicsRoot, extrinsicsRoot([]));
  assert.deepEqual(genesisHash(genesis), headerHash(header));
  assert.deepEqual(genesisHash(genesis), blake2_256(encodeHeader(header)));
  const other = devGenesis({ validators: 4, extraAccounts: 3, genesisTimeMs: 1_700_000_000_001 }).genesis;
  assert.notDeepEqual(genesisHash(other), genesisHash(genesis));
});

function mutated(edit: (doc: Record<string, unknown> & { params: Record<string, unknown>; balances: Array<Record<string, unknown>>; validators: Array<Record<string, unknown>>; accounts: Record<string, unknown> }) => void): string {
  const doc = JSON.parse(genesisToJson(genesis));
  edit(doc);
  return JSON.stringify(doc);
}

test('genesisFromJson refuses invalid genesis files, naming the field', () => {
  const cases: Array<[string, string]> = [
    ['{', 'genesis'],
    [mutated((d) => (d.balances[0]!['free'] = '1')), 'balances[0].free'], // below ED (and the sum)
    [mutated((d) => (d.balances[1]!['free'] = (BigInt(d.balances[1]!['free'] as string) + 1n).toString())), 'balances'], // sum off by one
    [mutated((d) => d.balances.push({ ...d.balances[0]! })), 'balances[14].address'], // duplicate
    [mutated((d) => (d.balances[0]!['address'] = 'nope')), 'balances[0].address'],
    [mutated((d) => (d.validators = [])), 'validators'],
    [mutated((d) => (d.validators[1]!['consensusKey'] = '0x1234')), 'validators[1].consensusKey'],
    [mutated((d) => (d.validators[1]!['consensusKey'] = d.validators[0]!['consensusKey'])), 'validators[1].consensusKey'],
    [mutated((d) => (d.validators[2]!['stash'] = 'x')), 'validators[2].stash'],
    [mutated((d) => (d.params['blockTimeMs'] = 0)), 'params.blockTimeMs'],
    [mutated((d) => (d.params['baseFee'] = '0')), 'params.baseFee'],
    [mutated((d) => (d.params['eraLength'] = 1.5)), 'params.eraLength'],
    [mutated((d) => delete d.params['mempoolMaxTxs']), 'params.mempoolMaxTxs'],
    [mutated((d) => (d.params['blockTimeSeconds'] = 1)), 'params.blockTimeSeconds'],
    [mutated((d) => (d.accounts['developmentFund'] = d.accounts['stakingRewardPot'])), 'accounts.developmentFund'],
    [mutated((d) => (d['tokenDecimals'] = 12)), 'tokenDecimals'],
    [mutated((d) => (d['chainId'] = 'bai.devnet')), 'chainId'],
    [mutated((d) => (d['ss58Prefix'] = 46)), 'ss58Prefix'],
  ];
  for (const [text, field] of cases) {
    assert.throws(
      () => genesisFromJson(text),
      (e: unknown) => e instanceof GenesisError && e.code === 'BAD_GENESIS' && e.field === field,
      `expected an error on ${field}`,
    );
  }
});

test('devGenesis refuses allocations beyond the supply and bad counts', () => {
  assert.throws(() => devGenesis({ validators: 0 }), GenesisError);
  assert.throws(() => devGenesis({ validators: 1, extraAccounts: 5_001 }), GenesisError);
  assert.throws(() => devGenesis({ validators: 1, chain: 'has space' }), GenesisError);
});

test('genesisMetadata carries the chain SS58 prefix and existential deposit to wallets', () => {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, genesisMetadata({ ...genesis, ss58Prefix: 7 }));
  registry.setMetadata(metadata);
  const consts = expandMetadata(registry, metadata).consts;
  assert.equal(consts['system']!['ss58Prefix']!.toString(), '7');
  assert.equal(consts['balances']!['existentialDeposit']!.toString(), (ONE_BAI / 100n).toString());
});

test('the System.Version constant is the runtime version Core_version answers (dedot and polkadot-api read it to sign)', () => {
  for (const version of [14, 15] as const) {
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, genesisMetadata(genesis, version));
    registry.setMetadata(metadata);
    const constant = expandMetadata(registry, metadata).consts['system']!['version']!.toJSON() as Record<string, unknown>;
    const expected = runtimeVersionJson(genesisRuntimeVersion(genesis));
    assert.equal(constant['specName'], expected.specName);
    assert.equal(constant['specVersion'], genesis.params.specVersion);
    assert.equal(constant['transactionVersion'], genesis.params.transactionVersion);
    assert.deepEqual(constant['apis'], expected.apis);
  }
});
