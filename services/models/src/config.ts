import { loadModuleHostConfig, type ModuleHostConfig } from '@balanceai/module-host';

export { ConfigError } from '@balanceai/module-host';

export type ModelsConfig = ModuleHostConfig;

export const DEFAULT_GRPC_PORT = 50063;
export const DEFAULT_HTTP_PORT = 9618;

/**
 * BAI_GENESIS_FILE, DATABASE_URL (schema `models`), BAI_MODELS_GRPC_PORT (50063), BAI_GRPC_HOST,
 * BAI_HTTP_PORT (9618), BAI_HTTP_HOST; read once at start-up, failing fast with the variable's name.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ModelsConfig {
  return loadModuleHostConfig({ grpcPortVariable: 'BAI_MODELS_GRPC_PORT', defaultGrpcPort: DEFAULT_GRPC_PORT, defaultHttpPort: DEFAULT_HTTP_PORT }, env);
}
