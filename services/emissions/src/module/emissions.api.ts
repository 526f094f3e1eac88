import { Controller, Inject } from '@nestjs/common';
import { emissionsV1 } from '@balanceai/contracts';
import { MODULE_RUNTIME, toRpcException, type ModuleRuntime } from '@balanceai/module-host';
import type { EmissionsModuleState, EmissionsSetup } from './emissions.machine.js';
import { capHeight, curveView, fundsView, scheduleView } from './emissions.queries.js';

export const EMISSIONS_SETUP = Symbol('EMISSIONS_SETUP');

/** balanceai.emissions.v1.EmissionsService: queries over the last committed state (never the pending one). */
@Controller()
@emissionsV1.EmissionsServiceControllerMethods()
export class EmissionsApi implements emissionsV1.EmissionsServiceController {
  private cap: bigint | null = null;

  constructor(
    @Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<EmissionsModuleState>,
    @Inject(EMISSIONS_SETUP) private readonly setup: EmissionsSetup,
  ) {}

  getSchedule(): emissionsV1.GetScheduleResponse {
    return this.answer(() => scheduleView(this.setup, this.runtime.committedState));
  }

  getIssuanceCurve(req: emissionsV1.GetIssuanceCurveRequest): emissionsV1.GetIssuanceCurveResponse {
    return this.answer(() => {
      this.cap ??= capHeight(this.setup.schedule);
      return curveView(this.setup, this.cap, req.points);
    });
  }

  getFunds(): emissionsV1.GetFundsResponse {
    return this.answer(() => fundsView(this.setup, this.runtime.committedState));
  }

  private answer<T>(work: () => T): T {
    try {
      return work();
    } catch (err) {
      throw toRpcException(err);
    }
  }
}
