import {
  batchResponseTooLarge,
  batchTooLarge,
  internalError,
  invalidParams,
  isServerFault,
  methodNotFound,
  oversizedResponse,
  toRpcError,
  tooManyRequests,
  tooManySubscriptions,
} from './errors.js';
import { errorJson, parseMessage, successJson, type RpcCall, type RpcEntry } from './json-rpc.js';
import { positionalParams, type RegistryEntry, type RpcRegistry } from './registry.js';
import type { RpcSession, Subscription } from './session.js';

export interface DispatchLimits {
  maxBatchSize: number;
  maxResponseBytes: number;
}

/** What to send for one message, and what to do once it is sent. */
export interface Dispatched {
  /** The answer (one response or a batch array); undefined when the message held only notifications. */
  text: string | undefined;
  /** Releases the notifications of subscriptions this message opened: call right after sending `text`. */
  announce(): void;
}

/** Where errors that are ours (not the client's) are reported. */
export type FaultLog = (method: string, err: unknown) => void;

const nothingToAnnounce = (): void => undefined;

/**
 * JSON-RPC 2.0 over the registry: single calls and batches, the rate limit (one token per call), the
 * batch and response size limits, subscribe and unsubscribe bookkeeping. Transport-free: it takes text
 * and a session and returns text, so it is unit-tested without sockets.
 */
export class RpcDispatcher {
  constructor(
    private readonly registry: RpcRegistry,
    private readonly limits: DispatchLimits,
    private readonly fault: FaultLog = () => undefined,
  ) {}

  async dispatch(text: string, session: RpcSession): Promise<Dispatched> {
    const message = parseMessage(text);
    if (message.kind === 'invalid') return { text: errorJson(null, message.error), announce: nothingToAnnounce };
    const opened: Subscription[] = [];
    const announce = (): void => opened.forEach((s) => s.announce());
    if (message.kind === 'single') return { text: await this.answer(message.entry, session, opened), announce };

    if (message.entries.length > this.limits.maxBatchSize) {
      return { text: errorJson(null, batchTooLarge(this.limits.maxBatchSize)), announce: nothingToAnnounce };
    }
    const answers = await Promise.all(message.entries.map((entry) => this.answer(entry, session, opened)));
    const parts = answers.filter((a): a is string => a !== undefined);
    if (parts.length === 0) return { text: undefined, announce };
    const batch = `[${parts.join(',')}]`;
    // String length counts UTF-16 units: equal to bytes for the ASCII (hex, numbers) our answers carry.
    if (batch.length > this.limits.maxResponseBytes) {
      // The subscriptions it opened were never announced: release them.
      for (const s of opened) s.discard();
      return { text: errorJson(null, batchResponseTooLarge(this.limits.maxResponseBytes)), announce: nothingToAnnounce };
    }
    return { text: batch, announce };
  }

  private async answer(entry: RpcEntry, session: RpcSession, opened: Subscription[]): Promise<string | undefined> {
    if (!entry.ok) return errorJson(entry.id, entry.error);
    const call = entry.call;
    // A notification asks for no answer; running it would let a client spend our work unseen.
    if (call.notification) return undefined;
    try {
      if (!session.takeToken()) throw tooManyRequests(session.limits.rateLimitPerSecond);
      const target = this.registry.get(call.method);
      if (!target) throw methodNotFound();
      const response = successJson(call.id, await this.run(target, call, session, opened));
      if (response.length > this.limits.maxResponseBytes) return errorJson(call.id, oversizedResponse(this.limits.maxResponseBytes));
      return response;
    } catch (err) {
      const error = toRpcError(err, call.method);
      if (isServerFault(err)) this.fault(call.method, err);
      return errorJson(call.id, error);
    }
  }

  /** The result of one call, as JSON text. */
  private async run(target: RegistryEntry, call: RpcCall, session: RpcSession, opened: Subscription[]): Promise<string> {
    const ctx = { session, method: call.method };
    switch (target.kind) {
      case 'method': {
        const result = await target.handler(positionalParams(call.params, target.paramNames), ctx);
        return JSON.stringify(result ?? null);
      }
      case 'subscribe': {
        // jsonrpsee answers a subscription over HTTP with a bare internal error; say why.
        if (!session.canSubscribe) throw internalError('subscriptions need a WebSocket connection');
        if (session.subscriptionCount >= session.limits.maxSubscriptionsPerConnection) {
          throw tooManySubscriptions(session.limits.maxSubscriptionsPerConnection);
        }
        const params = positionalParams(call.params, target.definition.paramNames);
        const subscription = session.openSubscription(target.definition);
        try {
          subscription.attach(await target.definition.handler(params, subscription, ctx));
        } catch (err) {
          subscription.discard();
          throw err;
        }
        opened.push(subscription);
        return JSON.stringify(subscription.id);
      }
      case 'unsubscribe': {
        if (!session.canSubscribe) throw internalError('subscriptions need a WebSocket connection');
        const [id] = positionalParams(call.params, ['subscription']);
        // polkadot.js sends the id back as it got it; some clients send numbers as numbers.
        if (typeof id !== 'string' && typeof id !== 'number') throw invalidParams('expected a subscription id');
        return JSON.stringify(session.unsubscribe(String(id), target.definition));
      }
    }
  }
}
