// libs/chain's viem-free Ethereum helpers (what the gateway uses to read the bridge and check collected
// signatures) against ethereum/'s viem reference: the same digests, ids, selectors and recovered signers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hashTypedData, toEventSelector, toFunctionSelector } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { BRIDGE_ETH, bridgeBurnId, bridgeMintDigest, ethSelector, recoverEthSigner, toHex } from '@balanceai/chain';
import { bridgeDomain, bridgeTypes, burnIdOf, signMint } from '@balanceai/ethereum';

const BRIDGE = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;
const MSG = { lockId: `0x${'5c'.repeat(32)}` as const, recipient: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const, amount: 123_456_789_000_000_000_007n, deadline: 1_899_999_999n };

describe('libs/chain bridge-ethereum = viem', () => {
  it('the Mint digest is viem\'s EIP-712 hash, and a relayer\'s signature recovers to it', async () => {
    const domain = bridgeDomain(31337, BRIDGE);
    const digest = bridgeMintDigest(31337, BRIDGE, MSG);
    assert.equal(toHex(digest), hashTypedData({ domain, types: { Mint: bridgeTypes.Mint }, primaryType: 'Mint', message: MSG }));
    const account = privateKeyToAccount(`0x${'42'.repeat(32)}`);
    const s = await signMint(account, domain, MSG);
    assert.equal(recoverEthSigner(digest, s.signature), account.address.toLowerCase());
    assert.notEqual(recoverEthSigner(bridgeMintDigest(31337, BRIDGE, { ...MSG, amount: MSG.amount - 1n }), s.signature), account.address.toLowerCase());
  });

  it('burn ids, selectors and the Burned topic', () => {
    for (const n of [1n, 2n, 2n ** 70n]) assert.equal(bridgeBurnId(31337, BRIDGE, n), burnIdOf(31337, BRIDGE, n));
    assert.equal(BRIDGE_ETH.burnedTopic, toEventSelector('Burned(uint256,address,bytes32,uint256)'));
    for (const f of ['token()', 'burnNonce()', 'relayers()', 'threshold()', 'totalSupply()']) assert.equal(ethSelector(f), toFunctionSelector(f));
  });
});
