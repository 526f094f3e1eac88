import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { StakingClient, stakingClientOptions } from './staking-client.js';
import { StakingController } from './staking.controller.js';

class StakingClientCloser implements OnApplicationShutdown {
  constructor(@Inject(StakingClient) private readonly client: StakingClient) {}

  onApplicationShutdown(): void {
    this.client.close();
  }
}

/** REST routes /v1/staking/* of the gateway, backed by the staking service (BAI_STAKING_URL) over gRPC. */
@Module({
  controllers: [StakingController],
  providers: [{ provide: StakingClient, useFactory: () => new StakingClient(stakingClientOptions()) }, StakingClientCloser],
})
export class StakingModule {}
