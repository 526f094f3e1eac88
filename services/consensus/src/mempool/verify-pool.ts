import { Worker } from 'node:worker_threads';
import type { KeyType } from '@balanceai/chain';

export interface VerifyItem {
  type: KeyType;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}
export interface VerifyRequest {
  id: number;
  items: VerifyItem[];
}
export interface VerifyResponse {
  id: number;
  ok: boolean[];
}

/** Verifies batches of signatures: in worker threads (VerifyPool) or inline (tests, BAI_VERIFY_WORKERS=0). */
export interface SignatureVerifier {
  verify(items: VerifyItem[]): Promise<boolean[]>;
  close(): Promise<void>;
}

/**
 * Signature verification off the consensus thread: a few worker threads, each batch to the least busy
 * one. A verification only ever feeds the verified-signature cache (a success) or drops a tx: nothing
 * consensus decides waits on a worker, and execution re-verifies anything the cache does not hold, so
 * a worker that dies or answers late costs time, never safety. (Neither schnorrkel's wasm build nor
 * node:crypto offers batch verification: each signature is checked on its own, in a thread.)
 */
export class VerifyPool implements SignatureVerifier {
  private readonly workers: Array<{ worker: Worker; pending: number }> = [];
  private readonly waiting = new Map<number, { resolve: (ok: boolean[]) => void; reject: (err: Error) => void; slot: number }>();
  private nextId = 0;
  private closed = false;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a verify pool needs at least one worker');
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
  }

  private spawn(slot: number): { worker: Worker; pending: number } {
    const worker = new Worker(new URL('./verify-worker.js', import.meta.url));
    worker.unref();
    // Batches posted before the worker's wasm is ready wait in its port: nothing waits for a start signal,
    // so a worker that dies while starting fails its batches (below) instead of leaving them pending.
    worker.on('message', (m: VerifyResponse) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      this.workers[w.slot]!.pending--;
      w.resolve(m.ok);
    });
    const fail = (err: Error) => {
      // 'error' is followed by 'exit': the first of them replaces the worker, the second finds it replaced.
      if (this.workers[slot]?.worker !== worker) return;
      void worker.terminate();
      for (const [id, w] of this.waiting) {
        if (w.slot !== slot) continue;
        this.waiting.delete(id);
        w.reject(err);
      }
      if (!this.closed) this.workers[slot] = this.spawn(slot);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`signature worker exited with code ${code}`));
    });
    return { worker, pending: 0 };
  }

  async verify(items: VerifyItem[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    if (this.closed) throw new Error('the verify pool is closed');
    let slot = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.workers[i]!.pending < this.workers[slot]!.pending) slot = i;
    const w = this.workers[slot]!;
    w.pending++;
    const id = this.nextId++;
    return new Promise<boolean[]>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      w.worker.postMessage({ id, items } satisfies VerifyRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new Error('the verify pool is closed'));
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
