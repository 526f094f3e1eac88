import { credentials, makeGenericClientConstructor, Metadata, status as GrpcStatus, type Client, type MethodDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoFile } from '@balanceai/contracts';
import { DomainError, ERROR_CODE_METADATA_KEY, fromGrpcError } from '@balanceai/platform';
import type { ErasResponse, NominatorResponse, TotalsResponse, ValidatorsResponse } from './staking.views.js';

const SERVICE = 'balanceai.staking.v1.StakingService';
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

/** The RPCs of balanceai.staking.v1.StakingService with their request and response shapes (proto-loader camelCase). */
export interface StakingRpcs {
  GetValidators: { request: Record<string, never>; response: ValidatorsResponse };
  GetNominator: { request: { address: string }; response: NominatorResponse };
  GetEras: { request: Record<string, never>; response: ErasResponse };
  GetTotals: { request: Record<string, never>; response: TotalsResponse };
}

export interface StakingClientOptions {
  /** host:port of the staking service. */
  url: string;
  deadlineMs: number;
}

/** The staking service's address and call deadline, from BAI_STAKING_URL / BAI_STAKING_DEADLINE_MS. */
export function stakingClientOptions(env: NodeJS.ProcessEnv = process.env): StakingClientOptions {
  const url = env['BAI_STAKING_URL'] || '127.0.0.1:50062';
  if (!/^[^\s:/]+:\d{1,5}$/.test(url)) throw new Error(`BAI_STAKING_URL must be host:port, got "${url}"`);
  const rawDeadline = env['BAI_STAKING_DEADLINE_MS'] || '5000';
  const deadlineMs = Number(rawDeadline);
  if (!Number.isInteger(deadlineMs) || deadlineMs < 100) throw new Error(`BAI_STAKING_DEADLINE_MS must be an integer ≥ 100, got "${rawDeadline}"`);
  return { url, deadlineMs };
}

/** gRPC client of balanceai.staking.v1.StakingService; every failure leaves as a DomainError. */
export class StakingClient {
  private readonly client: Client;
  private readonly methods: Record<string, MethodDefinition<object, object>>;

  constructor(private readonly options: StakingClientOptions) {
    const definition = loadSync(protoFile('staking'), LOADER_OPTIONS);
    const service = definition[SERVICE];
    if (!service || !('GetValidators' in service)) throw new Error(`${SERVICE} missing from the proto definition`);
    this.methods = service as Record<string, MethodDefinition<object, object>>;
    const Constructor = makeGenericClientConstructor({}, SERVICE);
    this.client = new Constructor(options.url, credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
  }

  call<M extends keyof StakingRpcs>(rpc: M, request: StakingRpcs[M]['request']): Promise<StakingRpcs[M]['response']> {
    const method = this.methods[rpc] as MethodDefinition<object, object>;
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        method.path, method.requestSerialize, method.responseDeserialize, request as object, new Metadata(),
        { deadline: Date.now() + this.options.deadlineMs },
        (err: ServiceError | null, response?: object) => {
          if (err) reject(toDomainError(err));
          else resolve(response as unknown as StakingRpcs[M]['response']);
        },
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

function toDomainError(err: ServiceError): DomainError {
  // Without a domain code the staking service itself did not answer (down, or past the deadline).
  const hasCode = err.metadata?.get(ERROR_CODE_METADATA_KEY)?.length;
  if (!hasCode && (err.code === GrpcStatus.UNAVAILABLE || err.code === GrpcStatus.DEADLINE_EXCEEDED)) {
    return new DomainError('STAKING_UNAVAILABLE', 'the staking service is unreachable', 'unavailable');
  }
  return fromGrpcError(err);
}
