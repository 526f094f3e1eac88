// The marketplace's access proxy (docs/architecture.md §6, issue 11): `/v1/access/{provider}/{path}` is
// forwarded to the provider's endpoint when the caller, who signs the request, holds (free + bonded BAI)
// at least the provider's `min_access_holding`. Everything the gateway checks is read from the chain at
// the finalized head through consensus; the gateway keeps only the replay cache and metering counters.
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AddressError,
  EndpointError,
  ScaleReader,
  endpointRequest,
  fromHex,
  parseAccountId,
  storageMapKey,
  toHex,
  utf8,
  verifySignature,
  type KeyType,
  type Resolver,
} from '@balanceai/chain';
import { DomainError, httpStatusOf, type ErrorKind } from '@balanceai/platform';
import type { ConsensusClient } from '../consensus/consensus-client.js';
import { sendError } from '../errors/gateway-exception.filter.js';
import { modelsKeys, parseProviderId, providerView } from './models.views.js';

export const ACCESS_PREFIX = '/v1/access/';
export const ACCESS_HEADERS = { account: 'x-bai-account', timestamp: 'x-bai-timestamp', signature: 'x-bai-signature', keyType: 'x-bai-key-type' } as const;

/** A refusal: a DomainError whose kind decides the status, mapped once by the gateway's toHttpError. */
const refuse = (code: string, message: string, kind: ErrorKind): DomainError => new DomainError(code, message, kind);

// A proxy's own statuses: the provider failed (502) or was slow (504); its name not resolving is ours (503).
const ENDPOINT_FAILURE_KIND: Record<EndpointError['code'], ErrorKind> = {
  PROVIDER_ENDPOINT_PRIVATE: 'forbidden',
  PROVIDER_DOWN: 'bad_gateway',
  PROVIDER_RESPONSE_TOO_LARGE: 'bad_gateway',
  PROVIDER_TIMEOUT: 'gateway_timeout',
  PROVIDER_ENDPOINT_BAD: 'bad_gateway',
  PROVIDER_ENDPOINT_UNRESOLVED: 'unavailable',
};

export function endpointFailure(err: EndpointError, provider: number): DomainError {
  return refuse(err.code, `provider ${provider}: ${err.message}`, ENDPOINT_FAILURE_KIND[err.code]);
}

/**
 * The bytes a caller signs: a domain tag, then the method, the path after the provider id (with its query),
 * the timestamp (ms), the body's sha256 (hex) and the provider id, one per line.
 */
export function accessPayload(p: { method: string; path: string; timestampMs: number; body: Uint8Array; provider: number }): Uint8Array {
  const bodyHash = createHash('sha256').update(p.body).digest('hex');
  return utf8(`bai-access/v1\n${p.method.toUpperCase()}\n${p.path}\n${p.timestampMs}\n${bodyHash}\n${p.provider}`);
}

/** Signature ids seen within the replay window, each forgotten when the window has passed. */
export class ReplayCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}

  /** False when `id` was already used; records it otherwise. */
  use(id: string, nowMs: number): boolean {
    if (this.seen.size > 10_000) for (const [k, t] of this.seen) if (t < nowMs - 2 * this.windowMs) this.seen.delete(k);
    if (this.seen.has(id)) return false;
    this.seen.set(id, nowMs);
    return true;
  }
}

/** One request the proxy forwarded to a provider (answered or not). */
export interface MeteringEvent {
  provider: number;
  /** The caller, 0x hex account id. */
  account: string;
  method: string;
  path: string;
  /** The status the caller got: the provider's, or the gateway's when the provider failed. */
  status: number;
  /** Empty when the provider answered; PROVIDER_DOWN, PROVIDER_TIMEOUT or PROVIDER_RESPONSE_TOO_LARGE otherwise. */
  error: string;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
}

export interface AccessOptions {
  /** ± allowed between the caller's timestamp and the gateway's clock (default 30 s); a signature is accepted once within it. */
  windowMs?: number;
  /** Deadline of the provider's answer (default 10 s). */
  timeoutMs?: number;
  /** Largest request and response body (default 1 MiB). */
  maxBodyBytes?: number;
  /** Forward to loopback, private and link-local addresses too (devnets); refused with 403 otherwise. */
  privateEndpoints?: boolean;
  now?: () => number;
  /** Called once for every request forwarded to a provider (default: a structured log line). */
  metering?: (e: MeteringEvent) => void;
  /** Resolves endpoint host names (default: the system resolver); the address it answers is the one connected to. */
  resolve?: Resolver;
}

/** The holder's bonded total: Staking.Ledger(stash).total (a compact after the 32-byte stash), 0 when not bonded. */
export function bondedOf(ledger: string | null): bigint {
  if (!ledger) return 0n;
  const r = new ScaleReader(fromHex(ledger));
  r.raw(32);
  return r.compactBig();
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export interface VerifiedCaller {
  account: string;
  timestampMs: number;
  signature: string;
}

/** Checks the signed headers of a request; throws a DomainError (unauthenticated / invalid) for every refusal. */
export function verifyCaller(input: { headers: (name: string) => string | undefined; method: string; path: string; body: Uint8Array; provider: number; nowMs: number; windowMs: number }): VerifiedCaller {
  const account = input.headers(ACCESS_HEADERS.account);
  const ts = input.headers(ACCESS_HEADERS.timestamp);
  const sig = input.headers(ACCESS_HEADERS.signature);
  if (!account || !ts || !sig) throw refuse('ACCESS_UNSIGNED', `sign the request: ${Object.values(ACCESS_HEADERS).slice(0, 3).join(', ')} are required`, 'unauthenticated');
  const keyType = (input.headers(ACCESS_HEADERS.keyType) ?? 'sr25519') as KeyType;
  if (keyType !== 'sr25519' && keyType !== 'ed25519') throw refuse('BAD_KEY_TYPE', 'x-bai-key-type is sr25519 or ed25519', 'invalid');
  let id: Uint8Array;
  try {
    id = parseAccountId(account);
  } catch (err) {
    if (err instanceof AddressError || err instanceof Error) throw refuse('BAD_ADDRESS', `x-bai-account: ${err.message}`, 'invalid');
    throw err;
  }
  if (!/^[0-9]{1,16}$/.test(ts)) throw refuse('BAD_TIMESTAMP', 'x-bai-timestamp is milliseconds since the epoch', 'invalid');
  const timestampMs = Number(ts);
  if (Math.abs(input.nowMs - timestampMs) > input.windowMs) throw refuse('ACCESS_STALE', `the timestamp is more than ${input.windowMs} ms from the gateway's clock`, 'unauthenticated');
  if (!/^0x[0-9a-fA-F]{128}$/.test(sig)) throw refuse('ACCESS_BAD_SIGNATURE', 'x-bai-signature is 64 bytes of 0x hex', 'unauthenticated');
  const payload = accessPayload({ method: input.method, path: input.path, timestampMs, body: input.body, provider: input.provider });
  if (!verifySignature(keyType, id, payload, fromHex(sig))) throw refuse('ACCESS_BAD_SIGNATURE', 'the signature does not verify for this account, method, path, timestamp, body and provider', 'unauthenticated');
  return { account: toHex(id), timestampMs, signature: sig.toLowerCase() };
}

/**
 * Registers `ALL /v1/access/:provider/*` on the gateway's Fastify instance, in its own scope: request bodies
 * of any content type arrive as raw bytes (the signature covers them), up to `maxBodyBytes`. Refusals leave
 * through the gateway's one error mapping (errors/http-error.ts).
 */
export function registerAccessProxy(fastify: FastifyInstance, consensus: ConsensusClient, options: AccessOptions = {}): void {
  const log = new Logger('Access');
  const windowMs = options.windowMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const policy = { allowPrivate: options.privateEndpoints ?? false, resolve: options.resolve };
  const now = options.now ?? Date.now;
  const replays = new ReplayCache(windowMs);
  const meter = options.metering ?? ((e: MeteringEvent) => log.log(JSON.stringify({ event: 'access', ...e })));

  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
    // Fastify's own body-limit refusal would be named for the extrinsic routes (EXTRINSIC_TOO_LARGE).
    scope.setErrorHandler((err: Error & { code?: string }, _req, reply) => {
      const tooLarge = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
      sendError(reply, tooLarge ? refuse('REQUEST_TOO_LARGE', `the request body exceeds ${maxBodyBytes} bytes`, 'too_large') : err, log);
    });
    const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
      const started = now();
      try {
        const rest = req.url.slice(ACCESS_PREFIX.length);
        const slash = rest.indexOf('/');
        const idText = slash < 0 ? rest.split('?')[0]! : rest.slice(0, slash);
        let provider: number;
        try {
          provider = parseProviderId(idText);
        } catch (err) {
          throw refuse('BAD_PROVIDER_ID', (err as Error).message, 'invalid');
        }
        const path = slash < 0 ? `/${rest.slice(idText.length)}`.replace(/^\/\?/, '/?') : rest.slice(slash);
        const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array(0);
        const caller = verifyCaller({ headers: (n) => header(req, n), method: req.method, path, body, provider, nowMs: started, windowMs });

        // The provider and the caller's holding, from one finalized block.
        const ledgerKey = toHex(storageMapKey('Staking', 'Ledger', ['Blake2_128Concat', fromHex(caller.account)]));
        const read = await consensus.call('readStorage', { at: '', keys: [modelsKeys.provider(provider), ledgerKey] });
        const providerValue = read.entries[0]?.present ? read.entries[0].value : null;
        if (!providerValue) throw refuse('PROVIDER_NOT_FOUND', `no provider ${provider}`, 'not_found');
        const { info } = providerView(provider, modelsKeys.provider(provider), providerValue);
        if (info.status !== 'Active') throw refuse('PROVIDER_INACTIVE', `provider ${provider} is ${info.status.toLowerCase()}`, 'forbidden');
        const free = BigInt((await consensus.call('getAccount', { address: caller.account })).free);
        const holding = free + bondedOf(read.entries[1]?.present ? read.entries[1].value : null);
        if (holding < info.minAccessHolding) {
          throw refuse('HOLDING_TOO_LOW', `the account holds ${holding} (free + bonded), provider ${provider} asks for ${info.minAccessHolding}`, 'forbidden');
        }
        // Only a request that passed every check uses up its signature.
        if (!replays.use(caller.signature, started)) throw refuse('ACCESS_REPLAYED', 'this signed request was already used', 'conflict');

        const target = new URL(path.replace(/^\//, ''), info.endpoint.endsWith('/') ? info.endpoint : `${info.endpoint}/`);
        const metered = (status: number, error: string, responseBytes: number): void =>
          meter({ provider, account: caller.account, method: req.method, path, status, error, requestBytes: body.length, responseBytes, durationMs: now() - started });
        let answer;
        try {
          answer = await endpointRequest(
            target,
            {
              method: req.method,
              headers: req.headers['content-type'] ? { 'content-type': String(req.headers['content-type']) } : {},
              body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
              timeoutMs,
              maxResponseBytes: maxBodyBytes,
            },
            policy,
          );
        } catch (err) {
          if (!(err instanceof EndpointError)) throw err;
          const refusal = endpointFailure(err, provider);
          // A private endpoint was never contacted: nothing to meter.
          if (err.code !== 'PROVIDER_ENDPOINT_PRIVATE') metered(httpStatusOf[refusal.kind], err.code, 0);
          throw refusal;
        }
        metered(answer.status, '', answer.body.length);
        const type = answer.headers['content-type'];
        if (type) void reply.header('content-type', type);
        await reply.status(answer.status).header('x-bai-provider', String(provider)).send(Buffer.from(answer.body));
      } catch (err) {
        sendError(reply, err, log);
      }
    };
    scope.all('/v1/access/:provider', handler);
    scope.all('/v1/access/:provider/*', handler);
  });
}
