// The marketplace's access proxy (docs/architecture.md §6, issue 11): `/v1/access/{provider}/{path}` is
// forwarded to the provider's endpoint when the caller, who signs the request, holds (free + bonded BAI)
// at least the provider's `min_access_holding`. Everything the gateway checks is read from the chain at
// the finalized head through consensus; the gateway keeps only the replay cache and metering counters.
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AddressError,
  ScaleReader,
  fromHex,
  parseAccountId,
  storageMapKey,
  toHex,
  utf8,
  verifySignature,
  type KeyType,
} from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import type { ConsensusClient } from '../consensus/consensus-client.js';
import { modelsKeys, parseProviderId, providerView } from './models.views.js';

export const ACCESS_PREFIX = '/v1/access/';
export const ACCESS_HEADERS = { account: 'x-bai-account', timestamp: 'x-bai-timestamp', signature: 'x-bai-signature', keyType: 'x-bai-key-type' } as const;

/** A refusal with its HTTP status and stable code. */
export class AccessError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
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

export interface MeteringEvent {
  provider: number;
  account: string;
  method: string;
  path: string;
  status: number;
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
  /** Called for every request that reached the provider (default: a structured log line). */
  metering?: (e: MeteringEvent) => void;
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

/** Checks the signed headers of a request; throws AccessError for every refusal. */
export function verifyCaller(input: { headers: (name: string) => string | undefined; method: string; path: string; body: Uint8Array; provider: number; nowMs: number; windowMs: number }): VerifiedCaller {
  const account = input.headers(ACCESS_HEADERS.account);
  const ts = input.headers(ACCESS_HEADERS.timestamp);
  const sig = input.headers(ACCESS_HEADERS.signature);
  if (!account || !ts || !sig) throw new AccessError(401, 'ACCESS_UNSIGNED', `sign the request: ${Object.values(ACCESS_HEADERS).slice(0, 3).join(', ')} are required`);
  const keyType = (input.headers(ACCESS_HEADERS.keyType) ?? 'sr25519') as KeyType;
  if (keyType !== 'sr25519' && keyType !== 'ed25519') throw new AccessError(400, 'BAD_KEY_TYPE', 'x-bai-key-type is sr25519 or ed25519');
  let id: Uint8Array;
  try {
    id = parseAccountId(account);
  } catch (err) {
    if (err instanceof AddressError || err instanceof Error) throw new AccessError(400, 'BAD_ADDRESS', `x-bai-account: ${err.message}`);
    throw err;
  }
  if (!/^[0-9]{1,16}$/.test(ts)) throw new AccessError(400, 'BAD_TIMESTAMP', 'x-bai-timestamp is milliseconds since the epoch');
  const timestampMs = Number(ts);
  if (Math.abs(input.nowMs - timestampMs) > input.windowMs) throw new AccessError(401, 'ACCESS_STALE', `the timestamp is more than ${input.windowMs} ms from the gateway's clock`);
  if (!/^0x[0-9a-fA-F]{128}$/.test(sig)) throw new AccessError(401, 'ACCESS_BAD_SIGNATURE', 'x-bai-signature is 64 bytes of 0x hex');
  const payload = accessPayload({ method: input.method, path: input.path, timestampMs, body: input.body, provider: input.provider });
  if (!verifySignature(keyType, id, payload, fromHex(sig))) throw new AccessError(401, 'ACCESS_BAD_SIGNATURE', 'the signature does not verify for this account, method, path, timestamp, body and provider');
  return { account: toHex(id), timestampMs, signature: sig.toLowerCase() };
}

/**
 * Registers `ALL /v1/access/:provider/*` on the gateway's Fastify instance, in its own scope: request bodies
 * of any content type arrive as raw bytes (the signature covers them), up to `maxBodyBytes`.
 */
export function registerAccessProxy(fastify: FastifyInstance, consensus: ConsensusClient, options: AccessOptions = {}): void {
  const log = new Logger('Access');
  const windowMs = options.windowMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const privateEndpoints = options.privateEndpoints ?? false;
  const now = options.now ?? Date.now;
  const replays = new ReplayCache(windowMs);
  const meter = options.metering ?? ((e: MeteringEvent) => log.log(JSON.stringify({ event: 'access', ...e })));

  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
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
          throw new AccessError(400, 'BAD_PROVIDER_ID', (err as Error).message);
        }
        const path = slash < 0 ? `/${rest.slice(idText.length)}`.replace(/^\/\?/, '/?') : rest.slice(slash);
        const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array(0);
        const caller = verifyCaller({ headers: (n) => header(req, n), method: req.method, path, body, provider, nowMs: started, windowMs });

        // The provider and the caller's holding, from one finalized block.
        const ledgerKey = toHex(storageMapKey('Staking', 'Ledger', ['Blake2_128Concat', fromHex(caller.account)]));
        const read = await consensus.call('readStorage', { at: '', keys: [modelsKeys.provider(provider), ledgerKey] });
        const providerValue = read.entries[0]?.present ? read.entries[0].value : null;
        if (!providerValue) throw new AccessError(404, 'PROVIDER_NOT_FOUND', `no provider ${provider}`);
        const { info } = providerView(provider, modelsKeys.provider(provider), providerValue);
        if (info.status !== 'Active') throw new AccessError(403, 'PROVIDER_INACTIVE', `provider ${provider} is ${info.status.toLowerCase()}`);
        const free = BigInt((await consensus.call('getAccount', { address: caller.account })).free);
        const holding = free + bondedOf(read.entries[1]?.present ? read.entries[1].value : null);
        if (holding < info.minAccessHolding) {
          throw new AccessError(403, 'HOLDING_TOO_LOW', `the account holds ${holding} (free + bonded), provider ${provider} asks for ${info.minAccessHolding}`);
        }
        // Only a request that passed every check uses up its signature.
        if (!replays.use(caller.signature, started)) throw new AccessError(409, 'ACCESS_REPLAYED', 'this signed request was already used');

        if (!privateEndpoints && (await isPrivateEndpoint(info.endpoint))) {
          throw new AccessError(403, 'PROVIDER_ENDPOINT_PRIVATE', `provider ${provider}'s endpoint is a loopback, private or link-local address, which this gateway does not reach`);
        }
        let upstream: Response;
        try {
          upstream = await fetch(new URL(path.replace(/^\//, ''), info.endpoint.endsWith('/') ? info.endpoint : `${info.endpoint}/`), {
            method: req.method,
            headers: req.headers['content-type'] ? { 'content-type': String(req.headers['content-type']) } : {},
            body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body,
            signal: AbortSignal.timeout(timeoutMs),
            redirect: 'manual',
          });
        } catch (err) {
          const timedOut = (err as Error).name === 'TimeoutError';
          throw new AccessError(timedOut ? 504 : 502, timedOut ? 'PROVIDER_TIMEOUT' : 'PROVIDER_DOWN', `provider ${provider} ${timedOut ? `did not answer within ${timeoutMs} ms` : 'cannot be reached'}`);
        }
        const announced = Number(upstream.headers.get('content-length') ?? '0');
        if (announced > maxBodyBytes) throw new AccessError(502, 'PROVIDER_RESPONSE_TOO_LARGE', `the provider's answer exceeds ${maxBodyBytes} bytes`);
        const answer = new Uint8Array(await upstream.arrayBuffer());
        if (answer.length > maxBodyBytes) throw new AccessError(502, 'PROVIDER_RESPONSE_TOO_LARGE', `the provider's answer exceeds ${maxBodyBytes} bytes`);
        meter({ provider, account: caller.account, method: req.method, path, status: upstream.status, requestBytes: body.length, responseBytes: answer.length, durationMs: now() - started });
        const type = upstream.headers.get('content-type');
        if (type) void reply.header('content-type', type);
        await reply.status(upstream.status).header('x-bai-provider', String(provider)).send(Buffer.from(answer));
      } catch (err) {
        if (err instanceof AccessError) {
          await reply.status(err.status).header('content-type', 'application/json; charset=utf-8').send({ code: err.code, message: err.message });
          return;
        }
        if (err instanceof DomainError) {
          const status = err.kind === 'unavailable' ? 503 : err.kind === 'not_found' ? 404 : err.kind === 'invalid' ? 400 : 500;
          if (status === 500) log.error(err.stack ?? err.message);
          await reply.status(status).header('content-type', 'application/json; charset=utf-8').send(status === 500 ? { code: 'INTERNAL', message: 'internal error' } : { code: err.code, message: err.message });
          return;
        }
        log.error((err as Error).stack ?? String(err));
        await reply.status(500).header('content-type', 'application/json; charset=utf-8').send({ code: 'INTERNAL', message: 'internal error' });
      }
    };
    scope.all('/v1/access/:provider', handler);
    scope.all('/v1/access/:provider/*', handler);
  });
}

/**
 * Whether an endpoint's host is (or resolves to) a loopback, private, link-local, unique-local or
 * unspecified address. A name is resolved once here; a DNS answer that changes before the fetch is not
 * caught (pin the address, or put the gateway where such addresses lead nowhere, for that).
 */
export async function isPrivateEndpoint(endpoint: string): Promise<boolean> {
  let host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
  return addresses.some(isPrivateAddress);
}

export function isPrivateAddress(address: string): boolean {
  // IPv4-mapped IPv6 (`::ffff:127.0.0.1`, which URL writes as `::ffff:7f00:1`) is the IPv4 address.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  const v4 = mapped
    ? [parseInt(mapped[1]!, 16) >> 8, parseInt(mapped[1]!, 16) & 255, parseInt(mapped[2]!, 16) >> 8, parseInt(mapped[2]!, 16) & 255].join('.')
    : address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b < 128) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168);
  }
  const v6 = address.toLowerCase();
  return v6 === '::' || v6 === '::1' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
}
