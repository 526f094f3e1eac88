export * from './invariants.js';
export * from './transfer-load.js';
export * from './runner.js';
