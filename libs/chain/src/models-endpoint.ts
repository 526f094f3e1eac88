// Reaching a marketplace provider's endpoint (issue 11): the one rule both the gateway's access proxy and the
// validators' scoring worker apply. Anyone can register an endpoint, so a node must not become a way into its
// own host's or network's internal ports: an endpoint that is, or resolves to, a loopback, private,
// link-local, CGNAT, unique-local or unspecified address is refused unless private endpoints are allowed
// (BAI_ACCESS_PRIVATE_ENDPOINTS=allow, devnets). The host is resolved once and the request connects to
// exactly the address that was checked (no second lookup a changed DNS answer could redirect).
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';

export type EndpointErrorCode = 'PROVIDER_ENDPOINT_PRIVATE' | 'PROVIDER_ENDPOINT_UNRESOLVED' | 'PROVIDER_ENDPOINT_BAD' | 'PROVIDER_TIMEOUT' | 'PROVIDER_DOWN' | 'PROVIDER_RESPONSE_TOO_LARGE';

/** Why a provider's endpoint was not reached, with a stable code. */
export class EndpointError extends Error {
  constructor(
    readonly code: EndpointErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EndpointError';
  }
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** A host name's addresses (the system resolver by default; tests give their own). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) => (await dnsLookup(host, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

export interface EndpointPolicy {
  /** Reach loopback / private / link-local addresses too (BAI_ACCESS_PRIVATE_ENDPOINTS=allow). */
  readonly allowPrivate: boolean;
  readonly resolve?: Resolver;
}

/** BAI_ACCESS_PRIVATE_ENDPOINTS: `allow` or `deny` (the default when unset or empty); anything else is an error. */
export function privateEndpointsAllowed(value: string | undefined): boolean {
  const v = value?.trim();
  if (!v || v === 'deny') return false;
  if (v === 'allow') return true;
  throw new RangeError(`BAI_ACCESS_PRIVATE_ENDPOINTS must be allow or deny, got "${v}"`);
}

/** Loopback, RFC 1918, link-local, CGNAT, "this network", unique-local and unspecified addresses (IPv4-mapped IPv6 too). */
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

export interface PinnedEndpoint {
  readonly url: URL;
  /** The one address every connection for this request goes to. */
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * Resolves `target`'s host once and checks every address it resolves to: one private address refuses the
 * endpoint (PROVIDER_ENDPOINT_PRIVATE) unless the policy allows private endpoints. Names under `localhost`
 * are private without asking DNS.
 */
export async function pinEndpoint(target: string | URL, policy: EndpointPolicy): Promise<PinnedEndpoint> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new EndpointError('PROVIDER_ENDPOINT_BAD', `"${String(target)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointError('PROVIDER_ENDPOINT_BAD', `the endpoint must be http(s), got ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else if (host === 'localhost' || host.endsWith('.localhost')) addresses = [{ address: '127.0.0.1', family: 4 }];
  else {
    try {
      addresses = await (policy.resolve ?? systemResolver)(host);
    } catch (err) {
      throw new EndpointError('PROVIDER_ENDPOINT_UNRESOLVED', `${host} does not resolve: ${(err as Error).message}`);
    }
    if (addresses.length === 0) throw new EndpointError('PROVIDER_ENDPOINT_UNRESOLVED', `${host} does not resolve`);
  }
  if (!policy.allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) {
    throw new EndpointError('PROVIDER_ENDPOINT_PRIVATE', `${host} is or resolves to a loopback, private or link-local address, which this node does not reach`);
  }
  return { url, address: addresses[0]!.address, family: addresses[0]!.family };
}

/** Whether an endpoint is (or resolves to) a private address; an endpoint that does not resolve is not. */
export async function isPrivateEndpoint(endpoint: string, resolve?: Resolver): Promise<boolean> {
  try {
    await pinEndpoint(endpoint, { allowPrivate: false, resolve });
    return false;
  } catch (err) {
    if (err instanceof EndpointError && err.code === 'PROVIDER_ENDPOINT_PRIVATE') return true;
    if (err instanceof EndpointError && err.code === 'PROVIDER_ENDPOINT_UNRESOLVED') return false;
    throw err;
  }
}

export interface EndpointRequest {
  readonly method: string;
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
  /** Deadline of the whole exchange (connect, send, answer). */
  readonly timeoutMs: number;
  /** A larger answer is refused (PROVIDER_RESPONSE_TOO_LARGE) as soon as it shows. */
  readonly maxResponseBytes: number;
}

export interface EndpointResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Uint8Array;
  /** The address the request went to. */
  readonly address: string;
}

/**
 * One HTTP(S) request to a provider: the host is pinned (pinEndpoint) and the socket connects to that
 * address, whatever DNS answers by then; TLS still checks the certificate against the URL's host name.
 * Redirects are not followed. Failures are EndpointErrors (PROVIDER_TIMEOUT, PROVIDER_DOWN, …).
 */
export async function endpointRequest(target: string | URL, req: EndpointRequest, policy: EndpointPolicy): Promise<EndpointResponse> {
  const pinned = await pinEndpoint(target, policy);
  const { url } = pinned;
  const pinnedLookup: LookupFunction = (_host, options, callback) => {
    if (options.all) (callback as unknown as (e: null, list: ResolvedAddress[]) => void)(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
  const options: RequestOptions = {
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: req.method,
    headers: { ...req.headers, ...(req.body && req.body.length > 0 ? { 'content-length': String(req.body.length) } : {}) },
    lookup: pinnedLookup,
    signal: AbortSignal.timeout(req.timeoutMs),
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<EndpointResponse>((resolve, reject) => {
    let settled = false;
    const fail = (err: EndpointError) => {
      if (settled) return;
      settled = true;
      outgoing.destroy();
      reject(err);
    };
    const outgoing = send(options, (incoming) => {
      const announced = Number(incoming.headers['content-length'] ?? '0');
      if (announced > req.maxResponseBytes) return fail(new EndpointError('PROVIDER_RESPONSE_TOO_LARGE', `the provider's answer exceeds ${req.maxResponseBytes} bytes`));
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxResponseBytes) fail(new EndpointError('PROVIDER_RESPONSE_TOO_LARGE', `the provider's answer exceeds ${req.maxResponseBytes} bytes`));
        else chunks.push(chunk);
      });
      incoming.on('end', () => {
        if (settled) return;
        settled = true;
        resolve({ status: incoming.statusCode ?? 502, headers: incoming.headers, body: new Uint8Array(Buffer.concat(chunks)), address: pinned.address });
      });
      incoming.on('error', (err) => fail(failure(err, req.timeoutMs)));
    });
    outgoing.on('error', (err) => fail(failure(err, req.timeoutMs)));
    outgoing.end(req.body && req.body.length > 0 ? Buffer.from(req.body) : undefined);
  });
}

function failure(err: Error, timeoutMs: number): EndpointError {
  const timedOut = err.name === 'AbortError' || err.name === 'TimeoutError' || (err.cause as Error | undefined)?.name === 'TimeoutError';
  return timedOut ? new EndpointError('PROVIDER_TIMEOUT', `the provider did not answer within ${timeoutMs} ms`) : new EndpointError('PROVIDER_DOWN', `the provider cannot be reached (${(err as NodeJS.ErrnoException).code ?? err.message})`);
}
