import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import { sr25519Backend, sr25519VerifyManyAsync, type KeyType, type Sr25519Item } from '@balanceai/chain';

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
  /** Batches of fewer signatures are better checked inline than handed over (unset: the caller's default). */
  readonly inlineBelow?: number;
}

/** Most sr25519 signatures in one native task: queued batches are merged up to this (bigger batches verify faster). */
const MAX_NATIVE_TASK = 4096;
let backendLogged = false;

/**
 * Signature verification off the consensus thread. sr25519, with the native addon built
 * (@balanceai/crypto-native): batch verification on libuv's thread pool, at most `size` tasks at a time,
 * the batches waiting meanwhile merged into the next task; the consensus thread only packs the inputs
 * (about 1 us per signature, measured). ed25519, and sr25519 without the addon (schnorrkel's wasm):
 * `size` worker threads, started at first need, each batch to the least busy one.
 *
 * A verification only ever feeds the verified-signature cache (a success) or drops a tx: nothing
 * consensus decides waits on it, and execution re-verifies anything the cache does not hold, so a
 * worker or task that dies or answers late costs time, never safety.
 */
export class VerifyPool implements SignatureVerifier {
  private readonly workers: Array<{ worker: Worker; pending: number }> = [];
  private readonly waiting = new Map<number, { resolve: (ok: boolean[]) => void; reject: (err: Error) => void; slot: number }>();
  private nextId = 0;
  private closed = false;
  private readonly nativeQueue: Array<{ items: Sr25519Item[]; resolve: (ok: boolean[]) => void; reject: (err: Error) => void }> = [];
  private nativeRunning = 0;
  private readonly native: boolean;

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('a verify pool needs at least one worker');
    const backend = sr25519Backend();
    this.native = backend.name === 'native';
    if (!backendLogged) {
      backendLogged = true;
      new Logger('Signatures').log(`sr25519 verified by ${backend.name === 'native' ? 'the native addon (batches on the libuv pool)' : 'schnorrkel-wasm (worker threads)'}: ${backend.detail}`);
    }
  }

  /**
   * A native task costs the consensus thread 5-14 us to launch against ~35 us for a native verify inline,
   * so every batch goes to it; a worker-thread hand-off costs more than 1-3 wasm verifies (measured).
   */
  get inlineBelow(): number | undefined {
    return this.native ? 1 : undefined;
  }

  /** Worker threads started so far (none while only sr25519 arrives and the addon is loaded). */
  get threads(): number {
    return this.workers.length;
  }

  async verify(items: VerifyItem[]): Promise<boolean[]> {
    if (items.length === 0) return [];
    if (this.closed) throw new Error('the verify pool is closed');
    if (!this.native) return this.inWorker(items);
    const sr: VerifyItem[] = [];
    const others: VerifyItem[] = [];
    for (const it of items) (it.type === 'sr25519' ? sr : others).push(it);
    if (others.length === 0) return this.nativeBatch(sr);
    const [srOk, othersOk] = await Promise.all([sr.length > 0 ? this.nativeBatch(sr) : [], this.inWorker(others)]);
    let s = 0;
    let o = 0;
    return items.map((it) => (it.type === 'sr25519' ? srOk[s++]! : othersOk[o++]!));
  }

  private nativeBatch(items: Sr25519Item[]): Promise<boolean[]> {
    return new Promise<boolean[]>((resolve, reject) => {
      this.nativeQueue.push({ items, resolve, reject });
      this.runNative();
    });
  }

  private runNative(): void {
    while (this.nativeRunning < this.size && this.nativeQueue.length > 0) {
      const jobs = [this.nativeQueue.shift()!];
      let count = jobs[0]!.items.length;
      while (this.nativeQueue.length > 0 && count + this.nativeQueue[0]!.items.length <= MAX_NATIVE_TASK) {
        count += this.nativeQueue[0]!.items.length;
        jobs.push(this.nativeQueue.shift()!);
      }
      this.nativeRunning++;
      const task = sr25519VerifyManyAsync(jobs.flatMap((j) => j.items)) ?? Promise.reject(new Error('the native addon is not loaded'));
      task
        .then(
          (ok) => {
            let at = 0;
            for (const j of jobs) j.resolve(ok.slice(at, (at += j.items.length)));
          },
          (err: Error) => jobs.forEach((j) => j.reject(err)),
        )
        .finally(() => {
          this.nativeRunning--;
          if (!this.closed) this.runNative();
        });
    }
  }

  private inWorker(items: VerifyItem[]): Promise<boolean[]> {
    if (this.workers.length === 0) for (let i = 0; i < this.size; i++) this.workers.push(this.spawn(i));
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

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new Error('the verify pool is closed'));
    this.waiting.clear();
    for (const j of this.nativeQueue.splice(0)) j.reject(new Error('the verify pool is closed'));
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
