import { BUSY_CODES, ConnectionClosedError, RpcError, RpcProtocolError, RpcTimeoutError } from './errors.js';
import type { Transport } from './transport.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * How a call refused as busy (-32009, -32029) is retried: after `delayMs`, doubling each time, at most
 * `retries` times; then the refusal is the answer. Safe for submissions too: a refused extrinsic was not
 * admitted, and an admitted one is recognised by its hash.
 */
export interface BusyRetry {
  retries: number;
  delayMs: number;
}

export const DEFAULT_BUSY_RETRY: Readonly<BusyRetry> = Object.freeze({ retries: 4, delayMs: 1000 });
/**
 * Notifications for a subscription id we have not seen yet are kept this long (in messages): a server may
 * send the first notification before the answer that tells us the id, and dropping it would lose a block.
 */
const MAX_EARLY_NOTIFICATIONS = 256;

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface JsonRpcMessage {
  jsonrpc?: string;
  id?: number | string | null;
  result?: unknown;
  error?: { code?: unknown; message?: unknown; data?: unknown };
  method?: string;
  params?: { subscription?: string | number; result?: unknown; error?: unknown };
}

/**
 * A JSON-RPC 2.0 client over one connection: requests matched by id with a timeout each, and Substrate-style
 * subscriptions (the subscribe call answers an id; notifications carry it in `params.subscription`).
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<string, Subscription<unknown>>();
  private readonly early: Array<{ id: string; message: JsonRpcMessage }> = [];
  private closedWith?: Error;

  constructor(
    private readonly transport: Transport,
    readonly url: string,
    private readonly timeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
    private readonly busyRetry: BusyRetry = DEFAULT_BUSY_RETRY,
  ) {
    transport.onMessage((text) => this.receive(text));
    transport.onClose((error) => this.fail(error));
  }

  /** Calls `method`; a busy refusal is retried as `busyRetry` says (each attempt has the whole `timeoutMs`). */
  async request<T>(method: string, params: unknown[] = [], timeoutMs = this.timeoutMs): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt<T>(method, params, timeoutMs);
      } catch (err) {
        if (!(err instanceof RpcError && BUSY_CODES.has(err.rpcCode)) || attempt >= this.busyRetry.retries || this.closedWith) throw err;
        await new Promise((r) => setTimeout(r, this.busyRetry.delayMs * 2 ** attempt));
      }
    }
  }

  private attempt<T>(method: string, params: unknown[], timeoutMs: number): Promise<T> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcTimeoutError(this.url, method, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, timer });
      this.transport.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /**
   * Calls `method`, whose result is a subscription id, and returns the stream of its notifications.
   * `unsubscribeMethod` is sent by Subscription.close().
   */
  async subscribe<T>(method: string, params: unknown[], unsubscribeMethod: string): Promise<Subscription<T>> {
    const id = await this.request<unknown>(method, params);
    if (typeof id !== 'string' && typeof id !== 'number') throw new RpcProtocolError(this.url, `${method} answered ${JSON.stringify(id)}, not a subscription id`);
    const sub = new Subscription<T>(String(id), () => {
      this.subscriptions.delete(String(id));
      return this.request<unknown>(unsubscribeMethod, [id]).then(
        () => undefined,
        () => undefined, // best effort: the subscription is gone on our side either way
      );
    });
    if (this.closedWith) sub.fail(this.closedWith);
    this.subscriptions.set(sub.id, sub as Subscription<unknown>);
    for (let i = 0; i < this.early.length; ) {
      if (this.early[i]!.id === sub.id) this.deliver(sub as Subscription<unknown>, this.early.splice(i, 1)[0]!.message);
      else i++;
    }
    return sub;
  }

  close(): void {
    this.fail(new ConnectionClosedError(this.url, 'closed by the client'));
    this.transport.close();
  }

  private receive(text: string): void {
    let msg: JsonRpcMessage;
    try {
      msg = JSON.parse(text) as JsonRpcMessage;
    } catch {
      msg = {};
    }
    const all = Array.isArray(msg) ? (msg as JsonRpcMessage[]) : [msg];
    // A WebSocket that speaks something else (a REST event stream, a proxy page) would leave every request
    // waiting for its timeout: say so at once instead.
    if (all.some((m) => m === null || typeof m !== 'object' || m.jsonrpc !== '2.0')) {
      this.fail(new RpcProtocolError(this.url, `not a JSON-RPC 2.0 endpoint; it sent ${JSON.stringify(text.slice(0, 60))}`));
      this.transport.close();
      return;
    }
    for (const m of all) this.dispatch(m);
  }

  private dispatch(msg: JsonRpcMessage): void {
    if (typeof msg.id === 'number' && this.pending.has(msg.id)) {
      const p = this.pending.get(msg.id)!;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) {
        const e = msg.error;
        p.reject(new RpcError(p.method, typeof e.code === 'number' ? e.code : 0, typeof e.message === 'string' ? e.message : '', e.data));
      } else {
        p.resolve(msg.result);
      }
      return;
    }
    const subId = msg.params?.subscription;
    if (msg.method && (typeof subId === 'string' || typeof subId === 'number')) {
      const sub = this.subscriptions.get(String(subId));
      if (sub) this.deliver(sub, msg);
      else {
        this.early.push({ id: String(subId), message: msg });
        if (this.early.length > MAX_EARLY_NOTIFICATIONS) this.early.shift();
      }
    }
  }

  private deliver(sub: Subscription<unknown>, msg: JsonRpcMessage): void {
    const params = msg.params!;
    if (params.error !== undefined) {
      const e = params.error as { code?: number; message?: string; data?: unknown };
      sub.fail(new RpcError(msg.method!, e.code ?? 0, e.message ?? '', e.data));
    } else {
      sub.push(params.result);
    }
  }

  private fail(error: Error): void {
    if (this.closedWith) return;
    this.closedWith = error;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    for (const sub of this.subscriptions.values()) sub.fail(error);
    this.subscriptions.clear();
  }
}

/** Notifications of one subscription, read in order with next(). */
export class Subscription<T> {
  private readonly queue: T[] = [];
  private waiter?: { resolve(v: T): void; reject(e: Error): void };
  private error?: Error;
  private closed = false;

  constructor(
    readonly id: string,
    private readonly unsubscribe: () => Promise<void>,
  ) {}

  push(item: T): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(item);
    } else {
      this.queue.push(item);
    }
  }

  fail(error: Error): void {
    if (this.error || this.closed) return;
    this.error = error;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.reject(error);
    }
  }

  /** The next notification; rejects when the connection drops, or after `timeoutMs` if given. */
  next(timeoutMs?: number, onTimeout?: () => Error): Promise<T> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift()!);
    if (this.error) return Promise.reject(this.error);
    if (this.closed) return Promise.reject(new Error('subscription closed'));
    return new Promise<T>((resolve, reject) => {
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              this.waiter = undefined;
              reject(onTimeout ? onTimeout() : new Error(`no notification within ${timeoutMs} ms`));
            }, timeoutMs);
      this.waiter = {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.waiter?.reject(new Error('subscription closed'));
    this.waiter = undefined;
    if (!this.error) await this.unsubscribe();
  }
}
