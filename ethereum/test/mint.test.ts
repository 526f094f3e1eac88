// BaiBridge.mint against a real anvil: M-of-N EIP-712 authorisations and every way to get them wrong.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { concat, keccak256, parseEventLogs, toHex, type Hex } from 'viem';
import { baiBridgeAbi, bridgeDomain, orderSignatures, signMint, wrappedBaiAbi } from '../src/index.js';
import { deploy, mintMessage, ONE, rejectsAsForged, rejectsWith, relayerKeys, signAll, startEnv, type Env } from './fixture.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env?.stop();
});

describe('deploy', () => {
  test('WrappedBAI: 18 decimals, minted and burned only by its bridge; the bridge holds the sorted relayer set', async () => {
    const d = await deploy(env);
    const pc = env.conn.publicClient;
    const read = (functionName: 'decimals' | 'symbol' | 'name' | 'bridge') =>
      pc.readContract({ address: d.client.token, abi: wrappedBaiAbi, functionName });
    assert.equal(await read('decimals'), 18);
    assert.equal(await read('symbol'), 'wBAI');
    assert.equal(await read('name'), 'Wrapped BAI');
    assert.equal(await read('bridge'), d.client.bridge);
    assert.deepEqual(await d.client.relayers(), d.relayers.map((r) => r.address));
    assert.equal(await d.client.threshold(), 2n);
    assert.equal(await d.client.guardian(), d.guardian.address);
    assert.equal(await d.client.configNonce(), 0n);
    // Nobody but the bridge mints: the deployer calling the token directly is refused.
    await assert.rejects(
      pc.simulateContract({ address: d.client.token, abi: wrappedBaiAbi, functionName: 'mint', args: [env.deployer.address, 1n], account: env.deployer }),
      /NotBridge/,
    );
  });

  test('type hashes and domain separator on chain equal the client’s EIP-712 encoding', async () => {
    const d = await deploy(env);
    const pc = env.conn.publicClient;
    const read = (functionName: 'MINT_TYPEHASH' | 'CANCEL_TYPEHASH' | 'SET_RELAYERS_TYPEHASH' | 'SET_PAUSED_TYPEHASH' | 'domainSeparator') =>
      pc.readContract({ address: d.client.bridge, abi: baiBridgeAbi, functionName });
    assert.equal(await read('MINT_TYPEHASH'), keccak256(toHex('Mint(bytes32 lockId,address recipient,uint256 amount,uint256 deadline)')));
    assert.equal(await read('CANCEL_TYPEHASH'), keccak256(toHex('Cancel(bytes32 lockId,uint256 deadline)')));
    assert.equal(await read('SET_RELAYERS_TYPEHASH'), keccak256(toHex('SetRelayers(address[] relayers,uint256 threshold,address guardian,uint256 nonce)')));
    assert.equal(await read('SET_PAUSED_TYPEHASH'), keccak256(toHex('SetPaused(bool paused,uint256 nonce)')));
    const { hashDomain } = await import('viem');
    assert.equal(
      await read('domainSeparator'),
      hashDomain({ domain: { ...d.client.domain, chainId: BigInt(d.client.domain.chainId) }, types: { EIP712Domain: [
        { name: 'name', type: 'string' }, { name: 'version', type: 'string' }, { name: 'chainId', type: 'uint256' }, { name: 'verifyingContract', type: 'address' },
      ] } }),
    );
  });

  test('invalid relayer sets are refused at deployment (not a majority, duplicates, empty)', async () => {
    const { deployBridge } = await import('../src/index.js');
    const [a, b, c] = relayerKeys('bad', 3).map((r) => r.address);
    await rejectsWith(deployBridge(env.conn, { relayers: [a!, b!, c!], threshold: 1n }), 'INVALID_RELAYER_SET');
    await rejectsWith(deployBridge(env.conn, { relayers: [a!, b!, c!], threshold: 4n }), 'INVALID_RELAYER_SET');
    await rejectsWith(deployBridge(env.conn, { relayers: [a!, a!, b!], threshold: 2n }), 'INVALID_RELAYER_SET');
    await rejectsWith(deployBridge(env.conn, { relayers: [], threshold: 0n }), 'INVALID_RELAYER_SET');
    await rejectsWith(deployBridge(env.conn, { relayers: [a!], threshold: 1n, mintLimit: 2n ** 128n }), 'INVALID_MINT_LIMIT');
  });
});

describe('mint', () => {
  test('2-of-3 signatures mint exactly the amount, once; anyone may submit them', async () => {
    const d = await deploy(env);
    const user = env.users[0]!;
    const m = await mintMessage(env, 'mint-ok', user.address, 1234n * ONE + 5n);
    const sigs = await signAll([d.relayers[2]!, d.relayers[0]!], d, m); // any order: the client sorts
    const receipt = await d.client.as(user).mint(m, sigs); // submitted by the user, not a relayer
    const [ev] = parseEventLogs({ abi: baiBridgeAbi, eventName: 'Minted', logs: receipt.logs });
    assert.deepEqual(ev?.args, { lockId: m.lockId, recipient: m.recipient, amount: m.amount });
    assert.equal(await d.client.balanceOf(user.address), m.amount);
    assert.equal(await d.client.totalSupply(), m.amount);
    assert.equal(await d.client.lockStatus(m.lockId), 'Minted');
    console.log(`gas: mint with 2 of 3 signatures = ${receipt.gasUsed}`);

    // all three (more than M) is fine too
    const m3 = await mintMessage(env, 'mint-3', user.address, ONE);
    const r3 = await d.client.mint(m3, await signAll(d.relayers, d, m3));
    console.log(`gas: mint with 3 of 3 signatures = ${r3.gasUsed}`);
    assert.equal(await d.client.totalSupply(), m.amount + ONE);
  });

  test('M-1 signatures are refused (TooFewSignatures)', async () => {
    const d = await deploy(env);
    const m = await mintMessage(env, 'm-1', env.users[0]!.address, ONE);
    await rejectsWith(d.client.mint(m, await signAll([d.relayers[1]!], d, m)), 'TOO_FEW_SIGNATURES', 'TooFewSignatures');
    await rejectsWith(d.client.mintWithSignatures(m, []), 'TOO_FEW_SIGNATURES');
    assert.equal(await d.client.lockStatus(m.lockId), 'None');
  });

  test('a duplicated signature is refused on chain (SignersNotAscending) and by the client (DUPLICATE_SIGNER)', async () => {
    const d = await deploy(env);
    const m = await mintMessage(env, 'dup', env.users[0]!.address, ONE);
    const [s] = await signAll([d.relayers[0]!], d, m);
    await rejectsWith(d.client.mintWithSignatures(m, [s!.signature, s!.signature]), 'SIGNERS_NOT_ASCENDING', 'SignersNotAscending');
    await rejectsWith(d.client.mint(m, [s!, s!]), 'DUPLICATE_SIGNER');
    // The same signer twice with two different valid signatures (ECDSA is not unique): still one signer.
    const again = await signMint(d.relayers[0]!, d.client.domain, m);
    await rejectsWith(d.client.mintWithSignatures(m, [s!.signature, again.signature]), 'SIGNERS_NOT_ASCENDING');
    assert.equal(await d.client.totalSupply(), 0n);
  });

  test('unsorted signatures are refused (SignersNotAscending)', async () => {
    const d = await deploy(env);
    const m = await mintMessage(env, 'unsorted', env.users[0]!.address, ONE);
    const sigs = await signAll([d.relayers[0]!, d.relayers[1]!], d, m);
    await rejectsWith(d.client.mintWithSignatures(m, [sigs[1]!.signature, sigs[0]!.signature]), 'SIGNERS_NOT_ASCENDING');
    // sorted, the same two pass
    await d.client.mintWithSignatures(m, [sigs[0]!.signature, sigs[1]!.signature]);
    assert.equal(await d.client.totalSupply(), ONE);
  });

  test('signatures for another domain (chain id, contract, name) or by a non-relayer are refused (NotRelayer)', async () => {
    const d = await deploy(env);
    const other = await deploy(env);
    const m = await mintMessage(env, 'domain', env.users[0]!.address, ONE);
    const signers = [d.relayers[0]!, d.relayers[1]!];
    const forDomain = async (domain: typeof d.client.domain) =>
      (await Promise.all(signers.map((s) => signMint(s, domain, m)))).map((s) => s.signature);
    await rejectsAsForged(d.client.mintWithSignatures(m, await forDomain(bridgeDomain(1, d.client.bridge))));
    await rejectsAsForged(d.client.mintWithSignatures(m, await forDomain(other.client.domain)));
    await rejectsAsForged(d.client.mintWithSignatures(m, await forDomain({ ...d.client.domain, name: 'OtherBridge' as 'BaiBridge' })));
    // Valid EIP-712 signatures, right domain, but not by relayers.
    const outsiders = relayerKeys('outsider', 2);
    await rejectsWith(d.client.mint(m, await signAll(outsiders, d, m)), 'NOT_RELAYER');
    // One relayer plus one outsider: still refused.
    await rejectsWith(d.client.mint(m, await signAll([d.relayers[0]!, outsiders[0]!], d, m)), 'NOT_RELAYER');
    assert.equal(await d.client.totalSupply(), 0n);
  });

  test('a relayer that signs a wrong amount cannot make a quorum with honest ones; garbage and malleable signatures are refused', async () => {
    const d = await deploy(env);
    const user = env.users[0]!.address;
    const m = await mintMessage(env, 'wrong-amount', user, 10n * ONE);
    const inflated = { ...m, amount: 1000n * ONE };
    const honest = await signAll([d.relayers[0]!], d, m);
    const bad = await signAll([d.relayers[1]!], d, inflated);
    // Submitting the inflated amount with one honest + one bad signature: the honest one does not cover it.
    const raw = [honest[0]!, bad[0]!].sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1)).map((s) => s.signature);
    await rejectsAsForged(d.client.mintWithSignatures(inflated, raw));
    await rejectsAsForged(d.client.mintWithSignatures(m, raw));
    // Garbage bytes and a wrong-length signature.
    await rejectsWith(d.client.mintWithSignatures(m, [honest[0]!.signature, '0x1234']), 'INVALID_SIGNATURE', 'InvalidSignature');
    // The malleable twin (s' = n - s, v flipped) of a valid signature is refused by OpenZeppelin's ECDSA.
    const sig = honest[0]!.signature;
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const r = sig.slice(0, 66) as Hex;
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const v = parseInt(sig.slice(130, 132), 16);
    const twin = concat([r, toHex(n - s, { size: 32 }), toHex(v === 27 ? 28 : 27, { size: 1 })]);
    await rejectsWith(d.client.mintWithSignatures(m, [twin, honest[0]!.signature]), 'INVALID_SIGNATURE');
    // The honest quorum mints the right amount.
    await d.client.mint(m, await signAll([d.relayers[0]!, d.relayers[2]!], d, m));
    assert.equal(await d.client.totalSupply(), 10n * ONE);
  });

  test('expired authorisations are refused (DeadlineExpired); the deadline itself is still valid', async () => {
    const d = await deploy(env);
    const m = await mintMessage(env, 'expiry', env.users[0]!.address, ONE, 100n);
    const sigs = await signAll(d.relayers.slice(0, 2), d, m);
    await env.test.setNextBlockTimestamp({ timestamp: m.deadline + 1n });
    await env.test.mine({ blocks: 1 });
    await rejectsWith(d.client.mint(m, sigs), 'DEADLINE_EXPIRED', 'DeadlineExpired');

    const m2 = await mintMessage(env, 'at-deadline', env.users[0]!.address, ONE, 100n);
    const sigs2 = await signAll(d.relayers.slice(0, 2), d, m2);
    await env.test.setNextBlockTimestamp({ timestamp: m2.deadline });
    // The mint transaction lands in the block whose timestamp is exactly the deadline.
    const hash = await d.client.sendRaw('mint', [m2.lockId, m2.recipient, m2.amount, m2.deadline, await orderSignatures(d.client.domain, { kind: 'Mint', message: m2 }, sigs2)]);
    const receipt = await env.conn.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, 'success');
    assert.equal((await env.conn.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp, m2.deadline);
    assert.equal(await d.client.totalSupply(), ONE);
  });

  test('replayed signatures and a second mint of the same lockId (any amount or recipient) are refused', async () => {
    const d = await deploy(env);
    const m = await mintMessage(env, 'once', env.users[0]!.address, 7n * ONE);
    const sigs = await signAll(d.relayers.slice(1), d, m);
    await d.client.mint(m, sigs);
    await rejectsWith(d.client.mint(m, sigs), 'LOCK_ALREADY_PROCESSED', 'LockAlreadyProcessed');
    const changed = { ...m, recipient: env.users[1]!.address, amount: 1n };
    await rejectsWith(d.client.mint(changed, await signAll(d.relayers, d, changed)), 'LOCK_ALREADY_PROCESSED');
    assert.equal(await d.client.totalSupply(), 7n * ONE);
    // The same signatures on another bridge deployment: refused (domain binds the contract).
    const other = await deploy(env);
    await rejectsAsForged(other.client.mintWithSignatures(m, await orderSignatures(d.client.domain, { kind: 'Mint', message: m }, sigs)));
  });

  test('zero amount and zero recipient are refused', async () => {
    const d = await deploy(env);
    const m = await mintMessage(env, 'zero', env.users[0]!.address, 0n);
    await rejectsWith(d.client.mint(m, await signAll(d.relayers, d, m)), 'ZERO_AMOUNT');
    const z = await mintMessage(env, 'zero-r', '0x0000000000000000000000000000000000000000', ONE);
    await rejectsWith(d.client.mint(z, await signAll(d.relayers, d, z)), 'ZERO_RECIPIENT');
  });
});

