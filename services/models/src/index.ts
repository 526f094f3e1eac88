export { startModels } from './main.js';
export { loadConfig, DEFAULT_GRPC_PORT, DEFAULT_HTTP_PORT, type ModelsConfig } from './config.js';
export { MODELS_MODULE_ACCOUNT, MODELS_MODULE_NAME, MODELS_PALLET_INDEX, ModelsMachine, modelsSetupFromGenesis, type ModelsSetup } from './module/models.machine.js';
export { decodeModelsState, encodeModelsState } from './module/models.state.js';
export { modelsStorage, providerInfoValue } from './module/models.storage.js';
export { ModelsRepository } from './module/models.repository.js';
export * as logic from './logic/index.js';
