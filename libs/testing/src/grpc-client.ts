import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { ERROR_CODE_METADATA_KEY } from '@balanceai/platform';

type Methods = Record<string, MethodDefinition<object, object>>;

/** The loader options every BalanceAI service uses (camelCase fields, int64 as strings). */
const LOADER = { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true } as const;

/**
 * A plain unary gRPC client for tests of a service's contract: calls a method by its .proto name and can
 * hand back the undecoded response bytes (to compare replays byte for byte).
 */
export class GrpcTestClient {
  private readonly client: Client;
  private readonly methods: Methods;
  private readonly token: string | undefined;

  /** `token`: sent as `authorization: Bearer <token>` on every call (a module's ModuleRuntimeService wants it). */
  constructor(url: string, service: string, protoPath: string, opts: { token?: string } = {}) {
    this.token = opts.token;
    this.methods = loadSync(protoPath, LOADER)[service] as Methods;
    this.client = new (makeGenericClientConstructor({}, service))(url, credentials.createInsecure());
  }

  call<T>(method: string, request: object, raw = false): Promise<T> {
    const m = this.methods[method];
    if (!m) return Promise.reject(new Error(`no method ${method}`));
    const decode = raw ? (b: Buffer) => b : m.responseDeserialize;
    const metadata = new Metadata();
    if (this.token !== undefined) metadata.set('authorization', `Bearer ${this.token}`);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(m.path, m.requestSerialize, decode as (b: Buffer) => object, request, metadata, { deadline: Date.now() + 10_000 }, (err, res) =>
        err ? reject(err) : resolve(res as T),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}

/** The gRPC status and the domain code (`bai-error-code` metadata) of a call that must fail. */
export async function expectGrpcError(promise: Promise<unknown>): Promise<{ code: number; domain: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as ServiceError;
    return { code: e.code, domain: String(e.metadata?.get(ERROR_CODE_METADATA_KEY)[0] ?? '') };
  }
  throw new Error('expected the call to fail');
}
