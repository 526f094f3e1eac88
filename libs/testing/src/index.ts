export * from './ports.js';
export * from './nats.js';
export * from './nats-auth.js';
export * from './postgres.js';
export * from './devnet.js';
export * from './byzantine.js';
export * from './grpc-client.js';
export * from './chaos/index.js';
