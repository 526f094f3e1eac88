import { Controller, Inject, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { expertV1 } from '@balanceai/contracts';
import { DomainError, toGrpcError } from '@balanceai/platform';
import { ExpertEngine } from './expert-engine.js';

/** gRPC shell around ExpertEngine: every failure leaves as a gRPC status with the domain code in metadata. */
@Controller()
@expertV1.ExpertServiceControllerMethods()
export class ExpertController implements expertV1.ExpertServiceController {
  private readonly logger = new Logger('ExpertController');

  constructor(@Inject(ExpertEngine) private readonly engine: ExpertEngine) {}

  listModels(): Promise<expertV1.ListModelsResponse> {
    return this.guard(() => this.engine.listModels());
  }

  getModel(request: expertV1.GetModelRequest): Promise<expertV1.GetModelResponse> {
    return this.guard(() => this.engine.getModel(request));
  }

  evaluate(request: expertV1.EvaluateRequest): Promise<expertV1.EvaluateResponse> {
    return this.guard(() => this.engine.evaluate(request));
  }

  addModel(request: expertV1.AddModelRequest, metadata?: Metadata): Promise<expertV1.AddModelResponse> {
    const token = metadata?.get('bai-admin-token')[0];
    return this.guard(() => this.engine.addModel(request, typeof token === 'string' ? token : undefined));
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof DomainError) throw new RpcException(toGrpcError(err));
      this.logger.error(err instanceof Error ? err.stack : String(err));
      throw new RpcException(toGrpcError(new DomainError('INTERNAL', 'internal error', 'internal')));
    }
  }
}
