import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeAbiParameters, getAddress, keccak256, concat, toHex, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { bridgeDigest, bridgeDomain, orderSignatures, signMint, sortAddresses, type MintMessage } from './eip712.js';
import { BridgeError } from './errors.js';
import { burnIdOf } from './burn-watcher.js';
import { supplyInvariantHolds } from './invariant.js';

const keys = ['relayer-a', 'relayer-b', 'relayer-c'].map((s) => privateKeyToAccount(keccak256(toHex(s))));
const domain = bridgeDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const msg: MintMessage = {
  lockId: keccak256(toHex('lock-1')),
  recipient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  amount: 5n * 10n ** 18n,
  deadline: 1_900_000_000n,
};

test('Mint digest is the EIP-712 hash the contract computes (type string, field order, domain)', () => {
  const typeHash = keccak256(toHex('Mint(bytes32 lockId,address recipient,uint256 amount,uint256 deadline)'));
  const structHash = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'address' }, { type: 'uint256' }, { type: 'uint256' }],
      [typeHash, msg.lockId, msg.recipient, msg.amount, msg.deadline],
    ),
  );
  const domainHash = keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [
        keccak256(toHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)')),
        keccak256(toHex('BaiBridge')),
        keccak256(toHex('1')),
        31337n,
        domain.verifyingContract,
      ],
    ),
  );
  assert.equal(bridgeDigest(domain, { kind: 'Mint', message: msg }), keccak256(concat(['0x1901', domainHash, structHash])));
  // Another chain or another contract: another digest.
  assert.notEqual(bridgeDigest({ ...domain, chainId: 1 }, { kind: 'Mint', message: msg }), bridgeDigest(domain, { kind: 'Mint', message: msg }));
});

test('sortAddresses orders by numeric value and checksums', () => {
  const sorted = sortAddresses(keys.map((k) => k.address.toLowerCase() as Hex));
  for (let i = 1; i < sorted.length; i++) assert.ok(BigInt(sorted[i - 1]!) < BigInt(sorted[i]!));
  for (const a of sorted) assert.equal(a, getAddress(a));
});

test('orderSignatures sorts by signer, refuses duplicates and signatures that are not the claimed signer’s', async () => {
  const sigs = await Promise.all(keys.map((k) => signMint(k, domain, msg)));
  const ordered = await orderSignatures(domain, { kind: 'Mint', message: msg }, [...sigs].reverse());
  const expected = [...sigs].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).map((s) => s.signature);
  assert.deepEqual(ordered, expected);

  await assert.rejects(orderSignatures(domain, { kind: 'Mint', message: msg }, [sigs[0]!, sigs[1]!, sigs[0]!]), (e) => e instanceof BridgeError && e.code === 'DUPLICATE_SIGNER');
  // Relayer b signed a different amount: its signature does not recover to b for this message.
  const wrong = await signMint(keys[1]!, domain, { ...msg, amount: msg.amount + 1n });
  await assert.rejects(orderSignatures(domain, { kind: 'Mint', message: msg }, [sigs[0]!, wrong]), (e) => e instanceof BridgeError && e.code === 'SIGNER_MISMATCH');
});

test('burn ids differ per chain, contract and nonce', () => {
  const a = burnIdOf(1, domain.verifyingContract, 1n);
  assert.notEqual(a, burnIdOf(2, domain.verifyingContract, 1n));
  assert.notEqual(a, burnIdOf(1, '0x0000000000000000000000000000000000000001', 1n));
  assert.notEqual(a, burnIdOf(1, domain.verifyingContract, 2n));
  assert.equal(a, burnIdOf(1, domain.verifyingContract, 1n));
});

test('supply invariant: supply may equal escrow, never exceed it', () => {
  assert.equal(supplyInvariantHolds(0n, 0n), true);
  assert.equal(supplyInvariantHolds(10n, 10n), true);
  assert.equal(supplyInvariantHolds(11n, 10n), false);
});
