import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import type { INestMicroservice } from '@nestjs/common';
import { protoFile, protoRoot, expertV1 } from '@balanceai/contracts';
import { ExpertAppModule } from './app.module.js';
import type { ExpertConfig } from './config.js';
import { ExpertEngine } from './expert-engine.js';

export { loadExpertConfig, type ExpertConfig } from './config.js';
export { ExpertEngine, openAccess, type ModelAccessPolicy } from './expert-engine.js';

export interface ExpertApp {
  app: INestMicroservice;
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
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ExpertAppModule.forRoot(config), {
    transport: Transport.GRPC,
    options: {
      package: expertV1.BALANCEAI_EXPERT_V1_PACKAGE_NAME,
      protoPath: protoFile('expert'),
      url,
      loader: { ...grpcLoaderOptions, includeDirs: [protoRoot] },
    },
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen();
  return { app, engine: app.get(ExpertEngine), url, close: () => app.close() };
}
