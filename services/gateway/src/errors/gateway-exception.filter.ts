import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
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
  const { status, body } = toHttpError(exception);
  if (status === 500) {
    // Only our own faults are logged with their stack; the client gets the bare code.
    logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  } else if (status > 500) {
    logger.warn(`${body.code}: ${body.message}`);
  }
  if (reply.sent) return;
  void reply.status(status).header('content-type', 'application/json; charset=utf-8').send(body);
}
