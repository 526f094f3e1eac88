import { readFileSync } from 'node:fs';
import type { DynamicModule } from '@nestjs/common';
import { cryptoReady, genesisFromJson } from '@balanceai/chain';
import { ModuleHostModule, ModuleRuntime } from '@balanceai/module-host';
import type { BridgeConfig } from './config.js';
import { BridgeMachine, bridgeSetupFromGenesis, type BridgeSetup } from './module/bridge.machine.js';
import { BridgeRepository } from './module/bridge.repository.js';

const BRIDGE_SETUP = Symbol('BRIDGE_SETUP');

/** The bridge service: ModuleRuntimeService + ModuleStorageService on one gRPC port, health on HTTP. */
export function bridgeAppModule(config: BridgeConfig, setupOf: (genesisJson: string) => BridgeSetup = (json) => bridgeSetupFromGenesis(genesisFromJson(json))): DynamicModule {
  return ModuleHostModule.forRoot({
    runtime: {
      inject: [BRIDGE_SETUP],
      useFactory: async (setup: BridgeSetup) => {
        const runtime = await ModuleRuntime.open(new BridgeMachine(setup), new BridgeRepository(config.databaseUrl));
        return runtime as ModuleRuntime<unknown>;
      },
    },
    providers: [
      {
        provide: BRIDGE_SETUP,
        useFactory: async () => {
          await cryptoReady();
          return setupOf(readFileSync(config.genesisFile, 'utf8'));
        },
      },
    ],
  });
}
