/**
 * Tracing bootstrap, loaded before the app: `node --import @balanceai/platform/telemetry/preload main.js`.
 *
 * With OTEL_TRACES_EXPORTER unset or `none` it does nothing else than read that variable: no loader hook,
 * no SDK, and @opentelemetry/api stays a no-op (spans created by the helpers are non-recording).
 * Otherwise it registers the ESM loader hook first (instrumentations can only patch modules loaded after
 * it), then starts the NodeSDK with the gRPC/HTTP/undici instrumentations. Top-level await: node finishes
 * this module before it loads the entry point.
 */
import { register } from 'node:module';
import { tracingSettingsFromEnv } from './config.js';

const settings = tracingSettingsFromEnv(process.env, serviceNameFromEntry(process.argv[1]));
if (settings.enabled) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const { startNodeTracing } = await import('./node-sdk.js');
  startNodeTracing(settings);
}

/** services/<name>/dist/src/main.js → balanceai-<name>, when OTEL_SERVICE_NAME is not set. */
function serviceNameFromEntry(entry: string | undefined): string {
  const match = /services[\\/]([^\\/]+)[\\/]/.exec(entry ?? '');
  return match ? `balanceai-${match[1]}` : 'balanceai';
}
