import { Module } from '@nestjs/common';
import { ManagedAccessMeter } from './access-metering.js';
import { ModelsController } from './models.controller.js';

/**
 * REST routes /v1/models/* of the gateway: the Models pallet storage read through consensus (global
 * ConsensusClient); and the access proxy's metering (NATS + counters), which app.ts hands to registerAccessProxy.
 */
@Module({ controllers: [ModelsController], providers: [ManagedAccessMeter], exports: [ManagedAccessMeter] })
export class ModelsModule {}
