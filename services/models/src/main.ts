import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { protoFile } from '@balanceai/contracts';
import { startModuleApp, type ListenOptions } from '@balanceai/module-host';
import { modelsAppModule } from './app.module.js';
import { ConfigError, loadConfig, type ModelsConfig } from './config.js';
import { MODELS_PACKAGE } from './module/models.api.js';
import type { ModelsSetup } from './module/models.machine.js';

/** Starts the models service of one validator: gRPC (ModuleRuntimeService, ModuleStorageService, ModelsService) + HTTP health. */
export async function startModels(
  config: ModelsConfig,
  opts: Pick<ListenOptions, 'logger'> & { setupOf?: (genesisJson: string) => ModelsSetup } = {},
): Promise<NestFastifyApplication> {
  return startModuleApp(modelsAppModule(config, opts.setupOf), {
    ...config,
    logger: opts.logger,
    contracts: [{ package: MODELS_PACKAGE, protoPath: protoFile('models'), guarded: true }],
  });
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: ModelsConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`models: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  startModels(config).catch((err: unknown) => {
    console.error(`models failed to start: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
