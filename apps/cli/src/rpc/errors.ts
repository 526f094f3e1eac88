/*
 * Errors of the JSON-RPC client. Each has a stable `code` and a one-line message: main.ts prints coded errors
 * as `balanceai: <message>` and exits 1, so a wallet user never sees a stack trace.
 */

/** Newlines in a server's text would break the one-line promise. */
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

function describeCause(cause: unknown): string {
  if (typeof cause === 'string') return cause;
  const err = cause as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } } | undefined;
  // ws puts the socket's errno on the error itself (ECONNREFUSED); fetch-style errors nest it in `cause`.
  const text = err?.code ?? err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(cause);
  return oneLine(String(text));
}

/** The endpoint did not accept a WebSocket connection (down, wrong port, or no JSON-RPC at that path). */
export class GatewayUnreachableError extends Error {
  readonly code = 'GATEWAY_UNREACHABLE';
  constructor(url: string, cause: unknown) {
    super(`cannot reach the gateway at ${url} (${describeCause(cause)}); is it running? (--rpc ws://host:port)`);
    this.name = 'GatewayUnreachableError';
  }
}

/** The connection dropped while requests or subscriptions were open. */
export class ConnectionClosedError extends Error {
  readonly code = 'CONNECTION_CLOSED';
  constructor(url: string, detail: string) {
    super(oneLine(`the gateway at ${url} closed the connection${detail ? ` (${detail})` : ''}`));
    this.name = 'ConnectionClosedError';
  }
}

/** No answer within the request's time budget: the gateway is up but stuck or overloaded. */
export class RpcTimeoutError extends Error {
  readonly code = 'RPC_TIMEOUT';
  constructor(url: string, method: string, timeoutMs: number) {
    super(`no answer to ${method} from ${url} within ${timeoutMs / 1000} s`);
    this.name = 'RpcTimeoutError';
  }
}

/** Substrate's author_* error codes for a refused transaction (sc-rpc-api author/error.rs). */
const TRANSACTION_ERRORS: Record<number, string> = {
  1002: 'Verification Error',
  1010: 'Invalid Transaction',
  1011: 'Unknown Transaction Validity',
  1012: 'Transaction is temporarily banned',
  1013: 'Transaction Already Imported',
  1014: 'Priority is too low',
  1015: 'Transaction is a cyclic dependency',
  1016: 'Transaction pool is full',
};

/**
 * -32009 "Server is busy" (the node sheds load: a full mempool, the gateway's submission bounds) and -32029
 * (this connection's rate limit): the same call may succeed later. RpcClient retries them (see BusyRetry).
 */
export const BUSY_CODES: ReadonlySet<number> = new Set([-32009, -32029]);

/** A JSON-RPC error object from the server, kept whole so callers can branch on `rpcCode`. */
export class RpcError extends Error {
  readonly code: string;
  constructor(
    readonly method: string,
    readonly rpcCode: number,
    readonly rpcMessage: string,
    readonly data: unknown,
  ) {
    const reason = data === undefined || data === null ? '' : `: ${typeof data === 'string' ? data : JSON.stringify(data)}`;
    const isTransaction = rpcCode in TRANSACTION_ERRORS;
    const busy = BUSY_CODES.has(rpcCode);
    const text = isTransaction
      ? `the chain refused the transaction: ${rpcMessage || TRANSACTION_ERRORS[rpcCode]} (${rpcCode})${reason}`
      : busy
        ? `${method}: the node is busy and refused the call (${rpcCode} ${rpcMessage}${reason}); try again later`
      : rpcCode === -32601
        ? `the gateway does not serve ${method} (${rpcCode} ${rpcMessage})`
        : `${method} failed: ${rpcMessage} (${rpcCode})${reason}`;
    super(oneLine(text));
    this.name = 'RpcError';
    this.code = isTransaction ? 'INVALID_TRANSACTION' : busy ? 'NODE_BUSY' : 'RPC_ERROR';
  }
}

/** The server answered something that is not JSON-RPC 2.0 as we know it. */
export class RpcProtocolError extends Error {
  readonly code = 'RPC_PROTOCOL';
  constructor(url: string, what: string) {
    super(oneLine(`unexpected answer from ${url}: ${what}`));
    this.name = 'RpcProtocolError';
  }
}
