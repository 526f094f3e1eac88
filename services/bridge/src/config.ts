import { loadModuleHostConfig, type ModuleHostConfig } from '@balanceai/module-host';

export { ConfigError } from '@balanceai/module-host';

export type BridgeConfig = ModuleHostConfig;

export const DEFAULT_GRPC_PORT = 50064;
export const DEFAULT_HTTP_PORT = 9621;

/**
 * BAI_GENESIS_FILE, DATABASE_URL (schema `bridge`), BAI_BRIDGE_GRPC_PORT (50064), BAI_GRPC_HOST,
 * BAI_HTTP_PORT (9621), BAI_HTTP_HOST; read once at start-up, failing fast with the variable's name.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  return loadModuleHostConfig({ grpcPortVariable: 'BAI_BRIDGE_GRPC_PORT', defaultGrpcPort: DEFAULT_GRPC_PORT, defaultHttpPort: DEFAULT_HTTP_PORT }, env);
}
