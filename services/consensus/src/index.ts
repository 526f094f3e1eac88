export { startConsensus } from './main.js';
export { loadConfig, type ConsensusConfig } from './config.js';
