import { Controller, Inject } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { MODULE_RUNTIME, toRpcException, type ModuleRuntime } from '@balanceai/module-host';
import type { StakingSetup } from './staking.machine.js';
import {
  erasView,
  nominatorView,
  totalsView,
  validatorsView,
  type GetErasResponse,
  type GetNominatorResponse,
  type GetTotalsResponse,
  type GetValidatorsResponse,
} from './staking.queries.js';
import type { StakingModuleState } from './staking.state.js';

export const STAKING_SETUP = Symbol('STAKING_SETUP');
export const STAKING_SERVICE = 'StakingService';
export const STAKING_PACKAGE = 'balanceai.staking.v1';

/** balanceai.staking.v1.StakingService: queries over the last committed state (never the pending one). */
@Controller()
export class StakingApi {
  constructor(
    @Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<StakingModuleState>,
    @Inject(STAKING_SETUP) private readonly setup: StakingSetup,
  ) {}

  @GrpcMethod(STAKING_SERVICE, 'getValidators')
  getValidators(): GetValidatorsResponse {
    return this.answer(() => validatorsView(this.setup, this.runtime.committedState));
  }

  @GrpcMethod(STAKING_SERVICE, 'getNominator')
  getNominator(req: { address?: string }): GetNominatorResponse {
    return this.answer(() => nominatorView(this.setup, this.runtime.committedState, req.address ?? ''));
  }

  @GrpcMethod(STAKING_SERVICE, 'getEras')
  getEras(): GetErasResponse {
    return this.answer(() => erasView(this.setup, this.runtime.committedState));
  }

  @GrpcMethod(STAKING_SERVICE, 'getTotals')
  getTotals(): GetTotalsResponse {
    return this.answer(() => totalsView(this.runtime.committedState));
  }

  private answer<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw toRpcException(err);
    }
  }
}
