// A fixed-size pool of Python workers with a bounded queue. A worker that times out, crashes, reports a fatal
// error or dies on its own is replaced at once and the queue goes on on the fresh worker, so a bad model or
// request costs one worker restart and the service stays up.
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

/** A worker that dies this soon after it started counts as failing to start: its replacement waits. */
const QUICK_DEATH_MS = 1000;
const MAX_RESTART_DELAY_MS = 2000;

export class WorkerPool {
  private readonly workers: ExpertWorker[] = [];
  private readonly started = new Map<ExpertWorker, number>();
  private readonly queue: Job[] = [];
  private closing = false;
  private quickDeaths = 0;
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  /** Workers replaced after a timeout, crash, fatal error or death since start (exposed for health and tests). */
  replacements = 0;

  constructor(private readonly options: PoolOptions) {
    for (let i = 0; i < options.size; i++) this.workers.push(this.spawn());
  }

  get pids(): (number | undefined)[] {
    return this.workers.map((w) => w.pid);
  }

  /** Workers whose process is running now. */
  get live(): number {
    return this.workers.filter((w) => w.alive).length;
  }

  get size(): number {
    return this.options.size;
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
    for (const timer of this.restartTimers) clearTimeout(timer);
    for (const job of this.queue.splice(0)) {
      job.reject(new DomainError('EXPERT_BUSY', 'the expert service is stopping', 'unavailable'));
    }
    for (const worker of this.workers) worker.kill();
    await Promise.all(this.workers.map((w) => w.closed()));
  }

  private spawn(): ExpertWorker {
    const worker = new ExpertWorker(this.options.launch, (dead) => this.onExit(dead));
    this.started.set(worker, Date.now());
    return worker;
  }

  /** Every exit, expected or not: the slot gets a fresh worker (later, if workers keep dying at start). */
  private onExit(dead: ExpertWorker): void {
    const startedAt = this.started.get(dead) ?? 0;
    this.started.delete(dead);
    if (this.closing || !this.workers.includes(dead)) return;
    this.quickDeaths = Date.now() - startedAt < QUICK_DEATH_MS ? this.quickDeaths + 1 : 0;
    const delay = Math.min(MAX_RESTART_DELAY_MS, this.quickDeaths > 1 ? 100 * 2 ** (this.quickDeaths - 2) : 0);
    if (delay === 0) {
      this.replace(dead);
      this.dispatch();
      return;
    }
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      this.replace(dead);
      this.dispatch();
    }, delay);
    this.restartTimers.add(timer);
  }

  private dispatch(): void {
    for (let slot = 0; slot < this.workers.length && this.queue.length > 0; slot++) {
      const worker = this.workers[slot] as ExpertWorker;
      if (!worker.alive || worker.busy) continue;
      const job = this.queue.shift() as Job;
      worker.request(job.message, job.timeoutMs).then(
        (answer) => {
          if (answer.fatal) this.replace(worker);
          job.resolve(answer);
          this.dispatch();
        },
        (error: Error) => {
          if (error instanceof WorkerLostError) this.replace(worker);
          job.reject(error);
          this.dispatch();
        },
      );
    }
  }

  /** Kills `failed` and puts a fresh worker in its slot; a second report about the same worker is ignored. */
  private replace(failed: ExpertWorker): void {
    const slot = this.workers.indexOf(failed);
    if (this.closing || slot < 0) return;
    failed.kill();
    this.workers[slot] = this.spawn();
    this.replacements++;
  }
}
