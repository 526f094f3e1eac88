// Pure logic of the Interlink bridge (docs/architecture.md §7): no Nest, no Prisma, no clock; bigint base units.
export * from './types.js';
export * from './block.js';
