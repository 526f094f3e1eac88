// A cheap HTTP/1.1 client for the load generator: N keep-alive TCP connections, each carrying up to
// `depth` requests in flight (depth 1: one request, then its answer; depth > 1: HTTP/1.1 pipelining,
// answers in request order). A request is its pre-built bytes (http-wire.ts postRequestBytes) and a
// number the caller chose; answers come back to one sink object, so there is no closure or promise per
// request. Writes of one scheduling turn are corked per socket (one writev for a pipelined burst).
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ResponseParser } from './http-wire.js';

export interface AnswerSink {
  /** A complete response to request `id`. `body` is valid only during the call; `retryAfter` -1 if absent. */
  answer(id: number, status: number, retryAfter: number, body: Buffer): void;
  /** Request `id` got no response: the connection failed or closed first (it may or may not have arrived). */
  fail(id: number, reason: string): void;
}

class Connection {
  private socket: net.Socket | null = null;
  private parser: ResponseParser | null = null;
  /** Ids and send times of the requests in flight, oldest first (a ring). */
  private readonly ids: Int32Array;
  private readonly sentAt: Float64Array;
  private head = 0;
  inFlight = 0;
  corked = false;
  /** Set by a `Connection: close` answer: nothing more is written; the socket is replaced once drained. */
  private closing = false;

  constructor(
    private readonly pool: HttpPipeline,
    readonly index: number,
    depth: number,
  ) {
    this.ids = new Int32Array(depth);
    this.sentAt = new Float64Array(depth);
  }

  write(id: number, bytes: Buffer, now: number): void {
    if (this.socket === null || this.closing) this.open();
    const socket = this.socket!;
    if (!this.corked) {
      socket.cork();
      this.corked = true;
      this.pool.corkedList.push(this);
    }
    const slot = (this.head + this.inFlight) % this.ids.length;
    this.ids[slot] = id;
    this.sentAt[slot] = now;
    this.inFlight++;
    socket.write(bytes);
  }

  /** Opens the socket now if there is none (before a timed window: no connection storm in it). */
  connect(): void {
    if (this.socket === null) this.open();
  }

  uncork(): void {
    this.corked = false;
    this.socket?.uncork();
  }

  established(): Promise<void> {
    const socket = this.socket;
    if (socket === null || !socket.connecting) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('connect', resolve);
      socket.once('close', resolve);
    });
  }

  oldestSentAt(): number {
    return this.inFlight > 0 ? this.sentAt[this.head]! : Infinity;
  }

  private open(): void {
    if (this.socket !== null) this.drop('connection closed by the server (Connection: close)');
    this.closing = false;
    const socket = net.connect({ host: this.pool.host, port: this.pool.port, noDelay: true });
    const parser = new ResponseParser((status, retryAfter, body, close) => {
      const id = this.ids[this.head]!;
      if (this.inFlight === 0) throw new Error('a response to no request');
      this.head = (this.head + 1) % this.ids.length;
      this.inFlight--;
      if (close) this.closing = true;
      this.pool.answered(this, id, status, retryAfter, body);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      try {
        parser.feed(chunk);
      } catch (err) {
        this.drop(`bad response: ${(err as Error).message}`);
      }
    });
    socket.on('error', (err: Error & { code?: string }) => {
      if (this.socket === socket) this.drop(err.code ?? err.message);
    });
    socket.on('close', () => {
      if (this.socket === socket) this.drop('connection closed');
    });
    this.socket = socket;
    this.parser = parser;
  }

  /** Gives up the socket: every request still in flight on it fails with `reason`. */
  drop(reason: string): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    this.parser = null;
    this.closing = false;
    this.corked = false;
    socket.destroy();
    while (this.inFlight > 0) {
      const id = this.ids[this.head]!;
      this.head = (this.head + 1) % this.ids.length;
      this.inFlight--;
      this.pool.failed(this, id, reason);
    }
  }

  destroy(): void {
    this.socket?.destroy();
    this.socket = null;
  }
}

export class HttpPipeline {
  private readonly connections: Connection[];
  /** Connections with a free slot, one entry per free slot, in the order they freed (a ring). */
  private readonly freeSlots: Int32Array;
  private freeHead = 0;
  private freeCount = 0;
  readonly corkedList: Connection[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly host: string,
    readonly port: number,
    connections: number,
    readonly depth: number,
    private readonly sink: AnswerSink,
    /** A connection whose oldest request waits longer than this is dropped (its requests fail). */
    timeoutMs = 30_000,
  ) {
    this.connections = Array.from({ length: connections }, (_, i) => new Connection(this, i, depth));
    this.freeSlots = new Int32Array(connections * depth);
    // Interleaved: the first `connections` requests each get their own connection.
    for (let d = 0; d < depth; d++) for (let c = 0; c < connections; c++) this.pushFree(c);
    this.timer = setInterval(() => {
      const limit = performance.now() - timeoutMs;
      for (const c of this.connections) if (c.oldestSentAt() < limit) c.drop(`request timeout (${timeoutMs / 1000} s)`);
    }, 1_000);
    this.timer.unref();
  }

  /** Requests that can be written now without exceeding connections × depth. */
  get free(): number {
    return this.freeCount;
  }

  get inFlight(): number {
    return this.connections.length * this.depth - this.freeCount;
  }

  /** Writes request `id`; the caller checks `free > 0` first. Call `flush()` after a turn's writes. */
  send(id: number, bytes: Buffer, now: number): void {
    if (this.freeCount === 0) throw new Error('no free connection slot');
    const c = this.connections[this.freeSlots[this.freeHead]!]!;
    this.freeHead = (this.freeHead + 1) % this.freeSlots.length;
    this.freeCount--;
    c.write(id, bytes, now);
  }

  /** Sends what this turn wrote (uncorks the sockets written to). */
  flush(): void {
    for (const c of this.corkedList) c.uncork();
    this.corkedList.length = 0;
  }

  /** Opens every connection ahead of use; resolves when all are established (or failed: they reopen on use). */
  async connectAll(): Promise<void> {
    for (const c of this.connections) c.connect();
    await Promise.all(this.connections.map((c) => c.established()));
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.connections) c.destroy();
  }

  answered(c: Connection, id: number, status: number, retryAfter: number, body: Buffer): void {
    this.pushFree(c.index);
    this.sink.answer(id, status, retryAfter, body);
  }

  failed(c: Connection, id: number, reason: string): void {
    this.pushFree(c.index);
    this.sink.fail(id, reason);
  }

  private pushFree(index: number): void {
    this.freeSlots[(this.freeHead + this.freeCount) % this.freeSlots.length] = index;
    this.freeCount++;
  }
}
