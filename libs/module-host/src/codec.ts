import type { MethodDefinition } from '@grpc/proto-loader';
import { loadSync } from '@grpc/proto-loader';
import { blake2_256 } from '@balanceai/chain';
import { moduleV1, protoFile, protoRoot } from '@balanceai/contracts';
import type { EventData } from './state-machine.js';

/** The loader options every BalanceAI gRPC server and client uses, so objects have the generated shapes. */
export const LOADER_OPTIONS: { keepCase: false; longs: StringConstructor; enums: NumberConstructor; defaults: true; oneofs: true; includeDirs: string[] } = {
  keepCase: false,
  longs: String,
  enums: Number,
  defaults: true,
  oneofs: true,
  includeDirs: [protoRoot],
};

/** The wire encoding of ExecuteBlockResponse: what Commit stores and replay serves. */
export interface ResponseCodec {
  encode(response: moduleV1.ExecuteBlockResponse): Uint8Array;
  decode(bytes: Uint8Array): moduleV1.ExecuteBlockResponse;
  /**
   * blake2-256 of the request's canonical protobuf bytes (re-encoded from the decoded request, so the same
   * fields give the same digest whatever encoder the caller used): a replay must match it exactly.
   */
  requestDigest(request: moduleV1.ExecuteBlockRequest): Uint8Array;
}

const SERVICE = `${moduleV1.BALANCEAI_MODULE_V1_PACKAGE_NAME}.${moduleV1.MODULE_RUNTIME_SERVICE_NAME}`;

/**
 * The codec of the gRPC method itself (proto-loader, same options as the server), so stored bytes are the
 * bytes a client receives: a fresh response and its replay are both served from decode(stored bytes).
 */
export function protoResponseCodec(): ResponseCodec {
  const definition = loadSync(protoFile('module'), LOADER_OPTIONS);
  const service = definition[SERVICE] as Record<string, MethodDefinition<object, object>> | undefined;
  const method = service?.['ExecuteBlock'];
  if (!method) throw new Error(`${SERVICE}.ExecuteBlock missing from the proto definition`);
  return {
    encode: (response) => new Uint8Array(method.responseSerialize(response)),
    decode: (bytes) => method.responseDeserialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as moduleV1.ExecuteBlockResponse,
    requestDigest: (request) => blake2_256(new Uint8Array(method.requestSerialize(request))),
  };
}

/** JSON with sorted keys and bigints as decimal strings: the same event data gives the same text everywhere. */
export function canonicalJson(value: EventData): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('event data must not hold a non-finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: EventData) => canonicalJson(v)).join(',')}]`;
  const obj = value as { readonly [key: string]: EventData };
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k]!)}`).join(',')}}`;
}
