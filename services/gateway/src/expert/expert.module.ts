import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { featureClientOptions } from '../grpc/feature-client.js';
import { ExpertClient } from './expert-client.js';
import { expertBodyLimit, installExpertBodyHandling } from './expert-body.js';
import { ExpertController, ToolkitRisksController } from './expert.controller.js';

/** Installs the expert routes' body handling on Fastify while providers are built, before any route exists. */
const EXPERT_BODY_HANDLING = Symbol('EXPERT_BODY_HANDLING');

/** The expert service's address and call deadline, from BAI_EXPERT_URL / BAI_EXPERT_DEADLINE_MS. */
export function expertClientOptions(env: NodeJS.ProcessEnv = process.env): { url: string; deadlineMs: number } {
  return featureClientOptions(env, 'EXPERT', '127.0.0.1:50070', 10_000);
}

class ExpertClientCloser implements OnApplicationShutdown {
  constructor(@Inject(ExpertClient) private readonly client: ExpertClient) {}

  onApplicationShutdown(): void {
    this.client.close();
  }
}

/** REST routes /v1/expert/* of the gateway, backed by the expert service over gRPC. */
@Module({
  controllers: [ExpertController, ToolkitRisksController],
  providers: [
    { provide: ExpertClient, useFactory: () => new ExpertClient(expertClientOptions()) },
    ExpertClientCloser,
    {
      provide: EXPERT_BODY_HANDLING,
      inject: [HttpAdapterHost],
      useFactory: (host: HttpAdapterHost) => {
        const fastify = host.httpAdapter?.getInstance?.() as FastifyInstance | undefined;
        if (fastify && typeof fastify.addHook === 'function') installExpertBodyHandling(fastify, expertBodyLimit());
        return true;
      },
    },
  ],
})
export class ExpertModule {}
