import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { createInstrumentations, patchLoadedModules } from './instrumentations.js';

export interface TestTracing {
  exporter: InMemorySpanExporter;
  /** Finished spans so far. */
  spans(): ReadableSpan[];
  /** Unregisters the provider, context manager, propagator and instrumentations. */
  shutdown(): Promise<void>;
}

export interface TestTracingOptions {
  serviceName?: string;
  /** Enable the gRPC/HTTP/undici instrumentations too (default true). */
  instrumentations?: boolean;
}

/**
 * In-process tracing for tests: every span is kept in memory (exported synchronously as it ends), W3C
 * trace context is the propagator, AsyncLocalStorage carries the active span. grpc-js may already be
 * imported: its Client/Server prototypes are patched in place.
 */
export function startTestTracing(options: TestTracingOptions = {}): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'balanceai-test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!trace.setGlobalTracerProvider(provider) || !context.setGlobalContextManager(contextManager)) {
    throw new Error('startTestTracing: a tracer provider is already registered (missing shutdown()?)');
  }
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const unregister =
    options.instrumentations === false ? () => {} : registerInstrumentations({ tracerProvider: provider, instrumentations: createInstrumentations() });
  if (options.instrumentations !== false) patchLoadedModules();
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    async shutdown() {
      unregister();
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
