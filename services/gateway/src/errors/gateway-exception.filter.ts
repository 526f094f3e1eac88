import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Socket } from 'node:net';
import type { FastifyReply } from 'fastify';
import { toHttpError } from './http-error.js';

/**
 * The gateway's only exception filter: every error a route (or Nest's router) throws leaves here as
 * `{ code, message }` with the status `toHttpError` decides. Nest's Fastify adapter hands Fastify's own
 * request errors (body too large, malformed JSON, wrong content type) to this filter as well.
 */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('GatewayExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    sendError(reply, exception, this.logger);
  }
}

export function sendError(reply: FastifyReply, exception: unknown, logger: Logger): void {
  const { status, body, retryAfter } = toHttpError(exception);
  if (status === 500) {
    // Only our own faults are logged with their stack; the client gets the bare code.
    logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  } else if (status > 500) {
    logger.warn(`${body.code}: ${body.message}`);
  }
  if (reply.sent) return;
  if (retryAfter !== undefined) void reply.header('retry-after', String(retryAfter));
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}

/**
 * Fastify's `clientErrorHandler`: what the HTTP parser refuses before there is a request (headers too
 * large, a request not sent in time, bytes that are not HTTP) is answered as `{ code, message }` too,
 * then the connection is closed, as Node does.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'REQUEST_TIMEOUT', 'the request was not received in time']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'HEADERS_TOO_LARGE', 'the request headers exceed the maximum size']
        : [400, 'BAD_REQUEST', 'the request is not valid HTTP'];
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ code, message });
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
