import { Controller, Inject } from '@nestjs/common';
import { moduleV1 } from '@balanceai/contracts';
import { ModuleRuntime } from './module-runtime.js';
import { MODULE_RUNTIME, toRpcException } from './runtime.controller.js';

/**
 * balanceai.module.v1.ModuleStorageService: the module's pallet storage at a committed height in the window.
 * Reads run outside the runtime's block queue: they only look at committed, immutable states.
 */
@Controller()
@moduleV1.ModuleStorageServiceControllerMethods()
export class ModuleStorageController implements moduleV1.ModuleStorageServiceController {
  constructor(@Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<unknown>) {}

  readStorage(req: moduleV1.ReadStorageRequest): moduleV1.ReadStorageResponse {
    try {
      return this.runtime.storage.readStorage(req);
    } catch (err) {
      throw toRpcException(err);
    }
  }

  storageKeys(req: moduleV1.StorageKeysRequest): moduleV1.StorageKeysResponse {
    try {
      return this.runtime.storage.storageKeys(req);
    } catch (err) {
      throw toRpcException(err);
    }
  }
}
