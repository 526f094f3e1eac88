export { startBridge } from './main.js';
export { loadConfig, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, type BridgeConfig } from './config.js';
export { BRIDGE_MODULE_ACCOUNT, BRIDGE_MODULE_NAME, BRIDGE_PALLET_INDEX, BridgeMachine, bridgeSetupFromGenesis, type BridgeSetup } from './module/bridge.machine.js';
export { decodeBridgeState, encodeBridgeState } from './module/bridge.state.js';
export { bridgeStorage, burnInfoValue, lockInfoValue } from './module/bridge.storage.js';
export { BridgeRepository } from './module/bridge.repository.js';
export * as logic from './logic/index.js';
