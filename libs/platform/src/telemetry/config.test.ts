import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tracingSettingsFromEnv } from './config.js';

test('tracing stays off when OTEL_TRACES_EXPORTER is unset, empty or none', () => {
  for (const value of [undefined, '', 'none', 'none,otlp', ' NONE ']) {
    assert.equal(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: value }).enabled, false, String(value));
  }
});

test('OTEL_SDK_DISABLED=true wins over a configured exporter', () => {
  assert.equal(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' }).enabled, false);
});

test('otlp and console are accepted, deduplicated, with the service name from OTEL_SERVICE_NAME or the fallback', () => {
  assert.deepEqual(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'otlp, console,otlp', OTEL_SERVICE_NAME: 'gw' }, 'x'), {
    enabled: true,
    exporters: ['otlp', 'console'],
    serviceName: 'gw',
  });
  assert.deepEqual(tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'console' }, 'balanceai-consensus'), {
    enabled: true,
    exporters: ['console'],
    serviceName: 'balanceai-consensus',
  });
});

test('an unknown exporter fails fast with the variable name', () => {
  assert.throws(() => tracingSettingsFromEnv({ OTEL_TRACES_EXPORTER: 'jaeger' }), /OTEL_TRACES_EXPORTER.*jaeger/);
});
