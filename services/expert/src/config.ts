// Environment → typed configuration, validated once at start-up; a bad value fails with the variable's name.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** services/expert, from dist/src/config.js or src/config.ts alike. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const builtinModelsDir = join(packageRoot, 'models');
export const workerSourceDir = join(packageRoot, 'python');

export interface ExpertConfig {
  /** BAI_EXPERT_GRPC_HOST, 127.0.0.1 unless told otherwise (compose sets 0.0.0.0 where the gateway reaches it). */
  grpcHost: string;
  grpcPort: number;
  /** BAI_HTTP_HOST of `/healthz`, `/readyz`, `/metrics`, 127.0.0.1 unless told otherwise (0.0.0.0 where Prometheus scrapes). */
  httpHost: string;
  /** `/healthz`, `/readyz`, `/metrics` (BAI_HTTP_PORT, default 9619). */
  httpPort: number;
  /** Python worker processes. */
  workers: number;
  /** Wall-clock limit of one evaluation; the worker is killed and replaced past it. */
  timeoutMs: number;
  /** Address-space limit of each worker (RLIMIT_AS). */
  memoryMb: number;
  /** Folders holding model folders, built-in models first. */
  modelsDirs: string[];
  python: string;
  /** Start workers in a fresh network namespace (`unshare -n`) when the host allows it. */
  networkNamespace: boolean;
  /** Evaluations waiting for a worker before new ones are refused with EXPERT_BUSY. */
  maxQueue: number;
  /** Risk toolkit checkouts whose ai_models/*.clp are served unchanged, in toolkit mode. */
  toolkitDirs: string[];
  /** Where AddModel writes model versions (kept across restarts); undefined: a temporary folder per process. */
  runtimeModelsDir: string | undefined;
  /** The `bai-admin-token` AddModel requires; undefined: AddModel is refused. */
  adminToken: string | undefined;
  /** Run workers inside bubblewrap (read-only filesystem, private /tmp, no network) when `bwrap` works. */
  sandbox: boolean;
  /** uid:gid the sandboxed workers run as when the service runs as root (default 65534:65534, nobody). */
  workerUser: { uid: number; gid: number };
  /** Request limits checked before parsing. */
  limits: { maxBytes: number; maxDepth: number; maxPositions: number };
  /** Largest gRPC message the server receives; larger ones are refused by gRPC itself. */
  grpcMaxMessageBytes: number;
  /** The model a request naming none gets (the gateway's POST /risks names none): BAI_EXPERT_DEFAULT_MODEL. */
  defaultModel: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function loadExpertConfig(env: NodeJS.ProcessEnv = process.env): ExpertConfig {
  const modelsDirs = [builtinModelsDir];
  const extra = env['BAI_EXPERT_MODELS_DIR'];
  if (extra) {
    for (const dir of extra.split(':').filter(Boolean)) {
      if (!existsSync(dir)) throw new Error(`BAI_EXPERT_MODELS_DIR names a folder that does not exist: ${dir}`);
      modelsDirs.push(resolve(dir));
    }
  }
  const python = env['BAI_EXPERT_PYTHON'] || join(packageRoot, '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(`BAI_EXPERT_PYTHON: ${python} does not exist (run services/expert/scripts/setup-python.sh)`);
  }
  const toolkitDirs: string[] = [];
  for (const dir of (env['BAI_EXPERT_TOOLKIT_DIRS'] ?? '').split(':').filter(Boolean)) {
    if (!existsSync(join(dir, 'ai_models'))) {
      throw new Error(`BAI_EXPERT_TOOLKIT_DIRS names a folder without ai_models/: ${dir}`);
    }
    toolkitDirs.push(resolve(dir));
  }
  const sandbox = env['BAI_EXPERT_SANDBOX'] ?? 'auto';
  if (sandbox !== 'auto' && sandbox !== 'off') throw new Error(`BAI_EXPERT_SANDBOX must be auto or off, got "${sandbox}"`);
  const userText = env['BAI_EXPERT_WORKER_USER'] || '65534:65534';
  const userMatch = /^(\d+):(\d+)$/.exec(userText);
  if (!userMatch) throw new Error(`BAI_EXPERT_WORKER_USER must be uid:gid, got "${userText}"`);
  const adminToken = env['BAI_EXPERT_ADMIN_TOKEN'] || undefined;
  if (adminToken !== undefined && adminToken.length < 16) throw new Error('BAI_EXPERT_ADMIN_TOKEN must be at least 16 characters');
  const netns = env['BAI_EXPERT_NETNS'] ?? 'auto';
  if (netns !== 'auto' && netns !== 'off') throw new Error(`BAI_EXPERT_NETNS must be auto or off, got "${netns}"`);
  return {
    grpcHost: env['BAI_EXPERT_GRPC_HOST']?.trim() || '127.0.0.1',
    grpcPort: integer(env, 'BAI_EXPERT_GRPC_PORT', 50070, 0, 65535),
    httpHost: env['BAI_HTTP_HOST']?.trim() || '127.0.0.1',
    httpPort: integer(env, 'BAI_HTTP_PORT', 9619, 0, 65535),
    workers: integer(env, 'BAI_EXPERT_WORKERS', 2, 1, 64),
    timeoutMs: integer(env, 'BAI_EXPERT_TIMEOUT_MS', 2000, 50, 600_000),
    memoryMb: integer(env, 'BAI_EXPERT_MEMORY_MB', 512, 128, 65_536),
    modelsDirs,
    python,
    networkNamespace: netns === 'auto',
    maxQueue: integer(env, 'BAI_EXPERT_MAX_QUEUE', 1000, 1, 1_000_000),
    toolkitDirs,
    runtimeModelsDir: env['BAI_EXPERT_RUNTIME_MODELS_DIR'] ? resolve(env['BAI_EXPERT_RUNTIME_MODELS_DIR']) : undefined,
    adminToken,
    sandbox: sandbox === 'auto',
    workerUser: { uid: Number(userMatch[1]), gid: Number(userMatch[2]) },
    limits: {
      maxBytes: integer(env, 'BAI_EXPERT_MAX_REQUEST_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      maxDepth: integer(env, 'BAI_EXPERT_MAX_DEPTH', 32, 4, 1000),
      maxPositions: integer(env, 'BAI_EXPERT_MAX_POSITIONS', 1000, 1, 100_000),
    },
    grpcMaxMessageBytes: integer(env, 'BAI_EXPERT_GRPC_MAX_MESSAGE_BYTES', 16 * 1024 * 1024, 1024 * 1024, 256 * 1024 * 1024),
    defaultModel: env['BAI_EXPERT_DEFAULT_MODEL']?.trim() || 'crypto-risk',
  };
}
