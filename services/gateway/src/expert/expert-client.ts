import { expertV1 } from '@balanceai/contracts';
import { FeatureServiceClient, type FeatureClientOptions } from '../grpc/feature-client.js';

const SERVICE = `${expertV1.BALANCEAI_EXPERT_V1_PACKAGE_NAME}.${expertV1.EXPERT_SERVICE_NAME}`;

type ExpertApi = expertV1.ExpertServiceController;
type ExpertRpc = keyof ExpertApi;
type RequestOf<M extends ExpertRpc> = Parameters<ExpertApi[M]>[0];
type ResponseOf<M extends ExpertRpc> = Awaited<Extract<ReturnType<ExpertApi[M]>, Promise<unknown>>>;

const RPC_NAMES: Record<ExpertRpc, string> = { listModels: 'ListModels', getModel: 'GetModel', evaluate: 'Evaluate' };

/** Deadline of one call is above the expert's own evaluation time limit, so its EVALUATION_TIMEOUT arrives. */
export type ExpertClientOptions = FeatureClientOptions;

/** gRPC client of balanceai.expert.v1.ExpertService; every failure leaves as a DomainError. */
export class ExpertClient {
  private readonly grpc: FeatureServiceClient;

  constructor(options: ExpertClientOptions) {
    this.grpc = new FeatureServiceClient(SERVICE, 'expert', 'EXPERT', options);
  }

  call<M extends ExpertRpc>(rpc: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    return this.grpc.unary<ResponseOf<M>>(RPC_NAMES[rpc], request as object);
  }

  close(): void {
    this.grpc.close();
  }
}
