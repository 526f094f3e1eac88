import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the dashboard's built files (index.html, assets) are served from: `/dashboard/<file>`. */
export const DASHBOARD_ASSETS_PREFIX = '/dashboard/';

/**
 * The dashboard's build output (apps/dashboard/dist, made by `npm run build -w apps/dashboard`), or
 * BAI_DASHBOARD_DIR. Resolved from this file: services/gateway/dist/src/dashboard → repository root.
 */
export function dashboardDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.BAI_DASHBOARD_DIR) return resolve(env.BAI_DASHBOARD_DIR);
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, '..', '..', '..', '..', '..', 'apps', 'dashboard', 'dist');
}

// The app talks to this gateway only (REST and the JSON-RPC WebSocket on the same origin). The crypto of
// @polkadot/util-crypto is WebAssembly: 'wasm-unsafe-eval' lets it compile, nothing else is evaluated.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The answer when the app was not built: says what to run, in the gateway's `{ code, message }`. */
export function notBuiltMessage(dir: string): string {
  return `the dashboard is not built: ${join(dir, 'index.html')} is missing. Run \`npm run build -w apps/dashboard\` (or \`npm run build\`), or set BAI_DASHBOARD_DIR to its dist folder`;
}

/**
 * Serves the dashboard: its assets under /dashboard/ (hashed names, cached for a year) and returns the
 * handler of a plain `GET /` (index.html), which the JSON-RPC route on `/` calls for requests that are not
 * WebSocket upgrades. POST / and WebSocket / stay JSON-RPC.
 */
export function registerDashboard(fastify: FastifyInstance, dir: string = dashboardDir()): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
  void fastify.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: DASHBOARD_ASSETS_PREFIX,
      decorateReply: false,
      index: false,
      // The build's top-level scripts and styles only (index.html is served at /; build.json, the unit tests
      // under src/ and anything else are not); a missing dist answers the usual 404.
      allowedPath: (path) => /^\/[\w-]+\.(?:js|css)(?:\.map)?$/.test(path),
      cacheControl: false,
      setHeaders: (reply, path) => {
        void reply.header('cache-control', /-[A-Z0-9]{8}\.(js|css)$/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
        void reply.header('x-content-type-options', 'nosniff');
      },
    });
  });

  let cached: { mtimeMs: number; html: string } | undefined;
  return async (_request, reply) => {
    const file = join(dir, 'index.html');
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(file)).mtimeMs;
    } catch {
      return reply.code(503).header('content-type', 'application/json; charset=utf-8').send({ code: 'DASHBOARD_NOT_BUILT', message: notBuiltMessage(dir) });
    }
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, html: await readFile(file, 'utf8') };
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(cached.html);
  };
}
