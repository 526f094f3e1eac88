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
 * Reads and checks the environment once at start-up: BAI_GENESIS_FILE, DATABASE_URL, the module's gRPC port
 * variable, BAI_GRPC_HOST (0.0.0.0), BAI_HTTP_PORT, BAI_HTTP_HOST (0.0.0.0).
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
    grpcHost: env['BAI_GRPC_HOST']?.trim() || '0.0.0.0',
    grpcPort: portFrom(env, spec.grpcPortVariable, spec.defaultGrpcPort),
    httpHost: env['BAI_HTTP_HOST']?.trim() || '0.0.0.0',
    httpPort: portFrom(env, 'BAI_HTTP_PORT', spec.defaultHttpPort),
  };
}
