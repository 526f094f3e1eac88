export { startStaking } from './main.js';
export { loadConfig, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, type StakingConfig } from './config.js';
export {
  DEFAULT_PAYOUT_MODE,
  STAKING_MODULE_ACCOUNT,
  STAKING_MODULE_NAME,
  StakingMachine,
  eraOfHeight,
  stakingSetupFromGenesis,
  withGenesisBonds,
  type GenesisStakingValidator,
  type PayoutMode,
  type StakingSetup,
} from './module/staking.machine.js';
export { HISTORY_DEPTH, decodeStakingModuleState, encodeStakingModuleState, type EraSummary, type StakingModuleState } from './module/staking.state.js';
export { StakingRepository } from './module/staking.repository.js';
export { STAKING_PACKAGE, STAKING_SERVICE } from './module/staking.api.js';
export * as logic from './logic/index.js';
