import { invalidParams } from './errors.js';
import type { RpcSession } from './session.js';

/** What a handler knows about the call besides its params. */
export interface RpcContext {
  /** The connection the call came on: per-connection state (`session.local`), close hooks. */
  readonly session: RpcSession;
  /** The name the client called (an alias arrives under its own name). */
  readonly method: string;
}

/** A plain method: returns the result (any JSON value; undefined answers null) or throws (see errors.ts). */
export type MethodHandler = (params: unknown[], ctx: RpcContext) => unknown;

/** The server side of one subscription: notifications go out under its id, in call order. */
export interface SubscriptionSink {
  readonly id: string;
  readonly closed: boolean;
  /** Sends one notification whose result is `value`, serialised here. */
  send(value: unknown): void;
  /** Sends one notification whose result is already JSON: serialise once per block, not once per client. */
  sendJson(resultJson: string): void;
  /** Ends the subscription from the server side (a watched extrinsic was finalized); runs its teardown. */
  close(): void;
}

/** Releases what a subscription holds; runs once, on unsubscribe, server-side close or disconnect. */
export type Teardown = () => void;

/**
 * Starts a subscription. Notifications sent before the handler returns are held until the client has
 * the subscription id (the call's answer), so a first "current value" notification can go out at once.
 * Throwing answers the subscribe call with the error and no subscription is left behind.
 */
export type SubscribeHandler = (params: unknown[], sink: SubscriptionSink, ctx: RpcContext) => Teardown | void | Promise<Teardown | void>;

export interface SubscriptionDefinition {
  subscribe: string;
  unsubscribe: string;
  /** The `method` of its notifications, e.g. `chain_newHead`. */
  notification: string;
  subscribeAliases?: readonly string[];
  unsubscribeAliases?: readonly string[];
  paramNames?: readonly string[];
  handler: SubscribeHandler;
}

export type RegistryEntry =
  | { kind: 'method'; handler: MethodHandler; paramNames?: readonly string[] }
  | { kind: 'subscribe'; definition: SubscriptionDefinition }
  | { kind: 'unsubscribe'; definition: SubscriptionDefinition };

/** A group of methods (a namespace: `chain_`, `state_`, or the new `chainHead_v1_`) installed together. */
export interface RpcModule {
  readonly name: string;
  register(registry: RpcRegistry): void;
}

export interface MethodOptions {
  aliases?: readonly string[];
  /** Names of the positional params, in order, so named params (an object) can be accepted too. */
  paramNames?: readonly string[];
}

/**
 * Every method the server answers, by name (aliases included). Registering a name twice throws, so two
 * modules cannot silently shadow each other; a name not registered answers "Method not found".
 */
export class RpcRegistry {
  private readonly entries = new Map<string, RegistryEntry>();

  install(module: RpcModule): this {
    module.register(this);
    return this;
  }

  method(name: string, handler: MethodHandler, options: MethodOptions = {}): this {
    const entry: RegistryEntry = { kind: 'method', handler, paramNames: options.paramNames };
    for (const n of [name, ...(options.aliases ?? [])]) this.add(n, entry);
    return this;
  }

  subscription(definition: SubscriptionDefinition): this {
    for (const n of [definition.subscribe, ...(definition.subscribeAliases ?? [])]) this.add(n, { kind: 'subscribe', definition });
    for (const n of [definition.unsubscribe, ...(definition.unsubscribeAliases ?? [])]) this.add(n, { kind: 'unsubscribe', definition });
    return this;
  }

  get(name: string): RegistryEntry | undefined {
    return this.entries.get(name);
  }

  /** Every callable name, sorted (what `rpc_methods` lists). */
  names(): string[] {
    return [...this.entries.keys()].sort();
  }

  private add(name: string, entry: RegistryEntry): void {
    if (this.entries.has(name)) throw new Error(`RPC method ${name} is registered twice`);
    this.entries.set(name, entry);
  }
}

/** Positional params from a call: an array as sent, an object ordered by the declared names. */
export function positionalParams(params: unknown[] | Record<string, unknown>, names: readonly string[] | undefined): unknown[] {
  if (Array.isArray(params)) return params;
  if (!names) throw invalidParams('this method takes positional params (an array)');
  const unknown = Object.keys(params).filter((k) => !names.includes(k));
  if (unknown.length > 0) throw invalidParams(`unknown param ${unknown[0]}`);
  const list = names.map((n) => params[n]);
  // Trailing absent params are optional ones left out, as with a shorter array.
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  return list;
}
