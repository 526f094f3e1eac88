import { credentials, type Client, type ClientUnaryCall, type MethodDefinition, type ServiceError, makeGenericClientConstructor, Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { Logger } from '@nestjs/common';
import { consensusV1, protoFile } from '@balanceai/contracts';
import { context } from '@opentelemetry/api';
import { contextFromTraceparent, injectGrpcMetadata, DomainError, type ErrorKind, fromGrpcError, GRPC_HEALTH_PACKAGE, GRPC_HEALTH_PROTO, httpStatusOf, ServingStatus } from '@balanceai/platform';
import type { Observable } from 'rxjs';
import { DEFAULT_SUBMISSION_QUEUE, SubmissionQueue, type SubmissionQueueOptions, type SubmitOutcome, type SubmitResult } from './submission-queue.js';
import { DEFAULT_HEALTH_POLICY, type HealthPolicy, type StatusSample, type ValidatorHealthView, ValidatorHealthBook } from './validator-health.js';

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
  /** When a validator counts as stale or behind (see ValidatorHealthBook). */
  health?: HealthPolicy;
  /** How submissions are batched and bounded (see SubmissionQueue); DEFAULT_SUBMISSION_QUEUE where absent. */
  submissions?: Partial<SubmissionQueueOptions>;
}

const SERVICE = `${consensusV1.BALANCEAI_CONSENSUS_V1_PACKAGE_NAME}.${consensusV1.CONSENSUS_SERVICE_NAME}`;
const SUBMISSION_SERVICE = `${consensusV1.BALANCEAI_CONSENSUS_V1_PACKAGE_NAME}.${consensusV1.SUBMISSION_SERVICE_NAME}`;

// The options @balanceai/contracts prescribes, so field shapes match the generated types (uint64 as string).
const LOADER_OPTIONS = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

let packageDefinition: PackageDefinition | undefined;
function consensusService(): Record<string, MethodDefinition<object, object>> {
  packageDefinition ??= loadSync(protoFile('consensus'), LOADER_OPTIONS);
  const service = packageDefinition[SERVICE];
  if (!service || !('SubmitExtrinsic' in service)) throw new Error(`${SERVICE} missing from the proto definition`);
  return service as Record<string, MethodDefinition<object, object>>;
}

function submitExtrinsicsMethod(): MethodDefinition<object, object> {
  packageDefinition ??= loadSync(protoFile('consensus'), LOADER_OPTIONS);
  const method = (packageDefinition[SUBMISSION_SERVICE] as Record<string, MethodDefinition<object, object>> | undefined)?.SubmitExtrinsics;
  if (!method) throw new Error(`${SUBMISSION_SERVICE}/SubmitExtrinsics missing from the proto definition`);
  return method;
}

let healthDefinition: PackageDefinition | undefined;
function healthCheckMethod(): MethodDefinition<object, object> {
  healthDefinition ??= loadSync(GRPC_HEALTH_PROTO, LOADER_OPTIONS);
  const check = (healthDefinition[`${GRPC_HEALTH_PACKAGE}.Health`] as Record<string, MethodDefinition<object, object>> | undefined)?.Check;
  if (!check) throw new Error('grpc.health.v1.Health/Check missing from the proto definition');
  return check;
}

/** UNAVAILABLE and DEADLINE_EXCEEDED mean "this validator did not answer": try the next one. */
function isUnreachable(err: unknown): boolean {
  const code = (err as Partial<ServiceError>).code;
  return code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED;
}

interface Endpoint {
  url: string;
  client: Client;
  /** False once the validator answered UNIMPLEMENTED to SubmitExtrinsics (an older build): one call per extrinsic. */
  batches: boolean;
}

const KINDS = new Set<string>(Object.keys(httpStatusOf));

/** One result of SubmitExtrinsics as the outcome SubmitExtrinsic would have had. */
export function outcomeOf(result: consensusV1.SubmitExtrinsicResult): SubmitOutcome {
  if (!result.errorCode) return { hash: result.hash };
  const kind: ErrorKind = KINDS.has(result.errorKind) ? (result.errorKind as ErrorKind) : 'invalid';
  const retry = result.retryAfterSeconds > 0 ? { retryAfterSeconds: String(result.retryAfterSeconds) } : undefined;
  return { error: new DomainError(result.errorCode, result.errorMessage || result.errorCode, kind, kind === 'busy' ? retry : undefined) };
}

/**
 * A pool of gRPC channels to the validators' ConsensusService with failover on health and on transport.
 * Once `startHealthChecks` runs, every validator is polled (GetChainStatus + grpc.health.v1) and calls go
 * to the one ValidatorHealthBook chooses: answering, serving, not syncing, and whose finalized height
 * keeps up with the best seen. When the chosen one does not answer a call, the same call is retried on
 * the next in the book's order. Domain errors (BAD_PROOF, NOT_FOUND, …) are the validator's answer and
 * are never retried elsewhere. Every failure leaves as a DomainError. A call still waiting on a validator
 * that a health poll has since found unreachable (frozen, its host gone) is abandoned and retried on the
 * next at once, rather than at its own deadline: every subscriber's next head hangs on such a call.
 *
 * Retrying a submission after DEADLINE_EXCEEDED may deliver it twice; that is harmless because the
 * extrinsic's hash identifies it and mempools deduplicate it.
 */
export class ConsensusClient {
  private readonly logger = new Logger('ConsensusClient');
  private readonly endpoints: Endpoint[];
  private readonly methods: Record<string, MethodDefinition<object, object>>;
  private readonly submitMany: MethodDefinition<object, object>;
  private readonly submissions: SubmissionQueue;
  private readonly health: ValidatorHealthBook;
  private readonly polling = new Set<number>();
  /** Per endpoint, the calls waiting on it: each entry abandons its call (see `poll`). */
  private readonly waiting: Array<Set<() => void>>;
  private pollTimer: NodeJS.Timeout | undefined;
  private lastUrl: string | undefined;
  private firstRound: Promise<void> | undefined;

  constructor(private readonly options: ConsensusClientOptions) {
    if (options.urls.length === 0) throw new Error('ConsensusClient needs at least one validator URL');
    this.methods = consensusService();
    this.submitMany = submitExtrinsicsMethod();
    this.submissions = new SubmissionQueue((batch, traceparents) => this.sendBatch(batch, traceparents), { ...DEFAULT_SUBMISSION_QUEUE, ...options.submissions });
    this.health = new ValidatorHealthBook(options.urls, options.health ?? DEFAULT_HEALTH_POLICY);
    const Constructor = makeGenericClientConstructor({}, SERVICE);
    this.endpoints = options.urls.map((url) => ({
      url,
      client: new Constructor(url, credentials.createInsecure(), {
        // Fail fast when a validator is down instead of queueing the call until the deadline.
        'grpc.initial_reconnect_backoff_ms': 200,
        'grpc.max_reconnect_backoff_ms': 2000,
        'grpc.max_receive_message_length': 16 * 1024 * 1024,
        // One long-lived HTTP/2 connection per validator: pinged every 30 s (answer within 10 s) even between
        // calls, so a validator host that vanished without a FIN is noticed and reconnected, not found by a
        // submission's deadline. (grpc-js servers accept pings at any rate.)
        'grpc.keepalive_time_ms': 30_000,
        'grpc.keepalive_timeout_ms': 10_000,
        'grpc.keepalive_permit_without_calls': 1,
        // Failover is ours (next validator on UNAVAILABLE); grpc-js's transparent retry only adds a copy of
        // each message held for a retry that never comes.
        'grpc.enable_retries': 0,
      }),
      batches: true,
    }));
    this.waiting = options.urls.map(() => new Set());
  }

  /** The endpoint calls currently go to (for logs and tests). */
  get currentUrl(): string {
    return this.endpoints[this.health.callOrder(Date.now())[0]!]!.url;
  }

  /** Each validator as the gateway sees it (for /readyz). */
  validators(): ValidatorHealthView[] {
    return this.health.views(Date.now());
  }

  /** A validator is fit to serve: polled, answering, advancing with the others. */
  get healthy(): boolean {
    return this.health.choose(Date.now()) !== undefined;
  }

  /** Settles once every validator has been polled once (starting that round if none has started). */
  whenPolled(): Promise<void> {
    return (this.firstRound ??= this.pollAll());
  }

  /** Highest finalized height a validator reports now (undefined before the first poll). */
  bestKnownHeight(): number | undefined {
    return this.health.bestHeight();
  }

  /** Polls every validator now and every `intervalMs` until `close()`. */
  startHealthChecks(intervalMs: number): void {
    if (this.pollTimer) return;
    void this.whenPolled();
    this.pollTimer = setInterval(() => void this.pollAll(), intervalMs);
    this.pollTimer.unref();
  }

  /** One round of polls; resolves when each validator has answered or timed out. */
  async pollAll(): Promise<void> {
    await Promise.all(this.endpoints.map((_, index) => this.poll(index)));
    const url = this.currentUrl;
    if (this.lastUrl !== undefined && url !== this.lastUrl) {
      const from = this.health.views(Date.now()).find((v) => v.url === this.lastUrl);
      this.logger.warn(`switching from ${this.lastUrl} (${from?.state ?? '?'}, height ${from?.height ?? '-'}) to ${url}`);
    }
    this.lastUrl = url;
  }

  private async poll(index: number): Promise<void> {
    // A paused validator holds a poll until its deadline; do not stack more on it.
    if (this.polling.has(index)) return;
    this.polling.add(index);
    const { client } = this.endpoints[index]!;
    const deadlineMs = Math.min(this.options.deadlineMs, 2000);
    let sample: StatusSample;
    try {
      const [status, serving] = await Promise.all([
        unary(client, this.methods.GetChainStatus!, {}, deadlineMs) as Promise<ResponseOf<'getChainStatus'>>,
        unary(client, healthCheckMethod(), { service: SERVICE }, deadlineMs).then(
          (r) => (r as { status?: number }).status === ServingStatus.SERVING,
          // A validator without grpc.health.v1 (or not naming the service) says nothing about halting.
          (err: unknown) => {
            if (isUnreachable(err)) throw err;
            return true;
          },
        ),
      ]);
      const height = Number(status.finalizedHeight);
      sample = Number.isSafeInteger(height)
        ? { kind: 'status', height, syncing: status.syncing, serving }
        : { kind: 'unreachable', reason: `reported an impossible height ${status.finalizedHeight}` };
    } catch (err) {
      sample = { kind: 'unreachable', reason: reasonOf(err) };
    } finally {
      this.polling.delete(index);
    }
    this.health.record(index, sample, Date.now());
    if (sample.kind === 'unreachable') for (const abandon of [...this.waiting[index]!]) abandon();
  }

  async call<M extends ConsensusRpc>(rpc: M, request: RequestOf<M>, deadlineMs = this.options.deadlineMs): Promise<ResponseOf<M>> {
    const method = this.methods[rpc.charAt(0).toUpperCase() + rpc.slice(1)];
    if (!method) throw new DomainError('INTERNAL', `unknown RPC ${rpc}`, 'internal');
    for (const index of this.health.callOrder(Date.now())) {
      const endpoint = this.endpoints[index]!;
      try {
        return (await unary(endpoint.client, method, request, deadlineMs, this.waiting[index])) as ResponseOf<M>;
      } catch (err) {
        if (!isUnreachable(err)) throw fromGrpcError(err);
        // Until its next successful poll, later calls try it last.
        this.health.record(index, { kind: 'unreachable', reason: reasonOf(err) }, Date.now());
        this.logger.debug?.(`${endpoint.url} unreachable for ${rpc}: ${(err as Error).message}`);
      }
    }
    throw new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable');
  }

  /** Submissions waiting for or on a call to a validator (for /metrics and tests). */
  get pendingSubmissions(): number {
    return this.submissions.pending;
  }

  /**
   * Submits an extrinsic (0x hex) to a validator's mempool: the hash, or the validator's refusal as a
   * DomainError. Concurrent submissions travel together in one SubmitExtrinsics call (SubmissionQueue);
   * past the gateway's bound on pending submissions the answer is a busy refusal (GATEWAY_BUSY).
   */
  submit(extrinsic: string): Promise<string> {
    return this.submissions.submit(extrinsic);
  }

  /** As `submit`, with the refusal as a resolved `{ error }` rather than a rejection (nothing thrown). */
  submitForResult(extrinsic: string): Promise<SubmitResult> {
    return this.submissions.submitForResult(extrinsic);
  }

  /**
   * One batch to the validator the health book prefers, with the same failover as `call`. A validator
   * without SubmissionService (UNIMPLEMENTED) gets, from then on, one SubmitExtrinsic per extrinsic.
   */
  private async sendBatch(extrinsics: string[], traceparents: string[]): Promise<SubmitOutcome[]> {
    for (const index of this.health.callOrder(Date.now())) {
      const endpoint = this.endpoints[index]!;
      if (!endpoint.batches) return this.sendOneByOne(extrinsics, traceparents);
      try {
        const response = (await unary(endpoint.client, this.submitMany, { extrinsics, traceparents }, this.options.deadlineMs, this.waiting[index])) as consensusV1.SubmitExtrinsicsResponse;
        if (response.results.length !== extrinsics.length) {
          throw new DomainError('INTERNAL', `SubmitExtrinsics answered ${response.results.length} results for ${extrinsics.length} extrinsics`, 'internal');
        }
        return response.results.map(outcomeOf);
      } catch (err) {
        if ((err as Partial<ServiceError>).code === GrpcStatus.UNIMPLEMENTED) {
          endpoint.batches = false;
          this.logger.log(`${endpoint.url} has no SubmissionService: submitting one extrinsic per call there`);
          return this.sendOneByOne(extrinsics, traceparents);
        }
        if (err instanceof DomainError) throw err;
        if (!isUnreachable(err)) throw fromGrpcError(err);
        this.health.record(index, { kind: 'unreachable', reason: reasonOf(err) }, Date.now());
        this.logger.debug?.(`${endpoint.url} unreachable for submitExtrinsics: ${(err as Error).message}`);
      }
    }
    throw new DomainError('NODE_UNAVAILABLE', 'no validator node is reachable', 'unavailable');
  }

  private sendOneByOne(extrinsics: string[], traceparents: string[]): Promise<SubmitOutcome[]> {
    return Promise.all(
      extrinsics.map((extrinsic, i) =>
        // Each call's metadata carries its own submission's trace, not the batch's.
        context.with(contextFromTraceparent(traceparents[i]), () => this.call('submitExtrinsic', { extrinsic })).then(
          ({ hash }): SubmitOutcome => ({ hash }),
          (err: unknown): SubmitOutcome => ({ error: err instanceof DomainError ? err : fromGrpcError(err) }),
        ),
      ),
    );
  }

  close(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    for (const { client } of this.endpoints) client.close();
  }
}

function reasonOf(err: unknown): string {
  const code = (err as Partial<ServiceError>).code;
  const name = typeof code === 'number' ? GrpcStatus[code] : undefined;
  return name ?? (err instanceof Error ? err.message : String(err));
}

/**
 * One call to one validator. With `waiting`, the call registers there a function that abandons it: the
 * call is cancelled and rejects as UNAVAILABLE (so `call` tries the next validator).
 */
function unary(
  client: Client,
  method: MethodDefinition<object, object>,
  request: object,
  deadlineMs: number,
  waiting?: Set<() => void>,
): Promise<object> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const abandon = (): void => {
      if (settled) return;
      settled = true;
      waiting?.delete(abandon);
      reject(Object.assign(new Error('abandoned: a health check found the validator unreachable'), { code: GrpcStatus.UNAVAILABLE }));
      call.cancel();
    };
    const call: ClientUnaryCall = client.makeUnaryRequest(
      method.path,
      method.requestSerialize,
      method.responseDeserialize,
      request,
      // W3C traceparent of the active span, so the validator continues this request's trace.
      injectGrpcMetadata(new Metadata()),
      { deadline: Date.now() + deadlineMs },
      (err, response) => {
        if (settled) return;
        settled = true;
        waiting?.delete(abandon);
        if (err || response === undefined) reject(err ?? new Error('empty response'));
        else resolve(response);
      },
    );
    if (!settled) waiting?.add(abandon);
  });
}
