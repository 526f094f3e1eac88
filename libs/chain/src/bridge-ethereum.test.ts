import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { BRIDGE_ETH, bridgeBurnId, bridgeMintDigest, ethAddressOf, ethEventTopic, ethSelector, recoverEthSigner, uint256Word, wordToBigInt } from './bridge-ethereum.js';
import { fromHex, toHex } from './hex.js';

// anvil's first development key and its well-known address.
const KEY = fromHex('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
const ADDRESS = '0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266';
const BRIDGE = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const MSG = { lockId: `0x${'ab'.repeat(32)}`, recipient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', amount: 1_500_000_000_000_000_000n, deadline: 1_800_000_000n };

function sign(digest: Uint8Array): string {
  const s = secp256k1.sign(digest, KEY, { lowS: true });
  return toHex(new Uint8Array([...s.toCompactRawBytes(), 27 + s.recovery!]));
}

describe('bridge-ethereum', () => {
  it('selectors and topics are the well-known ERC-20 ones', () => {
    assert.equal(BRIDGE_ETH.totalSupply, '0x18160ddd');
    assert.equal(ethSelector('balanceOf(address)'), '0x70a08231');
    assert.equal(ethEventTopic('Transfer(address,address,uint256)'), '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef');
  });

  it('an uncompressed public key maps to its Ethereum address', () => {
    assert.equal(ethAddressOf(secp256k1.getPublicKey(KEY, false)), ADDRESS);
  });

  it('uint256 words round-trip and refuse what does not fit', () => {
    assert.equal(wordToBigInt(uint256Word(2n ** 200n + 5n)), 2n ** 200n + 5n);
    assert.throws(() => uint256Word(-1n), RangeError);
    assert.throws(() => uint256Word(1n << 256n), RangeError);
  });

  it('a Mint signature recovers to its signer, and to someone else for any other message, chain or contract', () => {
    const digest = bridgeMintDigest(31337, BRIDGE, MSG);
    const sig = sign(digest);
    assert.equal(recoverEthSigner(digest, sig), ADDRESS);
    for (const other of [
      bridgeMintDigest(31337, BRIDGE, { ...MSG, amount: MSG.amount + 1n }),
      bridgeMintDigest(31337, BRIDGE, { ...MSG, deadline: MSG.deadline + 1n }),
      bridgeMintDigest(1, BRIDGE, MSG),
      bridgeMintDigest(31337, '0x0000000000000000000000000000000000000001', MSG),
    ]) {
      assert.notEqual(recoverEthSigner(other, sig), ADDRESS);
    }
  });

  it('malformed, bad-v and high-s signatures recover to nobody', () => {
    const digest = bridgeMintDigest(31337, BRIDGE, MSG);
    const sig = fromHex(sign(digest));
    assert.equal(recoverEthSigner(digest, '0x1234'), null);
    assert.equal(recoverEthSigner(digest, toHex(new Uint8Array([...sig.subarray(0, 64), 29]))), null);
    // s' = n − s is the same signature's malleable twin: refused, as BaiBridge refuses it.
    const n = secp256k1.CURVE.n;
    const s = wordToBigInt(sig.subarray(32, 64));
    const high = new Uint8Array([...sig.subarray(0, 32), ...uint256Word(n - s), sig[64]! ^ 1]);
    assert.equal(recoverEthSigner(digest, toHex(high)), null);
  });

  it('burn ids differ per nonce, chain and contract', () => {
    const a = bridgeBurnId(31337, BRIDGE, 1n);
    assert.match(a, /^0x[0-9a-f]{64}$/);
    assert.notEqual(a, bridgeBurnId(31337, BRIDGE, 2n));
    assert.notEqual(a, bridgeBurnId(1, BRIDGE, 1n));
  });
});
