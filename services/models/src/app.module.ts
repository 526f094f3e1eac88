import { readFileSync } from 'node:fs';
import type { DynamicModule } from '@nestjs/common';
import { cryptoReady, genesisFromJson } from '@balanceai/chain';
import { ModuleHostModule, ModuleRuntime } from '@balanceai/module-host';
import type { ModelsConfig } from './config.js';
import { ModelsMachine, modelsSetupFromGenesis, type ModelsSetup } from './module/models.machine.js';
import { ModelsApi } from './module/models.api.js';
import { ModelsRepository } from './module/models.repository.js';

const MODELS_SETUP = Symbol('MODELS_SETUP');

/** The models service: ModuleRuntimeService + ModuleStorageService + ModelsService on one gRPC port, health on HTTP. */
export function modelsAppModule(config: ModelsConfig, setupOf: (genesisJson: string) => ModelsSetup = (json) => modelsSetupFromGenesis(genesisFromJson(json))): DynamicModule {
  return ModuleHostModule.forRoot({
    runtime: {
      inject: [MODELS_SETUP],
      useFactory: async (setup: ModelsSetup) => {
        const runtime = await ModuleRuntime.open(new ModelsMachine(setup), new ModelsRepository(config.databaseUrl));
        return runtime as ModuleRuntime<unknown>;
      },
    },
    controllers: [ModelsApi],
    providers: [
      {
        provide: MODELS_SETUP,
        useFactory: async () => {
          await cryptoReady();
          return setupOf(readFileSync(config.genesisFile, 'utf8'));
        },
      },
    ],
  });
}
