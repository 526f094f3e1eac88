import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startModuleApp, type ListenOptions } from '@balanceai/module-host';
import { bridgeAppModule } from './app.module.js';
import { ConfigError, loadConfig, type BridgeConfig } from './config.js';
import type { BridgeSetup } from './module/bridge.machine.js';

/** Starts the bridge service of one validator: gRPC (ModuleRuntimeService, ModuleStorageService) + HTTP health. */
export async function startBridge(
  config: BridgeConfig,
  opts: Pick<ListenOptions, 'logger'> & { setupOf?: (genesisJson: string) => BridgeSetup } = {},
): Promise<NestFastifyApplication> {
  return startModuleApp(bridgeAppModule(config, opts.setupOf), { ...config, logger: opts.logger });
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: BridgeConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`bridge: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  startBridge(config).catch((err: unknown) => {
    console.error(`bridge failed to start: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
