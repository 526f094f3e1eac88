import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type SpanContext,
  type TextMapGetter,
  type TextMapSetter,
  type Tracer,
} from '@opentelemetry/api';

/** Instrumentation scope of every span this library creates. */
export const TRACER_NAME = '@balanceai/platform';

export const SHUTDOWN_KEY = Symbol.for('balanceai.telemetry.shutdown');

/** The global tracer: a no-op until the preload (or startTestTracing) registers a provider. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface InSpanOptions {
  kind?: SpanKind;
  links?: Link[];
  /** Parent context; the active one by default. */
  parent?: Context;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function recordFailure(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/**
 * Runs `fn` inside a new active span and ends it when `fn` returns or its promise settles; a throw or a
 * rejection marks the span ERROR and is rethrown. Works for sync and async `fn`.
 */
export function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T, options: InSpanOptions = {}): T {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes, links: options.links }, parent);
  return context.with(trace.setSpan(parent, span), () => {
    let result: T;
    try {
      result = fn(span);
    } catch (err) {
      recordFailure(span, err);
      span.end();
      throw err;
    }
    if (isPromiseLike(result)) {
      return Promise.resolve(result).then(
        (value) => {
          span.end();
          return value;
        },
        (err: unknown) => {
          recordFailure(span, err);
          span.end();
          throw err;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

/** The active span's context, or undefined when there is none (or tracing is off). */
export function currentSpanContext(ctx: Context = context.active()): SpanContext | undefined {
  const sc = trace.getSpanContext(ctx);
  return sc && isSpanContextValid(sc) ? sc : undefined;
}

/**
 * A span link to `target` (a SpanContext or a W3C traceparent string), e.g. from a block's execution
 * span to the submit spans of the extrinsics it includes. Invalid or missing targets yield no link, so
 * callers can map over optional contexts: `txs.flatMap((tx) => linkTo(tx.traceparent))`.
 */
export function linkTo(target: SpanContext | string | undefined | null, attributes?: Attributes): Link[] {
  const sc = typeof target === 'string' ? spanContextFromTraceparent(target) : target;
  if (!sc || !isSpanContextValid(sc)) return [];
  return [attributes ? { context: sc, attributes } : { context: sc }];
}

/** W3C traceparent of a span context (`00-<trace-id>-<span-id>-<flags>`), to carry it inside a payload. */
export function traceparentOf(sc: SpanContext | undefined = currentSpanContext()): string | undefined {
  if (!sc || !isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function spanContextFromTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const sc: SpanContext = { traceId: m[1]!, spanId: m[2]!, traceFlags: parseInt(m[3]!, 16), isRemote: true };
  return isSpanContextValid(sc) ? sc : undefined;
}

/** A context whose parent span is the one a traceparent names (`ctx` itself when it names none). */
export function contextFromTraceparent(value: string | undefined, ctx: Context = ROOT_CONTEXT): Context {
  const sc = value ? spanContextFromTraceparent(value) : undefined;
  return sc ? trace.setSpanContext(ctx, sc) : ctx;
}

// ------------------------------------------------------------------ gRPC metadata (manual propagation)

/** The part of grpc-js `Metadata` propagation needs; structural so callers need not share our grpc-js copy. */
export interface GrpcMetadataLike {
  get(key: string): Array<string | Buffer>;
  set(key: string, value: string): void;
}

const grpcSetter: TextMapSetter<GrpcMetadataLike> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
const grpcGetter: TextMapGetter<GrpcMetadataLike> = {
  get: (carrier, key) => {
    const values = carrier.get(key).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
  // grpc-js Metadata has no keys(); the W3C propagators only call get().
  keys: () => [],
};

/**
 * Writes `traceparent`/`tracestate` of `ctx` into gRPC metadata. The gRPC instrumentation does this for
 * patched clients; use it for a client the instrumentation cannot see (or when tracing runs without it).
 */
export function injectGrpcMetadata<M extends GrpcMetadataLike>(metadata: M, ctx: Context = context.active()): M {
  propagation.inject(ctx, metadata, grpcSetter);
  return metadata;
}

/** The remote parent carried by incoming gRPC metadata, as a Context to pass to inSpan({ parent }). */
export function extractGrpcMetadata(metadata: GrpcMetadataLike, ctx: Context = ROOT_CONTEXT): Context {
  return propagation.extract(ctx, metadata, grpcGetter);
}

/** Flushes and stops the tracing started by the preload; resolves at once when tracing is off. */
export function shutdownTracing(): Promise<void> {
  const fn = (globalThis as Record<symbol, unknown>)[SHUTDOWN_KEY];
  return typeof fn === 'function' ? (fn as () => Promise<void>)() : Promise.resolve();
}
