import { DomainError } from '@balanceai/platform';

/**
 * JSON-RPC error codes as Substrate nodes answer them, so wallets that match on codes behave as against a
 * Substrate node. -32700..-32603 are JSON-RPC 2.0; -32000..-32011 are jsonrpsee's (the server under
 * every Substrate node); 1000+ and 4000+ are polkadot-sdk `sc-rpc-api` (author/error.rs, state/error.rs,
 * base codes AUTHOR = 1000, STATE = 4000).
 */
export const RpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** jsonrpsee CALL_EXECUTION_FAILED_CODE: the call failed for a reason the server names. */
  CALL_FAILED: -32000,
  TOO_MANY_SUBSCRIPTIONS: -32006,
  /** jsonrpsee SERVER_IS_BUSY_CODE: the server sheds load; retry later. */
  SERVER_IS_BUSY: -32009,
  OVERSIZED_REQUEST: -32007,
  OVERSIZED_RESPONSE: -32008,
  BATCH_TOO_LARGE: -32010,
  BATCH_RESPONSE_TOO_LARGE: -32011,
  /**
   * Substrate's `--rpc-rate-limit` never answers an error: it delays the call until its token bucket
   * refills. The issue asks for a clear error instead, so a throttled call gets this code (the JSON-RPC
   * reading of HTTP 429, as public RPC providers use it) with the limit in `data`.
   */
  TOO_MANY_REQUESTS: -32029,

  AUTHOR_BAD_FORMAT: 1001,
  POOL_INVALID_TX: 1010,
  POOL_UNKNOWN_VALIDITY: 1011,
  POOL_TEMPORARILY_BANNED: 1012,
  POOL_ALREADY_IMPORTED: 1013,
  POOL_TOO_LOW_PRIORITY: 1014,
  POOL_IMMEDIATELY_DROPPED: 1016,
  POOL_FUTURE_TX: 1021,

  STATE_INVALID_BLOCK_RANGE: 4001,
  STATE_INVALID_COUNT: 4002,
  STATE_CLIENT_ERROR: 4003,
} as const;

/**
 * A JSON-RPC error object; what a handler throws to answer a specific error. Always an answer to the
 * client (what is logged for a fault is the error behind it, see `isServerFault`), so it is built without
 * a stack trace: every refusal under load builds one.
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'RpcError';
  }

  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }
}

// jsonrpsee's messages, word for word: clients and people searching for them find the Substrate docs.
export const parseError = (): RpcError => new RpcError(RpcCode.PARSE_ERROR, 'Parse error');
export const invalidRequest = (detail?: string): RpcError => new RpcError(RpcCode.INVALID_REQUEST, 'Invalid request', detail);
export const methodNotFound = (): RpcError => new RpcError(RpcCode.METHOD_NOT_FOUND, 'Method not found');
export const invalidParams = (detail: string): RpcError => new RpcError(RpcCode.INVALID_PARAMS, 'Invalid params', detail);
/** Past saturation a read is refused at once (and is safe to retry) rather than queued into a timeout. */
export const serverBusy = (): RpcError => new RpcError(RpcCode.SERVER_IS_BUSY, 'Server is busy, try again later');
export const internalError = (detail?: string): RpcError => new RpcError(RpcCode.INTERNAL_ERROR, 'Internal error', detail);
export const tooManySubscriptions = (limit: number): RpcError =>
  new RpcError(RpcCode.TOO_MANY_SUBSCRIPTIONS, 'Too many subscriptions on the connection', `Exceeded max limit of ${limit}`);
export const oversizedRequest = (limit: number): RpcError => new RpcError(RpcCode.OVERSIZED_REQUEST, 'Request is too big', `Exceeded max limit of ${limit}`);
export const oversizedResponse = (limit: number): RpcError => new RpcError(RpcCode.OVERSIZED_RESPONSE, 'Response is too big', `Exceeded max limit of ${limit}`);
export const batchTooLarge = (limit: number): RpcError => new RpcError(RpcCode.BATCH_TOO_LARGE, 'The batch request was too large', `Exceeded max limit of ${limit}`);
export const batchResponseTooLarge = (limit: number): RpcError =>
  new RpcError(RpcCode.BATCH_RESPONSE_TOO_LARGE, 'The batch response was too large', `Exceeded max limit of ${limit}`);
export const tooManyRequests = (perSecond: number): RpcError =>
  new RpcError(RpcCode.TOO_MANY_REQUESTS, 'Too many requests', `rate limit of ${perSecond} calls per second per connection exceeded; retry later`);

/** sp_runtime's `InvalidTransaction` reasons, as Substrate puts them in error 1010's `data`. */
export const InvalidTransactionReason = {
  Call: 'Transaction call is not expected',
  BadProof: 'Transaction has a bad signature',
  AncientBirthBlock: 'Transaction has an ancient birth block',
  ExhaustsResources: 'Transaction would exhaust the block limits',
  Payment: 'Inability to pay some fees (e.g. account balance too low)',
  Future: 'Transaction will be valid in the future',
  Stale: 'Transaction is outdated',
} as const;

const invalidTransaction = (reason: string): RpcError => new RpcError(RpcCode.POOL_INVALID_TX, 'Invalid Transaction', reason);

/**
 * The consensus service's SubmitExtrinsic refusals (services/consensus: ledger/executor.ts ValidityError,
 * mempool/mempool.ts MempoolError, ExtrinsicDecodeError codes) as sc-rpc-api author/error.rs answers the
 * matching transaction-pool errors.
 */
function authorError(err: DomainError): RpcError | undefined {
  switch (err.code) {
    case 'BAD_PROOF':
      return invalidTransaction(InvalidTransactionReason.BadProof);
    case 'STALE_NONCE':
      return invalidTransaction(InvalidTransactionReason.Stale);
    case 'FUTURE_NONCE':
      return invalidTransaction(InvalidTransactionReason.Future);
    case 'PAYMENT':
      return invalidTransaction(InvalidTransactionReason.Payment);
    case 'ANCIENT_BIRTH_BLOCK':
      return invalidTransaction(InvalidTransactionReason.AncientBirthBlock);
    case 'EXTRINSIC_TOO_LARGE':
      return invalidTransaction(InvalidTransactionReason.ExhaustsResources);
    case 'UNSIGNED_EXTRINSIC':
      // No ValidateUnsigned: Substrate's UnknownTransaction::NoUnsignedValidator.
      return new RpcError(RpcCode.POOL_UNKNOWN_VALIDITY, 'Unknown Transaction Validity', 'Could not find an unsigned validator for the unsigned transaction');
    case 'MALFORMED_EXTRINSIC':
    case 'UNSUPPORTED_VERSION':
    case 'UNSUPPORTED_ADDRESS':
    case 'UNSUPPORTED_SIGNATURE':
    case 'BAD_HEX':
      return new RpcError(RpcCode.AUTHOR_BAD_FORMAT, `Extrinsic has invalid format: ${err.message}`);
    case 'TEMPORARILY_BANNED':
      return new RpcError(RpcCode.POOL_TEMPORARILY_BANNED, 'Transaction is temporarily banned');
    case 'ALREADY_IMPORTED':
      return new RpcError(RpcCode.POOL_ALREADY_IMPORTED, 'Transaction Already Imported', err.details?.hash ?? err.message);
    case 'PRIORITY_TOO_LOW':
      return new RpcError(
        RpcCode.POOL_TOO_LOW_PRIORITY,
        'Priority is too low',
        'The transaction has too low priority to replace another transaction already in the pool.',
      );
    case 'MEMPOOL_FULL':
      // A validator that says it is busy got -32009 above; this is an older one's (kind unavailable).
      return new RpcError(RpcCode.POOL_IMMEDIATELY_DROPPED, 'Immediately Dropped', "The transaction couldn't enter the pool because of the limit");
    case 'TOO_MANY_FUTURE':
      return new RpcError(RpcCode.POOL_FUTURE_TX, 'The pool is not accepting future transactions', err.message);
    default:
      return undefined;
  }
}

/**
 * Read errors of the state API. Substrate answers an unknown block, pruned state or a failing runtime
 * call with 4003 "Client error: …" (sc-rpc-api state/error.rs, Error::Client).
 */
function stateError(err: DomainError): RpcError | undefined {
  switch (err.code) {
    case 'UNKNOWN_BLOCK':
    case 'BLOCK_NOT_FOUND':
      return new RpcError(RpcCode.STATE_CLIENT_ERROR, `Client error: UnknownBlock: ${err.message}`);
    case 'STATE_DISCARDED':
      return new RpcError(RpcCode.STATE_CLIENT_ERROR, `Client error: State already discarded: ${err.message}`);
    case 'HEIGHT_NOT_COMMITTED':
      return new RpcError(RpcCode.STATE_CLIENT_ERROR, `Client error: UnknownBlock: ${err.message}`);
    case 'UNKNOWN_RUNTIME_API':
    case 'BAD_RUNTIME_CALL_ARGS':
      return new RpcError(RpcCode.STATE_CLIENT_ERROR, `Client error: Execution failed: ${err.message}`);
    case 'BAD_STORAGE_KEY':
      return invalidParams(err.message);
    default:
      return undefined;
  }
}

/**
 * The one place an error becomes what the client sees. An RpcError passes as thrown; a validator's
 * DomainError is mapped by the method's namespace (`author_…`, `state_…`), then by its kind; anything
 * else is our bug and leaves as a bare "Internal error" (its details go to the log, never to the client).
 * A busy refusal is -32009 "Server is busy" whatever its code and namespace (a full mempool included,
 * which Substrate answers 1016): the one code a client can read as "the same call may succeed later".
 */
export function toRpcError(err: unknown, method: string): RpcError {
  if (err instanceof RpcError) return err;
  if (!(err instanceof DomainError)) return internalError();
  if (err.kind === 'busy') return new RpcError(RpcCode.SERVER_IS_BUSY, 'Server is busy, try again later', err.code);
  const namespace = method.slice(0, method.indexOf('_') + 1);
  const specific = namespace === 'author_' ? authorError(err) : namespace === 'state_' ? stateError(err) : undefined;
  if (specific) return specific;
  switch (err.kind) {
    case 'invalid':
    case 'too_large':
      return invalidParams(err.message);
    case 'not_found':
    case 'conflict':
    case 'unavailable':
    case 'bad_gateway':
    case 'gateway_timeout':
    case 'unauthenticated':
    case 'forbidden':
      // The message is the validator's or ours, written for clients; the stable code rides in data.
      return new RpcError(RpcCode.CALL_FAILED, err.message, err.code);
    case 'internal':
      return internalError();
  }
}

/** Whether an error is ours to log (a bug or an outage), as opposed to the client's own mistake. */
export function isServerFault(err: unknown): boolean {
  if (err instanceof RpcError) return err.code === RpcCode.INTERNAL_ERROR;
  if (err instanceof DomainError) return err.kind === 'internal' || err.kind === 'unavailable';
  return true;
}
