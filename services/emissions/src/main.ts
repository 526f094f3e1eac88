import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { emissionsV1, protoFile } from '@balanceai/contracts';
import { startModuleApp, type ListenOptions } from '@balanceai/module-host';
import { emissionsAppModule } from './app.module.js';
import { ConfigError, loadConfig, type EmissionsConfig } from './config.js';

/** Starts the emissions service of one validator: gRPC (ModuleRuntimeService, EmissionsService) + HTTP health. */
export async function startEmissions(config: EmissionsConfig, opts: Pick<ListenOptions, 'logger'> = {}): Promise<NestFastifyApplication> {
  return startModuleApp(emissionsAppModule(config), {
    ...config,
    ...opts,
    contracts: [{ package: emissionsV1.BALANCEAI_EMISSIONS_V1_PACKAGE_NAME, protoPath: protoFile('emissions') }],
  });
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: EmissionsConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`emissions: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  startEmissions(config).catch((err: unknown) => {
    console.error(`emissions failed to start: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
