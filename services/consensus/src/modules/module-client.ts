import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { moduleV1, protoFile, protoRoot } from '@balanceai/contracts';
import { injectGrpcMetadata } from '@balanceai/platform';

type Unary<Req, Res> = (req: Req, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null, res?: Res) => void) => void;
interface RuntimeStub extends Client {
  Info: Unary<moduleV1.InfoRequest, moduleV1.InfoResponse>;
  ExecuteBlock: Unary<moduleV1.ExecuteBlockRequest, moduleV1.ExecuteBlockResponse>;
  Commit: Unary<moduleV1.CommitRequest, moduleV1.CommitResponse>;
}

interface StorageStub extends Client {
  ReadStorage: Unary<moduleV1.ReadStorageRequest, moduleV1.ReadStorageResponse>;
  StorageKeys: Unary<moduleV1.StorageKeysRequest, moduleV1.StorageKeysResponse>;
}

type StubConstructor<S> = new (url: string, creds: ReturnType<typeof credentials.createInsecure>, opts: object) => S;
let constructors: { runtime: StubConstructor<RuntimeStub>; storage: StubConstructor<StorageStub> } | null = null;

function stubConstructors() {
  if (!constructors) {
    const def = loadSync(protoFile('module'), { keepCase: false, longs: String, enums: Number, defaults: true, oneofs: true, includeDirs: [protoRoot] });
    const pkg = loadPackageDefinition(def) as unknown as {
      balanceai: { module: { v1: { ModuleRuntimeService: StubConstructor<RuntimeStub>; ModuleStorageService: StubConstructor<StorageStub> } } };
    };
    constructors = { runtime: pkg.balanceai.module.v1.ModuleRuntimeService, storage: pkg.balanceai.module.v1.ModuleStorageService };
  }
  return constructors;
}

const STORAGE_DEADLINE_MS = 5_000;

const CHANNEL_OPTIONS = {
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.max_receive_message_length': 64 * 1024 * 1024,
  'grpc.max_send_message_length': 64 * 1024 * 1024,
};

/**
 * A module service reached over gRPC `balanceai.module.v1.ModuleRuntimeService`. Every call carries this
 * validator's module token (`authorization: Bearer`): the module answers nobody else.
 */
export class ModuleClient {
  private readonly stub: RuntimeStub;
  /** ModuleStorageService: the module's pallet storage, read for wallets (same token as the runtime calls). */
  private readonly storageStub: StorageStub;

  constructor(
    readonly name: string,
    readonly url: string,
    private readonly token: string,
    private readonly deadlineMs = 10_000,
  ) {
    const { runtime, storage } = stubConstructors();
    this.stub = new runtime(url, credentials.createInsecure(), CHANNEL_OPTIONS);
    this.storageStub = new storage(url, credentials.createInsecure(), CHANNEL_OPTIONS);
  }

  /** The module host checks `authorization: Bearer <token>` (libs/module-host auth.ts) before any handler runs. */
  private metadata(): Metadata {
    const md = new Metadata();
    md.set('authorization', `Bearer ${this.token}`);
    return md;
  }

  private call<Req, Res>(method: Unary<Req, Res>, req: Req, stub: Client = this.stub, deadlineMs = this.deadlineMs): Promise<Res> {
    return new Promise((resolve, reject) => {
      method.call(stub, req, injectGrpcMetadata(this.metadata()), { deadline: Date.now() + deadlineMs }, (err, res) =>
        err || !res ? reject(err ?? new Error('empty response')) : resolve(res),
      );
    });
  }

  info(): Promise<moduleV1.InfoResponse> {
    return this.call(this.stub.Info, {});
  }

  executeBlock(req: moduleV1.ExecuteBlockRequest): Promise<moduleV1.ExecuteBlockResponse> {
    return this.call(this.stub.ExecuteBlock, req);
  }

  commit(height: number): Promise<moduleV1.CommitResponse> {
    return this.call(this.stub.Commit, { height: String(height) });
  }

  /** Storage reads answer a waiting wallet: a short deadline, never the block path's retries. */
  readStorage(height: number, keys: string[]): Promise<moduleV1.ReadStorageResponse> {
    return this.call(this.storageStub.ReadStorage, { height: String(height), keys }, this.storageStub, STORAGE_DEADLINE_MS);
  }

  storageKeys(height: number, prefix: string, count: number, startKey: string | null): Promise<moduleV1.StorageKeysResponse> {
    return this.call(this.storageStub.StorageKeys, { height: String(height), prefix, count, startKey: startKey ?? '' }, this.storageStub, STORAGE_DEADLINE_MS);
  }

  close(): void {
    this.stub.close();
    this.storageStub.close();
  }
}

/**
 * True for errors that mean "the module cannot serve right now" (retry), not "the module refused":
 * unreachable, too slow, or an internal failure such as its database being down. A refusal (a replay
 * mismatch, a bad token, a contract violation) is a fault.
 */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: number }).code;
  return code === 14 /* UNAVAILABLE */ || code === 4 /* DEADLINE_EXCEEDED */ || code === 1 /* CANCELLED */ || code === 13 /* INTERNAL */;
}
