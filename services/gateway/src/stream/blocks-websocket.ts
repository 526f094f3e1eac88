import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { BlockListener, BlockStream } from './block-stream.js';

export const BLOCKS_WS_PATH = '/v1/ws/blocks';

/** Bytes a client may fall behind by before it is disconnected (a few hundred block messages). */
export const DEFAULT_MAX_CLIENT_BUFFER = 256 * 1024;

/** WebSocket close code 1013 "try again later": the client was too slow to keep up. */
export const CLOSE_TOO_SLOW = 1013;
const OPEN = 1;

/** The part of a `ws` WebSocket the block feed uses. */
export interface BlockFeedSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
  on(event: 'close' | 'error', listener: () => void): unknown;
}

/**
 * Feeds finalized blocks to one client. A client whose unsent backlog grows past `maxBuffer` is closed
 * rather than buffered without bound, so one slow reader cannot hold memory or hold others back
 * (sends never wait on a client).
 */
export function attachBlockClient(
  socket: BlockFeedSocket,
  subscribe: (listener: BlockListener) => () => void,
  maxBuffer = DEFAULT_MAX_CLIENT_BUFFER,
): void {
  const unsubscribe = subscribe((_block, json) => {
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > maxBuffer) {
      unsubscribe();
      socket.close(CLOSE_TOO_SLOW, 'client too slow');
      // A peer that does not read may not complete the close handshake either.
      setTimeout(() => socket.terminate(), 1000).unref();
      return;
    }
    socket.send(json);
  });
  socket.on('close', unsubscribe);
  socket.on('error', unsubscribe);
}

/** Registers `GET /v1/ws/blocks` on a Fastify instance that has @fastify/websocket. */
export function registerBlocksWebSocket(fastify: FastifyInstance, blocks: BlockStream, maxClientBuffer = DEFAULT_MAX_CLIENT_BUFFER): void {
  fastify.route({
    method: 'GET',
    url: BLOCKS_WS_PATH,
    // A plain GET (no upgrade) gets a JSON error like every other route, not an empty 404.
    handler: async (_request, reply) =>
      reply.status(426).header('upgrade', 'websocket').send({ code: 'UPGRADE_REQUIRED', message: 'this endpoint is a WebSocket' }),
    // The feed is one-way; messages from the client are ignored.
    wsHandler: (socket: WebSocket) => attachBlockClient(socket, (listener) => blocks.subscribe(listener), maxClientBuffer),
  });
}
