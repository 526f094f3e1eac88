import { submitConfigOf, type GatewayConfig } from '../config/gateway-config.js';
import { ConsensusClient } from './consensus-client.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** ConsensusClient as a Nest provider: polls validator health while the app runs, closes its channels with it. */
export class ManagedConsensusClient extends ConsensusClient {
  constructor(private readonly config: GatewayConfig) {
    super({
      urls: config.consensusUrls,
      deadlineMs: config.grpcDeadlineMs,
      health: { staleAfterMs: config.staleAfterMs, maxLagBlocks: config.maxLagBlocks },
      submissions: (({ maxBatch, concurrentBatches, maxPending }) => ({ maxBatch, maxConcurrentBatches: concurrentBatches, maxPending }))(submitConfigOf(config)),
    });
  }

  onApplicationBootstrap(): void {
    this.startHealthChecks(this.config.healthPollMs);
  }

  onApplicationShutdown(): void {
    this.close();
  }
}

export const consensusClientProvider = {
  provide: ConsensusClient,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: GatewayConfig) => new ManagedConsensusClient(config),
};
