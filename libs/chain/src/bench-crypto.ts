// Single-core crypto rates: `node libs/chain/dist/src/bench-crypto.js`. Figures only, no assertions.
import { blake2_256 } from './hash.js';
import { cryptoReady, keyFromUri, verifySignature, type KeyType } from './keys.js';

function rate(label: string, iterations: number, run: (i: number) => void): void {
  for (let i = 0; i < Math.min(1_000, iterations); i++) run(i); // warm up the JIT and key caches
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) run(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.log(`${label.padEnd(34)} ${Math.round(iterations / seconds).toLocaleString('en-US').padStart(12)} /s`);
}

await cryptoReady();
const message = new Uint8Array(128).fill(7); // about the size of a transfer's signing payload
for (const type of ['sr25519', 'ed25519'] as KeyType[]) {
  // Many distinct signers, as in a block, so per-key caches are exercised realistically.
  const signers = Array.from({ length: 64 }, (_, i) => keyFromUri(`//bench//${i}`, type));
  const signatures = signers.map((s) => s.sign(message));
  rate(`${type} verify`, 20_000, (i) => {
    const k = i % signers.length;
    if (!verifySignature(type, signers[k]!.publicKey, message, signatures[k]!)) throw new Error('verify failed');
  });
  rate(`${type} sign`, 5_000, () => signers[0]!.sign(message));
}
rate('blake2_256 (128 bytes)', 500_000, () => blake2_256(message));
const block = new Uint8Array(1024 * 1024);
rate('blake2_256 (1 MiB)', 200, () => blake2_256(block));
