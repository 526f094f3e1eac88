import { readFileSync } from 'node:fs';
import { DEFAULT_MEMPOOL_MAX_BYTES } from './mempool/mempool.js';

export interface ConsensusConfig {
  genesisFile: string;
  /** Secret URI of the ed25519 consensus key; undefined = full node. */
  validatorKey: string | undefined;
  databaseUrl: string;
  /** NATS_URL without credentials (for logs). */
  natsUrl: string;
  /** What `connect` of @nats-io/transport-node needs: it ignores `user:pass@` in a URL, so they are split out here. */
  nats: NatsAuthOptions;
  /** BAI_GRPC_HOST, 127.0.0.1 unless told otherwise (the chart and compose set 0.0.0.0 for the gateway). */
  grpcHost: string;
  grpcPort: number;
  /** BAI_HTTP_HOST of /healthz, /readyz and /metrics, 127.0.0.1 unless told otherwise (0.0.0.0 where Prometheus scrapes). */
  httpHost: string;
  httpPort: number;
  /**
   * Module services, `name=host:port` each (BAI_MODULES); executed in the fixed order emissions → staking →
   * models → bridge. Each call carries this validator's module token (BAI_MODULE_TOKEN or BAI_MODULE_TOKEN_FILE).
   */
  modules: Array<{ name: string; url: string; token: string }>;
  /** BAI_NATS_STREAM_REPLICAS: replicas of the chain's JetStream stream when this node creates it (1-5; 3 on a 3-node NATS cluster). */
  streamReplicas: number;
  /**
   * This node's mempool bounds (local policy): BAI_MEMPOOL_MAX_TXS (default and ceiling: the genesis
   * `mempoolMaxTxs`) and BAI_MEMPOOL_MAX_BYTES (default 32 MiB).
   */
  mempool: { maxTxs: number | undefined; maxBytes: number };
  /** BAI_VERIFY_WORKERS: threads verifying signatures off the consensus thread (default 1; 0 = inline). */
  verifyWorkers: number;
}

export interface NatsAuthOptions {
  servers: string[];
  user?: string;
  pass?: string;
  /** NATS_TLS_CA_FILE: verify the server against this CA (the chart's NATS speaks TLS). */
  tls?: { caFile: string };
}

export class ConfigError extends Error {}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a TCP port (0-65535), got "${raw}"`);
  return n;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new ConfigError(`${name} is required`);
  return v;
}

/** Reads and validates the environment once at start-up; fails fast naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConsensusConfig {
  let validatorKey = env.BAI_VALIDATOR_KEY || undefined;
  if (!validatorKey && env.BAI_VALIDATOR_KEY_FILE) {
    try {
      validatorKey = readFileSync(env.BAI_VALIDATOR_KEY_FILE, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`BAI_VALIDATOR_KEY_FILE cannot be read: ${(err as Error).message}`);
    }
  }
  return {
    genesisFile: required(env, 'BAI_GENESIS_FILE'),
    validatorKey,
    databaseUrl: required(env, 'DATABASE_URL'),
    ...natsConfig(env),
    grpcHost: env.BAI_GRPC_HOST || '127.0.0.1',
    grpcPort: port(env, 'BAI_GRPC_PORT', 50051),
    httpHost: env.BAI_HTTP_HOST || '127.0.0.1',
    httpPort: port(env, 'BAI_HTTP_PORT', 9615),
    modules: parseModules(env.BAI_MODULES, env),
    streamReplicas: streamReplicas(env.BAI_NATS_STREAM_REPLICAS),
    mempool: {
      maxTxs: positive(env, 'BAI_MEMPOOL_MAX_TXS'),
      maxBytes: positive(env, 'BAI_MEMPOOL_MAX_BYTES') ?? DEFAULT_MEMPOOL_MAX_BYTES,
    },
    verifyWorkers: verifyWorkers(env.BAI_VERIFY_WORKERS),
  };
}

function verifyWorkers(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 16) throw new ConfigError(`BAI_VERIFY_WORKERS must be an integer from 0 to 16, got "${raw}"`);
  return n;
}

function positive(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function streamReplicas(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  // JetStream allows 1-5 replicas; an even count buys nothing over the odd one below it.
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new ConfigError(`BAI_NATS_STREAM_REPLICAS must be an integer from 1 to 5, got "${raw}"`);
  return n;
}

/**
 * NATS_URL (comma-separated servers; `nats://user:password@host:port` carries this validator's NATS user),
 * or NATS_USER with NATS_PASSWORD / NATS_PASSWORD_FILE (a mounted Secret); NATS_TLS_CA_FILE for TLS.
 */
function natsConfig(env: NodeJS.ProcessEnv): { natsUrl: string; nats: NatsAuthOptions } {
  let user = env.NATS_USER || undefined;
  let pass = env.NATS_PASSWORD || undefined;
  if (!pass && env.NATS_PASSWORD_FILE) {
    try {
      pass = readFileSync(env.NATS_PASSWORD_FILE, 'utf8').split('\n')[0]!.trim();
    } catch (err) {
      throw new ConfigError(`NATS_PASSWORD_FILE cannot be read: ${(err as Error).message}`);
    }
  }
  const servers = required(env, 'NATS_URL')
    .split(',')
    .map((raw) => {
      let url: URL;
      try {
        url = new URL(raw.trim());
      } catch {
        throw new ConfigError(`NATS_URL must be nats://[user:password@]host:port[,...], got "${raw}"`);
      }
      if (url.username) {
        user ??= decodeURIComponent(url.username);
        pass ??= decodeURIComponent(url.password);
      }
      return `${url.protocol}//${url.host}`;
    });
  const tls = env.NATS_TLS_CA_FILE ? { caFile: env.NATS_TLS_CA_FILE } : undefined;
  return { natsUrl: servers.join(','), nats: { servers, ...(user ? { user, pass: pass ?? '' } : {}), ...(tls ? { tls } : {}) } };
}

/** The secret this validator's modules expect (the same variables the module host reads, same rules). */
function moduleToken(env: NodeJS.ProcessEnv): string {
  let token = env.BAI_MODULE_TOKEN?.trim();
  if (!token && env.BAI_MODULE_TOKEN_FILE) {
    try {
      token = readFileSync(env.BAI_MODULE_TOKEN_FILE, 'utf8').split('\n')[0]!.trim();
    } catch (err) {
      throw new ConfigError(`BAI_MODULE_TOKEN_FILE cannot be read: ${(err as Error).message}`);
    }
  }
  if (!token) throw new ConfigError('BAI_MODULE_TOKEN (or BAI_MODULE_TOKEN_FILE) is required with BAI_MODULES: the secret the modules expect from this validator');
  if (token.length < 32) throw new ConfigError('BAI_MODULE_TOKEN must hold at least 32 characters (e.g. openssl rand -hex 32)');
  return token;
}

function parseModules(raw: string | undefined, env: NodeJS.ProcessEnv): Array<{ name: string; url: string; token: string }> {
  if (!raw) return [];
  const token = moduleToken(env);
  const seen = new Set<string>();
  return raw.split(',').map((entry) => {
    const m = /^\s*([a-z]+)=([^\s:=]+:\d{1,5})\s*$/.exec(entry);
    if (!m) throw new ConfigError(`BAI_MODULES entries must be name=host:port, got "${entry}"`);
    if (seen.has(m[1]!)) throw new ConfigError(`BAI_MODULES names module ${m[1]} twice`);
    seen.add(m[1]!);
    return { name: m[1]!, url: m[2]!, token };
  });
}
