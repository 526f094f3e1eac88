export * from './errors.js';
export * from './prisma.js';
export * from './telemetry/index.js';
export * from './metrics/index.js';
export * from './grpc-health.js';
