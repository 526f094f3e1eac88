import { credentials, makeGenericClientConstructor, Metadata, status as GrpcStatus, type Client, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { expertV1, protoFile } from '@balanceai/contracts';
import { DomainError, ERROR_CODE_METADATA_KEY, fromGrpcError, injectGrpcMetadata } from '@balanceai/platform';
import { FeatureServiceClient, type FeatureClientOptions } from '../grpc/feature-client.js';

const SERVICE = `${expertV1.BALANCEAI_EXPERT_V1_PACKAGE_NAME}.${expertV1.EXPERT_SERVICE_NAME}`;

type ExpertApi = expertV1.ExpertServiceController;
type ExpertRpc = Exclude<keyof ExpertApi, 'addModel'>;
type RequestOf<M extends keyof ExpertApi> = Parameters<ExpertApi[M]>[0];
type ResponseOf<M extends keyof ExpertApi> = Awaited<Extract<ReturnType<ExpertApi[M]>, Promise<unknown>>>;

const RPC_NAMES: Record<ExpertRpc, string> = { listModels: 'ListModels', getModel: 'GetModel', evaluate: 'Evaluate' };

/** Deadline of one call is above the expert's own evaluation time limit, so its EVALUATION_TIMEOUT arrives. */
export type ExpertClientOptions = FeatureClientOptions;

/** Header the gateway reads the expert admin token from, and the gRPC metadata key it forwards it as. */
export const ADMIN_TOKEN_METADATA = 'bai-admin-token';
/** An admin token as a header can carry it and gRPC metadata can forward it (empty: none sent). */
const ADMIN_TOKEN_TEXT = /^[\x21-\x7e]{0,1024}$/;

/** gRPC client of balanceai.expert.v1.ExpertService; every failure leaves as a DomainError. */
export class ExpertClient {
  private readonly grpc: FeatureServiceClient;
  private readonly admin: Client;
  private readonly addModelMethod: MethodDefinition<object, object>;

  constructor(private readonly options: ExpertClientOptions) {
    this.grpc = new FeatureServiceClient(SERVICE, 'expert', 'EXPERT', options);
    // AddModel carries the admin token in its metadata, which the shared feature client does not send.
    const definition = loadSync(protoFile('expert'), { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true });
    this.addModelMethod = (definition[SERVICE] as Record<string, MethodDefinition<object, object>>)['AddModel'] as MethodDefinition<object, object>;
    const Constructor = makeGenericClientConstructor({}, SERVICE);
    this.admin = new Constructor(options.url, credentials.createInsecure());
  }

  call<M extends ExpertRpc>(rpc: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    return this.grpc.unary<ResponseOf<M>>(RPC_NAMES[rpc], request as object);
  }

  addModel(request: RequestOf<'addModel'>, adminToken: string): Promise<ResponseOf<'addModel'>> {
    // gRPC metadata takes printable ASCII only (grpc-js throws on anything else): no real token is refused.
    if (!ADMIN_TOKEN_TEXT.test(adminToken)) return Promise.reject(new DomainError('MODEL_ADMIN_DENIED', 'the admin token is not valid', 'forbidden'));
    const metadata = injectGrpcMetadata(new Metadata());
    if (adminToken) metadata.set(ADMIN_TOKEN_METADATA, adminToken);
    const m = this.addModelMethod;
    return new Promise((resolve, reject) => {
      this.admin.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, metadata,
        { deadline: Date.now() + this.options.deadlineMs },
        (err: ServiceError | null, response?: object) => {
          if (!err) return resolve(response as ResponseOf<'addModel'>);
          const hasCode = err.metadata?.get(ERROR_CODE_METADATA_KEY)?.length;
          if (!hasCode && (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED)) {
            return reject(new DomainError('EXPERT_UNAVAILABLE', 'the expert service is unreachable', 'unavailable'));
          }
          reject(fromGrpcError(err));
        });
    });
  }

  close(): void {
    this.grpc.close();
    this.admin.close();
  }
}
