import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Probes and scrapes would otherwise be most of the traces a node produces. */
const UNTRACED_PATHS: ReadonlySet<string> = new Set(['/metrics', '/healthz', '/readyz', '/livez']);

function isProbe(req: IncomingMessage): boolean {
  const path = (req.url ?? '').split('?')[0] ?? '';
  return UNTRACED_PATHS.has(path);
}

/**
 * gRPC (grpc-js client and server), inbound/outbound HTTP (Fastify sits on node:http, so its requests
 * get a server span here) and undici/fetch (diagnostics channel, no patching needed).
 */
export function createInstrumentations(): Instrumentation[] {
  return [
    new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
    new HttpInstrumentation({ ignoreIncomingRequestHook: isProbe }),
    new UndiciInstrumentation(),
  ];
}

/**
 * The SDK itself loads grpc-js (its OTLP/gRPC exporters) before the instrumentations are enabled, and an
 * ESM `import` of a CommonJS package does not pass through require(): require it once more here so
 * require-in-the-middle hands the (shared) exports to the instrumentation, which patches the Client and
 * Server prototypes every later import sees.
 */
export function patchLoadedModules(): void {
  const require = createRequire(import.meta.url);
  try {
    require('@grpc/grpc-js');
  } catch {
    // not installed next to the platform library: nothing to patch
  }
}
