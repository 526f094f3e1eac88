import { context, propagation, ROOT_CONTEXT, SpanKind, type Attributes, type Context, type Link, type Span, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection, type Payload, type PublishOptions } from '@nats-io/transport-node';
import { inSpan } from './tracing.js';

// Messaging semantic conventions (https://opentelemetry.io/docs/specs/semconv/messaging/).
export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const MESSAGING_MESSAGE_BODY_SIZE = 'messaging.message.body.size';

/** JetStream's de-duplication header; reported as messaging.message.id when present. */
const MSG_ID_HEADER = 'Nats-Msg-Id';

const headerSetter: TextMapSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};
const headerGetter: TextMapGetter<MsgHdrs | undefined> = {
  get: (carrier, key) => (carrier?.has(key) ? carrier.get(key) : undefined),
  keys: (carrier) => carrier?.keys() ?? [],
};

/**
 * Adds the W3C trace headers of `ctx` (active context by default) to `h`, or to fresh headers. For
 * publishers that build their own options (JetStream `js.publish`, Nest's NatsRecordBuilder).
 */
export function injectNatsHeaders(h: MsgHdrs = natsHeaders(), ctx: Context = context.active()): MsgHdrs {
  propagation.inject(ctx, h, headerSetter);
  return h;
}

/** The remote parent carried by a message's headers (ROOT-based when it carries none). */
export function extractNatsHeaders(h: MsgHdrs | undefined, ctx: Context = ROOT_CONTEXT): Context {
  return propagation.extract(ctx, h, headerGetter);
}

function bodySize(data: Payload | undefined): number {
  if (data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

export interface TracedPublishOptions extends PublishOptions {
  /** Extra span attributes (e.g. `bai.block.number`). */
  attributes?: Attributes;
  links?: Link[];
}

/**
 * Core-NATS publish inside a PRODUCER span `publish <subject>`, with `traceparent` added to the message
 * headers. Headers passed in (Nats-Msg-Id, …) are kept; the caller's MsgHdrs object is not modified.
 */
export function publishWithTrace(nc: Pick<NatsConnection, 'publish'>, subject: string, data?: Payload, opts: TracedPublishOptions = {}): void {
  const { attributes, links, headers: given, ...publishOptions } = opts;
  const msgId = given?.has(MSG_ID_HEADER) ? given.get(MSG_ID_HEADER) : undefined;
  const spanAttributes: Attributes = {
    [MESSAGING_SYSTEM]: 'nats',
    [MESSAGING_DESTINATION_NAME]: subject,
    [MESSAGING_OPERATION_NAME]: 'publish',
    [MESSAGING_OPERATION_TYPE]: 'send',
    [MESSAGING_MESSAGE_BODY_SIZE]: bodySize(data),
    ...(msgId ? { [MESSAGING_MESSAGE_ID]: msgId } : {}),
    ...attributes,
  };
  inSpan(
    `publish ${subject}`,
    spanAttributes,
    () => {
      // Inject into a plain carrier first: with tracing off nothing is injected and the message goes out
      // with exactly the headers given (none on the hot consensus paths), at no extra cost.
      const trace: Record<string, string> = {};
      propagation.inject(context.active(), trace);
      const keys = Object.keys(trace);
      if (keys.length === 0) {
        nc.publish(subject, data, given ? { ...publishOptions, headers: given } : publishOptions);
        return;
      }
      const h = copyHeaders(given);
      for (const key of keys) h.set(key, trace[key]!);
      nc.publish(subject, data, { ...publishOptions, headers: h });
    },
    { kind: SpanKind.PRODUCER, links },
  );
}

function copyHeaders(given: MsgHdrs | undefined): MsgHdrs {
  const h = natsHeaders();
  if (!given) return h;
  for (const [key, values] of given) for (const v of values) h.append(key, v);
  return h;
}

/** What withNatsMessageSpan reads from a core `Msg` or a JetStream `JsMsg`. */
export interface NatsMessageLike {
  subject: string;
  headers?: MsgHdrs | undefined;
  data?: Uint8Array;
}

/**
 * Runs `fn` in a CONSUMER span `process <subject>` whose parent is the producer span carried in the
 * message headers (a new trace when there is none). Returns what `fn` returns (sync or a promise).
 */
export function withNatsMessageSpan<T>(msg: NatsMessageLike, fn: (span: Span) => T, attributes: Attributes = {}): T {
  const parent = extractNatsHeaders(msg.headers);
  const msgId = msg.headers?.has(MSG_ID_HEADER) ? msg.headers.get(MSG_ID_HEADER) : undefined;
  return inSpan(
    `process ${msg.subject}`,
    {
      [MESSAGING_SYSTEM]: 'nats',
      [MESSAGING_DESTINATION_NAME]: msg.subject,
      [MESSAGING_OPERATION_NAME]: 'process',
      [MESSAGING_OPERATION_TYPE]: 'process',
      ...(msg.data ? { [MESSAGING_MESSAGE_BODY_SIZE]: msg.data.byteLength } : {}),
      ...(msgId ? { [MESSAGING_MESSAGE_ID]: msgId } : {}),
      ...attributes,
    },
    fn,
    { kind: SpanKind.CONSUMER, parent },
  );
}
