import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { featureClientOptions } from '../grpc/feature-client.js';
import { ExpertClient } from './expert-client.js';
import { ExpertController } from './expert.controller.js';

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
  controllers: [ExpertController],
  providers: [{ provide: ExpertClient, useFactory: () => new ExpertClient(expertClientOptions()) }, ExpertClientCloser],
})
export class ExpertModule {}
