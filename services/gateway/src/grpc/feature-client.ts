import { credentials, makeGenericClientConstructor, Metadata, status as GrpcStatus, type Client, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoFile } from '@balanceai/contracts';
import { DomainError, ERROR_CODE_METADATA_KEY, fromGrpcError, injectGrpcMetadata } from '@balanceai/platform';

const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

export interface FeatureClientOptions {
  /** host:port of the service. */
  url: string;
  deadlineMs: number;
}

/** A feature service's address and deadline from BAI_<NAME>_URL / BAI_<NAME>_DEADLINE_MS, checked once. */
export function featureClientOptions(env: NodeJS.ProcessEnv, name: string, defaultUrl: string, defaultDeadlineMs: number): FeatureClientOptions {
  const urlVar = `BAI_${name}_URL`;
  const deadlineVar = `BAI_${name}_DEADLINE_MS`;
  const url = env[urlVar] || defaultUrl;
  if (!/^[^\s:/]+:\d{1,5}$/.test(url)) throw new Error(`${urlVar} must be host:port, got "${url}"`);
  const rawDeadline = env[deadlineVar] || String(defaultDeadlineMs);
  const deadlineMs = Number(rawDeadline);
  if (!Number.isInteger(deadlineMs) || deadlineMs < 100) throw new Error(`${deadlineVar} must be an integer ≥ 100, got "${rawDeadline}"`);
  return { url, deadlineMs };
}

/**
 * A unary gRPC client of one of the services the gateway fronts (emissions, staking, expert): the
 * trace context travels in the metadata, and every failure leaves as a DomainError — a service that does
 * not answer is `<NAME>_UNAVAILABLE` (503), its own refusals keep their code.
 */
export class FeatureServiceClient {
  private readonly client: Client;
  private readonly methods: Record<string, MethodDefinition<object, object>>;

  constructor(
    /** Fully qualified service name, e.g. balanceai.staking.v1.StakingService. */
    private readonly service: string,
    /** Contract name for protoFile(): 'staking'. */
    contract: string,
    /** Upper-case label for the unavailable code: 'STAKING'. */
    private readonly label: string,
    private readonly options: FeatureClientOptions,
  ) {
    const definition = loadSync(protoFile(contract), LOADER_OPTIONS);
    const methods = definition[service];
    if (!methods) throw new Error(`${service} missing from the proto definition`);
    this.methods = methods as Record<string, MethodDefinition<object, object>>;
    const Constructor = makeGenericClientConstructor({}, service);
    this.client = new Constructor(options.url, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  /** Calls `method` (PascalCase, as in the .proto); proto-loader decodes with the contracts' loader options. */
  unary<Res>(method: string, request: object): Promise<Res> {
    const m = this.methods[method];
    if (!m) return Promise.reject(new DomainError('INTERNAL', `${this.service} has no method ${method}`, 'internal'));
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        m.path,
        m.requestSerialize,
        m.responseDeserialize,
        request,
        injectGrpcMetadata(new Metadata()),
        { deadline: Date.now() + this.options.deadlineMs },
        (err: ServiceError | null, response?: object) => {
          if (err) reject(this.toDomainError(err));
          else resolve(response as Res);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }

  private toDomainError(err: ServiceError): DomainError {
    // Without a domain code the service itself did not answer (down, or past the deadline).
    const hasCode = err.metadata?.get(ERROR_CODE_METADATA_KEY)?.length;
    if (!hasCode && (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED)) {
      return new DomainError(`${this.label}_UNAVAILABLE`, `the ${this.label.toLowerCase()} service is unreachable`, 'unavailable');
    }
    return fromGrpcError(err);
  }
}
