import { Inject, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ExpertConfig } from './config.js';
import { ExpertController } from './expert.controller.js';
import { ExpertEngine } from './expert-engine.js';

class ExpertLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(ExpertEngine) private readonly engine: ExpertEngine) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.engine.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.close();
  }
}

@Module({})
export class ExpertAppModule {
  static forRoot(config: ExpertConfig): DynamicModule {
    return {
      module: ExpertAppModule,
      controllers: [ExpertController],
      providers: [{ provide: ExpertEngine, useFactory: () => new ExpertEngine(config) }, ExpertLifecycle],
    };
  }
}
