/**
 * Reads the standard OTEL_* variables that decide whether tracing starts at all. Kept free of
 * OpenTelemetry imports so the preload costs one env lookup when tracing is off.
 */
export type TraceExporterName = 'otlp' | 'console';

export type TracingSettings =
  | { enabled: false; reason: string }
  | { enabled: true; exporters: TraceExporterName[]; serviceName: string };

const KNOWN_EXPORTERS: ReadonlySet<string> = new Set(['otlp', 'console']);

/**
 * Unlike the SDK's own default (otlp), an unset OTEL_TRACES_EXPORTER means "no tracing": a node started
 * without telemetry configuration must not try to reach a collector on localhost:4318.
 */
export function tracingSettingsFromEnv(env: NodeJS.ProcessEnv, fallbackServiceName = 'balanceai'): TracingSettings {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return { enabled: false, reason: 'OTEL_SDK_DISABLED=true' };
  const names = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'null');
  if (names.length === 0 || names.includes('none')) return { enabled: false, reason: 'OTEL_TRACES_EXPORTER unset or none' };
  const unknown = names.filter((n) => !KNOWN_EXPORTERS.has(n));
  if (unknown.length > 0) {
    throw new Error(`OTEL_TRACES_EXPORTER: unsupported value(s) ${unknown.join(', ')} (use otlp, console or none)`);
  }
  const exporters = [...new Set(names)] as TraceExporterName[];
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || fallbackServiceName;
  return { enabled: true, exporters, serviceName };
}
