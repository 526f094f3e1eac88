import { createHash, timingSafeEqual } from 'node:crypto';
import { Metadata, ServerInterceptingCall, status, type ServerInterceptingCallInterface, type ServerInterceptor } from '@grpc/grpc-js';
import { moduleV1 } from '@balanceai/contracts';
import { ERROR_CODE_METADATA_KEY } from '@balanceai/platform';

/** The metadata key consensus sends the module token in: `authorization: Bearer <token>`. */
export const MODULE_TOKEN_METADATA_KEY = 'authorization';

/** Shorter tokens are refused at start-up: 32 characters is the least that `openssl rand -hex 32` (64) clears. */
export const MIN_MODULE_TOKEN_LENGTH = 32;

/**
 * The services only the validator that owns the module may call: ModuleRuntimeService (it changes balances)
 * and ModuleStorageService (the plan gives it the same caller; consensus is the only reader, the gateway
 * reaches module storage through it).
 */
const GUARDED_PREFIXES = [moduleV1.MODULE_RUNTIME_SERVICE_NAME, moduleV1.MODULE_STORAGE_SERVICE_NAME].map(
  (service) => `/${moduleV1.BALANCEAI_MODULE_V1_PACKAGE_NAME}.${service}/`,
);

/** The metadata a ModuleRuntimeService / ModuleStorageService client attaches to every call. */
export function moduleTokenMetadata(token: string, metadata: Metadata = new Metadata()): Metadata {
  metadata.set(MODULE_TOKEN_METADATA_KEY, `Bearer ${token}`);
  return metadata;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time check of the caller's `authorization: Bearer <token>` against the module's token. */
export function moduleTokenMatches(expected: string, metadata: Metadata): boolean {
  const values = metadata.get(MODULE_TOKEN_METADATA_KEY);
  if (values.length !== 1 || typeof values[0] !== 'string') return false;
  const header = values[0];
  const presented = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  // Comparing fixed-length digests keeps the time independent of where (and whether) the lengths differ.
  return timingSafeEqual(digest(presented), digest(expected)) && presented.length > 0;
}

/**
 * A gRPC server interceptor that refuses every ModuleRuntimeService and ModuleStorageService call — and every
 * call to the `guardedPackages` a module adds (an internal query API) — without the module's token, before the
 * request is even decoded: UNAUTHENTICATED with `bai-error-code: MODULE_UNAUTHENTICATED`. Query APIs the
 * gateway reads and grpc.health.v1 stay open (they change nothing).
 */
export function moduleTokenInterceptor(token: string, guardedPackages: readonly string[] = []): ServerInterceptor {
  if (token.length < MIN_MODULE_TOKEN_LENGTH) throw new Error(`the module token must be at least ${MIN_MODULE_TOKEN_LENGTH} characters`);
  const guarded = [...GUARDED_PREFIXES, ...guardedPackages.map((pkg) => `/${pkg}.`)];
  return (method, call: ServerInterceptingCallInterface) => {
    if (!guarded.some((prefix) => method.path.startsWith(prefix))) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, forward) => {
            if (moduleTokenMatches(token, metadata)) {
              forward(metadata);
              return;
            }
            const trailers = new Metadata();
            trailers.set(ERROR_CODE_METADATA_KEY, 'MODULE_UNAUTHENTICATED');
            call.sendStatus({ code: status.UNAUTHENTICATED, details: 'this module answers only its own validator (module token missing or wrong)', metadata: trailers });
          },
        });
      },
    });
  };
}
