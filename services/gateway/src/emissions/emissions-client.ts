import { credentials, makeGenericClientConstructor, Metadata, status as GrpcStatus, type Client, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { emissionsV1, protoFile } from '@balanceai/contracts';
import { DomainError, ERROR_CODE_METADATA_KEY, fromGrpcError } from '@balanceai/platform';
import type { Observable } from 'rxjs';

const SERVICE = `${emissionsV1.BALANCEAI_EMISSIONS_V1_PACKAGE_NAME}.${emissionsV1.EMISSIONS_SERVICE_NAME}`;
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

type EmissionsApi = emissionsV1.EmissionsServiceClient;
type EmissionsRpc = keyof EmissionsApi;
type RequestOf<M extends EmissionsRpc> = Parameters<EmissionsApi[M]>[0];
type ResponseOf<M extends EmissionsRpc> = ReturnType<EmissionsApi[M]> extends Observable<infer R> ? R : never;

const RPC_NAMES: Record<EmissionsRpc, string> = { getSchedule: 'GetSchedule', getIssuanceCurve: 'GetIssuanceCurve', getFunds: 'GetFunds' };

export interface EmissionsClientOptions {
  /** host:port of the emissions service. */
  url: string;
  deadlineMs: number;
}

/** The emissions service's address and call deadline, from BAI_EMISSIONS_URL / BAI_EMISSIONS_DEADLINE_MS. */
export function emissionsClientOptions(env: NodeJS.ProcessEnv = process.env): EmissionsClientOptions {
  const url = env['BAI_EMISSIONS_URL'] || '127.0.0.1:50061';
  if (!/^[^\s:/]+:\d{1,5}$/.test(url)) throw new Error(`BAI_EMISSIONS_URL must be host:port, got "${url}"`);
  const rawDeadline = env['BAI_EMISSIONS_DEADLINE_MS'] || '5000';
  const deadlineMs = Number(rawDeadline);
  if (!Number.isInteger(deadlineMs) || deadlineMs < 100) throw new Error(`BAI_EMISSIONS_DEADLINE_MS must be an integer ≥ 100, got "${rawDeadline}"`);
  return { url, deadlineMs };
}

/** gRPC client of balanceai.emissions.v1.EmissionsService; every failure leaves as a DomainError. */
export class EmissionsClient {
  private readonly client: Client;
  private readonly methods: Record<string, MethodDefinition<object, object>>;

  constructor(private readonly options: EmissionsClientOptions) {
    const definition = loadSync(protoFile('emissions'), LOADER_OPTIONS);
    const service = definition[SERVICE];
    if (!service || !('GetSchedule' in service)) throw new Error(`${SERVICE} missing from the proto definition`);
    this.methods = service as Record<string, MethodDefinition<object, object>>;
    const Constructor = makeGenericClientConstructor({}, SERVICE);
    this.client = new Constructor(options.url, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  call<M extends EmissionsRpc>(rpc: M, request: RequestOf<M>): Promise<ResponseOf<M>> {
    const method = this.methods[RPC_NAMES[rpc]] as MethodDefinition<object, object>;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method.path, method.requestSerialize, method.responseDeserialize, request as object, new Metadata(),
        { deadline: Date.now() + this.options.deadlineMs },
        (err: ServiceError | null, response?: object) => {
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
  // Without a domain code the emissions service itself did not answer (down, or past the deadline).
  const hasCode = err.metadata?.get(ERROR_CODE_METADATA_KEY)?.length;
  if (!hasCode && (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED)) {
    return new DomainError('EMISSIONS_UNAVAILABLE', 'the emissions service is unreachable', 'unavailable');
  }
  return fromGrpcError(err);
}
