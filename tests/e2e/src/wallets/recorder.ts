// A recording WebSocket relay for the wallet tests: a client connects to the relay, the relay forwards every
// frame to the gateway's JSON-RPC endpoint and back, and keeps each request with its answer. The tests read
// which methods a client sent and, when something fails, the failing request and its error.
import { createServer, type Server } from 'node:http';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { freePort } from '@balanceai/testing';

export interface RpcExchange {
  method: string;
  params: unknown;
  /** The answer's result or error; absent while no answer came. */
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
  /** Notifications sent on the subscription this request opened (counted, first few kept). */
  notifications: number;
  firstNotifications: unknown[];
}

interface JsonRpcFrame {
  id?: number | string | null;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const KEEP_NOTIFICATIONS = 3;

export class RpcRecorder {
  readonly exchanges: RpcExchange[] = [];
  private readonly pending = new Map<string, RpcExchange>();
  private readonly bySubscription = new Map<string, RpcExchange>();
  private readonly sockets = new Set<WebSocket>();
  private connections = 0;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** A relay on a free loopback port to `upstream` (a ws:// URL). */
  static async start(upstream: string): Promise<RpcRecorder> {
    const port = await freePort();
    const server = createServer();
    const wss = new WebSocketServer({ server });
    const rec = new RpcRecorder(server, wss, `ws://127.0.0.1:${port}`);
    wss.on('connection', (client, req) => rec.relay(client, upstream, req.url ?? '/'));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return rec;
  }

  private relay(client: WebSocket, upstream: string, path: string): void {
    const up = new WebSocket(new URL(path, upstream).toString());
    this.sockets.add(client);
    this.sockets.add(up);
    const queued: RawData[] = [];
    // Connections are numbered so two sockets of one client with the same request ids stay apart.
    const conn = String(++this.connections);
    up.on('open', () => {
      for (const m of queued.splice(0)) up.send(m.toString());
    });
    client.on('message', (data) => {
      this.seeRequest(conn, data);
      if (up.readyState === WebSocket.OPEN) up.send(data.toString());
      else queued.push(data);
    });
    up.on('message', (data) => {
      this.seeAnswer(conn, data);
      if (client.readyState === WebSocket.OPEN) client.send(data.toString());
    });
    const closeBoth = () => {
      if (client.readyState === WebSocket.OPEN) client.close();
      if (up.readyState === WebSocket.OPEN || up.readyState === WebSocket.CONNECTING) up.terminate();
    };
    client.on('close', closeBoth);
    up.on('close', closeBoth);
    up.on('error', closeBoth);
    client.on('error', closeBoth);
  }

  private frames(data: RawData): JsonRpcFrame[] {
    try {
      const parsed: unknown = JSON.parse(data.toString());
      return (Array.isArray(parsed) ? parsed : [parsed]) as JsonRpcFrame[];
    } catch {
      return [];
    }
  }

  private seeRequest(conn: string, data: RawData): void {
    for (const f of this.frames(data)) {
      if (typeof f.method !== 'string') continue;
      const x: RpcExchange = { method: f.method, params: f.params, notifications: 0, firstNotifications: [] };
      this.exchanges.push(x);
      if (f.id !== undefined && f.id !== null) this.pending.set(`${conn}/${String(f.id)}`, x);
    }
  }

  private seeAnswer(conn: string, data: RawData): void {
    for (const f of this.frames(data)) {
      if (f.id !== undefined && f.id !== null && !f.method) {
        const key = `${conn}/${String(f.id)}`;
        const x = this.pending.get(key);
        if (!x) continue;
        this.pending.delete(key);
        if (f.error) x.error = f.error;
        else x.result = f.result;
        if (typeof f.result === 'string' || typeof f.result === 'number') this.bySubscription.set(`${conn}/${String(f.result)}`, x);
      } else if (f.method && f.params && typeof f.params === 'object') {
        const p = f.params as { subscription?: string | number; result?: unknown };
        const x = this.bySubscription.get(`${conn}/${String(p.subscription)}`);
        if (!x) continue;
        x.notifications++;
        if (x.firstNotifications.length < KEEP_NOTIFICATIONS) x.firstNotifications.push(p.result);
      }
    }
  }

  /** The distinct methods sent, in the order first sent, each with how many times. */
  methods(): Array<[string, number]> {
    const counts = new Map<string, number>();
    for (const x of this.exchanges) counts.set(x.method, (counts.get(x.method) ?? 0) + 1);
    return [...counts];
  }

  /** Requests answered with an error (method, params and the error), optionally without `allowed` methods. */
  errors(allowed: (x: RpcExchange) => boolean = () => false): RpcExchange[] {
    return this.exchanges.filter((x) => x.error && !allowed(x));
  }

  /** Requests still unanswered. */
  unanswered(): RpcExchange[] {
    return [...this.pending.values()];
  }

  /** A short report for a failure message: the methods, then each error and each request left unanswered. */
  report(limit = 20): string {
    const short = (v: unknown) => {
      const s = JSON.stringify(v, (_k, val: unknown) => (typeof val === 'bigint' ? val.toString() : val)) ?? 'undefined';
      return s.length > 300 ? `${s.slice(0, 300)}…` : s;
    };
    const lines = [`methods: ${this.methods().map(([m, n]) => `${m}×${n}`).join(', ')}`];
    for (const x of this.errors().slice(0, limit)) lines.push(`  ERROR ${x.method} ${short(x.params)} → ${short(x.error)}`);
    for (const x of this.unanswered().slice(0, limit)) lines.push(`  NO ANSWER ${x.method} ${short(x.params)}`);
    return lines.join('\n');
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
