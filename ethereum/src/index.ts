export * from './errors.js';
export * from './eip712.js';
export * from './client.js';
export * from './burn-watcher.js';
export * from './invariant.js';
export * from './anvil.js';
export { baiBridgeAbi, wrappedBaiAbi, compiler } from './generated/contracts.js';
