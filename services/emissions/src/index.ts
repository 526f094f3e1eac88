export { startEmissions } from './main.js';
export { loadConfig, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, type EmissionsConfig } from './config.js';
export {
  EMISSIONS_PALLET_INDEX,
  EmissionsMachine,
  emissionsSetupFromGenesis,
  encodeEmissionState,
  type EmissionsModuleState,
  type EmissionsSetup,
  type FundAccounts,
} from './module/emissions.machine.js';
export { EmissionsRepository } from './module/emissions.repository.js';
export { capHeight } from './module/emissions.queries.js';
export * from './schedule/index.js';
