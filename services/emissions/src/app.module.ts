import { readFileSync } from 'node:fs';
import type { DynamicModule } from '@nestjs/common';
import { cryptoReady, genesisFromJson } from '@balanceai/chain';
import { ModuleHostModule, ModuleRuntime } from '@balanceai/module-host';
import type { EmissionsConfig } from './config.js';
import { EMISSIONS_SETUP, EmissionsApi } from './module/emissions.api.js';
import { EmissionsMachine, emissionsSetupFromGenesis, type EmissionsSetup } from './module/emissions.machine.js';
import { EmissionsRepository } from './module/emissions.repository.js';

/** The emissions service: ModuleRuntimeService + EmissionsService on one gRPC port, health on HTTP. */
export function emissionsAppModule(config: EmissionsConfig): DynamicModule {
  return ModuleHostModule.forRoot({
    runtime: {
      inject: [EMISSIONS_SETUP],
      useFactory: async (setup: EmissionsSetup) => {
        const runtime = await ModuleRuntime.open(new EmissionsMachine(setup), new EmissionsRepository(config.databaseUrl));
        return runtime as ModuleRuntime<unknown>;
      },
    },
    controllers: [EmissionsApi],
    providers: [
      {
        provide: EMISSIONS_SETUP,
        useFactory: async () => {
          await cryptoReady();
          return emissionsSetupFromGenesis(genesisFromJson(readFileSync(config.genesisFile, 'utf8')));
        },
      },
    ],
  });
}
