import { readFileSync } from 'node:fs';
import { MIN_MODULE_TOKEN_LENGTH } from './auth.js';

/** A start-up configuration problem, naming the variable so the operator knows what to fix. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** What every module service reads from its environment. */
export interface ModuleHostConfig {
  genesisFile: string;
  databaseUrl: string;
  grpcHost: string;
  grpcPort: number;
  httpHost: string;
  httpPort: number;
  /** The per-validator secret consensus presents on every ModuleRuntimeService call. */
  moduleToken: string;
}

export interface ModuleConfigSpec {
  /** e.g. BAI_EMISSIONS_GRPC_PORT */
  grpcPortVariable: string;
  defaultGrpcPort: number;
  defaultHttpPort: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required');
  return value;
}

export function portFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new ConfigError(name, `must be a TCP port (0-65535), got "${raw}"`);
  return Number(raw);
}

/**
 * The per-validator module token: BAI_MODULE_TOKEN, or the first line of the file BAI_MODULE_TOKEN_FILE (a
 * mounted Secret). Always required, at least 32 characters (`openssl rand -hex 32`): a module without one would
 * take blocks from anyone who can reach its port. Consensus reads the same variables.
 */
export function moduleTokenFrom(env: Env): string {
  let token = env['BAI_MODULE_TOKEN']?.trim();
  let variable = 'BAI_MODULE_TOKEN';
  const file = env['BAI_MODULE_TOKEN_FILE']?.trim();
  if (!token && file) {
    variable = 'BAI_MODULE_TOKEN_FILE';
    try {
      token = readFileSync(file, 'utf8').split('\n')[0]!.trim();
    } catch (err) {
      throw new ConfigError(variable, `cannot be read: ${(err as Error).message}`);
    }
  }
  if (!token) throw new ConfigError('BAI_MODULE_TOKEN', 'is required (or BAI_MODULE_TOKEN_FILE): the secret this validator\'s consensus presents to its modules');
  if (token.length < MIN_MODULE_TOKEN_LENGTH) throw new ConfigError(variable, `must hold at least ${MIN_MODULE_TOKEN_LENGTH} characters (e.g. openssl rand -hex 32)`);
  return token;
}

/**
 * Reads and checks the environment once at start-up: BAI_GENESIS_FILE, DATABASE_URL, BAI_MODULE_TOKEN(_FILE),
 * the module's gRPC port variable, BAI_GRPC_HOST (127.0.0.1), BAI_HTTP_PORT, BAI_HTTP_HOST (127.0.0.1).
 */
export function loadModuleHostConfig(spec: ModuleConfigSpec, env: Env = process.env): ModuleHostConfig {
  const databaseUrl = required(env, 'DATABASE_URL');
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError('DATABASE_URL', 'is not a URL');
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') throw new ConfigError('DATABASE_URL', 'must be a postgresql:// URL');
  return {
    genesisFile: required(env, 'BAI_GENESIS_FILE'),
    databaseUrl,
    grpcHost: env['BAI_GRPC_HOST']?.trim() || '127.0.0.1',
    grpcPort: portFrom(env, spec.grpcPortVariable, spec.defaultGrpcPort),
    httpHost: env['BAI_HTTP_HOST']?.trim() || '127.0.0.1',
    httpPort: portFrom(env, 'BAI_HTTP_PORT', spec.defaultHttpPort),
    moduleToken: moduleTokenFrom(env),
  };
}
