export * from './errors.js';
export * from './prisma.js';
