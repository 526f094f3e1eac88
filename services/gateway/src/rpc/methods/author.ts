import { DEFAULT_SUBMIT_CONFIG } from '../../config/gateway-config.js';
import { ConnectionSubmissions } from '../../consensus/submission-queue.js';
import type { RpcDeps } from '../deps.js';
import { ExtrinsicWatch } from '../extrinsic-watch.js';
import { hexParam } from '../params.js';
import type { RpcModule } from '../registry.js';

/**
 * `author_*`: submission. A refusal answers as Substrate's transaction pool does (1010 "Invalid
 * Transaction" with the reason, 1013 already imported, …; the mapping is in errors.ts). Pending
 * extrinsics are those submitted through this gateway: the validators' mempools are not listed over gRPC.
 * A connection with `maxSubmissionsPerConnection` submissions unanswered is refused as busy (-32009).
 */
export function authorModule(deps: RpcDeps): RpcModule {
  const watch = new ExtrinsicWatch(deps.heads, deps.chain, {}, deps.warn);
  const perConnection = new ConnectionSubmissions<object>(deps.maxSubmissionsPerConnection ?? DEFAULT_SUBMIT_CONFIG.maxPerConnection);
  return {
    name: 'author',
    register(registry) {
      registry
        .method('author_submitExtrinsic', ([extrinsic], { session }) => perConnection.run(session, () => watch.submit(hexParam(extrinsic, 'extrinsic'))), {
          paramNames: ['extrinsic'],
        })
        .method('author_pendingExtrinsics', () => watch.pending())
        .subscription({
          subscribe: 'author_submitAndWatchExtrinsic',
          unsubscribe: 'author_unwatchExtrinsic',
          notification: 'author_extrinsicUpdate',
          paramNames: ['extrinsic'],
          handler: ([extrinsic], sink, { session }) => perConnection.run(session, () => watch.submitAndWatch(hexParam(extrinsic, 'extrinsic'), sink)),
        });
    },
  };
}
