import { parentPort } from 'node:worker_threads';
import { cryptoReady, verifySignature } from '@balanceai/chain';
import type { VerifyRequest, VerifyResponse } from './verify-pool.js';

// One signature-verification thread (see verify-pool.ts): sr25519 in schnorrkel's wasm, ed25519 in
// node:crypto. Answers each batch with one boolean per item, in order.
await cryptoReady();
parentPort!.on('message', (req: VerifyRequest) => {
  const ok = req.items.map((it) => verifySignature(it.type, it.publicKey, it.message, it.signature));
  parentPort!.postMessage({ id: req.id, ok } satisfies VerifyResponse);
});
