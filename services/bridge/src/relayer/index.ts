// The bridge relayer: the chain-independent loop (relayer.ts) and its adapters (ports.ts, bai-gateway.ts).
export * from './relayer.js';
export * from './ports.js';
export * from './bai-gateway.js';
export * from './http-board.js';
export { RelayerConfigError, loadRelayerConfig, startRelayer, type RelayerConfig } from './main.js';
export * from './devnet.js';
