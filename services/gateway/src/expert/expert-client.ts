import { credentials, makeGenericClientConstructor, Metadata, status as GrpcStatus, type Client, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { expertV1, protoFile } from '@balanceai/contracts';
import { DomainError, ERROR_CODE_METADATA_KEY, fromGrpcError } from '@balanceai/platform';

const SERVICE = `${expertV1.BALANCEAI_EXPERT_V1_PACKAGE_NAME}.${expertV1.EXPERT_SERVICE_NAME}`;
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

type ExpertApi = expertV1.ExpertServiceController;
type ExpertRpc = keyof ExpertApi;
type RequestOf<M extends ExpertRpc> = Parameters<ExpertApi[M]>[0];
type ResponseOf<M extends ExpertRpc> = Awaited<Extract<ReturnType<ExpertApi[M]>, Promise<unknown>>>;

const RPC_NAMES: Record<ExpertRpc, string> = { listModels: 'ListModels', getModel: 'GetModel', evaluate: 'Evaluate' };

export interface ExpertClientOptions {
  /** host:port of the expert service. */
  url: string;
  /** Deadline of one call; above the expert's own evaluation time limit so its EVALUATION_TIMEOUT arrives. */
  deadlineMs: number;
}

/** gRPC client of balanceai.expert.v1.ExpertService; every failure leaves as a DomainError. */
export class ExpertClient {
  private readonly client: Client;
  private readonly methods: Record<string, MethodDefinition<object, object>>;

  constructor(private readonly options: ExpertClientOptions) {
    const definition = loadSync(protoFile('expert'), LOADER_OPTIONS);
    const service = definition[SERVICE];
    if (!service || !('Evaluate' in service)) throw new Error(`${SERVICE} missing from the proto definition`);
    this.methods = service as Record<string, MethodDefinition<object, object>>;
    const Constructor = makeGenericClientConstructor({}, SERVICE);
    this.client = new Constructor(options.url, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  call<M extends ExpertRpc>(rpc: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    const method = this.methods[RPC_NAMES[rpc]] as MethodDefinition<object, object>;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method.path, method.requestSerialize, method.responseDeserialize, request as object, new Metadata(),
        { deadline: Date.now() + this.options.deadlineMs },
        (err: ServiceError | null, response?: object) => {
          // proto-loader decodes with the contract's loader options, so the object has the generated shape.
          if (err) reject(toDomainError(err));
          else resolve(response as unknown as ResponseOf<M>);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

function toDomainError(err: ServiceError): DomainError {
  // Without a domain code the expert service itself did not answer (down, or past the deadline).
  const hasCode = err.metadata?.get(ERROR_CODE_METADATA_KEY)?.length;
  if (!hasCode && (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED)) {
    return new DomainError('EXPERT_UNAVAILABLE', 'the expert service is unreachable', 'unavailable');
  }
  return fromGrpcError(err);
}
