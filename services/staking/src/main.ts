import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { protoFile } from '@balanceai/contracts';
import { startModuleApp, type ListenOptions } from '@balanceai/module-host';
import { stakingAppModule } from './app.module.js';
import { ConfigError, loadConfig, type StakingConfig } from './config.js';
import { STAKING_PACKAGE } from './module/staking.api.js';
import type { StakingSetup } from './module/staking.machine.js';

/** Starts the staking service of one validator: gRPC (ModuleRuntimeService, StakingService) + HTTP health. */
export async function startStaking(
  config: StakingConfig,
  opts: Pick<ListenOptions, 'logger'> & { setupOf?: (genesisJson: string) => StakingSetup } = {},
): Promise<NestFastifyApplication> {
  return startModuleApp(stakingAppModule(config, opts.setupOf), {
    ...config,
    logger: opts.logger,
    contracts: [{ package: STAKING_PACKAGE, protoPath: protoFile('staking') }],
  });
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: StakingConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`staking: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  startStaking(config).catch((err: unknown) => {
    console.error(`staking failed to start: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
