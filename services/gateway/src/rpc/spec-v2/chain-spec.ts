import type { RpcModule, RpcRegistry } from '../registry.js';
import type { SpecV2Chain } from './chain.js';

/**
 * chainSpec_v1: the chain's name, genesis hash and properties (the same ss58Format, tokenDecimals and
 * tokenSymbol as `system_properties`); fixed for the life of the chain, read once from a validator.
 */
export function chainSpecModule(chain: SpecV2Chain): RpcModule {
  return {
    name: 'chainSpec_v1',
    register(registry: RpcRegistry): void {
      registry.method('chainSpec_v1_chainName', async () => (await chain.chainSpec()).name);
      registry.method('chainSpec_v1_genesisHash', async () => (await chain.chainSpec()).genesisHash);
      registry.method('chainSpec_v1_properties', async () => (await chain.chainSpec()).properties);
    },
  };
}
