import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ExpertClient } from './expert-client.js';
import { ExpertController } from './expert.controller.js';

/** The expert service's address and call deadline, from BAI_EXPERT_URL / BAI_EXPERT_DEADLINE_MS. */
export function expertClientOptions(env: NodeJS.ProcessEnv = process.env): { url: string; deadlineMs: number } {
  const url = env['BAI_EXPERT_URL'] || '127.0.0.1:50070';
  if (!/^[^\s:/]+:\d{1,5}$/.test(url)) throw new Error(`BAI_EXPERT_URL must be host:port, got "${url}"`);
  const rawDeadline = env['BAI_EXPERT_DEADLINE_MS'] || '10000';
  const deadlineMs = Number(rawDeadline);
  if (!Number.isInteger(deadlineMs) || deadlineMs < 100) {
    throw new Error(`BAI_EXPERT_DEADLINE_MS must be an integer ≥ 100, got "${rawDeadline}"`);
  }
  return { url, deadlineMs };
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
