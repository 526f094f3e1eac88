// The module host: a module writes its pure state machine and its repository; this serves
// balanceai.module.v1.ModuleRuntimeService with replay and idempotent commit (README.md).
export * from './state-machine.js';
export { blockOutput, type LogicCallResult, type LogicEvent } from './block-output.js';
export { ModuleRuntime } from './module-runtime.js';
export { EMPTY_STORAGE, storageView, type ModuleStorageView, type StorageEntryBytes } from './storage-view.js';
export { STATE_WINDOW, StateWindow } from './state-window.js';
export { MAX_STORAGE_KEYS_PAGE, MAX_STORAGE_KEY_BYTES, MAX_STORAGE_READ_KEYS, ModuleStorage, windowSource, type StorageSource } from './module-storage.js';
export { ModuleStorageController } from './storage.controller.js';
export { LOADER_OPTIONS, canonicalJson, protoResponseCodec, type ResponseCodec } from './codec.js';
export { hexToBytes, parseAccount, parseAmount, parseExecuteBlockRequest, parseHex, parseUint64 } from './parse.js';
export { MODULE_RUNTIME, ModuleHealthController, ModuleRuntimeController, toRpcException } from './runtime.controller.js';
export { ModuleHostModule, startModuleApp, type GrpcContract, type ListenOptions, type ModuleHostOptions } from './host.js';
export { MIN_MODULE_TOKEN_LENGTH, MODULE_TOKEN_METADATA_KEY, moduleTokenInterceptor, moduleTokenMatches, moduleTokenMetadata } from './auth.js';
export { ConfigError, loadModuleHostConfig, moduleTokenFrom, portFrom, type ModuleConfigSpec, type ModuleHostConfig } from './config.js';
