import type { GatewayConfig } from '../config/gateway-config.js';
import { GATEWAY_CONFIG } from '../consensus/consensus.providers.js';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { BlockStream } from './block-stream.js';

/** BlockStream as a Nest provider: starts with the app, closes its NATS connection with it. */
export class ManagedBlockStream extends BlockStream {
  onApplicationBootstrap(): void {
    this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}

export const blockStreamProvider = {
  provide: BlockStream,
  inject: [GATEWAY_CONFIG, ConsensusClient],
  useFactory: (config: GatewayConfig, consensus: ConsensusClient) =>
    new ManagedBlockStream({ natsUrl: config.natsUrl, chainId: config.chainId }, consensus),
};
