import { createServer } from 'node:net';
import { credentials, loadPackageDefinition, type ServiceError, type Client, type Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoFile, protoRoot, type expertV1 } from '@balanceai/contracts';
import { grpcLoaderOptions } from '../../src/index.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

type Unary<Req, Res> = (request: Req, callback: (err: ServiceError | null, response: Res) => void) => void;

export interface ExpertGrpcClient extends Client {
  listModels: Unary<expertV1.ListModelsRequest, expertV1.ListModelsResponse>;
  getModel: Unary<expertV1.GetModelRequest, expertV1.GetModelResponse>;
  evaluate: Unary<expertV1.EvaluateRequest, expertV1.EvaluateResponse>;
}

export function expertClient(url: string): ExpertGrpcClient {
  const definition = loadSync(protoFile('expert'), { ...grpcLoaderOptions, includeDirs: [protoRoot] });
  const grpcPackage = loadPackageDefinition(definition) as unknown as {
    balanceai: { expert: { v1: { ExpertService: new (url: string, creds: ReturnType<typeof credentials.createInsecure>) => ExpertGrpcClient } } };
  };
  return new grpcPackage.balanceai.expert.v1.ExpertService(url, credentials.createInsecure());
}

export function call<Req, Res>(method: Unary<Req, Res>, client: Client, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => method.call(client, request, (err, res) => (err ? reject(err) : resolve(res))));
}

export type { Metadata };
