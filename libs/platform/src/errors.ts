import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';

/** Where a domain error's cause lies, which decides its gRPC and HTTP status (mapped once, here). */
export type ErrorKind =
  | 'invalid' // the caller's input is malformed or refused: 400 / INVALID_ARGUMENT
  | 'not_found' // 404 / NOT_FOUND
  | 'conflict' // the input is well-formed but conflicts with state (stale nonce, duplicate): 409 / FAILED_PRECONDITION
  | 'unavailable' // the node cannot serve now (syncing, module down): 503 / UNAVAILABLE
  | 'too_large' // 413 / RESOURCE_EXHAUSTED
  | 'unauthenticated' // the caller did not prove who it is: 401 / UNAUTHENTICATED
  | 'forbidden' // the caller is known but may not do this: 403 / PERMISSION_DENIED
  | 'busy' // the node is at capacity; retry later (Retry-After): 429 / RESOURCE_EXHAUSTED
  | 'bad_gateway' // a service we proxy to failed or answered wrongly: 502 / UNAVAILABLE
  | 'gateway_timeout' // a service we proxy to did not answer in time: 504 / DEADLINE_EXCEEDED
  | 'internal'; // our bug: 500 / INTERNAL, never with details

/**
 * Whether an error of this kind is a refusal: the answer to a client's mistake or to load, which nobody
 * reads a stack trace for. Faults and outages (internal, unavailable, bad_gateway, gateway_timeout) are
 * logged by whoever meets them, with their stack.
 */
const isRefusalKind: Record<ErrorKind, boolean> = {
  invalid: true,
  not_found: true,
  conflict: true,
  too_large: true,
  unauthenticated: true,
  forbidden: true,
  busy: true,
  unavailable: false,
  bad_gateway: false,
  gateway_timeout: false,
  internal: false,
};

/** Whether errors of `kind` are refusals (built without a stack trace): see DomainError. */
export function isRefusal(kind: ErrorKind): boolean {
  return isRefusalKind[kind];
}

/**
 * A typed error with a stable code (`BAD_PROOF`, `STALE_NONCE`, …) that clients can match on. A refusal
 * (`isRefusal(kind)`) is built without capturing a stack trace: under overload every busy answer is one,
 * and capturing a stack costs ~10 times the rest of the construction. Its `stack` is then the bare
 * `DomainError: message` line. Every other kind keeps its stack for the logs.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind = 'invalid',
    readonly details?: Record<string, string>,
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    if (isRefusalKind[kind]) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'DomainError';
  }
}

const grpcStatusOf: Record<ErrorKind, GrpcStatus> = {
  invalid: GrpcStatus.INVALID_ARGUMENT,
  not_found: GrpcStatus.NOT_FOUND,
  conflict: GrpcStatus.FAILED_PRECONDITION,
  unavailable: GrpcStatus.UNAVAILABLE,
  too_large: GrpcStatus.RESOURCE_EXHAUSTED,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  forbidden: GrpcStatus.PERMISSION_DENIED,
  busy: GrpcStatus.RESOURCE_EXHAUSTED,
  bad_gateway: GrpcStatus.UNAVAILABLE,
  gateway_timeout: GrpcStatus.DEADLINE_EXCEEDED,
  internal: GrpcStatus.INTERNAL,
};

export const httpStatusOf: Record<ErrorKind, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unavailable: 503,
  too_large: 413,
  unauthenticated: 401,
  forbidden: 403,
  busy: 429,
  bad_gateway: 502,
  gateway_timeout: 504,
  internal: 500,
};

export const ERROR_CODE_METADATA_KEY = 'bai-error-code';
/** Two kinds share RESOURCE_EXHAUSTED (too_large, busy), so the kind travels beside the code. */
export const ERROR_KIND_METADATA_KEY = 'bai-error-kind';
/** The error's details (e.g. a busy refusal's retryAfterSeconds) as JSON, non-ASCII escaped for metadata. */
export const ERROR_DETAILS_METADATA_KEY = 'bai-error-details';
const MAX_DETAILS_TEXT = 4096;
const KINDS = new Set<string>(Object.keys(httpStatusOf));

/** A gRPC service error (as @grpc/grpc-js sends it) carrying the domain code in trailing metadata. */
export function toGrpcError(err: DomainError): { code: GrpcStatus; details: string; metadata: Metadata } {
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, err.code);
  metadata.set(ERROR_KIND_METADATA_KEY, err.kind);
  if (err.details && Object.keys(err.details).length > 0) {
    const text = JSON.stringify(err.details).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (text.length <= MAX_DETAILS_TEXT) metadata.set(ERROR_DETAILS_METADATA_KEY, text);
  }
  return { code: grpcStatusOf[err.kind], details: err.message, metadata };
}

// Peers that send no kind (older builds) are read by status, which names the first kind listed for it
// (RESOURCE_EXHAUSTED: too_large, UNAVAILABLE: unavailable).
const kindOfGrpc = new Map<number, ErrorKind>();
for (const [kind, status] of Object.entries(grpcStatusOf) as [ErrorKind, GrpcStatus][]) if (!kindOfGrpc.has(status)) kindOfGrpc.set(status, kind);

/** A peer's details: a flat object of strings, anything else ignored (a peer is not trusted to send well-formed ones). */
function detailsOf(text: unknown): Record<string, string> | undefined {
  if (typeof text !== 'string' || text.length > MAX_DETAILS_TEXT) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const entries = Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string');
    return entries.length > 0 ? Object.fromEntries(entries) : undefined;
  } catch {
    return undefined;
  }
}

/** Rebuilds the DomainError a peer service sent over gRPC; anything else becomes an `unavailable` error. */
export function fromGrpcError(err: unknown): DomainError {
  const e = err as { code?: number; details?: string; metadata?: Metadata };
  const code = e.metadata?.get(ERROR_CODE_METADATA_KEY)?.[0];
  if (typeof code === 'string' && typeof e.code === 'number') {
    const sent = e.metadata?.get(ERROR_KIND_METADATA_KEY)?.[0];
    const kind = typeof sent === 'string' && KINDS.has(sent) ? (sent as ErrorKind) : (kindOfGrpc.get(e.code) ?? 'internal');
    return new DomainError(code, e.details ?? code, kind, detailsOf(e.metadata?.get(ERROR_DETAILS_METADATA_KEY)?.[0]));
  }
  if (e.code === GrpcStatus.UNAVAILABLE || e.code === GrpcStatus.DEADLINE_EXCEEDED) {
    return new DomainError('NODE_UNAVAILABLE', 'the validator node is unreachable', 'unavailable');
  }
  // The status name goes to the caller's logs (clients of the caller never see an internal message).
  const status = typeof e.code === 'number' ? (GrpcStatus[e.code] ?? String(e.code)) : 'no status';
  return new DomainError('INTERNAL', `internal error (gRPC ${status}${e.details ? `: ${e.details}` : ''})`, 'internal');
}
