import { randomBytes } from 'node:crypto';
import { blake2_256, fromHex, toHex } from '@balanceai/chain';
import { DomainError } from '@balanceai/platform';
import { RpcCode, invalidParams, toRpcError } from '../errors.js';
import type { RpcContext, RpcModule, RpcRegistry, SubscriptionSink } from '../registry.js';
import type { SpecV2Chain } from './chain.js';
import { hexParam } from './follow.js';

export interface TransactionLimits {
  /** transaction_v1_broadcast operations per connection (the spec asks for at least 4); beyond, null. */
  maxBroadcastsPerConnection: number;
  /** Consecutive blocks a validated transaction may be unknown to the validators before it counts as dropped. */
  unknownBlocks: number;
  /** Blocks a transaction is watched at most before it is reported dropped. */
  maxWatchBlocks: number;
}

export const DEFAULT_TRANSACTION_LIMITS: TransactionLimits = {
  maxBroadcastsPerConnection: 64,
  unknownBlocks: 5,
  maxWatchBlocks: 600,
};

const BROADCASTS = Symbol('transaction_v1 broadcasts');

function transactionParam(value: unknown): string {
  const hex = hexParam(value, 'transaction');
  if (hex.length <= 2) throw invalidParams('transaction must not be empty');
  return hex;
}

/** Why a submission was refused, as the watch event to send: the mempool's answer read as author_submitExtrinsic reads it. */
export function refusal(err: unknown): { event: 'invalid' | 'dropped' | 'error'; error: string } | { event: 'alreadyImported' } {
  if (err instanceof DomainError && err.code === 'ALREADY_IMPORTED') return { event: 'alreadyImported' };
  const rpc = toRpcError(err, 'author_submitExtrinsic');
  const error = typeof rpc.data === 'string' ? `${rpc.message}: ${rpc.data}` : rpc.message;
  switch (rpc.code) {
    case RpcCode.POOL_INVALID_TX:
    case RpcCode.POOL_UNKNOWN_VALIDITY:
    case RpcCode.AUTHOR_BAD_FORMAT:
    case RpcCode.INVALID_PARAMS:
      return { event: 'invalid', error };
    case RpcCode.POOL_TEMPORARILY_BANNED:
    case RpcCode.POOL_TOO_LOW_PRIORITY:
    case RpcCode.POOL_IMMEDIATELY_DROPPED:
    case RpcCode.POOL_FUTURE_TX:
      return { event: 'dropped', error };
    default:
      // No validator reachable: the gateway cannot keep track of it.
      if (err instanceof DomainError && err.kind === 'unavailable') return { event: 'dropped', error: err.message };
      return { event: 'error', error };
  }
}

/**
 * One transactionWatch_v1_submitAndWatch: `validated` once a validator's mempool took it, then, at each
 * finalized block, where the validators say it is; in a block → `bestChainBlockIncluded` and `finalized`
 * (the two coincide under BFT finality). Refused → `invalid` (or `dropped` / `error`).
 */
export class TransactionWatch {
  private hash = '';
  private unsubscribe: (() => void) | undefined;
  private checking = false;
  private again = false;
  private unknownFor = 0;
  private blocks = 0;
  private ended = false;

  constructor(
    private readonly sink: SubscriptionSink,
    private readonly chain: SpecV2Chain,
    private readonly limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS,
  ) {}

  async start(transaction: string): Promise<void> {
    try {
      this.hash = await this.chain.submit(transaction);
    } catch (err) {
      const r = refusal(err);
      if (r.event !== 'alreadyImported') return this.finish({ event: r.event, error: r.error });
      this.hash = toHex(blake2_256(fromHex(transaction)));
    }
    if (this.ended) return;
    this.sink.send({ event: 'validated' });
    this.unsubscribe = this.chain.onBlock(() => {
      this.blocks++;
      void this.check();
    });
    await this.check();
  }

  /** Where the transaction is now; one check at a time, one more if blocks came meanwhile. */
  async check(): Promise<void> {
    if (this.ended) return;
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.again = false;
        const status = await this.chain.transactionStatus(this.hash);
        if (this.ended) return;
        if (status.state === 'included') {
          this.sink.send({ event: 'bestChainBlockIncluded', block: status.block });
          return this.finish({ event: 'finalized', block: status.block });
        }
        this.unknownFor = status.state === 'unknown' ? this.unknownFor + 1 : 0;
        if (this.unknownFor > this.limits.unknownBlocks) return this.finish({ event: 'dropped', error: 'the transaction left the validators\' transaction pools without being included' });
        if (this.blocks > this.limits.maxWatchBlocks) return this.finish({ event: 'dropped', error: `not included within ${this.limits.maxWatchBlocks} blocks` });
      } while (this.again);
    } catch (err) {
      // Validators unreachable for a moment: the next block tries again.
      if (!(err instanceof DomainError && err.kind === 'unavailable')) this.finish({ event: 'error', error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.checking = false;
    }
  }

  private finish(event: Record<string, unknown>): void {
    if (this.ended) return;
    this.sink.send(event);
    this.dispose();
    this.sink.close();
  }

  dispose(): void {
    this.ended = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }
}

function broadcasts(ctx: RpcContext): Set<string> {
  return ctx.session.local(BROADCASTS, () => new Set<string>());
}

/**
 * transaction_v1 and transactionWatch_v1 (json-rpc-interface-spec). A broadcast hands the transaction to a
 * validator's mempool, which gossips it to the others; `transaction_v1_stop` only forgets the operation
 * (a transaction in the mempools cannot be called back, as the spec allows). Refused broadcasts are
 * silent, as the spec prescribes; submitAndWatch reports them.
 */
export function transactionModule(chain: SpecV2Chain, limits: TransactionLimits = DEFAULT_TRANSACTION_LIMITS): RpcModule {
  return {
    name: 'transaction_v1',
    register(registry: RpcRegistry): void {
      registry.method(
        'transaction_v1_broadcast',
        ([transaction], ctx) => {
          const tx = transactionParam(transaction);
          const mine = broadcasts(ctx);
          if (mine.size >= limits.maxBroadcastsPerConnection) return null;
          const id = randomBytes(8).toString('hex');
          mine.add(id);
          chain.submit(tx).catch(() => undefined);
          return id;
        },
        { paramNames: ['transaction'] },
      );

      registry.method(
        'transaction_v1_stop',
        ([operationId], ctx) => {
          if (typeof operationId !== 'string' || !broadcasts(ctx).delete(operationId)) throw invalidParams('operationId is not an active transaction_v1_broadcast');
          return null;
        },
        { paramNames: ['operationId'] },
      );

      registry.subscription({
        subscribe: 'transactionWatch_v1_submitAndWatch',
        unsubscribe: 'transactionWatch_v1_unwatch',
        notification: 'transactionWatch_v1_watchEvent',
        paramNames: ['transaction'],
        handler: ([transaction], sink) => {
          const tx = transactionParam(transaction);
          const watch = new TransactionWatch(sink, chain, limits);
          void watch.start(tx);
          return () => watch.dispose();
        },
      });
    },
  };
}
