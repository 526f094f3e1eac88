import type { RpcDeps } from '../deps.js';
import { ExtrinsicWatch } from '../extrinsic-watch.js';
import { hexParam } from '../params.js';
import type { RpcModule } from '../registry.js';

/**
 * `author_*`: submission. A refusal answers as Substrate's transaction pool does (1010 "Invalid
 * Transaction" with the reason, 1013 already imported, …; the mapping is in errors.ts). Pending
 * extrinsics are those submitted through this gateway: the validators' mempools are not listed over gRPC.
 */
export function authorModule(deps: RpcDeps): RpcModule {
  const watch = new ExtrinsicWatch(deps.heads, deps.chain, {}, deps.warn);
  return {
    name: 'author',
    register(registry) {
      registry
        .method('author_submitExtrinsic', ([extrinsic]) => watch.submit(hexParam(extrinsic, 'extrinsic')), { paramNames: ['extrinsic'] })
        .method('author_pendingExtrinsics', () => watch.pending())
        .subscription({
          subscribe: 'author_submitAndWatchExtrinsic',
          unsubscribe: 'author_unwatchExtrinsic',
          notification: 'author_extrinsicUpdate',
          paramNames: ['extrinsic'],
          handler: ([extrinsic], sink) => watch.submitAndWatch(hexParam(extrinsic, 'extrinsic'), sink),
        });
    },
  };
}
