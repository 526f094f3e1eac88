import { DomainError, httpStatusOf } from '@balanceai/platform';

/** What a client receives for any failure: a stable code to match on and a readable message. */
export interface HttpErrorBody {
  code: string;
  message: string;
}

export interface HttpError {
  status: number;
  body: HttpErrorBody;
  /** Seconds a client should wait before retrying a refusal for load (429 busy, 503 unavailable). */
  retryAfter?: number;
}

/**
 * Errors Fastify raises before a route handler runs (parsing the request), renamed to codes that say
 * the cause. Fastify's own body limit guards the extrinsic routes, hence its code; routes with a larger
 * body (expert, access proxy) read their bodies under their own limit and answer REQUEST_TOO_LARGE.
 */
const fastifyRequestErrors: Record<string, { status: number; code: string; message?: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    status: 413,
    code: 'EXTRINSIC_TOO_LARGE',
    message: 'request body exceeds the maximum extrinsic size',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'request body must be application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'BAD_CONTENT_LENGTH' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'MALFORMED_JSON', message: 'request body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'MALFORMED_JSON' },
  FST_ERR_BAD_URL: { status: 400, code: 'BAD_URL' },
  // The router refuses a path parameter longer than its maxParamLength (100) before any route runs.
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: 'URI_TOO_LONG', message: 'a path parameter is longer than 100 characters' },
  FST_ERR_INVALID_URL: { status: 400, code: 'BAD_URL' },
};

const codeOfStatus: Record<number, string> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

const INTERNAL: HttpError = { status: 500, body: { code: 'INTERNAL', message: 'internal error' } };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Nest's HttpException, recognised by shape so this module stays free of framework imports. */
function httpExceptionStatus(err: Record<string, unknown>): number | undefined {
  if (typeof err.getStatus !== 'function') return undefined;
  const status: unknown = err.getStatus();
  return typeof status === 'number' ? status : undefined;
}

/** A busy refusal names its wait in details.retryAfterSeconds (whole seconds, 1..3600); 1 s otherwise. */
function retryAfterOf(err: DomainError): number {
  const n = Number(err.details?.retryAfterSeconds);
  return Number.isInteger(n) && n >= 1 && n <= 3600 ? n : 1;
}

/**
 * The one mapping from anything thrown while serving a request to the status and body a client sees.
 * Client faults keep their cause; anything else becomes a bare 500 so no internals (or stack) leak.
 */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof DomainError) {
    const status = httpStatusOf[err.kind];
    if (status >= 500 && err.kind === 'internal') return INTERNAL;
    const error: HttpError = { status, body: { code: err.code, message: err.message } };
    if (err.kind === 'busy') error.retryAfter = retryAfterOf(err);
    return error;
  }
  if (!isRecord(err)) return INTERNAL;

  // Nest wraps Fastify's request-parsing errors (4xx) in an HttpException whose cause is the original.
  if (isRecord(err.cause) && typeof err.cause.code === 'string' && err.cause.code in fastifyRequestErrors) {
    return toHttpError(err.cause);
  }

  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';

  if (code && code in fastifyRequestErrors) {
    const known = fastifyRequestErrors[code]!;
    return { status: known.status, body: { code: known.code, message: known.message ?? message } };
  }

  // @balanceai/chain throws plain errors with a stable code (BAD_ADDRESS, BAD_HEX) for bad input text.
  if (code && /^BAD_[A-Z_]+$/.test(code) && !('statusCode' in err)) {
    return { status: 400, body: { code, message } };
  }

  const nestStatus = httpExceptionStatus(err);
  if (nestStatus !== undefined) {
    if (nestStatus === 404 && /^Cannot [A-Z]+ /.test(message)) {
      return { status: 404, body: { code: 'ROUTE_NOT_FOUND', message } };
    }
    if (nestStatus >= 400 && nestStatus < 500) {
      return { status: nestStatus, body: { code: codeOfStatus[nestStatus] ?? 'BAD_REQUEST', message } };
    }
    return INTERNAL;
  }

  // Other Fastify/HTTP errors carry statusCode; a 4xx there is still the client's fault.
  const statusCode = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, body: { code: codeOfStatus[statusCode] ?? 'BAD_REQUEST', message } };
  }
  return INTERNAL;
}
