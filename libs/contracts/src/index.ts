// gRPC contracts generated from proto/ by `npm run build` (ts-proto, nestJs=true). Never edit generated/.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export * as consensusV1 from './generated/balanceai/consensus/v1/consensus.js';

/** Folder holding the .proto sources, for @grpc/proto-loader (Nest's gRPC transport loads them at runtime). */
export const protoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'proto');

/** Path of a contract's .proto file relative to protoRoot, e.g. protoFile('consensus') */
export function protoFile(service: string, version = 'v1'): string {
  return join(protoRoot, 'balanceai', service, version, `${service}.proto`);
}
export * as expertV1 from './generated/balanceai/expert/v1/expert.js';
export * as moduleV1 from './generated/balanceai/module/v1/module.js';
export * as emissionsV1 from './generated/balanceai/emissions/v1/emissions.js';
export * as stakingV1 from './generated/balanceai/staking/v1/staking.js';
export * as modelsV1 from './generated/balanceai/models/v1/models.js';
