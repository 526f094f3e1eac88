// A fixed-size pool of Python workers with a bounded queue. A worker that times out, crashes or reports a fatal
// error is killed and replaced at once, so a bad model costs one worker restart and the service stays up.
import { DomainError } from '@balanceai/platform';
import { ExpertWorker, WorkerLostError, type WorkerAnswer, type WorkerLaunch } from './expert-worker.js';

export interface PoolOptions {
  size: number;
  maxQueue: number;
  launch: WorkerLaunch;
}

interface Job {
  message: Record<string, unknown>;
  timeoutMs: number;
  resolve: (answer: WorkerAnswer) => void;
  reject: (error: Error) => void;
}

export class WorkerPool {
  private readonly workers: ExpertWorker[] = [];
  private readonly queue: Job[] = [];
  private closing = false;
  /** Workers replaced after a timeout, crash or fatal error since start (exposed for health and tests). */
  replacements = 0;

  constructor(private readonly options: PoolOptions) {
    for (let i = 0; i < options.size; i++) this.workers.push(new ExpertWorker(options.launch));
  }

  get pids(): (number | undefined)[] {
    return this.workers.map((w) => w.pid);
  }

  get isolatedNetwork(): boolean {
    return this.workers.every((w) => w.isolatedNetwork);
  }

  run(message: Record<string, unknown>, timeoutMs: number): Promise<WorkerAnswer> {
    if (this.closing) return Promise.reject(new DomainError('EXPERT_BUSY', 'the expert service is stopping', 'unavailable'));
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new DomainError('EXPERT_BUSY', 'too many evaluations are waiting; retry later', 'unavailable'));
    }
    return new Promise<WorkerAnswer>((resolve, reject) => {
      this.queue.push({ message, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) {
      job.reject(new DomainError('EXPERT_BUSY', 'the expert service is stopping', 'unavailable'));
    }
    for (const worker of this.workers) worker.kill();
    await Promise.all(this.workers.map((w) => w.closed()));
  }

  private dispatch(): void {
    for (let slot = 0; slot < this.workers.length && this.queue.length > 0; slot++) {
      let worker = this.workers[slot] as ExpertWorker;
      if (!worker.alive) worker = this.replace(slot, worker);
      if (worker.busy) continue;
      const job = this.queue.shift() as Job;
      worker.request(job.message, job.timeoutMs).then(
        (answer) => {
          if (answer.fatal) this.replace(slot, worker);
          job.resolve(answer);
          this.dispatch();
        },
        (error: Error) => {
          if (error instanceof WorkerLostError || !worker.alive) this.replace(slot, worker);
          job.reject(error);
          this.dispatch();
        },
      );
    }
  }

  private replace(slot: number, failed: ExpertWorker): ExpertWorker {
    const current = this.workers[slot] as ExpertWorker;
    // Only the worker still in the slot is replaced: a second report about the same failed worker is ignored.
    if (this.closing || current !== failed) return current;
    failed.kill();
    const fresh = new ExpertWorker(this.options.launch);
    this.workers[slot] = fresh;
    this.replacements++;
    return fresh;
  }
}
