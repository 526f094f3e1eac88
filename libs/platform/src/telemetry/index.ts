export { tracingSettingsFromEnv, type TracingSettings, type TraceExporterName } from './config.js';
export {
  TRACER_NAME,
  tracer,
  inSpan,
  currentSpanContext,
  linkTo,
  traceparentOf,
  spanContextFromTraceparent,
  contextFromTraceparent,
  injectGrpcMetadata,
  extractGrpcMetadata,
  shutdownTracing,
  type InSpanOptions,
  type GrpcMetadataLike,
} from './tracing.js';
export {
  publishWithTrace,
  withNatsMessageSpan,
  injectNatsHeaders,
  extractNatsHeaders,
  type TracedPublishOptions,
  type NatsMessageLike,
} from './nats.js';
