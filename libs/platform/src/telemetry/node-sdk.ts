import { NodeSDK } from '@opentelemetry/sdk-node';
import type { TracingSettings } from './config.js';
import { createInstrumentations, patchLoadedModules } from './instrumentations.js';
import { SHUTDOWN_KEY } from './tracing.js';

type Enabled = Extract<TracingSettings, { enabled: true }>;

const SHUTDOWN_TIMEOUT_MS = 5_000;

/**
 * Starts the NodeSDK for traces only. Exporter, endpoint, protocol, sampler, batch sizes and propagators
 * come from the SDK's own reading of OTEL_* variables; metrics stay on prom-client (/metrics) and logs on
 * stdout unless OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER are set explicitly.
 */
export function startNodeTracing(settings: Enabled, env: NodeJS.ProcessEnv = process.env): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : settings.serviceName,
    instrumentations: createInstrumentations(),
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
  });
  sdk.start();
  patchLoadedModules();

  let stopping: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    stopping ??= Promise.race([
      sdk.shutdown().catch((err: unknown) => console.error(`telemetry: shutdown failed: ${String(err)}`)),
      new Promise<void>((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
    return stopping;
  };
  (globalThis as Record<symbol, unknown>)[SHUTDOWN_KEY] = shutdown;

  // Flush on SIGTERM/SIGINT without taking over termination: if the app (e.g. Nest's enableShutdownHooks)
  // also listens, it decides when to exit; if nobody else does, re-raise once spans are flushed.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void shutdown().finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    });
  }
  process.once('beforeExit', () => void shutdown());
  return sdk;
}
