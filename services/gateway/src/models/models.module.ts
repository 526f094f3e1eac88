import { Module } from '@nestjs/common';
import { ModelsController } from './models.controller.js';

/** REST routes /v1/models/* of the gateway: the Models pallet storage read through consensus (global ConsensusClient). */
@Module({ controllers: [ModelsController] })
export class ModelsModule {}
