// One Python worker process: newline-delimited JSON requests on its stdin, one answer line each on its stdout.
// The worker handles one request at a time; the deadline is enforced here because a loop inside CLIPS's C code
// never returns to Python, so only killing the process stops it.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface WorkerLaunch {
  python: string;
  /** Folder holding the expert_worker package. */
  sourceDir: string;
  memoryMb: number;
  /** RLIMIT_CPU budget per request, a backstop behind the wall-clock deadline. */
  cpuSecondsPerRequest: number;
  networkNamespace: boolean;
}

export interface WorkerError {
  code: string;
  message: string;
}

export type WorkerAnswer = { id: number; result: unknown; fatal?: boolean } | { id: number; error: WorkerError; fatal?: boolean };

/** The worker did not answer: it was killed at the deadline or it died. The worker is gone either way. */
export class WorkerLostError extends Error {
  constructor(
    readonly reason: 'timeout' | 'crashed',
    message: string,
  ) {
    super(message);
  }
}

let unshareUsable: boolean | undefined;

/** Whether `unshare -n` works here (it needs root or unprivileged user namespaces); probed once. */
export function canUnshareNetwork(): boolean {
  if (unshareUsable === undefined) {
    const probe = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore', timeout: 5000 });
    unshareUsable = probe.status === 0;
  }
  return unshareUsable;
}

const STDERR_TAIL = 4096;

export class ExpertWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private pending:
    | { id: number; resolve: (a: WorkerAnswer) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
    | undefined;
  private stderrTail = '';
  private exited = false;
  readonly isolatedNetwork: boolean;

  constructor(launch: WorkerLaunch) {
    const args = ['-u', '-m', 'expert_worker'];
    this.isolatedNetwork = launch.networkNamespace && canUnshareNetwork();
    const [command, commandArgs] = this.isolatedNetwork
      ? ['unshare', ['-n', launch.python, ...args]]
      : [launch.python, args];
    this.child = spawn(command, commandArgs, {
      cwd: launch.sourceDir,
      // A minimal environment: model code sees no secrets of the service, and a fixed hash seed keeps
      // set and dict-of-str ordering in user Python the same from run to run.
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        PYTHONPATH: launch.sourceDir,
        PYTHONHASHSEED: '0',
        PYTHONDONTWRITEBYTECODE: '1',
        BAI_EXPERT_MEMORY_MB: String(launch.memoryMb),
        BAI_EXPERT_CPU_SECONDS: String(launch.cpuSecondsPerRequest),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onAnswer(line));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.child.stdin.on('error', () => undefined); // a dead worker's pipe; the exit handler reports it
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.fail(new WorkerLostError('crashed', `the worker process died (${how})${this.lastError()}`));
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  request(message: Record<string, unknown>, timeoutMs: number): Promise<WorkerAnswer> {
    if (this.exited) return Promise.reject(new WorkerLostError('crashed', 'the worker process has exited'));
    if (this.pending) return Promise.reject(new Error('worker is busy'));
    const id = this.nextId++;
    return new Promise<WorkerAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new WorkerLostError('timeout', `no answer within ${timeoutMs} ms`));
        this.kill();
      }, timeoutMs);
      this.pending = { id, resolve, reject, timer };
      this.child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    });
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Resolves once the process has exited (after kill, or at once if it already has). */
  closed(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  private onAnswer(line: string): void {
    const pending = this.pending;
    if (!pending) return;
    let answer: WorkerAnswer;
    try {
      answer = JSON.parse(line) as WorkerAnswer;
    } catch {
      this.fail(new WorkerLostError('crashed', 'the worker wrote a line that is not JSON'));
      this.kill();
      return;
    }
    if (answer.id !== pending.id) return; // an answer that arrived after its deadline: the worker is being killed
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.resolve(answer);
  }

  private fail(error: Error): void {
    const pending = this.pending;
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending = undefined;
    pending.reject(error);
  }

  private lastError(): string {
    const lines = this.stderrTail.trim().split('\n').filter(Boolean);
    const last = lines[lines.length - 1];
    return last ? `: ${last.slice(0, 300)}` : '';
  }
}
