import { DomainError, traceparentOf } from '@balanceai/platform';

/** What the validator answered for one extrinsic of a batch: its hash, or its refusal. */
export type SubmitOutcome = { hash: string } | { error: DomainError };

/**
 * What became of one submission: its hash, or why not (a refusal, a busy answer, or a failure of the whole
 * call, which need not be a DomainError). Answered as a value, so a refusal is never thrown on its way.
 */
export type SubmitResult = { hash: string } | { error: unknown };

/**
 * Sends one batch (at least one extrinsic) and answers one outcome per extrinsic, in order; rejects when none
 * was taken. `traceparents[i]` is the W3C traceparent of extrinsic i's submission ("" when untraced).
 */
export type SendBatch = (extrinsics: string[], traceparents: string[]) => Promise<SubmitOutcome[]>;

export interface SubmissionQueueOptions {
  /** Extrinsics in one call to a validator. */
  maxBatch: number;
  /** Hex characters in one call (a batch of large extrinsics stays under the validator's message limit). */
  maxBatchChars: number;
  /** Batches on the wire at once; what arrives meanwhile waits and leaves in the next batch. */
  maxConcurrentBatches: number;
  /** Submissions waiting or on the wire, all callers together; past it a submission is refused as busy. */
  maxPending: number;
}

export const DEFAULT_SUBMISSION_QUEUE: Readonly<SubmissionQueueOptions> = Object.freeze({
  maxBatch: 256,
  maxBatchChars: 1024 * 1024,
  maxConcurrentBatches: 2,
  maxPending: 4096,
});

interface Waiting {
  extrinsic: string;
  /** The submitting request's trace, so the validator continues it though the call carries a batch. */
  traceparent: string;
  settle: (result: SubmitResult) => void;
}

/** The gateway's refusal when it already holds `maxPending` submissions: retry after a second (429 / -32009). */
export function gatewayBusy(limit: number, what = 'submissions'): DomainError {
  return new DomainError('GATEWAY_BUSY', `the gateway already holds ${limit} ${what} in flight; retry later`, 'busy', { retryAfterSeconds: '1' });
}

/**
 * Coalesces concurrent submissions into batches for a validator: a submission leaves at once when fewer
 * than `maxConcurrentBatches` batches are on the wire (no added latency at low load), and otherwise waits
 * for one to come back and leaves with everything that arrived meanwhile (under load the batches grow, so
 * the per-call cost shrinks per extrinsic). Submissions that arrive in the same turn of the event loop share a batch. Holds at most
 * `maxPending` submissions; beyond that `submit` refuses with a busy error instead of queueing without bound.
 */
export class SubmissionQueue {
  private readonly queue: Waiting[] = [];
  private inFlightBatches = 0;
  private inFlightItems = 0;
  private scheduled = false;

  constructor(
    private readonly send: SendBatch,
    private readonly options: SubmissionQueueOptions = DEFAULT_SUBMISSION_QUEUE,
  ) {}

  /** Submissions waiting or on the wire. */
  get pending(): number {
    return this.queue.length + this.inFlightItems;
  }

  /** Resolves with the extrinsic's hash, or rejects with the validator's refusal (or a busy one). */
  submit(extrinsic: string): Promise<string> {
    return this.submitForResult(extrinsic).then(hashOrThrow);
  }

  /** As `submit`, but a refusal resolves as `{ error }` instead of rejecting (the REST route's hot path). */
  submitForResult(extrinsic: string): Promise<SubmitResult> {
    if (this.pending >= this.options.maxPending) return Promise.resolve({ error: gatewayBusy(this.options.maxPending) });
    return new Promise<SubmitResult>((settle) => {
      this.queue.push({ extrinsic, traceparent: traceparentOf() ?? '', settle });
      if (!this.scheduled && this.inFlightBatches < this.options.maxConcurrentBatches) {
        // Leaves after this turn of the event loop's I/O phase: the requests parsed in it share the batch.
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlightBatches < this.options.maxConcurrentBatches) {
      let chars = 0;
      let count = 0;
      while (count < this.queue.length && count < this.options.maxBatch) {
        const next = this.queue[count]!.extrinsic.length;
        if (count > 0 && chars + next > this.options.maxBatchChars) break;
        chars += next;
        count++;
      }
      this.dispatch(this.queue.splice(0, count));
    }
  }

  private dispatch(batch: Waiting[]): void {
    this.inFlightBatches++;
    this.inFlightItems += batch.length;
    const settle = (outcomes: SubmitOutcome[] | undefined, failure?: unknown): void => {
      this.inFlightBatches--;
      this.inFlightItems -= batch.length;
      batch.forEach((w, i) => {
        const outcome = outcomes?.[i];
        w.settle(outcome ?? { error: failure ?? new DomainError('INTERNAL', `the validator answered ${outcomes?.length} results for ${batch.length} extrinsics`, 'internal') });
      });
      this.flush();
    };
    let sending: Promise<SubmitOutcome[]>;
    try {
      sending = this.send(batch.map((w) => w.extrinsic), batch.map((w) => w.traceparent));
    } catch (err) {
      sending = Promise.reject(err);
    }
    sending.then(
      (outcomes) => settle(outcomes),
      (err: unknown) => settle(undefined, err),
    );
  }
}

function hashOrThrow(result: SubmitResult): string {
  if ('hash' in result) return result.hash;
  throw result.error;
}

/**
 * Each connection's unanswered submissions, keyed by the connection's own object (its socket, its RPC
 * session), so a connection that goes away takes its count with it. One client cannot take the gateway's
 * whole `maxPending` for itself: past `limit` on its connection it is refused as busy.
 */
export class ConnectionSubmissions<K extends object> {
  private readonly counts = new WeakMap<K, number>();

  constructor(readonly limit: number) {}

  /** Unanswered submissions of `connection` now. */
  count(connection: K): number {
    return this.counts.get(connection) ?? 0;
  }

  /** Runs `submit` counted against `connection`; a busy refusal instead when it already has `limit` unanswered. */
  async run<T>(connection: K, submit: () => Promise<T>): Promise<T> {
    if (!this.take(connection)) throw this.busy();
    try {
      return await submit();
    } finally {
      this.release(connection);
    }
  }

  /**
   * As `run` for a submission answered as a value: over the limit the busy refusal is the result, and a
   * `submit` that throws or rejects (a bug: it answers refusals as values) is `{ error }` too. Nothing thrown.
   */
  runForResult(connection: K, submit: () => Promise<SubmitResult>): Promise<SubmitResult> {
    if (!this.take(connection)) return Promise.resolve({ error: this.busy() });
    const done = (result: SubmitResult): SubmitResult => {
      this.release(connection);
      return result;
    };
    let running: Promise<SubmitResult>;
    try {
      running = submit();
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.then(done, (error: unknown) => done({ error }));
  }

  private busy(): DomainError {
    return gatewayBusy(this.limit, 'submissions on this connection');
  }

  private take(connection: K): boolean {
    const n = this.count(connection);
    if (n >= this.limit) return false;
    this.counts.set(connection, n + 1);
    return true;
  }

  private release(connection: K): void {
    const left = this.count(connection) - 1;
    if (left > 0) this.counts.set(connection, left);
    else this.counts.delete(connection);
  }
}
