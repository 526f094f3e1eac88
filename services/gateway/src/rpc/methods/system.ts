import type { RpcDeps } from '../deps.js';
import { invalidParams } from '../errors.js';
import type { RpcModule } from '../registry.js';

/** Substrate's sc_chain_spec::ChainType as JSON. */
export type ChainType = 'Development' | 'Local' | 'Live';

/** The chain type a chain id suggests: devnets and local test chains say so in their id. */
export function chainTypeOf(chainId: string): ChainType {
  const id = chainId.toLowerCase();
  if (/(^|[-_])dev([-_]|net|$)/.test(id) || id.includes('devnet')) return 'Development';
  if (/(^|[-_])(local|test)([-_]|$)/.test(id)) return 'Local';
  return 'Live';
}

/** The name `system_name` reports: the node implementation, here the gateway in front of the validators. */
export const NODE_NAME = 'BalanceAI Gateway';

/** `rpc_methods`: every method this server answers, aliases included, as Substrate lists them. */
export function rpcModule(): RpcModule {
  return {
    name: 'rpc',
    register(registry) {
      registry.method('rpc_methods', () => ({ version: 1, methods: registry.names() }));
    },
  };
}

/**
 * `system_*`: the node's identity and health. The gateway is not a peer-to-peer node: it lists no peers
 * or listen addresses of its own, and reports as peers the validators seen online, which is what a
 * wallet's "connected to the network" indicator means.
 */
export function systemModule(deps: RpcDeps): RpcModule {
  const { chain } = deps;
  let startingBlock: number | undefined;
  return {
    name: 'system',
    register(registry) {
      registry
        .method('system_chain', async () => (await chain.runtime()).chain)
        .method('system_name', () => NODE_NAME)
        .method('system_version', () => deps.version)
        .method('system_chainType', () => chainTypeOf(deps.chainId))
        .method('system_properties', async () => {
          const r = await chain.runtime();
          return { ss58Format: r.ss58Prefix, tokenDecimals: r.tokenDecimals, tokenSymbol: r.tokenSymbol };
        })
        .method('system_health', async () => {
          const status = await chain.status();
          return { peers: status.validatorsOnline, isSyncing: status.syncing || !deps.validators.healthy, shouldHavePeers: true };
        })
        .method('system_peers', () => [])
        .method('system_localPeerId', () => NODE_NAME)
        .method('system_localListenAddresses', () => [])
        .method('system_nodeRoles', () => ['Full'])
        .method('system_syncState', async () => {
          const current = Number((await chain.status()).finalizedHeight);
          startingBlock ??= current;
          return { startingBlock, currentBlock: current, highestBlock: Math.max(current, deps.validators.bestKnownHeight() ?? current) };
        })
        .method(
          'system_accountNextIndex',
          async ([address]) => {
            if (typeof address !== 'string' || address.length === 0) throw invalidParams('expected an SS58 address or 0x account id');
            // The account nonce plus its extrinsics waiting in the mempool, as Substrate's does.
            return Number((await chain.consensus.call('getAccount', { address })).nextNonce);
          },
          { paramNames: ['accountId'] },
        );
    },
  };
}
