import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from './config/gateway-config.js';
import { consensusClientProvider, GATEWAY_CONFIG } from './consensus/consensus.providers.js';
import { ConsensusClient } from './consensus/consensus-client.js';
import { AccountsController } from './http/accounts.controller.js';
import { BlocksController } from './http/blocks.controller.js';
import { ChainController } from './http/chain.controller.js';
import { ExtrinsicsController } from './http/extrinsics.controller.js';
import { HealthController } from './http/health.controller.js';
import { rpcServerProvider } from './rpc/rpc.providers.js';
import { blockStreamProvider } from './stream/block-stream.providers.js';
import { ExpertModule } from './expert/expert.module.js';
import { EmissionsModule } from './emissions/emissions.module.js';
import { StakingModule } from './staking/staking.module.js';
import { ModelsModule } from './models/models.module.js';
import { BridgeModule } from './bridge/bridge.module.js';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [ExpertModule, EmissionsModule, StakingModule, ModelsModule, BridgeModule],
      controllers: [ChainController, BlocksController, ExtrinsicsController, AccountsController, HealthController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, consensusClientProvider, blockStreamProvider, rpcServerProvider],
      // Global: feature modules (emissions, expert) read balances through the same validator client.
      global: true,
      exports: [GATEWAY_CONFIG, ConsensusClient],
    };
  }
}
