import { readFileSync } from 'node:fs';
import type { DynamicModule } from '@nestjs/common';
import { cryptoReady, genesisFromJson } from '@balanceai/chain';
import { ModuleHostModule, ModuleRuntime } from '@balanceai/module-host';
import type { StakingConfig } from './config.js';
import { STAKING_SETUP, StakingApi } from './module/staking.api.js';
import { StakingMachine, stakingSetupFromGenesis, type StakingSetup } from './module/staking.machine.js';
import { StakingRepository } from './module/staking.repository.js';

/** The staking service: ModuleRuntimeService + StakingService on one gRPC port, health on HTTP. */
export function stakingAppModule(config: StakingConfig, setupOf: (genesisJson: string) => StakingSetup = (json) => stakingSetupFromGenesis(genesisFromJson(json))): DynamicModule {
  return ModuleHostModule.forRoot({
    runtime: {
      inject: [STAKING_SETUP],
      useFactory: async (setup: StakingSetup) => {
        const runtime = await ModuleRuntime.open(new StakingMachine(setup), new StakingRepository(config.databaseUrl, setup.params));
        return runtime as ModuleRuntime<unknown>;
      },
    },
    controllers: [StakingApi],
    providers: [
      {
        provide: STAKING_SETUP,
        useFactory: async () => {
          await cryptoReady();
          return setupOf(readFileSync(config.genesisFile, 'utf8'));
        },
      },
    ],
  });
}
