import { Controller, Get, HttpException, Inject, Module, Res, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { createMetrics, healthCheck } from '@balanceai/platform';
import type { ExpertConfig } from './config.js';
import { ExpertController } from './expert.controller.js';
import { ExpertEngine } from './expert-engine.js';
import { marketplaceProviders } from './marketplace/marketplace.module.js';

class ExpertLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(ExpertEngine) private readonly engine: ExpertEngine) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.close();
  }
}

/** Probes and metrics on BAI_HTTP_PORT; grpc.health.v1 on the gRPC port. Ready = workers are up. */
@Controller()
class ExpertHealthController {
  private readonly metrics = createMetrics('expert');

  constructor(@Inject(ExpertEngine) private readonly engine: ExpertEngine) {}

  /** Ready while at least one worker process is running (a dead one is being replaced). */
  private get serving(): boolean {
    return this.engine.liveWorkers > 0;
  }

  @Get('healthz')
  healthz() {
    return { status: 'ok' };
  }

  @Get('readyz')
  readyz() {
    const body = { ready: this.serving, workers: this.engine.liveWorkers, configured: this.engine.configuredWorkers };
    if (!body.ready) throw new HttpException(body, 503);
    return body;
  }

  @Get('metrics')
  async metricsText(@Res() reply: { header(name: string, value: string): { send(body: string): unknown } }): Promise<void> {
    reply.header('Content-Type', this.metrics.contentType).send(await this.metrics.metricsText());
  }

  @GrpcMethod('Health', 'Check')
  check(req: { service?: string }) {
    return healthCheck(req.service ?? '', ['balanceai.expert.v1.ExpertService'], this.serving);
  }
}

@Module({})
export class ExpertAppModule {
  static forRoot(config: ExpertConfig): DynamicModule {
    return {
      module: ExpertAppModule,
      controllers: [ExpertController, ExpertHealthController],
      providers: [{ provide: ExpertEngine, useFactory: () => new ExpertEngine(config) }, ExpertLifecycle, ...marketplaceProviders(config)],
    };
  }
}
