import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);

/** The standard gRPC health protocol (`grpc.health.v1.Health`), from the grpc-health-check package. */
export const GRPC_HEALTH_PACKAGE = 'grpc.health.v1';
export const GRPC_HEALTH_PROTO = require.resolve('grpc-health-check/proto/health/v1/health.proto');
export const GRPC_HEALTH_PROTO_DIR = dirname(dirname(dirname(GRPC_HEALTH_PROTO)));

export enum ServingStatus {
  UNKNOWN = 0,
  SERVING = 1,
  NOT_SERVING = 2,
  SERVICE_UNKNOWN = 3,
}

/**
 * The answer to `Check`: the overall status for the empty service name or one of `services`; any other
 * name is NOT_FOUND (gRPC code 5), as the protocol says.
 */
export function healthCheck(service: string, services: readonly string[], serving: boolean): { status: ServingStatus } {
  if (service !== '' && !services.includes(service)) {
    throw Object.assign(new Error(`unknown service ${service}`), { code: 5, details: `unknown service ${service}` });
  }
  return { status: serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING };
}
