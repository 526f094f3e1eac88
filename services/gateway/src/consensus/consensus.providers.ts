import type { GatewayConfig } from '../config/gateway-config.js';
import { ConsensusClient } from './consensus-client.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** ConsensusClient as a Nest provider whose gRPC channels close with the app. */
export class ManagedConsensusClient extends ConsensusClient {
  onApplicationShutdown(): void {
    this.close();
  }
}

export const consensusClientProvider = {
  provide: ConsensusClient,
  inject: [GATEWAY_CONFIG],
  useFactory: (config: GatewayConfig) =>
    new ManagedConsensusClient({ urls: config.consensusUrls, deadlineMs: config.grpcDeadlineMs }),
};
