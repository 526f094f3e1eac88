import { Logger } from '@nestjs/common';
import { createGatewayApp } from './app.js';
import { ConfigError, loadGatewayConfig } from './config/gateway-config.js';

const logger = new Logger('Gateway');

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.error(`invalid configuration: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const app = await createGatewayApp(config);
  await app.listen(config.port, config.host);
  logger.log(`listening on ${await app.getUrl()} (chain ${config.chainId}, validators ${config.consensusUrls.join(', ')})`);
}

main().catch((err: unknown) => {
  logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
