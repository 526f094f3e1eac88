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
  /**
   * BAI_ACCESS_PRIVATE_ENDPOINTS=allow: the access proxy may forward to providers whose endpoint is a
   * loopback, private or link-local address (a devnet's providers on 127.0.0.1). Off by default: anyone
   * can register an endpoint, and the gateway must not become a way into its own host or network.
   */
  accessPrivateEndpoints?: boolean;
  /** Limits of the Substrate JSON-RPC server on `/`; DEFAULT_RPC_CONFIG where absent (configs built in code). */
  rpc?: Partial<RpcConfig>;
  /** How submissions travel to the validators and how many the gateway holds; DEFAULT_SUBMIT_CONFIG where absent. */
  submit?: Partial<SubmitConfig>;
}

/**
 * Submissions (POST /v1/extrinsics, author_submitExtrinsic, author_submitAndWatchExtrinsic,
 * transaction_v1_broadcast): batched to the validators, bounded in the gateway. A submission over a
 * bound is refused at once as busy (429 with Retry-After / JSON-RPC -32009), never queued.
 */
export interface SubmitConfig {
  /** Extrinsics in one SubmitExtrinsics call (BAI_SUBMIT_MAX_BATCH, default 256; 1 = one call per extrinsic). */
  maxBatch: number;
  /** SubmitExtrinsics calls on the wire at once (BAI_SUBMIT_CONCURRENT_BATCHES, default 2); what arrives meanwhile joins the next. */
  concurrentBatches: number;
  /** Submissions the gateway holds at once, all clients together (BAI_MAX_PENDING_SUBMISSIONS, default 4,096). */
  maxPending: number;
  /** Submissions one connection (HTTP or WebSocket) may have unanswered at once (BAI_MAX_SUBMISSIONS_PER_CONNECTION, default 256). */
  maxPerConnection: number;
}

export const DEFAULT_SUBMIT_CONFIG: Readonly<SubmitConfig> = Object.freeze({
  maxBatch: 256,
  concurrentBatches: 2,
  maxPending: 4096,
  maxPerConnection: 256,
});

/** The submission settings of a configuration, defaults filled in. */
export function submitConfigOf(config: Pick<GatewayConfig, 'submit'>): SubmitConfig {
  return { ...DEFAULT_SUBMIT_CONFIG, ...config.submit };
}

/**
 * Limits of the JSON-RPC server (WebSocket and HTTP POST on `/`). Substrate's (sc-cli) defaults where they
 * fit a public gateway; where they differ, the comment says why.
 */
export interface RpcConfig {
  /**
   * Bytes of one request message or body (BAI_RPC_MAX_REQUEST_BYTES, default 1 MiB). Substrate allows
   * 15 MiB for runtime-upgrade extrinsics; ours are at most 64 KiB (128 KiB of hex), and every open
   * WebSocket may hold one message this large while it arrives.
   */
  maxRequestBytes: number;
  /** Bytes of one response (BAI_RPC_MAX_RESPONSE_BYTES, default 15 MiB as Substrate). */
  maxResponseBytes: number;
  /** Calls in one batch (BAI_RPC_MAX_BATCH, default 100; Substrate has no limit by default). */
  maxBatchSize: number;
  /** Subscriptions one connection may hold (BAI_RPC_MAX_SUBSCRIPTIONS, default 1,024 as Substrate). */
  maxSubscriptionsPerConnection: number;
  /** Open WebSocket connections (BAI_RPC_MAX_CONNECTIONS, default 10,000; Substrate's 100 is below the 1,000 subscribers we must hold). */
  maxConnections: number;
  /** Calls per second one connection may make, sustained (BAI_RPC_RATE_LIMIT, default 1,000). */
  rateLimitPerSecond: number;
  /** Calls one connection may make at once before the sustained rate applies (BAI_RPC_RATE_BURST, default 2,000). */
  rateLimitBurst: number;
  /** Bytes a WebSocket client may lag behind (unsent) before it is closed as too slow (BAI_RPC_MAX_BUFFER_BYTES, default 4 MiB). */
  maxConnectionBufferBytes: number;
}

export const DEFAULT_RPC_CONFIG: Readonly<RpcConfig> = Object.freeze({
  maxRequestBytes: 1024 * 1024,
  maxResponseBytes: 15 * 1024 * 1024,
  maxBatchSize: 100,
  maxSubscriptionsPerConnection: 1024,
  maxConnections: 10_000,
  rateLimitPerSecond: 1000,
  rateLimitBurst: 2000,
  maxConnectionBufferBytes: 4 * 1024 * 1024,
});

/** The RPC limits of a configuration, defaults filled in. */
export function rpcConfigOf(config: Pick<GatewayConfig, 'rpc'>): RpcConfig {
  return { ...DEFAULT_RPC_CONFIG, ...config.rpc };
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

function rpcConfig(env: Env): RpcConfig {
  const d = DEFAULT_RPC_CONFIG;
  const rpc: RpcConfig = {
    maxRequestBytes: positiveInt(env, 'BAI_RPC_MAX_REQUEST_BYTES', d.maxRequestBytes),
    maxResponseBytes: positiveInt(env, 'BAI_RPC_MAX_RESPONSE_BYTES', d.maxResponseBytes),
    maxBatchSize: positiveInt(env, 'BAI_RPC_MAX_BATCH', d.maxBatchSize),
    maxSubscriptionsPerConnection: positiveInt(env, 'BAI_RPC_MAX_SUBSCRIPTIONS', d.maxSubscriptionsPerConnection),
    maxConnections: positiveInt(env, 'BAI_RPC_MAX_CONNECTIONS', d.maxConnections),
    rateLimitPerSecond: positiveInt(env, 'BAI_RPC_RATE_LIMIT', d.rateLimitPerSecond),
    rateLimitBurst: positiveInt(env, 'BAI_RPC_RATE_BURST', d.rateLimitBurst),
    maxConnectionBufferBytes: positiveInt(env, 'BAI_RPC_MAX_BUFFER_BYTES', d.maxConnectionBufferBytes),
  };
  // A burst below the rate would refuse calls a steady client is allowed.
  if (rpc.rateLimitBurst < rpc.rateLimitPerSecond) {
    throw new ConfigError('BAI_RPC_RATE_BURST', `must be at least BAI_RPC_RATE_LIMIT (${rpc.rateLimitPerSecond}), got ${rpc.rateLimitBurst}`);
  }
  return rpc;
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
    rpc: rpcConfig(env),
    submit: {
      maxBatch: positiveInt(env, 'BAI_SUBMIT_MAX_BATCH', DEFAULT_SUBMIT_CONFIG.maxBatch),
      concurrentBatches: positiveInt(env, 'BAI_SUBMIT_CONCURRENT_BATCHES', DEFAULT_SUBMIT_CONFIG.concurrentBatches),
      maxPending: positiveInt(env, 'BAI_MAX_PENDING_SUBMISSIONS', DEFAULT_SUBMIT_CONFIG.maxPending),
      maxPerConnection: positiveInt(env, 'BAI_MAX_SUBMISSIONS_PER_CONNECTION', DEFAULT_SUBMIT_CONFIG.maxPerConnection),
    },
    accessPrivateEndpoints: accessPrivateEndpoints(env),
  };
}

function accessPrivateEndpoints(env: Env): boolean {
  const v = env.BAI_ACCESS_PRIVATE_ENDPOINTS?.trim();
  if (v === undefined || v === '' || v === 'deny') return false;
  if (v === 'allow') return true;
  throw new ConfigError('BAI_ACCESS_PRIVATE_ENDPOINTS', `must be allow or deny, got "${v}"`);
}
