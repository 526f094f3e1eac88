import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoFile, protoRoot, expertV1 } from '@balanceai/contracts';
import { GRPC_HEALTH_PACKAGE, GRPC_HEALTH_PROTO, GRPC_HEALTH_PROTO_DIR } from '@balanceai/platform';
import { ExpertAppModule } from './app.module.js';
import type { ExpertConfig } from './config.js';
import { ExpertEngine } from './expert-engine.js';

export { loadExpertConfig, type ExpertConfig } from './config.js';
export { ExpertEngine, openAccess, type ModelAccessPolicy } from './expert-engine.js';

export interface ExpertApp {
  app: NestFastifyApplication;
  engine: ExpertEngine;
  /** host:port the gRPC server listens on. */
  url: string;
  close(): Promise<void>;
}

/** The gRPC loader options every BalanceAI service uses, so clients and servers agree on field shapes. */
export const grpcLoaderOptions = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true };

/** Builds and starts the expert service: workers spawned, models loaded, gRPC listening. */
export async function createExpertApp(config: ExpertConfig): Promise<ExpertApp> {
  const url = `${config.grpcHost}:${config.grpcPort}`;
  // HTTP for probes and metrics, gRPC for the ExpertService and grpc.health.v1.
  const app = await NestFactory.create<NestFastifyApplication>(ExpertAppModule.forRoot(config), new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  app.connectMicroservice<GrpcOptions>({
    transport: Transport.GRPC,
    options: {
      package: [expertV1.BALANCEAI_EXPERT_V1_PACKAGE_NAME, GRPC_HEALTH_PACKAGE],
      protoPath: [protoFile('expert'), GRPC_HEALTH_PROTO],
      url,
      loader: { ...grpcLoaderOptions, includeDirs: [protoRoot, GRPC_HEALTH_PROTO_DIR] },
      // Above the request limit, so a large request meets REQUEST_TOO_LARGE (with its code) rather than
      // gRPC's own RESOURCE_EXHAUSTED; only messages above this reach gRPC's refusal.
      maxReceiveMessageLength: config.grpcMaxMessageBytes,
    },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(config.httpPort, config.httpHost);
  return { app, engine: app.get(ExpertEngine), url, close: () => app.close() };
}
