import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoFile, protoRoot } from '@balanceai/contracts';
import { GRPC_HEALTH_PACKAGE, GRPC_HEALTH_PROTO, GRPC_HEALTH_PROTO_DIR } from '@balanceai/platform';
import { ConsensusModule } from './app.module.js';
import { ConfigError, loadConfig, type ConsensusConfig } from './config.js';

/** Starts a validator's consensus service: gRPC API + HTTP health/metrics. */
export async function startConsensus(config: ConsensusConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(ConsensusModule.forRoot(config), new FastifyAdapter(), {
    logger: ['log', 'warn', 'error'],
  });
  app.connectMicroservice<GrpcOptions>({
    transport: Transport.GRPC,
    options: {
      package: ['balanceai.consensus.v1', GRPC_HEALTH_PACKAGE],
      protoPath: [protoFile('consensus'), GRPC_HEALTH_PROTO],
      url: `${config.grpcHost}:${config.grpcPort}`,
      loader: { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true, includeDirs: [protoRoot, GRPC_HEALTH_PROTO_DIR] },
    },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  return app;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: ConsensusConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`consensus: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  startConsensus(config).catch((err: unknown) => {
    console.error(`consensus failed to start: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  });
}
