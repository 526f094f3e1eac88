import { parentPort } from 'node:worker_threads';
import { cryptoReady, verifySignatures } from '@balanceai/chain';
import type { VerifyRequest, VerifyResponse } from './verify-pool.js';

// One signature-verification thread (see verify-pool.ts): ed25519 in node:crypto, sr25519 in
// schnorrkel's wasm (or natively, in one batch, if a pool sends sr25519 here with the addon loaded).
// Answers each batch with one boolean per item, in order.
await cryptoReady();
parentPort!.on('message', (req: VerifyRequest) => {
  const ok = verifySignatures(req.items);
  parentPort!.postMessage({ id: req.id, ok } satisfies VerifyResponse);
});
