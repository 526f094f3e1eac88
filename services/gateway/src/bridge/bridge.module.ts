import { Module } from '@nestjs/common';
import { BridgeController } from './bridge.controller.js';
import { BridgeEthereum, bridgeEthereumOptions } from './bridge.ethereum.js';

/**
 * REST routes /v1/bridge/* of the gateway: the Bridge pallet (30) storage read through consensus (global
 * ConsensusClient), and the Ethereum half (relayer boards, BaiBridge/wBAI over JSON-RPC) when configured:
 * BAI_BRIDGE_RELAYER_URLS, BAI_BRIDGE_ETH_RPC_URL, BAI_BRIDGE_CONTRACT, BAI_BRIDGE_CONFIRMATIONS.
 */
@Module({ controllers: [BridgeController], providers: [{ provide: BridgeEthereum, useFactory: () => new BridgeEthereum(bridgeEthereumOptions(process.env)) }] })
export class BridgeModule {}
