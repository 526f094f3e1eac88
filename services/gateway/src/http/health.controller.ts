import { Controller, Get, Inject, Res } from '@nestjs/common';
import { createMetrics } from '@balanceai/platform';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { ConsensusClient } from '../consensus/consensus-client.js';
import { ManagedAccessMeter } from '../models/access-metering.js';
import { ReadinessView } from './views.js';

/** Probes for orchestrators, outside /v1 and plain. */
@ApiTags('health')
@Controller()
export class HealthController {
  private readonly metrics = createMetrics('gateway');

  constructor(
    @Inject(ConsensusClient) private readonly consensus: ConsensusClient,
    @Inject(ManagedAccessMeter) private readonly accessMeter: ManagedAccessMeter,
  ) {}

  @Get('metrics')
  @ApiOkResponse({ description: 'Prometheus metrics of the gateway process' })
  async metricsText(@Res() reply: { header(name: string, value: string): { send(body: string): unknown } }): Promise<void> {
    // The access proxy's counters (bai_access_*) live in its meter's registry, beside the process's.
    const text = `${await this.metrics.metricsText()}\n${await this.accessMeter.registry.metrics()}`;
    reply.header('Content-Type', this.metrics.contentType).send(text);
  }

  @Get('healthz')
  @ApiOkResponse({ description: 'the process is up' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @ApiOkResponse({ type: ReadinessView, description: 'a validator is healthy: answering, not syncing or halted, its finalized height keeping up' })
  @ApiServiceUnavailableResponse({ type: ReadinessView, description: 'no validator is healthy (code NODE_UNAVAILABLE)' })
  async readyz(@Res() reply: { status(code: number): { send(body: ReadinessView): unknown } }): Promise<void> {
    // Before the first poll there is nothing to report; poll now rather than say "not ready" at start.
    await this.consensus.whenPolled();
    const validators = this.consensus.validators();
    const chosen = validators.find((v) => v.chosen);
    if (!chosen) {
      reply.status(503).send({ status: 'unavailable', code: 'NODE_UNAVAILABLE', message: 'no validator is healthy', validator: null, finalizedHeight: null, validators });
      return;
    }
    reply.status(200).send({ status: 'ready', validator: chosen.url, finalizedHeight: chosen.height, validators });
  }
}
