import { randomBytes } from 'node:crypto';
import { notificationFrame } from './json-rpc.js';
import { TokenBucket } from './rate-limit.js';
import type { SubscriptionDefinition, SubscriptionSink, Teardown } from './registry.js';

/** WebSocket close code 1013 "try again later": the client did not read fast enough. */
export const CLOSE_TOO_SLOW = 1013;

/** Where a session's pushes go: a WebSocket. HTTP sessions have none (no subscriptions over HTTP). */
export interface PushChannel {
  /** Bytes queued but not yet handed to the OS (ws `bufferedAmount`). */
  readonly bufferedAmount: number;
  readonly open: boolean;
  send(text: string): void;
  /** Closes the connection; the session's `close()` follows when it is closed. */
  close(code: number, reason: string): void;
}

export interface SessionLimits {
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  maxSubscriptionsPerConnection: number;
  maxConnectionBufferBytes: number;
}

/**
 * One client connection: its rate limit, its subscriptions, state that method modules keep per
 * connection, and the one path its messages leave by. A client whose unsent backlog exceeds
 * `maxConnectionBufferBytes` is closed rather than buffered without bound, so a slow reader never holds
 * memory or holds back the fan-out to the others (sends never wait on a client).
 */
export class RpcSession {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly bucket: TokenBucket;
  private readonly locals = new Map<symbol, unknown>();
  private readonly closeHooks: Array<() => void> = [];
  private ended = false;

  constructor(
    private readonly channel: PushChannel | undefined,
    readonly limits: SessionLimits,
    now?: () => number,
  ) {
    this.bucket = new TokenBucket(limits.rateLimitPerSecond, limits.rateLimitBurst, now);
  }

  /** Subscriptions need a channel to push on: WebSocket yes, HTTP no. */
  get canSubscribe(): boolean {
    return this.channel !== undefined && !this.ended;
  }

  get closed(): boolean {
    return this.ended;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  /** One call's worth of the rate limit; false when the connection is over it. */
  takeToken(): boolean {
    return this.bucket.take();
  }

  /** Per-connection state of a method module (e.g. chainHead follow subscriptions), created on first use. */
  local<T>(key: symbol, init: () => T): T {
    if (!this.locals.has(key)) this.locals.set(key, init());
    return this.locals.get(key) as T;
  }

  /** Runs when the connection ends (after every subscription's teardown). */
  onClose(hook: () => void): void {
    if (this.ended) hook();
    else this.closeHooks.push(hook);
  }

  /** Sends one message (answer or notification), closing a client that lags too far. */
  push(text: string): void {
    const channel = this.channel;
    if (!channel || this.ended || !channel.open) return;
    if (channel.bufferedAmount > this.limits.maxConnectionBufferBytes) {
      channel.close(CLOSE_TOO_SLOW, 'client too slow');
      this.close();
      return;
    }
    channel.send(text);
  }

  /** A new subscription, pending until `activate()`; the caller checked `canSubscribe` and the limit. */
  openSubscription(definition: SubscriptionDefinition): Subscription {
    let id: string;
    do id = randomBytes(8).toString('hex');
    while (this.subscriptions.has(id));
    const subscription = new Subscription(this, id, definition);
    this.subscriptions.set(id, subscription);
    return subscription;
  }

  /** A client's unsubscribe: true when `id` was one of its subscriptions of this kind. */
  unsubscribe(id: string, definition: SubscriptionDefinition): boolean {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.definition !== definition) return false;
    subscription.close();
    return true;
  }

  /** @internal Called by a subscription that ended. */
  forget(id: string): void {
    this.subscriptions.delete(id);
  }

  /** Ends every subscription and runs the close hooks; idempotent. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    for (const subscription of [...this.subscriptions.values()]) subscription.close();
    for (const hook of this.closeHooks.splice(0)) hook();
  }
}

/**
 * One subscription of a session. Notifications wait until the subscribe call's answer (the id) has gone
 * out, so a client never sees a notification for an id it does not know yet; a subscription the server
 * ends before that (an extrinsic finalized at once) still delivers what it sent, then nothing more.
 */
export class Subscription implements SubscriptionSink {
  private announced = false;
  private ended = false;
  private held: string[] = [];
  private teardown: Teardown | undefined;
  private readonly prefix: string;
  private readonly suffix: string;

  constructor(
    private readonly session: RpcSession,
    readonly id: string,
    readonly definition: SubscriptionDefinition,
  ) {
    ({ prefix: this.prefix, suffix: this.suffix } = notificationFrame(definition.notification, id));
  }

  get closed(): boolean {
    return this.ended;
  }

  send(value: unknown): void {
    this.sendJson(JSON.stringify(value ?? null));
  }

  sendJson(resultJson: string): void {
    if (this.ended) return;
    const text = this.prefix + resultJson + this.suffix;
    if (this.announced) this.session.push(text);
    else this.held.push(text);
  }

  /** Records what releases the subscription; runs it at once if the subscription already ended. */
  attach(teardown: Teardown | void): void {
    if (!teardown) return;
    if (this.ended) teardown();
    else this.teardown = teardown;
  }

  /** The id has reached the client: send what was held, then send as it comes. */
  announce(): void {
    if (this.announced) return;
    this.announced = true;
    const held = this.held;
    this.held = [];
    for (const text of held) this.session.push(text);
  }

  /** Drops a subscription whose subscribe call failed: nothing was announced, nothing is sent. */
  discard(): void {
    this.held = [];
    this.announced = true;
    this.close();
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.session.forget(this.id);
    const teardown = this.teardown;
    this.teardown = undefined;
    teardown?.();
  }
}
