import { invalidRequest, parseError, type RpcError } from './errors.js';

/** A request id as JSON-RPC 2.0 allows it. */
export type RpcId = number | string | null;

/** One well-formed call. A notification (no `id`) gets no answer. */
export interface RpcCall {
  id: RpcId;
  method: string;
  /** Positional params as sent, or named params (an object) for the registry to order. */
  params: unknown[] | Record<string, unknown>;
  notification: boolean;
}

/** One element of a message: a call, or why it is not one (answered with its id when it had a usable one). */
export type RpcEntry = { ok: true; call: RpcCall } | { ok: false; id: RpcId; error: RpcError };

/**
 * A decoded message: one entry, a batch, or an error that answers the whole message (unparsable JSON,
 * an empty batch) with id null, as JSON-RPC 2.0 prescribes.
 */
export type RpcMessage = { kind: 'single'; entry: RpcEntry } | { kind: 'batch'; entries: RpcEntry[] } | { kind: 'invalid'; error: RpcError };

function isId(value: unknown): value is RpcId {
  return value === null || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function entryOf(value: unknown): RpcEntry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, id: null, error: invalidRequest() };
  const request = value as Record<string, unknown>;
  const hasId = 'id' in request;
  // An id of the wrong type cannot be echoed back: answer with null, as for a missing one.
  const id = hasId && isId(request.id) ? request.id : null;
  if (hasId && !isId(request.id)) return { ok: false, id: null, error: invalidRequest('id must be a number, a string or null') };
  if (request.jsonrpc !== '2.0') return { ok: false, id, error: invalidRequest('jsonrpc must be "2.0"') };
  if (typeof request.method !== 'string' || request.method.length === 0) return { ok: false, id, error: invalidRequest('method must be a string') };
  const params = request.params;
  if (params !== undefined && params !== null && typeof params !== 'object') {
    return { ok: false, id, error: invalidRequest('params must be an array or an object') };
  }
  return {
    ok: true,
    call: { id, method: request.method, params: (params ?? []) as unknown[] | Record<string, unknown>, notification: !hasId },
  };
}

/** Decodes one WebSocket message or HTTP body. Never throws. */
export function parseMessage(text: string): RpcMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', error: parseError() };
  }
  if (!Array.isArray(value)) return { kind: 'single', entry: entryOf(value) };
  if (value.length === 0) return { kind: 'invalid', error: invalidRequest('empty batch') };
  return { kind: 'batch', entries: value.map(entryOf) };
}

/** How many calls a message holds (what the rate limit and the batch limit count). */
export function callCount(message: RpcMessage): number {
  return message.kind === 'batch' ? message.entries.length : message.kind === 'single' ? 1 : 0;
}

// Responses are assembled as text: a result is serialised once (a header, a metadata blob) and spliced in.

export function successJson(id: RpcId, resultJson: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}`;
}

export function errorJson(id: RpcId, error: RpcError): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`;
}

/**
 * The constant parts of a subscription's notifications: one is built per subscription, and every
 * notification is then `prefix + resultJson + suffix`, so a result serialised once per block reaches
 * a thousand subscribers without being serialised again.
 */
export function notificationFrame(method: string, subscriptionId: string): { prefix: string; suffix: string } {
  return {
    prefix: `{"jsonrpc":"2.0","method":${JSON.stringify(method)},"params":{"subscription":${JSON.stringify(subscriptionId)},"result":`,
    suffix: '}}',
  };
}
