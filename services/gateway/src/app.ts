import 'reflect-metadata';
import fastifyWebsocket from '@fastify/websocket';
import { Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { rpcConfigOf, type GatewayConfig } from './config/gateway-config.js';
import { clientErrorHandler, GatewayExceptionFilter, sendError } from './errors/gateway-exception.filter.js';
import { GatewayModule } from './gateway.module.js';
import { ConsensusClient } from './consensus/consensus-client.js';
import { registerAccessProxy } from './models/access.js';
import { ManagedAccessMeter } from './models/access-metering.js';
import { ACCESS_OPENAPI_PATH, accessProxyPathItem } from './models/access-openapi.js';
import { registerDashboard } from './dashboard/dashboard.js';
import { documentFrameworkErrors } from './http/openapi.js';
import { MAX_BODY_BYTES } from './http/request-params.js';
import { registerSubmitRoute, SUBMIT_PATH, SubmitExtrinsicBody, submitPathItem } from './http/submit-route.js';
import { ErrorView, SubmittedView } from './http/views.js';
import { RpcServer } from './rpc/rpc-server.js';
import { registerRpcRoutes, type RpcRoutesOptions } from './rpc/transport.js';
import { BlockStream } from './stream/block-stream.js';
import { BLOCKS_WS_PATH, registerBlocksWebSocket } from './stream/blocks-websocket.js';

export interface CreateGatewayAppOptions {
  logger?: LoggerService | LogLevel[] | false;
  /** Bytes a WebSocket client may lag before it is closed. */
  maxWsClientBuffer?: number;
  /** What a plain `GET /` answers (the JSON-RPC WebSocket owns `/`); default the dashboard (dashboard/dashboard.ts). */
  rootPage?: RpcRoutesOptions['plainGet'];
}

/** Builds the gateway (REST, WebSocket, OpenAPI at /docs) without listening; call `listen` on it. */
export async function createGatewayApp(config: GatewayConfig, options: CreateGatewayAppOptions = {}): Promise<NestFastifyApplication> {
  const frameworkLogger = new Logger('GatewayExceptionFilter');
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_BODY_BYTES,
    // The router's own refusals (a path parameter over 100 characters: 414, broken percent-encoding: 400)
    // happen before any hook or filter: answered here in the gateway's `{ code, message }`.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => sendError(reply, error, frameworkLogger),
    clientErrorHandler,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.forRoot(config), adapter, {
    logger: options.logger ?? ['log', 'warn', 'error'],
    // Fastify's own JSON parser only: Nest would add urlencoded, and the gateway speaks JSON alone.
    bodyParser: false,
  });
  app.useGlobalFilters(new GatewayExceptionFilter());

  const fastify = app.getHttpAdapter().getInstance();
  // Without it a text/plain body would reach the route as a string; with it Fastify answers 415.
  fastify.removeContentTypeParser('text/plain');
  // POST /v1/extrinsics: the hot path, a Fastify route that writes its refusals itself (http/submit-route.ts).
  registerSubmitRoute(fastify, app.get(ConsensusClient), config, frameworkLogger);

  // One ws server for every WebSocket route: its message limit is the JSON-RPC request limit (the blocks
  // feed ignores what clients send). A larger message closes the connection with 1009.
  await app.register(fastifyWebsocket, { options: { maxPayload: rpcConfigOf(config).maxRequestBytes } });
  registerBlocksWebSocket(fastify, app.get(BlockStream), options.maxWsClientBuffer);
  // The marketplace's access proxy: /v1/access/{provider}/… (models/access.ts).
  registerAccessProxy(fastify, app.get(ConsensusClient), { privateEndpoints: config.accessPrivateEndpoints ?? false, metering: (e) => app.get(ManagedAccessMeter).record(e) });
  // Substrate JSON-RPC on `/`: `ws://host:port` and `POST http://host:port`, where wallets look for a node.
  registerRpcRoutes(fastify, app.get(RpcServer), { plainGet: options.rootPage ?? registerDashboard(fastify) });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('BalanceAI Network gateway')
      .setDescription(
        'Public REST API of a BalanceAI node. Amounts are decimal strings of base units (1 BAI = 10^18), hashes 0x hex. ' +
          'Errors are `{ "code", "message" }` with a stable code.',
      )
      .setVersion('1')
      .addTag('chain')
      .build(),
    // The submit route is not a controller method: its schemas are listed here, its operation added below.
    { extraModels: [ErrorView, SubmitExtrinsicBody, SubmittedView] },
  );
  document.paths[SUBMIT_PATH] = { ...submitPathItem(), ...document.paths[SUBMIT_PATH] };
  document.paths[BLOCKS_WS_PATH] = {
    get: {
      tags: ['blocks'],
      summary: 'WebSocket: one JSON message per finalized block',
      description:
        'Upgrade to WebSocket. Each message: `{ "type": "block", "number", "hash", "parentHash", "timeMs", "extrinsicCount", "proposerIndex", "round" }`. ' +
        'A client that does not keep up is closed with code 1013.',
      responses: {
        '101': { description: 'switching protocols' },
        '426': {
          description: 'UPGRADE_REQUIRED: a plain GET, not a WebSocket upgrade',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorView' } } },
        },
      },
    },
  };
  document.paths[ACCESS_OPENAPI_PATH] = accessProxyPathItem();
  documentFrameworkErrors(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });

  app.enableShutdownHooks();
  return app;
}
