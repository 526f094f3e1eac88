import { emissionsV1 } from '@balanceai/contracts';
import { FeatureServiceClient, featureClientOptions, type FeatureClientOptions } from '../grpc/feature-client.js';
import type { Observable } from 'rxjs';

const SERVICE = `${emissionsV1.BALANCEAI_EMISSIONS_V1_PACKAGE_NAME}.${emissionsV1.EMISSIONS_SERVICE_NAME}`;

type EmissionsApi = emissionsV1.EmissionsServiceClient;
type EmissionsRpc = keyof EmissionsApi;
type RequestOf<M extends EmissionsRpc> = Parameters<EmissionsApi[M]>[0];
type ResponseOf<M extends EmissionsRpc> = ReturnType<EmissionsApi[M]> extends Observable<infer R> ? R : never;

const RPC_NAMES: Record<EmissionsRpc, string> = { getSchedule: 'GetSchedule', getIssuanceCurve: 'GetIssuanceCurve', getFunds: 'GetFunds' };

export type EmissionsClientOptions = FeatureClientOptions;

/** The emissions service's address and call deadline, from BAI_EMISSIONS_URL / BAI_EMISSIONS_DEADLINE_MS. */
export function emissionsClientOptions(env: NodeJS.ProcessEnv = process.env): EmissionsClientOptions {
  return featureClientOptions(env, 'EMISSIONS', '127.0.0.1:50061', 5000);
}

/** gRPC client of balanceai.emissions.v1.EmissionsService; every failure leaves as a DomainError. */
export class EmissionsClient {
  private readonly grpc: FeatureServiceClient;

  constructor(options: EmissionsClientOptions) {
    this.grpc = new FeatureServiceClient(SERVICE, 'emissions', 'EMISSIONS', options);
  }

  call<M extends EmissionsRpc>(rpc: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    return this.grpc.unary<ResponseOf<M>>(RPC_NAMES[rpc], request as object);
  }

  close(): void {
    this.grpc.close();
  }
}
