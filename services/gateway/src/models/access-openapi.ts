// The access proxy is a plain Fastify route (it forwards any method and content type as bytes), so Nest's
// document does not see it: this is its entry, added beside the controllers' routes.
import { ACCESS_HEADERS } from './access.js';

export const ACCESS_OPENAPI_PATH = '/v1/access/{provider}/{path}';

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorView' } } },
});

const header = (name: string, description: string, required = true) => ({ in: 'header', name, required, description, schema: { type: 'string' } });

/** One operation per method the proxy forwards; the provider's own answer is the default response. */
export function accessProxyPathItem(): Record<string, unknown> {
  const operation = (method: string) => ({
    tags: ['models'],
    operationId: `accessProxy_${method}`,
    summary: 'Reach a marketplace provider, paid for by holding BAI',
    description:
      'Forwards the request (any content type, body ≤ 1 MiB, 10 s deadline) to the provider\'s registered endpoint ' +
      'followed by `path` (which may contain `/`) and the query, when the caller signs it and holds (free + bonded) at least the ' +
      "provider's `min_access_holding`. The signed message is `bai-access/v1\\n<METHOD>\\n</path?query>\\n<timestamp ms>\\n<sha256 hex of the body>\\n<provider id>`. " +
      'Each forwarded request is one metering event on NATS `bai.<chain>.metering.access.<provider>`.',
    parameters: [
      { in: 'path', name: 'provider', required: true, description: 'provider id (u32)', schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,9})$' } },
      { in: 'path', name: 'path', required: true, description: "the path on the provider's endpoint", schema: { type: 'string', pattern: '^[^?#]*$' } },
      header(ACCESS_HEADERS.account, 'the caller: SS58 address or 0x hex account id'),
      header(ACCESS_HEADERS.timestamp, 'milliseconds since the Unix epoch, within ±30 s of the gateway clock'),
      header(ACCESS_HEADERS.signature, '0x hex, 64 bytes: the caller\'s signature of the message above'),
      header(ACCESS_HEADERS.keyType, '`sr25519` (default) or `ed25519`', false),
    ],
    ...(method === 'get' || method === 'delete' ? {} : { requestBody: { required: false, content: { '*/*': { schema: { type: 'string', format: 'binary' } } } } }),
    responses: {
      default: { description: "the provider's status and body, passed through" },
      '400': error('BAD_PROVIDER_ID, BAD_KEY_TYPE, BAD_ADDRESS, BAD_TIMESTAMP'),
      '401': error('ACCESS_UNSIGNED, ACCESS_STALE, ACCESS_BAD_SIGNATURE'),
      '403': error('PROVIDER_INACTIVE, HOLDING_TOO_LOW, PROVIDER_ENDPOINT_PRIVATE'),
      '404': error('PROVIDER_NOT_FOUND'),
      '409': error('ACCESS_REPLAYED: this signature was used within the window'),
      '413': error('REQUEST_TOO_LARGE: body over 1 MiB'),
      '502': error('PROVIDER_DOWN, PROVIDER_RESPONSE_TOO_LARGE, PROVIDER_ENDPOINT_BAD'),
      '503': error('PROVIDER_ENDPOINT_UNRESOLVED, NODE_UNAVAILABLE'),
      '504': error('PROVIDER_TIMEOUT'),
    },
  });
  return Object.fromEntries(['get', 'post', 'put', 'patch', 'delete'].map((m) => [m, operation(m)]));
}
