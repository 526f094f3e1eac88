import { Controller, Get, Inject, Res } from '@nestjs/common';
import { createMetrics } from '@balanceai/platform';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ErrorView } from './views.js';

/** Probes for orchestrators, outside /v1 and plain. */
@ApiTags('health')
@Controller()
export class HealthController {
  private readonly metrics = createMetrics('gateway');

  constructor(@Inject(ConsensusClient) private readonly consensus: ConsensusClient) {}

  @Get('metrics')
  @ApiOkResponse({ description: 'Prometheus metrics of the gateway process' })
  async metricsText(@Res() reply: { header(name: string, value: string): { send(body: string): unknown } }): Promise<void> {
    reply.header('Content-Type', this.metrics.contentType).send(await this.metrics.metricsText());
  }

  @Get('healthz')
  @ApiOkResponse({ description: 'the process is up' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ description: 'a validator answers GetChainStatus' })
  @ApiServiceUnavailableResponse({ type: ErrorView, description: 'NODE_UNAVAILABLE' })
  async readyz(): Promise<{ status: 'ready'; validator: string; finalizedHeight: number }> {
    // A short deadline: a probe must answer before the orchestrator's own timeout.
    const status = await this.consensus.call('getChainStatus', {}, 2000);
    return { status: 'ready', validator: this.consensus.currentUrl, finalizedHeight: Number(status.finalizedHeight) };
  }
}
