import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EmissionsClient, emissionsClientOptions } from './emissions-client.js';
import { EmissionsController } from './emissions.controller.js';

class EmissionsClientCloser implements OnApplicationShutdown {
  constructor(@Inject(EmissionsClient) private readonly client: EmissionsClient) {}

  onApplicationShutdown(): void {
    this.client.close();
  }
}

/** REST routes /v1/emissions/* of the gateway, backed by the emissions service (BAI_EMISSIONS_URL) over gRPC. */
@Module({
  controllers: [EmissionsController],
  providers: [{ provide: EmissionsClient, useFactory: () => new EmissionsClient(emissionsClientOptions()) }, EmissionsClientCloser],
})
export class EmissionsModule {}
