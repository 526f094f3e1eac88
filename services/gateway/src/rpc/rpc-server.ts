import { Logger } from '@nestjs/common';
import type { RpcConfig } from '../config/gateway-config.js';
import { RpcDispatcher } from './dispatch.js';
import type { RpcModule } from './registry.js';
import { RpcRegistry } from './registry.js';
import { RpcSession } from './session.js';

const OPEN = 1;

/** The part of a `ws` WebSocket the server uses. */
export interface RpcSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => void): unknown;
  on(event: 'close' | 'error', listener: () => void): unknown;
}

/**
 * The JSON-RPC server: the registry of methods, the dispatcher and the open connections. Transports
 * (transport.ts) hand it WebSockets and HTTP bodies; it never touches Fastify.
 */
export class RpcServer {
  private readonly logger = new Logger('Rpc');
  readonly registry = new RpcRegistry();
  private readonly dispatcher: RpcDispatcher;
  private readonly sockets = new Set<RpcSocket>();
  // HTTP keep-alive: calls on one TCP connection share one rate limit, as on a WebSocket.
  private readonly httpSessions = new WeakMap<object, RpcSession>();
  private closing = false;

  constructor(
    readonly limits: RpcConfig,
    modules: readonly RpcModule[] = [],
  ) {
    for (const module of modules) this.registry.install(module);
    this.dispatcher = new RpcDispatcher(this.registry, limits, (method, err) =>
      this.logger.warn(`${method} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  /** Whether one more WebSocket may connect (checked before the upgrade). */
  acceptsConnection(): boolean {
    return !this.closing && this.sockets.size < this.limits.maxConnections;
  }

  /** Serves JSON-RPC on an upgraded WebSocket until it closes. */
  attachWebSocket(socket: RpcSocket): RpcSession {
    this.sockets.add(socket);
    const session = new RpcSession(
      {
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        get open() {
          return socket.readyState === OPEN;
        },
        send: (text) => socket.send(text),
        close: (code, reason) => {
          socket.close(code, reason);
          // A peer that does not read may not complete the close handshake either.
          setTimeout(() => socket.terminate(), 1000).unref();
        },
      },
      this.limits,
    );
    const end = (): void => {
      this.sockets.delete(socket);
      session.close();
    };
    socket.on('message', (data) => void this.onMessage(textOf(data), session));
    socket.on('close', end);
    socket.on('error', end);
    return session;
  }

  /** The session of an HTTP connection (one per TCP socket). */
  httpSession(connection: object): RpcSession {
    let session = this.httpSessions.get(connection);
    if (!session) {
      session = new RpcSession(undefined, this.limits);
      this.httpSessions.set(connection, session);
    }
    return session;
  }

  /** Answers one HTTP body; undefined when it held only notifications. */
  async handleHttp(body: string, session: RpcSession): Promise<string | undefined> {
    return (await this.dispatcher.dispatch(body, session)).text;
  }

  /** Closes every WebSocket (on shutdown); new ones are refused. */
  close(): void {
    this.closing = true;
    for (const socket of this.sockets) socket.close(1001, 'server shutting down');
  }

  private async onMessage(text: string, session: RpcSession): Promise<void> {
    try {
      const out = await this.dispatcher.dispatch(text, session);
      if (out.text !== undefined) session.push(out.text);
      out.announce();
    } catch (err) {
      // The dispatcher answers every failure itself; reaching here is a bug, never the client's doing.
      this.logger.error(`JSON-RPC dispatch failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
}

function textOf(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
