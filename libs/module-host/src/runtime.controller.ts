import { Controller, Get, HttpException, Inject, Logger, Res } from '@nestjs/common';
import { GrpcMethod, RpcException } from '@nestjs/microservices';
import { moduleV1 } from '@balanceai/contracts';
import type { Metadata } from '@grpc/grpc-js';
import { SpanKind } from '@opentelemetry/api';
import { DomainError, createMetrics, extractGrpcMetadata, healthCheck, inSpan, toGrpcError, type BaiMetrics } from '@balanceai/platform';
import { ModuleRuntime } from './module-runtime.js';

/** Injection token of the module's ModuleRuntime. */
export const MODULE_RUNTIME = Symbol('MODULE_RUNTIME');

const logger = new Logger('ModuleRuntime');

/** Every failure leaves as a gRPC status with the domain code in `bai-error-code`; internal ones without details. */
export function toRpcException(err: unknown): RpcException {
  if (err instanceof DomainError) {
    if (err.kind === 'internal') logger.error(`${err.code}: ${err.message}`);
    return new RpcException(toGrpcError(err.kind === 'internal' ? new DomainError(err.code, 'internal error', 'internal') : err));
  }
  logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  return new RpcException(toGrpcError(new DomainError('INTERNAL', 'internal error', 'internal')));
}

async function guarded<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toRpcException(err);
  }
}

/** balanceai.module.v1.ModuleRuntimeService over the hosted module. */
@Controller()
@moduleV1.ModuleRuntimeServiceControllerMethods()
export class ModuleRuntimeController implements moduleV1.ModuleRuntimeServiceController {
  constructor(@Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<unknown>) {}

  info(): Promise<moduleV1.InfoResponse> {
    return guarded(() => this.runtime.info());
  }

  checkTx(req: moduleV1.CheckTxRequest): Promise<moduleV1.CheckTxResponse> {
    return guarded(() => this.runtime.checkTx(req));
  }

  executeBlock(req: moduleV1.ExecuteBlockRequest, metadata?: Metadata): Promise<moduleV1.ExecuteBlockResponse> {
    return this.traced('ExecuteBlock', req.context?.height ?? '', metadata, () => this.runtime.executeBlock(req));
  }

  commit(req: moduleV1.CommitRequest, metadata?: Metadata): Promise<moduleV1.CommitResponse> {
    return this.traced('Commit', req.height, metadata, () => this.runtime.commit(req));
  }

  /** A server span continuing the caller's trace (W3C traceparent in the gRPC metadata). */
  private traced<T>(method: string, height: string, metadata: Metadata | undefined, work: () => T | Promise<T>): Promise<T> {
    return inSpan(
      `${this.runtime.machine.name} ${method}`,
      { 'rpc.system': 'grpc', 'rpc.service': 'balanceai.module.v1.ModuleRuntimeService', 'rpc.method': method, 'bai.block.number': height },
      () => guarded(work),
      { kind: SpanKind.SERVER, parent: metadata ? extractGrpcMetadata(metadata) : undefined },
    );
  }
}

/** `/healthz`: the process serves. `/readyz`: its database answers; reports the committed height. */
@Controller()
export class ModuleHealthController {
  private readonly metrics: BaiMetrics;

  constructor(@Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<unknown>) {
    this.metrics = createMetrics(runtime.machine.name);
    // For a module, the "finalized height" is the last height it committed.
    this.metrics.onCollect(() => this.metrics.finalizedHeight.set(Number(runtime.committedHeight)));
  }

  @Get('metrics')
  async metricsText(@Res() reply: { header(name: string, value: string): { send(body: string): unknown } }): Promise<void> {
    reply.header('Content-Type', this.metrics.contentType).send(await this.metrics.metricsText());
  }

  /** grpc.health.v1: SERVING while the module's database answers. */
  @GrpcMethod('Health', 'Check')
  async check(req: { service?: string }) {
    const serving = await this.runtime.ping().then(
      () => true,
      () => false,
    );
    return healthCheck(req.service ?? '', ['balanceai.module.v1.ModuleRuntimeService'], serving);
  }

  @Get('healthz')
  healthz() {
    return { status: 'ok', module: this.runtime.machine.name };
  }

  @Get('readyz')
  async readyz() {
    const body = { ready: true, module: this.runtime.machine.name, height: this.runtime.committedHeight.toString() };
    try {
      await this.runtime.ping();
    } catch {
      throw new HttpException({ ...body, ready: false, reason: 'database unreachable' }, 503);
    }
    return body;
  }
}
