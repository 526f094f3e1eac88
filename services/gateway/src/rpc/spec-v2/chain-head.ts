import { RpcError, invalidParams } from '../errors.js';
import type { RpcContext, RpcModule, RpcRegistry } from '../registry.js';
import type { SpecV2Chain } from './chain.js';
import { ChainHeadCode, DEFAULT_FOLLOW_LIMITS, Follow, blockHashParam, hexParam, storageItemsParam, type FollowLimits } from './follow.js';

const FOLLOWS = Symbol('chainHead_v1 follow subscriptions');

function follows(ctx: RpcContext): Map<string, Follow> {
  return ctx.session.local(FOLLOWS, () => new Map<string, Follow>());
}

/** The follow subscription a call names; undefined when it is unknown or stopped (each function says what that answers). */
function followOf(ctx: RpcContext, id: unknown): Follow | undefined {
  if (typeof id !== 'string' && typeof id !== 'number') throw invalidParams('followSubscription must be a subscription id');
  const f = follows(ctx).get(String(id));
  return f && !f.stopped ? f : undefined;
}

/**
 * chainHead_v1 (json-rpc-interface-spec): follow the head of the chain, then read headers, bodies,
 * storage and runtime calls of the blocks it reported. Operations answer `started` with an id and
 * deliver their results as events of the follow subscription.
 */
export function chainHeadModule(chain: SpecV2Chain, limits: FollowLimits = DEFAULT_FOLLOW_LIMITS, log?: (message: string) => void): RpcModule {
  return {
    name: 'chainHead_v1',
    register(registry: RpcRegistry): void {
      registry.subscription({
        subscribe: 'chainHead_v1_follow',
        unsubscribe: 'chainHead_v1_unfollow',
        notification: 'chainHead_v1_followEvent',
        paramNames: ['withRuntime'],
        handler: (params, sink, ctx) => {
          const [withRuntime] = params;
          if (typeof withRuntime !== 'boolean') throw invalidParams('withRuntime must be a boolean');
          const mine = follows(ctx);
          for (const [id, f] of mine) if (f.stopped) mine.delete(id);
          if (mine.size >= limits.maxFollowsPerConnection) {
            throw new RpcError(ChainHeadCode.TOO_MANY_FOLLOWS, 'Maximum number of chainHead_v1_follow has been reached', `at most ${limits.maxFollowsPerConnection} per connection`);
          }
          const follow = new Follow(sink, withRuntime, chain, limits, log);
          mine.set(sink.id, follow);
          void follow.start();
          return () => {
            mine.delete(sink.id);
            follow.dispose();
          };
        },
      });

      registry.method(
        'chainHead_v1_header',
        async ([sub, hash], ctx) => {
          const h = blockHashParam(hash);
          const f = followOf(ctx, sub);
          return f ? f.header(h) : null;
        },
        { paramNames: ['followSubscription', 'hash'] },
      );

      registry.method(
        'chainHead_v1_body',
        ([sub, hash], ctx) => {
          const h = blockHashParam(hash);
          return followOf(ctx, sub)?.body(h) ?? { result: 'limitReached' };
        },
        { paramNames: ['followSubscription', 'hash'] },
      );

      registry.method(
        'chainHead_v1_call',
        ([sub, hash, fn, parameters], ctx) => {
          const h = blockHashParam(hash);
          if (typeof fn !== 'string' || fn.length === 0) throw invalidParams('function must be the name of a runtime API function');
          // polkadot-api sends "" for no parameters; smoldot and Substrate read it as empty bytes.
          const data = parameters === '' ? '0x' : hexParam(parameters, 'callParameters');
          return followOf(ctx, sub)?.call(h, fn, data) ?? { result: 'limitReached' };
        },
        { paramNames: ['followSubscription', 'hash', 'function', 'callParameters'] },
      );

      registry.method(
        'chainHead_v1_storage',
        ([sub, hash, items, childTrie], ctx) => {
          const h = blockHashParam(hash);
          const list = storageItemsParam(items);
          const child = childTrie === undefined || childTrie === null ? null : hexParam(childTrie, 'childTrie');
          return followOf(ctx, sub)?.storage(h, list, child) ?? { result: 'limitReached' };
        },
        { paramNames: ['followSubscription', 'hash', 'items', 'childTrie'] },
      );

      registry.method(
        'chainHead_v1_unpin',
        ([sub, hashOrHashes], ctx) => {
          const list = Array.isArray(hashOrHashes) ? hashOrHashes : [hashOrHashes];
          const hashes = list.map((h, i) => blockHashParam(h, Array.isArray(hashOrHashes) ? `hashOrHashes[${i}]` : 'hashOrHashes'));
          followOf(ctx, sub)?.unpin(hashes);
          return null;
        },
        { paramNames: ['followSubscription', 'hashOrHashes'] },
      );

      registry.method(
        'chainHead_v1_continue',
        ([sub, operationId], ctx) => {
          if (typeof operationId !== 'string') throw invalidParams('operationId must be a string');
          followOf(ctx, sub)?.continue(operationId);
          return null;
        },
        { paramNames: ['followSubscription', 'operationId'] },
      );

      registry.method(
        'chainHead_v1_stopOperation',
        ([sub, operationId], ctx) => {
          if (typeof operationId !== 'string') throw invalidParams('operationId must be a string');
          followOf(ctx, sub)?.stopOperation(operationId);
          return null;
        },
        { paramNames: ['followSubscription', 'operationId'] },
      );
    },
  };
}
