// One Python worker process: newline-delimited JSON requests on its stdin, one answer line each on its stdout.
// The worker handles one request at a time; the deadline is enforced here because a loop inside CLIPS's C code
// never returns to Python, so only killing the process stops it.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams, type StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeBpf, workerSeccompProgram } from './seccomp.js';

export interface WorkerLaunch {
  python: string;
  /** Folder holding the expert_worker package. */
  sourceDir: string;
  memoryMb: number;
  /** RLIMIT_CPU budget per request, a backstop behind the wall-clock deadline. */
  cpuSecondsPerRequest: number;
  networkNamespace: boolean;
  /** How workers are contained, chosen once at start by `chooseSandbox`. */
  sandbox?: SandboxPlan;
}

/**
 * The containment workers start under. `bwrap`: bubblewrap with a read-only view of the filesystem, a private
 * /tmp, no network, new PID/IPC/UTS namespaces, no capabilities, its own session; `uid`/`gid` set when the
 * service runs as root, so workers run as an unprivileged user. `unshare`: only a network namespace. `none`.
 */
export interface SandboxPlan {
  kind: 'bwrap' | 'unshare' | 'none';
  /** Folders bound read-only inside bwrap (model folders; /tmp is private otherwise). */
  readable?: string[];
  uid?: number;
  gid?: number;
  /** The seccomp filter (BPF, see seccomp.ts) bwrap reads from a pipe on fd 3 before starting the worker. */
  seccomp?: Buffer;
  /** Why the plan is weaker than bwrap as an unprivileged user with seccomp, for the start-up log. */
  note: string;
}

/** The fd a sandboxed worker's bwrap reads its seccomp filter from. */
const SECCOMP_FD = 3;

/**
 * The worker seccomp filter, and a private file holding it for the start-up probe (a synchronous spawn cannot
 * feed a pipe); undefined (with why) on an architecture without one. Workers get it through a pipe.
 */
function seccompForProbe(): { program: Buffer; file: string } | { reason: string } {
  const program = workerSeccompProgram();
  if (!program) return { reason: `no seccomp filter is defined for ${process.arch}` };
  const bytes = encodeBpf(program);
  const file = join(mkdtempSync(join(tmpdir(), 'bai-expert-seccomp-')), 'workers.bpf');
  writeFileSync(file, bytes, { mode: 0o600 });
  return { program: bytes, file };
}

/** bubblewrap's arguments; `readable` folders (model folders that may sit under /tmp) are bound read-only. */
export function bwrapArgs(sourceDir: string, readable: string[] = [], seccomp = false): string[] {
  return [
    '--ro-bind', '/', '/',
    '--dev', '/dev',
    '--proc', '/proc',
    '--tmpfs', '/tmp',
    '--tmpfs', '/var/tmp',
    '--tmpfs', '/dev/shm',
    ...readable.flatMap((dir) => ['--ro-bind', dir, dir]),
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    '--chdir', sourceDir,
    ...(seccomp ? ['--seccomp', String(SECCOMP_FD)] : []),
    '--',
  ];
}

function probe(command: string, args: string[], ids: { uid?: number; gid?: number }, seccompFile?: string): string | undefined {
  // The seccomp filter's file on fd 3 when there is one.
  const fd = seccompFile === undefined ? undefined : openSync(seccompFile, 'r');
  const stdio: StdioOptions = fd === undefined ? ['ignore', 'ignore', 'pipe'] : ['ignore', 'ignore', 'pipe', fd];
  const result = spawnSync(command, args, { stdio, timeout: 10_000, ...ids });
  if (fd !== undefined) closeSync(fd);
  if (result.error) return result.error.message;
  if (result.status !== 0) return (result.stderr?.toString('utf8').trim().split('\n').pop() ?? '') || `exit code ${result.status}`;
  return undefined;
}

/**
 * Picks the strongest containment this host allows: bwrap as an unprivileged user (when the service is root),
 * bwrap as the service user, `unshare -n`, or nothing; each step is probed by starting the worker's Python.
 */
export function chooseSandbox(
  launch: Pick<WorkerLaunch, 'python' | 'sourceDir' | 'networkNamespace'>,
  options: { sandbox: boolean; workerUser: { uid: number; gid: number }; readable: string[] },
): SandboxPlan {
  // The worker's own code and venv too: a checkout under /tmp would be hidden by the sandbox's private /tmp.
  const venv = isAbsolute(launch.python) ? [dirname(dirname(launch.python))] : [];
  const readable = [...new Set([...options.readable, launch.sourceDir, ...venv])].sort();
  const pythonCheck = [launch.python, '-c', 'import clips'];
  const reasons: string[] = [];
  if (options.sandbox) {
    const root = typeof process.getuid === 'function' && process.getuid() === 0;
    const filter = seccompForProbe();
    // bwrap with the seccomp filter when it works here, else without it (saying why); a failure message otherwise.
    const tryBwrap = (ids: { uid?: number; gid?: number }): { seccomp?: Buffer; note: string } | string => {
      if ('file' in filter) {
        const failed = probe('bwrap', [...bwrapArgs(launch.sourceDir, readable, true), ...pythonCheck], ids, filter.file);
        if (!failed) return { seccomp: filter.program, note: 'seccomp filter' };
        const plain = probe('bwrap', [...bwrapArgs(launch.sourceDir, readable), ...pythonCheck], ids);
        return plain ?? { note: `no seccomp filter: bwrap --seccomp failed (${failed})` };
      }
      return probe('bwrap', [...bwrapArgs(launch.sourceDir, readable), ...pythonCheck], ids) ?? { note: `no seccomp filter: ${filter.reason}` };
    };
    let chosen: SandboxPlan | undefined;
    if (root) {
      const ids = { uid: options.workerUser.uid, gid: options.workerUser.gid };
      const tried = tryBwrap(ids);
      if (typeof tried !== 'string') chosen = { kind: 'bwrap', readable, ...ids, ...tried, note: `bwrap as uid ${ids.uid}, ${tried.note}` };
      else reasons.push(`bwrap as uid ${ids.uid} failed (${tried})`);
    }
    if (!chosen) {
      const tried = tryBwrap({});
      if (typeof tried !== 'string') {
        const who = root ? `bwrap as root: ${reasons.join('; ')}` : 'bwrap as the service user';
        chosen = { kind: 'bwrap', readable, ...tried, note: `${who}, ${tried.note}` };
      } else {
        reasons.push(`bwrap failed (${tried})`);
      }
    }
    if ('file' in filter) rmSync(dirname(filter.file), { recursive: true, force: true });
    if (chosen) return chosen;
  } else {
    reasons.push('BAI_EXPERT_SANDBOX=off');
  }
  if (launch.networkNamespace && canUnshareNetwork()) return { kind: 'unshare', note: `network namespace only: ${reasons.join('; ')}` };
  return { kind: 'none', note: `no sandbox: ${reasons.join('; ')}` };
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

/** A request that could not be encoded for a worker; the worker itself is fine. */
export class WorkerMessageError extends Error {}

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
  readonly sandbox: SandboxPlan['kind'];

  constructor(launch: WorkerLaunch, onExit?: (worker: ExpertWorker) => void) {
    const args = ['-u', '-m', 'expert_worker'];
    const plan = launch.sandbox ?? {
      kind: launch.networkNamespace && canUnshareNetwork() ? 'unshare' : 'none', note: '',
    };
    this.sandbox = plan.kind;
    this.isolatedNetwork = plan.kind !== 'none';
    const seccomp = plan.kind === 'bwrap' ? plan.seccomp : undefined;
    const [command, commandArgs] =
      plan.kind === 'bwrap'
        ? ['bwrap', [...bwrapArgs(launch.sourceDir, plan.readable, seccomp !== undefined), launch.python, ...args]]
        : plan.kind === 'unshare'
          ? ['unshare', ['-n', launch.python, ...args]]
          : [launch.python, args];
    this.child = spawn(command, commandArgs, {
      cwd: launch.sourceDir,
      ...(plan.uid !== undefined ? { uid: plan.uid, gid: plan.gid } : {}),
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
      // fd 3: the seccomp filter, read by bwrap before it starts the worker (a pipe holds it whole).
      stdio: seccomp ? ['pipe', 'pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe'],
    }) as ChildProcessWithoutNullStreams;
    if (seccomp) {
      const filterPipe = this.child.stdio[SECCOMP_FD] as Writable;
      filterPipe.on('error', () => undefined); // bwrap died first; the exit handler reports it
      filterPipe.end(seccomp);
    }
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onAnswer(line));
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    this.child.stdin.on('error', () => undefined); // a dead worker's pipe; the exit handler reports it
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      this.fail(new WorkerLostError('crashed', `the worker process died (${how})${this.lastError()}`));
      onExit?.(this);
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
    // Encoded before the request counts as pending: a message that cannot be encoded fails alone and leaves
    // the worker free.
    let line: string;
    try {
      line = `${JSON.stringify({ ...message, id })}\n`;
    } catch (err) {
      return Promise.reject(new WorkerMessageError(`the request cannot be sent to a worker: ${(err as Error).message}`));
    }
    return new Promise<WorkerAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new WorkerLostError('timeout', `no answer within ${timeoutMs} ms`));
        this.kill();
      }, timeoutMs);
      this.pending = { id, resolve, reject, timer };
      this.child.stdin.write(line);
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
    // An answer to an earlier request arrived after its deadline (the worker is being killed): ignored. A null id
    // answers a line the worker could not decode, which can only be the one pending (one request at a time).
    if (answer.id !== pending.id && answer.id !== null) return;
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
