import 'reflect-metadata';
import { type DynamicModule, Inject, Module, type OnApplicationShutdown, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { moduleV1, protoFile } from '@balanceai/contracts';
import { moduleTokenInterceptor } from './auth.js';
import { LOADER_OPTIONS } from './codec.js';
import { GRPC_HEALTH_PACKAGE, GRPC_HEALTH_PROTO, GRPC_HEALTH_PROTO_DIR } from '@balanceai/platform';
import type { ModuleRuntime } from './module-runtime.js';
import { MODULE_RUNTIME, ModuleHealthController, ModuleRuntimeController } from './runtime.controller.js';
import { ModuleStorageController } from './storage.controller.js';

export interface ModuleHostOptions {
  /** Builds the runtime (loads genesis, opens the repository, ModuleRuntime.open). */
  runtime: { useFactory: (...deps: never[]) => Promise<ModuleRuntime<unknown>> | ModuleRuntime<unknown>; inject?: Array<string | symbol | Type> };
  /** The module's own controllers (its query API) and providers; they may inject MODULE_RUNTIME. */
  controllers?: Type[];
  providers?: Provider[];
}

class RuntimeCloser implements OnApplicationShutdown {
  constructor(@Inject(MODULE_RUNTIME) private readonly runtime: ModuleRuntime<unknown>) {}
  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}

/** A Nest module serving ModuleRuntimeService, ModuleStorageService, /healthz and /readyz around one ModuleRuntime. */
@Module({})
export class ModuleHostModule {
  static forRoot(options: ModuleHostOptions): DynamicModule {
    return {
      module: ModuleHostModule,
      controllers: [ModuleRuntimeController, ModuleStorageController, ModuleHealthController, ...(options.controllers ?? [])],
      providers: [
        { provide: MODULE_RUNTIME, useFactory: options.runtime.useFactory, inject: options.runtime.inject ?? [] },
        RuntimeCloser,
        ...(options.providers ?? []),
      ],
      exports: [MODULE_RUNTIME],
    };
  }
}

export interface GrpcContract {
  /** e.g. 'balanceai.emissions.v1' */
  package: string;
  /** e.g. protoFile('emissions') */
  protoPath: string;
  /** Only the module's own validator may call it (the module token), as ModuleRuntimeService. */
  guarded?: boolean;
}

export interface ListenOptions {
  grpcHost: string;
  grpcPort: number;
  httpHost: string;
  httpPort: number;
  /** The validator's module token: ModuleRuntimeService / ModuleStorageService calls without it are refused (UNAUTHENTICATED). */
  moduleToken: string;
  /** Contracts served besides balanceai.module.v1 (the module's query API). */
  contracts?: GrpcContract[];
  logger?: false | Array<'log' | 'warn' | 'error' | 'debug' | 'verbose' | 'fatal'>;
}

/** Starts a module service: gRPC (ModuleRuntimeService, ModuleStorageService + the module's contracts) and HTTP health. */
export async function startModuleApp(root: DynamicModule, listen: ListenOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(root, new FastifyAdapter(), {
    logger: listen.logger ?? ['log', 'warn', 'error'],
  });
  const contracts = [
    { package: moduleV1.BALANCEAI_MODULE_V1_PACKAGE_NAME, protoPath: protoFile('module') },
    { package: GRPC_HEALTH_PACKAGE, protoPath: GRPC_HEALTH_PROTO },
    ...(listen.contracts ?? []),
  ];
  app.connectMicroservice<GrpcOptions>({
    transport: Transport.GRPC,
    options: {
      package: contracts.map((c) => c.package),
      protoPath: contracts.map((c) => c.protoPath),
      url: `${listen.grpcHost}:${listen.grpcPort}`,
      loader: { ...LOADER_OPTIONS, includeDirs: [...LOADER_OPTIONS.includeDirs, GRPC_HEALTH_PROTO_DIR] },
      // grpc-js reads `interceptors` from the server options Nest passes through: checked before any handler runs.
      channelOptions: { interceptors: [moduleTokenInterceptor(listen.moduleToken, (listen.contracts ?? []).filter((c) => c.guarded).map((c) => c.package))] },
    },
  });
  app.enableShutdownHooks();
  await app.startAllMicroservices();
  await app.listen(listen.httpPort, listen.httpHost);
  return app;
}
