/** The gateway's settings, read and checked once at start-up so a bad deployment fails before it serves. */
export interface GatewayConfig {
  /** Validator gRPC endpoints (`host:port`), tried in order; the first reachable one serves. */
  consensusUrls: string[];
  natsUrl: string;
  chainId: string;
  port: number;
  host: string;
  /** Deadline of one gRPC call to one validator before the gateway fails over to the next. */
  grpcDeadlineMs: number;
  /** How often each validator's status is polled to choose a healthy one. */
  healthPollMs: number;
  /** A validator below the best height whose height has not moved for this long is not used. */
  staleAfterMs: number;
  /** A validator more than this many blocks below the best height is not used. */
  maxLagBlocks: number;
}

/** A configuration problem, naming the variable so the operator knows what to fix. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
// Chain ids become NATS subject tokens and stream names: no dots, spaces or wildcards.
const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required');
  return value;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a port number, got "${raw}"`);
  const value = Number(raw);
  if (value > 65535) throw new ConfigError(name, `must be at most 65535, got ${raw}`);
  return value;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^[1-9]\d*$/.test(raw)) throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  return Number(raw);
}

function consensusUrls(env: Env): string[] {
  const name = 'BAI_CONSENSUS_URLS';
  const urls = required(env, name)
    .split(',')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (urls.length === 0) throw new ConfigError(name, 'lists no endpoint');
  for (const url of urls) {
    const match = HOST_PORT.exec(url);
    if (!match || Number(match[1]) === 0 || Number(match[1]) > 65535) {
      throw new ConfigError(name, `"${url}" is not host:port`);
    }
  }
  return urls;
}

function natsUrl(env: Env): string {
  const name = 'NATS_URL';
  const raw = required(env, name);
  for (const server of raw.split(',')) {
    let url: URL;
    try {
      url = new URL(server.includes('://') ? server.trim() : `nats://${server.trim()}`);
    } catch {
      throw new ConfigError(name, `"${server}" is not a URL`);
    }
    if (!['nats:', 'tls:', 'ws:', 'wss:'].includes(url.protocol)) {
      throw new ConfigError(name, `"${server}" has unsupported scheme ${url.protocol}`);
    }
  }
  return raw;
}

/** Reads the gateway's environment; throws a ConfigError naming the first bad variable. */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const chainId = required(env, 'BAI_CHAIN_ID');
  if (!CHAIN_ID.test(chainId)) {
    throw new ConfigError('BAI_CHAIN_ID', `"${chainId}" must be letters, digits, "-" or "_" (it becomes a NATS subject token)`);
  }
  return {
    consensusUrls: consensusUrls(env),
    natsUrl: natsUrl(env),
    chainId,
    port: port(env, 'PORT', 8080),
    host: env.HOST?.trim() || '0.0.0.0',
    grpcDeadlineMs: positiveInt(env, 'BAI_GRPC_DEADLINE_MS', 5000),
    healthPollMs: positiveInt(env, 'BAI_HEALTH_POLL_MS', 1000),
    staleAfterMs: positiveInt(env, 'BAI_STALE_AFTER_MS', 5000),
    maxLagBlocks: positiveInt(env, 'BAI_MAX_LAG_BLOCKS', 5),
  };
}
