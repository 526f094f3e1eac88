import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { modelsV1 } from '@balanceai/contracts';
import { MODULE_RUNTIME, toRpcException, type ModuleRuntime } from '@balanceai/module-host';
import type { ModelsState } from '../logic/types.js';
import { fundsView, listProvidersView, providerView } from './models.queries.js';

export const MODELS_SERVICE = 'ModelsService';
export const MODELS_PACKAGE = 'balanceai.models.v1';

/**
 * balanceai.models.v1.ModelsService: queries over the last committed state (never the pending one), on the
 * module's gRPC port (loopback by default). An internal API: main.ts serves its contract as guarded, so the
 * module host's interceptor refuses a caller without the module token before any handler runs.
 */
@Controller()
export class ModelsApi {
  constructor(@Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<ModelsState>) {}

  @GrpcMethod(MODELS_SERVICE, 'listProviders')
  listProviders(req: Partial<modelsV1.ListProvidersRequest>): modelsV1.ListProvidersResponse {
    return answer(() => listProvidersView(this.runtime.committedState, req));
  }

  @GrpcMethod(MODELS_SERVICE, 'getProvider')
  getProvider(req: Partial<modelsV1.GetProviderRequest>): modelsV1.GetProviderResponse {
    return answer(() => providerView(this.runtime.committedState, req.id ?? 0));
  }

  @GrpcMethod(MODELS_SERVICE, 'getFunds')
  getFunds(): modelsV1.GetFundsResponse {
    return answer(() => fundsView(this.runtime.committedState));
  }
}

/** A refusal of the views (unknown provider, bad id) as its gRPC status. */
function answer<T>(work: () => T): T {
  try {
    return work();
  } catch (err) {
    throw toRpcException(err);
  }
}
