// A lean JSON-RPC 2.0 client over one WebSocket, for load generation: pipelined requests, subscriptions by
// id, and no per-message work beyond JSON.parse (a wallet library would cost the client more CPU than the
// gateway under test). Not a wallet: the real wallets are exercised in tests/e2e/src/wallets.test.ts.
import WebSocket from 'ws';

export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

export class RpcCallError extends Error {
  constructor(readonly rpc: RpcError) {
    super(`${rpc.code} ${rpc.message}${rpc.data === undefined ? '' : `: ${JSON.stringify(rpc.data)}`}`);
  }
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export class WsRpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subs = new Map<string, (result: unknown) => void>();
  /** Notifications that arrived before their subscription id was known (the server may race the answer). */
  private readonly early = new Map<string, unknown[]>();
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onMessage(data));
    ws.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error('connection closed'));
      this.pending.clear();
    });
  }

  static connect(url: string, timeoutMs = 10_000): Promise<WsRpc> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`connect ${url}: timeout`));
      }, timeoutMs);
      ws.once('open', () => {
        clearTimeout(timer);
        resolve(new WsRpc(ws));
      });
      ws.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  call<T>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  async subscribe(method: string, params: unknown[], onNotify: (result: unknown) => void): Promise<string> {
    const id = String(await this.call<string | number>(method, params));
    this.subs.set(id, onNotify);
    for (const r of this.early.get(id) ?? []) onNotify(r);
    this.early.delete(id);
    return id;
  }

  close(): void {
    this.ws.close();
  }

  private onMessage(data: Buffer): void {
    const msg = JSON.parse(data.toString('utf8')) as {
      id?: number;
      result?: unknown;
      error?: RpcError;
      params?: { subscription: string | number; result: unknown };
    };
    if (msg.id !== undefined && msg.id !== null) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new RpcCallError(msg.error));
      else p.resolve(msg.result);
      return;
    }
    if (msg.params) {
      const sub = String(msg.params.subscription);
      const handler = this.subs.get(sub);
      if (handler) handler(msg.params.result);
      else this.early.set(sub, [...(this.early.get(sub) ?? []), msg.params.result]);
    }
  }
}
