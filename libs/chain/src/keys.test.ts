import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady, ed25519Verify, signatureVerify, sr25519Verify } from '@polkadot/util-crypto';
import { KeyError } from './errors.js';
import { DEV_PHRASE, type KeyType, cryptoReady, devAccounts, generateMnemonic, keyFromUri, verifySignature } from './keys.js';
import { toHex } from './hex.js';

const MNEMONIC = 'legal winner thank year wave sausage worth useful legal winner thank yellow';
const message = new TextEncoder().encode('transfer 10 BAI');

before(async () => {
  await cryptoReady();
  await cryptoWaitReady();
});

const uris = [
  '//Alice',
  '//Bob',
  MNEMONIC,
  `${MNEMONIC}//hard/soft`,
  `${MNEMONIC}//0//1`,
  `${MNEMONIC}//0x0102`,
  `${MNEMONIC}//a-very-long-derivation-junction-name-over-32-bytes`,
  `${MNEMONIC}///secret-password`,
  `${DEV_PHRASE}//validator/0`,
  '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  '0x9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60//x',
];

for (const type of ['sr25519', 'ed25519'] as const) {
  test(`${type} public keys equal @polkadot/keyring's for the same secret URI`, () => {
    const keyring = new Keyring({ type });
    for (const uri of uris) {
      if (type === 'ed25519' && /[^/]\/[^/]/.test(uri.replace(/^0x[0-9a-f]+/i, ''))) continue; // soft junction
      assert.equal(toHex(keyFromUri(uri, type).publicKey), toHex(keyring.addFromUri(uri).publicKey), uri);
    }
  });

  test(`${type} signatures verify with @polkadot/util-crypto and polkadot's verify with ours`, () => {
    const ours = keyFromUri('//Alice', type);
    const theirs = new Keyring({ type }).addFromUri('//Alice');
    const ourSig = ours.sign(message);
    const check = type === 'sr25519' ? sr25519Verify : ed25519Verify;
    assert.equal(check(message, ourSig, theirs.publicKey), true);
    assert.equal(signatureVerify(message, ourSig, theirs.publicKey).crypto, type);
    assert.equal(verifySignature(type, ours.publicKey, message, theirs.sign(message)), true);
  });

  test(`${type} verifySignature rejects a tampered message, another key and malformed input`, () => {
    const alice = keyFromUri('//Alice', type);
    const bob = keyFromUri('//Bob', type);
    const sig = alice.sign(message);
    assert.equal(verifySignature(type, alice.publicKey, message, sig), true);
    assert.equal(verifySignature(type, alice.publicKey, Uint8Array.of(...message, 0), sig), false);
    assert.equal(verifySignature(type, bob.publicKey, message, sig), false);
    assert.equal(verifySignature(type, alice.publicKey, message, sig.subarray(1)), false);
    assert.equal(verifySignature(type, new Uint8Array(32).fill(0xff), message, sig), false);
  });
}

test('ed25519 refuses soft derivation, suggesting the hard path without leaking the secret', () => {
  assert.throws(() => keyFromUri('//validator/0', 'ed25519'), (e: unknown) => e instanceof KeyError && e.message.includes('"//validator//0"'));
  assert.throws(
    () => keyFromUri(`${MNEMONIC}//a/soft`, 'ed25519'),
    (e: unknown) => e instanceof KeyError && e.message.includes('"<secret>//a//soft"') && !e.message.includes('legal'),
  );
});

test('bad URIs are refused with BAD_KEY', () => {
  const bad = ['', 'not a mnemonic at all', 'legal winner thank year wave sausage worth useful legal winner thank thank', '0x1234', '/Alice', 'word//'];
  for (const uri of bad) assert.throws(() => keyFromUri(uri, 'sr25519'), (e: unknown) => e instanceof KeyError && e.code === 'BAD_KEY', uri);
});

test('sr25519 signatures are randomized but ed25519 signatures are deterministic', () => {
  const sr = keyFromUri('//Alice', 'sr25519');
  const ed = keyFromUri('//Alice', 'ed25519');
  assert.notDeepEqual(sr.sign(message), sr.sign(message));
  assert.deepEqual(ed.sign(message), ed.sign(message));
});

test('generateMnemonic gives 12 or 24 words that derive keys', () => {
  const m12 = generateMnemonic();
  const m24 = generateMnemonic(24);
  assert.equal(m12.split(' ').length, 12);
  assert.equal(m24.split(' ').length, 24);
  assert.notEqual(m12, generateMnemonic());
  const type: KeyType = 'sr25519';
  assert.equal(toHex(keyFromUri(m24, type).publicKey), toHex(new Keyring({ type }).addFromUri(m24).publicKey));
});

test('devAccounts are Alice..Ferdie with the well-known keys', () => {
  const accounts = devAccounts('sr25519');
  assert.deepEqual(accounts.map((a) => a.name), ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']);
  assert.equal(toHex(accounts[0]!.pair.publicKey), '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d');
  assert.equal(toHex(devAccounts('ed25519')[0]!.pair.publicKey), toHex(new Keyring({ type: 'ed25519' }).addFromUri('//Alice').publicKey));
});

test('sr25519 verify survives thousands of malformed keys and signatures without panicking the wasm', () => {
  const alice = keyFromUri('//Alice', 'sr25519');
  const sig = alice.sign(message);
  const notAPoint = new Uint8Array(32).fill(0xff);
  const unmarked = Uint8Array.from(sig);
  unmarked[63] = unmarked[63]! & 0x7f;
  const nonCanonical = new Uint8Array(64).fill(0xff);
  const printed: unknown[] = [];
  const originalError = console.error;
  console.error = (...args: unknown[]) => printed.push(args);
  try {
    for (let i = 0; i < 3000; i++) {
      assert.equal(verifySignature('sr25519', notAPoint, message, sig), false);
      assert.equal(verifySignature('sr25519', alice.publicKey, message, unmarked), false);
      assert.equal(verifySignature('sr25519', alice.publicKey, message, nonCanonical), false);
    }
  } finally {
    console.error = originalError;
  }
  assert.equal(printed.length, 0, 'the wasm panicked (it prints before trapping)');
  assert.equal(verifySignature('sr25519', alice.publicKey, message, sig), true);
});
