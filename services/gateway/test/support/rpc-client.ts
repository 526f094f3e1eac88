import WebSocket from 'ws';

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A JSON-RPC error answer, thrown by `call`. */
export class RpcCallError extends Error {
  constructor(readonly error: RpcErrorObject) {
    super(`${error.code} ${error.message}${error.data === undefined ? '' : ` (${JSON.stringify(error.data)})`}`);
  }
}

type Message = Record<string, unknown>;

/**
 * A bare JSON-RPC 2.0 client over one WebSocket for the gateway's tests: it records every message in
 * arrival order, so tests can check ordering (answer before notifications) and exact shapes.
 */
export class RpcWsClient {
  readonly received: Message[] = [];
  private nextId = 1;
  private readonly waiters: Array<() => void> = [];
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(String(data)) as Message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('close', (code) => {
      this.closeCode = code;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(url: string): Promise<RpcWsClient> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new RpcWsClient(socket);
  }

  /** Sends raw text (malformed JSON, batches). */
  sendRaw(text: string): void {
    this.socket.send(text);
  }

  /** Sends a request; resolves with the whole answer message. */
  async request(method: string, params: unknown = []): Promise<Message> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.waitFor((m) => m.id === id);
  }

  /** Calls a method; resolves with its result, throws RpcCallError on an error answer. */
  async call<T = unknown>(method: string, params: unknown = []): Promise<T> {
    const answer = await this.request(method, params);
    if (answer.error) throw new RpcCallError(answer.error as RpcErrorObject);
    return answer.result as T;
  }

  /** Results of the notifications of a subscription so far, in order. */
  notifications(subscription: string): unknown[] {
    return this.received
      .filter((m) => m.method !== undefined && (m.params as Message | undefined)?.subscription === subscription)
      .map((m) => (m.params as Message).result);
  }

  /** Waits until `count` notifications of a subscription have arrived; returns them. */
  async waitNotifications(subscription: string, count: number, timeoutMs = 10_000): Promise<unknown[]> {
    await this.waitUntil(() => this.notifications(subscription).length >= count, timeoutMs);
    return this.notifications(subscription);
  }

  /** Waits for the first received message matching `match` (searching what already arrived too). */
  async waitFor(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    await this.waitUntil(() => this.received.some(match), timeoutMs);
    return this.received.find(match)!;
  }

  /** Waits until `done()` holds, re-checking on each message; fails on timeout or close. */
  async waitUntil(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode}) while waiting`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; last received ${JSON.stringify(this.received.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}
