// Single-core crypto rates: `node libs/chain/dist/src/bench-crypto.js`. Figures only, no assertions.
import { blake2_256 } from './hash.js';
import { cryptoReady, keyFromUri, verifySignature, type KeyType } from './keys.js';
import { sr25519Backend, sr25519VerifyMany, sr25519VerifyManyAsync, sr25519VerifyWasm } from './sr25519.js';

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
// sr25519 by implementation: the wasm, the native addon one by one, and its batch verification (per signature).
console.log(`sr25519 backend: ${sr25519Backend().name} (${sr25519Backend().detail})`);
const signers = Array.from({ length: 1024 }, (_, i) => keyFromUri(`//bench//${i}`, 'sr25519'));
const items = signers.map((s) => ({ publicKey: s.publicKey, message, signature: s.sign(message) }));
rate('sr25519 verify (wasm)', 10_000, (i) => {
  const it = items[i % items.length]!;
  if (!sr25519VerifyWasm(it.publicKey, it.message, it.signature)) throw new Error('verify failed');
});
if (sr25519Backend().name === 'native') {
  rate('sr25519 verify (native)', 20_000, (i) => {
    const it = items[i % items.length]!;
    if (!verifySignature('sr25519', it.publicKey, it.message, it.signature)) throw new Error('verify failed');
  });
  for (const size of [1, 16, 256, 1024]) {
    const batch = items.slice(0, size);
    const batches = Math.max(4, Math.ceil(20_000 / size));
    const start = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) if (!sr25519VerifyMany(batch).every(Boolean)) throw new Error('verify failed');
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${`sr25519 batch of ${size} (native)`.padEnd(34)} ${Math.round((batches * size) / seconds).toLocaleString('en-US').padStart(12)} /s`);
  }
  // Off the JS thread (libuv's pool): the calling thread only packs and copies the inputs (timed around the call).
  const batch = items.slice(0, 256);
  let launchNs = 0n;
  const start = process.hrtime.bigint();
  for (let b = 0; b < 40; b++) {
    const t = process.hrtime.bigint();
    const answers = sr25519VerifyManyAsync(batch)!;
    launchNs += process.hrtime.bigint() - t;
    if (!(await answers).every(Boolean)) throw new Error('verify failed');
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const launchUs = Number(launchNs) / 1e3 / (40 * 256);
  console.log(`${'sr25519 batch of 256 (native async)'.padEnd(34)} ${Math.round((40 * 256) / seconds).toLocaleString('en-US').padStart(12)} /s, JS thread ${launchUs.toFixed(2)} us/signature`);
}
rate('blake2_256 (128 bytes)', 500_000, () => blake2_256(message));
const block = new Uint8Array(1024 * 1024);
rate('blake2_256 (1 MiB)', 200, () => blake2_256(block));
