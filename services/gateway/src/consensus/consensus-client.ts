import { credentials, type Client, type MethodDefinition, type ServiceError, makeGenericClientConstructor, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { Logger } from '@nestjs/common';
import { consensusV1, protoFile } from '@balanceai/contracts';
import { injectGrpcMetadata, DomainError, fromGrpcError } from '@balanceai/platform';
import type { Observable } from 'rxjs';

type ConsensusApi = consensusV1.ConsensusServiceClient;
/** An RPC of `balanceai.consensus.v1.ConsensusService`, by its camelCase name. */
export type ConsensusRpc = keyof ConsensusApi;
export type RequestOf<M extends ConsensusRpc> = Parameters<ConsensusApi[M]>[0];
export type ResponseOf<M extends ConsensusRpc> = ReturnType<ConsensusApi[M]> extends Observable<infer R> ? R : never;

export interface ConsensusClientOptions {
  /** Validator endpoints (`host:port`) in order of preference. */
  urls: string[];
  /** Deadline of one attempt against one validator. */
  deadlineMs: number;
}

const SERVICE = `${consensusV1.BALANCEAI_CONSENSUS_V1_PACKAGE_NAME}.${consensusV1.CONSENSUS_SERVICE_NAME}`;

// The options @balanceai/contracts prescribes, so field shapes match the generated types (uint64 as string).
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

let packageDefinition: PackageDefinition | undefined;
function consensusService(): Record<string, MethodDefinition<object, object>> {
  packageDefinition ??= loadSync(protoFile('consensus'), LOADER_OPTIONS);
  const service = packageDefinition[SERVICE];
  if (!service || !('SubmitExtrinsic' in service)) throw new Error(`${SERVICE} missing from the proto definition`);
  return service as Record<string, MethodDefinition<object, object>>;
}

/** UNAVAILABLE and DEADLINE_EXCEEDED mean "this validator did not answer": try the next one. */
function isUnreachable(err: unknown): boolean {
  const code = (err as Partial<ServiceError>).code;
  return code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED;
}

interface Endpoint {
  url: string;
  client: Client;
}

/**
 * A pool of gRPC channels to the validators' ConsensusService with failover. Calls go to the endpoint
 * that last answered (initially the first); when it is unreachable the same call is retried on the next
 * one, in order, and the one that answers becomes preferred. Domain errors (BAD_PROOF, NOT_FOUND, …) are
 * the validator's answer and are never retried elsewhere. Every failure leaves as a DomainError.
 *
 * Retrying a submission after DEADLINE_EXCEEDED may deliver it twice; that is harmless because the
 * extrinsic's hash identifies it and mempools deduplicate it.
 */
export class ConsensusClient {
  private readonly logger = new Logger('ConsensusClient');
  private readonly endpoints: Endpoint[];
  private readonly methods: Record<string, MethodDefinition<object, object>>;
  private preferred = 0;

  constructor(private readonly options: ConsensusClientOptions) {
    if (options.urls.length === 0) throw new Error('ConsensusClient needs at least one validator URL');
    this.methods = consensusService();
    const Constructor = makeGenericClientConstructor({}, SERVICE);
    this.endpoints = options.urls.map((url) => ({
      url,
      client: new Constructor(url, credentials.createInsecure(), {
        // Fail fast when a validator is down instead of queueing the call until the deadline.
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 2000,
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
      }),
    }));
  }

  /** The endpoint calls currently go to (for logs and tests). */
  get currentUrl(): string {
    return this.endpoints[this.preferred]!.url;
  }

  async call<M extends ConsensusRpc>(rpc: M, request: RequestOf<M>, deadlineMs = this.options.deadlineMs): Promise<ResponseOf<M>> {
    const method = this.methods[rpc.charAt(0).toUpperCase() + rpc.slice(1)];
    if (!method) throw new DomainError('INTERNAL', `unknown RPC ${rpc}`, 'internal');
    const start = this.preferred;
    for (let attempt = 0; attempt < this.endpoints.length; attempt++) {
      const index = (start + attempt) % this.endpoints.length;
      const endpoint = this.endpoints[index]!;
      try {
        const response = await unary(endpoint.client, method, request, deadlineMs);
        if (index !== this.preferred) {
          this.logger.warn(`failing over from ${this.endpoints[this.preferred]!.url} to ${endpoint.url}`);
          this.preferred = index;
        }
        return response as ResponseOf<M>;
      } catch (err) {
        if (!isUnreachable(err)) throw fromGrpcError(err);
        this.logger.debug?.(`${endpoint.url} unreachable for ${rpc}: ${(err as Error).message}`);
      }
    }
    throw new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable');
  }

  close(): void {
    for (const { client } of this.endpoints) client.close();
  }
}

function unary(client: Client, method: MethodDefinition<object, object>, request: object, deadlineMs: number): Promise<object> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      // W3C traceparent of the active span, so the validator continues this request's trace.
      injectGrpcMetadata(new Metadata()),
      { deadline: Date.now() + deadlineMs },
      (err, response) => (err || response === undefined ? reject(err ?? new Error('empty response')) : resolve(response)),
    );
  });
}
