import type {} from '@fastify/websocket';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { invalidRequest, oversizedRequest, internalError, RpcError } from './errors.js';
import { errorJson } from './json-rpc.js';
import type { RpcServer } from './rpc-server.js';

/** Where wallets connect: `ws://host:8080` and `POST http://host:8080`, as to a Substrate node's port. */
export const RPC_PATH = '/';

export interface RpcRoutesOptions {
  /**
   * Answers a plain `GET /` (no upgrade). The WebSocket route owns `GET /` — @fastify/websocket closes an
   * upgrade that reaches any other route — so a page served at `/` (the dashboard) plugs in here.
   * Default: the gateway's ordinary 404, as if the RPC were not there.
   */
  plainGet?: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/** Registers the JSON-RPC server on `/`: WebSocket upgrades and HTTP POST. Needs @fastify/websocket. */
export function registerRpcRoutes(fastify: FastifyInstance, server: RpcServer, options: RpcRoutesOptions = {}): void {
  fastify.route({
    method: 'GET',
    url: RPC_PATH,
    // Refused before the upgrade, with a status a client can read (jsonrpsee answers 429 too).
    onRequest: (request, reply, done) => {
      if (request.ws && !server.acceptsConnection()) {
        void reply.code(429).header('content-type', 'text/plain; charset=utf-8').send('Too many connections. Please try again later.');
        return;
      }
      done();
    },
    handler: options.plainGet ?? ((_request, reply) => reply.callNotFound()),
    wsHandler: (socket: WebSocket) => void server.attachWebSocket(socket),
  });

  // Its own plugin context: the body arrives as text, so malformed JSON is answered -32700 by the
  // dispatcher (not by Fastify's parser as a REST error), under the RPC's own size limit.
  void fastify.register(async (rpc) => {
    rpc.removeAllContentTypeParsers();
    rpc.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: server.limits.maxRequestBytes }, (_request, body, done) =>
      done(null, body),
    );
    rpc.setErrorHandler((err: FastifyError, _request, reply) => {
      const [status, error] =
        err.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? [413, oversizedRequest(server.limits.maxRequestBytes)]
          : err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? [415, invalidRequest('Content-Type: application/json is required')]
            : [err.statusCode && err.statusCode < 500 ? err.statusCode : 500, err instanceof RpcError ? err : internalError()];
      return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(errorJson(null, error));
    });
    rpc.post(RPC_PATH, async (request, reply) => {
      const text = await server.handleHttp(request.body as string, server.httpSession(request.raw.socket));
      if (text === undefined) return reply.code(204).send();
      return reply.header('content-type', 'application/json; charset=utf-8').send(text);
    });
  });
}
