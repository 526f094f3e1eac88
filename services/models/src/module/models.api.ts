import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { modelsV1 } from '@balanceai/contracts';
import { MODULE_RUNTIME, moduleTokenMatches, toRpcException, type ModuleRuntime } from '@balanceai/module-host';
import { DomainError } from '@balanceai/platform';
import type { ModelsState } from '../logic/types.js';
import { fundsView, listProvidersView, providerView } from './models.queries.js';

/** gRPC call metadata, as moduleTokenMatches reads it. */
type Metadata = Parameters<typeof moduleTokenMatches>[1];

export const MODELS_SERVICE = 'ModelsService';
export const MODELS_PACKAGE = 'balanceai.models.v1';
/** Injection token of the validator's module token (ModuleHostConfig.moduleToken). */
export const MODELS_QUERY_TOKEN = Symbol('MODELS_QUERY_TOKEN');

/**
 * balanceai.models.v1.ModelsService: queries over the last committed state (never the pending one), on the
 * module's gRPC port (loopback by default). The module host's interceptor guards only ModuleRuntimeService and
 * ModuleStorageService; this internal service checks the same module token itself, with the same helper and
 * the same answer (UNAUTHENTICATED, MODULE_UNAUTHENTICATED), before reading anything.
 */
@Controller()
export class ModelsApi {
  constructor(
    @Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<ModelsState>,
    @Inject(MODELS_QUERY_TOKEN) private readonly token: string,
  ) {}

  @GrpcMethod(MODELS_SERVICE, 'listProviders')
  listProviders(req: Partial<modelsV1.ListProvidersRequest>, metadata?: Metadata): modelsV1.ListProvidersResponse {
    return this.answer(metadata, () => listProvidersView(this.runtime.committedState, req));
  }

  @GrpcMethod(MODELS_SERVICE, 'getProvider')
  getProvider(req: Partial<modelsV1.GetProviderRequest>, metadata?: Metadata): modelsV1.GetProviderResponse {
    return this.answer(metadata, () => providerView(this.runtime.committedState, req.id ?? 0));
  }

  @GrpcMethod(MODELS_SERVICE, 'getFunds')
  getFunds(_req: unknown, metadata?: Metadata): modelsV1.GetFundsResponse {
    return this.answer(metadata, () => fundsView(this.runtime.committedState));
  }

  private answer<T>(metadata: Metadata | undefined, work: () => T): T {
    try {
      if (!metadata || !moduleTokenMatches(this.token, metadata)) {
        throw new DomainError('MODULE_UNAUTHENTICATED', 'the models queries answer only their own validator (module token missing or wrong)', 'unauthenticated');
      }
      return work();
    } catch (err) {
      throw toRpcException(err);
    }
  }
}
