import type { Transport } from '../rpc/transport.js';

/** A JSON-RPC error a fake handler throws to answer `{ error: { code, message, data } }`. */
export class RpcFault {
  constructor(
    readonly code: number,
    readonly message: string,
    readonly data?: unknown,
  ) {}
}

export type Handler = (params: unknown[], node: FakeTransport) => unknown;

/**
 * An in-memory JSON-RPC server for unit tests: answers methods from `handlers` (a thrown RpcFault becomes an
 * error object; a method without handler is -32601), records every request, and pushes notifications.
 * Every answer is asynchronous, as on a socket.
 */
export class FakeTransport implements Transport {
  readonly requests: Array<{ id: unknown; method: string; params: unknown[] }> = [];
  private messageListener?: (text: string) => void;
  private closeListener?: (error: Error) => void;
  closed = false;

  constructor(readonly handlers: Record<string, Handler> = {}) {}

  send(text: string): void {
    const req = JSON.parse(text) as { id: unknown; method: string; params: unknown[] };
    this.requests.push(req);
    setImmediate(async () => {
      const handler = this.handlers[req.method];
      if (!handler) return this.emit({ jsonrpc: '2.0', id: req.id, error: { code: -32601, message: 'Method not found' } });
      try {
        const result = await handler(req.params, this);
        if (result === NO_ANSWER) return;
        this.emit({ jsonrpc: '2.0', id: req.id, result });
      } catch (err) {
        if (!(err instanceof RpcFault)) throw err;
        this.emit({ jsonrpc: '2.0', id: req.id, error: { code: err.code, message: err.message, ...(err.data === undefined ? {} : { data: err.data }) } });
      }
    });
  }

  /** Sends a subscription notification (after anything already queued). */
  notify(method: string, subscription: string, result: unknown): void {
    setImmediate(() => this.emit({ jsonrpc: '2.0', method, params: { subscription, result } }));
  }

  /** Sends raw JSON now, for tests of ordering and junk. */
  emit(message: unknown): void {
    this.messageListener?.(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The server side hangs up. */
  drop(error: Error): void {
    this.closeListener?.(error);
  }

  requestsOf(method: string): Array<{ method: string; params: unknown[] }> {
    return this.requests.filter((r) => r.method === method);
  }

  onMessage(listener: (text: string) => void): void {
    this.messageListener = listener;
  }
  onClose(listener: (error: Error) => void): void {
    this.closeListener = listener;
  }
  close(): void {
    this.closed = true;
  }
}

/** A handler returns this to leave a request unanswered (timeouts). */
export const NO_ANSWER = Symbol('no answer');
