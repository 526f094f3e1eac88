// Bodies of the expert routes: their own size limit (a portfolio or a model is larger than the gateway's
// 129 KiB limit for everything else), refused as REQUEST_TOO_LARGE before any parsing, and kept as the exact
// text received — the toolkit's typing depends on it (JSON `1.0` is a float there; JSON.parse would make it 1).
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { DomainError } from '@balanceai/platform';

/** POST routes whose bodies go to the expert service. */
export const EXPERT_BODY_ROUTES: readonly string[] = ['/v1/expert/evaluate', '/v1/expert/risks', '/risks', '/v1/expert/models'];
/** GET routes that take a body too, as the risk toolkit's `GET /risks` does (Fastify parses none: the text is kept). */
export const EXPERT_GET_BODY_ROUTES: readonly string[] = ['/v1/expert/risks', '/risks'];

export const DEFAULT_EXPERT_BODY_BYTES = 1024 * 1024;

/** BAI_EXPERT_MAX_BODY_BYTES: the body limit of the expert routes (default 1 MiB, the service's own limit). */
export function expertBodyLimit(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['BAI_EXPERT_MAX_BODY_BYTES'];
  if (raw === undefined || raw === '') return DEFAULT_EXPERT_BODY_BYTES;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1024 || value > 64 * 1024 * 1024) {
    throw new Error(`BAI_EXPERT_MAX_BODY_BYTES must be an integer between 1024 and 67108864, got "${raw}"`);
  }
  return value;
}

const RAW_BODY = Symbol('bai-expert-raw-body');

/** The body text as received, for a request on one of the expert routes. */
export function rawBodyOf(request: unknown): string | undefined {
  return (request as { [RAW_BODY]?: string })[RAW_BODY];
}

function tooLarge(limit: number): DomainError {
  return new DomainError('REQUEST_TOO_LARGE', `the request body exceeds ${limit} bytes`, 'too_large');
}

/** Reads the body up to `limit` bytes (refusing past it), keeps its text, and hands Fastify the same bytes. */
export function captureBody(limit: number) {
  return async (request: FastifyRequest, _reply: unknown, payload: Readable): Promise<Readable> => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      size += buffer.length;
      if (size > limit) {
        payload.destroy();
        throw tooLarge(limit);
      }
      chunks.push(buffer);
    }
    const body = Buffer.concat(chunks);
    (request as unknown as { [RAW_BODY]?: string })[RAW_BODY] = body.toString('utf8');
    const replay = Readable.from([body]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = body.length;
    return replay;
  };
}

/**
 * Gives the expert routes their body limit and raw text. Must be installed before the routes are registered
 * (ExpertModule does it while Nest builds its providers, before the router runs).
 */
export function installExpertBodyHandling(fastify: FastifyInstance, limit: number): void {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const url = route.url ?? '';
    const takesBody = (methods.includes('POST') && EXPERT_BODY_ROUTES.includes(url)) || (methods.includes('GET') && EXPERT_GET_BODY_ROUTES.includes(url));
    if (!takesBody) return;
    route.bodyLimit = limit;
    const existing = route.preParsing ? (Array.isArray(route.preParsing) ? route.preParsing : [route.preParsing]) : [];
    route.preParsing = [...existing, captureBody(limit)] as RouteOptions['preParsing'];
  });
}
