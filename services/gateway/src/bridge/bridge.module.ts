import { Module } from '@nestjs/common';
import { BridgeController } from './bridge.controller.js';

/** REST routes /v1/bridge/* of the gateway: the Bridge pallet (30) storage read through consensus (global ConsensusClient). */
@Module({ controllers: [BridgeController] })
export class BridgeModule {}
