import { FeatureServiceClient, featureClientOptions, type FeatureClientOptions } from '../grpc/feature-client.js';
import type { ErasResponse, NominatorResponse, TotalsResponse, ValidatorsResponse } from './staking.views.js';

const SERVICE = 'balanceai.staking.v1.StakingService';

/** The RPCs of balanceai.staking.v1.StakingService with their request and response shapes (proto-loader camelCase). */
export interface StakingRpcs {
  GetValidators: { request: Record<string, never>; response: ValidatorsResponse };
  GetNominator: { request: { address: string }; response: NominatorResponse };
  GetEras: { request: Record<string, never>; response: ErasResponse };
  GetTotals: { request: Record<string, never>; response: TotalsResponse };
}

export type StakingClientOptions = FeatureClientOptions;

/** The staking service's address and call deadline, from BAI_STAKING_URL / BAI_STAKING_DEADLINE_MS. */
export function stakingClientOptions(env: NodeJS.ProcessEnv = process.env): StakingClientOptions {
  return featureClientOptions(env, 'STAKING', '127.0.0.1:50062', 5000);
}

/** gRPC client of balanceai.staking.v1.StakingService; every failure leaves as a DomainError. */
export class StakingClient {
  private readonly grpc: FeatureServiceClient;

  constructor(options: StakingClientOptions) {
    this.grpc = new FeatureServiceClient(SERVICE, 'staking', 'STAKING', options);
  }

  call<M extends keyof StakingRpcs>(rpc: M, request: StakingRpcs[M]['request']): Promise<StakingRpcs[M]['response']> {
    return this.grpc.unary<StakingRpcs[M]['response']>(rpc, request as object);
  }

  close(): void {
    this.grpc.close();
  }
}
