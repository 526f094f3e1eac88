export * from './errors.js';
export * from './amount.js';
export * from './hex.js';
export * from './hash.js';
export * from './scale.js';
export * from './keys.js';
export * from './ss58.js';
