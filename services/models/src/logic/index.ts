// Pure logic of the models marketplace (docs/architecture.md §6): no Nest, no Prisma, no clock; bigint base units.
export * from './types.js';
export * from './yuma.js';
export { NAME_PATTERN, applyCall, draftOf, totalLocked, type CallContext, type Draft } from './calls.js';
export * from './era.js';
export * from './block.js';
