// Pure staking logic (docs/architecture.md §5): no Nest, no Prisma, no clock; bigint base units.
export * from './arith.js';
export * from './types.js';
export { applyCall, chillStaker, cloneState, totalBonded, type CallOutcome } from './calls.js';
export * from './era.js';
export * from './phragmen.js';
export * from './slashing.js';
export * from './block.js';
