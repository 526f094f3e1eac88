import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { BlockStream } from './block-stream.js';

export const BLOCKS_WS_PATH = '/v1/ws/blocks';

/** Bytes a client may fall behind by before it is disconnected (a few hundred block messages). */
export const DEFAULT_MAX_CLIENT_BUFFER = 256 * 1024;

/** WebSocket close code 1013 "try again later": the client was too slow to keep up. */
const CLOSE_TOO_SLOW = 1013;
const OPEN = 1;

/**
 * Registers `GET /v1/ws/blocks` on a Fastify instance that has @fastify/websocket: each finalized block
 * from the BlockStream is sent to every client. A client whose socket buffer grows past the limit is
 * closed rather than buffered without bound, so one slow reader cannot hold memory or others back.
 */
export function registerBlocksWebSocket(fastify: FastifyInstance, blocks: BlockStream, maxClientBuffer = DEFAULT_MAX_CLIENT_BUFFER): void {
  fastify.route({
    method: 'GET',
    url: BLOCKS_WS_PATH,
    // A plain GET (no upgrade) gets a JSON error like every other route, not an empty 404.
    handler: async (_request, reply) =>
      reply.status(426).header('upgrade', 'websocket').send({ code: 'UPGRADE_REQUIRED', message: 'this endpoint is a WebSocket' }),
    wsHandler: (socket: WebSocket) => {
    const unsubscribe = blocks.subscribe((_block, json) => {
      if (socket.readyState !== OPEN) return;
      if (socket.bufferedAmount > maxClientBuffer) {
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
    // The feed is one-way; client messages are ignored.
    },
  });
}
