import { Logger } from '@nestjs/common';
import { rpcConfigOf, submitConfigOf, type GatewayConfig, type RpcConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG } from '../consensus/consensus.providers.js';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { BlockStream } from '../stream/block-stream.js';
import { GATEWAY_VERSION } from '../version.js';
import { ChainData } from './chain-data.js';
import { FinalizedHeads } from './finalized-heads.js';
import { rpcModules } from './methods/index.js';
import type { RpcModule } from './registry.js';
import { RpcServer } from './rpc-server.js';

/** RpcServer as a Nest provider: closes its connections and leaves the block stream on shutdown. */
export class ManagedRpcServer extends RpcServer {
  constructor(
    limits: RpcConfig,
    modules: readonly RpcModule[],
    private readonly heads: FinalizedHeads,
  ) {
    super(limits, modules);
  }

  onApplicationShutdown(): void {
    this.close();
    this.heads.close();
  }
}

export const rpcServerProvider = {
  provide: RpcServer,
  inject: [GATEWAY_CONFIG, ConsensusClient, BlockStream],
  useFactory: (config: GatewayConfig, consensus: ConsensusClient, blocks: BlockStream) => {
    const logger = new Logger('Rpc');
    const chain = new ChainData(consensus);
    const heads = new FinalizedHeads(blocks, chain, (message) => logger.warn(message));
    const modules = rpcModules({
      chain,
      heads,
      validators: consensus,
      chainId: config.chainId,
      version: GATEWAY_VERSION,
      maxSubmissionsPerConnection: submitConfigOf(config).maxPerConnection,
      warn: (message) => logger.warn(message),
    });
    return new ManagedRpcServer(rpcConfigOf(config), modules, heads);
  },
};
