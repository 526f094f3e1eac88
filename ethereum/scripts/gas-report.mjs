// Gas used by BaiBridge on a real anvil: mint with M signatures (M-of-N for a few sets), burn, cancel, rotation.
// Needs the package built (npm run build -w @balanceai/ethereum). Prints a Markdown table.
//
// Usage: node ethereum/scripts/gas-report.mjs
import { keccak256, toHex } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { BridgeClient, connect, deployBridge, signCancel, signMint, signSetRelayers, sortAddresses, startAnvil } from '../dist/src/index.js';

const ONE = 10n ** 18n;
const anvil = await startAnvil();
const rows = [];
try {
  const deployer = mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: 0 });
  const users = [1, 2].map((i) => mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: i }));
  const conn = connect({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, account: deployer, pollingIntervalMs: 20 });
  for (const [m, n] of [[1, 1], [2, 3], [3, 5], [5, 9], [11, 21]]) {
    const keys = Array.from({ length: n }, (_, i) => privateKeyToAccount(keccak256(toHex(`gas-${n}-${i}`))));
    const d = await deployBridge(conn, { relayers: keys.map((k) => k.address), threshold: BigInt(m), mintLimit: 1_000_000n * ONE });
    const client = new BridgeClient(conn, d.bridge, d.token);
    const now = (await conn.publicClient.getBlock()).timestamp;
    const mintOnce = async (label, recipient) => {
      const msg = { lockId: keccak256(toHex(label)), recipient, amount: 10n * ONE, deadline: now + 3600n };
      return (await client.mint(msg, await Promise.all(keys.slice(0, m).map((k) => signMint(k, client.domain, msg))))).gasUsed;
    };
    const first = await mintOnce('a', users[0].address);
    const again = await mintOnce('b', users[0].address);
    rows.push([`${m} of ${n}`, d.gasUsed, first, again]);
    if (m === 2) {
      const u = client.as(users[0]);
      const b1 = (await u.burn(ONE, keccak256(toHex('bai')))).receipt.gasUsed;
      const b2 = (await u.burn(ONE, keccak256(toHex('bai')))).receipt.gasUsed;
      const lock = { lockId: keccak256(toHex('c')), deadline: now + 1n };
      await conn.publicClient.request({ method: 'evm_increaseTime', params: [10] });
      await conn.publicClient.request({ method: 'evm_mine', params: [] });
      const c = (await client.cancel(lock, await Promise.all(keys.slice(0, m).map((k) => signCancel(k, client.domain, lock))))).gasUsed;
      const next = { relayers: sortAddresses(keys.map((k) => k.address)), threshold: 2n, guardian: deployer.address, nonce: 0n };
      const r = (await client.setRelayers(next, await Promise.all(keys.slice(0, m).map((k) => signSetRelayers(k, client.domain, next))))).gasUsed;
      rows.push(['burn (first / later)', '', b1, b2], ['cancel (2 of 3)', '', c, ''], ['rotation (to 2 of 3, by 2 of 3)', '', r, '']);
    }
  }
} finally {
  await anvil.stop();
}
console.log('| operation | deploy | gas (first to a fresh account / first burn) | gas (later) |');
console.log('| --- | ---: | ---: | ---: |');
for (const [op, dep, a, b] of rows) console.log(`| ${/of/.test(op) && !/\(/.test(op) ? `mint, ${op} signatures` : op} | ${dep} | ${a} | ${b} |`);
