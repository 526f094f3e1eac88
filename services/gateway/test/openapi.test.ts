// The OpenAPI document at /docs/json describes every answer of the gateway (issue 15): one schema per
// view class (two classes of one name silently share a schema), path parameters with the pattern their
// parser accepts, every error status a route can answer documented as `{ code, message }`, and the
// errors Fastify raises before any route (414, 400 bad URL, 431) in that format too. No backend runs:
// every validator and module call fails, which is all these checks need.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp, type GatewayConfig } from '../src/index.js';
import * as chainViews from '../src/http/views.js';
import * as stakingViews from '../src/staking/staking.views.js';
import * as emissionsViews from '../src/emissions/emissions.views.js';
import * as expertViews from '../src/expert/expert.views.js';
import { parseBlockId, parseHash } from '../src/http/request-params.js';
import { parseStakerAddress } from '../src/staking/staking.views.js';
import { freePort } from './support/ports.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let app: NestFastifyApplication;
let base: string;
let doc: Json;

before(async () => {
  const dead = async () => `127.0.0.1:${await freePort()}`;
  const config: GatewayConfig = {
    consensusUrls: [await dead()],
    natsUrl: `nats://127.0.0.1:${await freePort()}`,
    chainId: 'openapi-test',
    port: 0,
    host: '127.0.0.1',
    grpcDeadlineMs: 500,
    healthPollMs: 200,
    staleAfterMs: 1000,
    maxLagBlocks: 5,
  };
  app = await createGatewayApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  doc = (await (await fetch(`${base}/docs/json`)).json()) as Json;
});

after(async () => {
  await app?.close();
});

function operations(): Array<{ path: string; method: string; op: Json }> {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json })),
  );
}

const ALICE_SS58 = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY';
const ALICE_HEX = '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';

describe('OpenAPI components', () => {
  const viewClasses = [chainViews, stakingViews, emissionsViews, expertViews].flatMap((mod) =>
    Object.values(mod).filter(
      (v): v is new () => unknown => typeof v === 'function' && Reflect.getMetadata('swagger/apiModelPropertiesArray', v.prototype) !== undefined,
    ),
  );

  it('has no two view classes of one name (they would share one schema)', () => {
    const names = viewClasses.map((c) => c.name);
    const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(duplicates, []);
  });

  it('documents each view class under its name with exactly its properties', () => {
    const schemas = doc.components.schemas as Json;
    for (const cls of viewClasses) {
      const schema = schemas[cls.name] as Json | undefined;
      if (!schema) continue; // a view no route answers
      const declared = (Reflect.getMetadata('swagger/apiModelPropertiesArray', cls.prototype) as string[]).map((p) => p.replace(/^:/, '')).sort();
      assert.deepEqual(Object.keys(schema.properties as Json).sort(), declared, `schema ${cls.name}`);
    }
    // Both validator shapes are there, distinctly named.
    assert.ok(schemas.ValidatorView.properties.lastSeenHeight, 'ValidatorView (consensus, /v1/status)');
    assert.ok(schemas.StakingValidatorView.properties.commissionPercent, 'StakingValidatorView (/v1/staking/validators)');
    const staking = (doc.paths as Json)['/v1/staking/validators'].get.responses['200'].content['application/json'].schema.$ref as string;
    assert.equal(schemas[staking.split('/').pop()!].properties.active.items.$ref, '#/components/schemas/StakingValidatorView');
  });
});

describe('OpenAPI path parameters', () => {
  const samples: Record<string, { parse: (text: string) => unknown; valid: string[]; invalid: string[] }> = {
    '/v1/blocks/{id}': {
      parse: parseBlockId,
      valid: ['0', '42', '9007199254740991', '18446744073709551615', `0x${'ab'.repeat(32)}`, `0x${'AB'.repeat(32)}`],
      invalid: ['', '01', '-1', '1.5', 'latest', '0x12', `0x${'g'.repeat(64)}`, '1'.repeat(21)],
    },
    '/v1/extrinsics/{hash}': {
      parse: (t) => parseHash(t, 'hash'),
      valid: [`0x${'0'.repeat(64)}`, `0x${'aF'.repeat(32)}`],
      invalid: ['', '0x', `${'a'.repeat(64)}`, `0x${'a'.repeat(63)}`, `0x${'a'.repeat(65)}`],
    },
    '/v1/accounts/{address}': {
      parse: parseStakerAddress,
      valid: [ALICE_SS58, ALICE_HEX],
      invalid: ['', 'abc', '0xd435', `${ALICE_SS58}0`.repeat(2), '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ!'],
    },
    '/v1/staking/nominators/{address}': {
      parse: parseStakerAddress,
      valid: [ALICE_SS58, ALICE_HEX],
      invalid: ['', 'O0Il', `0x${'a'.repeat(62)}`],
    },
  };

  it('gives every path parameter a pattern', () => {
    for (const { path, method, op } of operations()) {
      for (const p of (op.parameters ?? []) as Json[]) {
        if (p.in !== 'path') continue;
        assert.equal(typeof p.schema?.pattern, 'string', `${method.toUpperCase()} ${path} :${p.name} has no pattern`);
      }
    }
  });

  it("matches what each route's parser accepts: every accepted value matches, junk does not", () => {
    for (const [path, { parse, valid, invalid }] of Object.entries(samples)) {
      const param = ((doc.paths as Json)[path].get.parameters as Json[]).find((p) => p.in === 'path')!;
      const pattern = new RegExp(param.schema.pattern as string);
      /** Refused as malformed (400); a well-formed id of a block that cannot exist is a 404, not a refusal. */
      const refuses = (v: string): boolean => {
        try {
          parse(v);
          return false;
        } catch (err) {
          return /^BAD_/.test(String((err as { code?: unknown }).code));
        }
      };
      for (const v of valid) {
        assert.ok(!refuses(v), `${path}: parser accepts ${v}`);
        assert.match(v, pattern, `${path}: pattern accepts ${v}`);
      }
      for (const v of invalid) {
        assert.doesNotMatch(v, pattern, `${path}: pattern refuses ${JSON.stringify(v)}`);
        assert.ok(refuses(v), `${path}: parser refuses ${JSON.stringify(v)}`);
      }
    }
  });
});

describe('OpenAPI error responses', () => {
  it('documents every error answer as the { code, message } ErrorView (readyz keeps its readiness body)', () => {
    for (const { path, method, op } of operations()) {
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (Number(status) < 400 || (path === '/readyz' && status === '503')) continue;
        // The access proxy passes the provider's own answers through, whatever they are.
        if (status === 'default' && path.startsWith('/v1/access/')) continue;
        assert.equal(
          (response as Json).content?.['application/json']?.schema?.$ref,
          '#/components/schemas/ErrorView',
          `${method.toUpperCase()} ${path} ${status}`,
        );
      }
    }
    assert.deepEqual(Object.keys(doc.components.schemas.ErrorView.properties).sort(), ['code', 'message']);
  });

  it('documents 503 on every route a validator or module serves, 400 and 414 wherever a path parameter is, 413 and 415 wherever a body is', () => {
    for (const { path, method, op } of operations()) {
      const statuses = Object.keys(op.responses as Json);
      const name = `${method.toUpperCase()} ${path}`;
      if (path.startsWith('/v1/') && path !== '/v1/ws/blocks') assert.ok(statuses.includes('503'), `${name} documents 503`);
      if (((op.parameters ?? []) as Json[]).some((p) => p.in === 'path')) {
        assert.ok(statuses.includes('400') && statuses.includes('414'), `${name} documents 400 and 414`);
      }
      if (op.requestBody) assert.ok(['400', '413', '415'].every((s) => statuses.includes(s)), `${name} documents 400, 413, 415`);
    }
    assert.ok((doc.paths as Json)['/v1/ws/blocks'].get.responses['426'], 'the WebSocket route documents 426');
  });
});

describe('POST /v1/extrinsics (a Fastify route, documented by hand)', () => {
  it('is documented as it was as a controller method: operation, body and answer schemas, every status it answers', () => {
    const op = (doc.paths as Json)['/v1/extrinsics']?.post as Json | undefined;
    assert.ok(op, 'POST /v1/extrinsics is in the document');
    assert.equal(op.operationId, 'ExtrinsicsController_submit');
    assert.deepEqual(op.tags, ['extrinsics']);
    assert.deepEqual(op.requestBody, { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitExtrinsicBody' } } } });
    assert.deepEqual(Object.keys(op.responses as Json).sort(), ['202', '400', '409', '413', '415', '429', '503']);
    assert.equal(op.responses['202'].content['application/json'].schema.$ref, '#/components/schemas/SubmittedView');
    assert.match(op.responses['429'].description, /MEMPOOL_FULL.*GATEWAY_BUSY/);
    const schemas = doc.components.schemas as Json;
    assert.deepEqual(schemas.SubmitExtrinsicBody.required, ['extrinsic']);
    assert.equal(schemas.SubmitExtrinsicBody.properties.extrinsic.type, 'string');
    assert.deepEqual(Object.keys(schemas.SubmittedView.properties), ['hash']);
    // GET /v1/extrinsics/{hash} stays the controller's.
    assert.ok((doc.paths as Json)['/v1/extrinsics/{hash}'].get);
  });
});

describe("Fastify's own errors answer { code, message }", () => {
  function assertError(res: { status: number; contentType: string | null; body: Json }, status: number, code: string): void {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.match(res.contentType ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message']);
    assert.equal(res.body.code, code);
  }
  async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; contentType: string | null; body: Json }> {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Json };
  }

  it('414 URI_TOO_LONG for a path parameter over 100 characters', async () => {
    assertError(await get(`/v1/blocks/${'1'.repeat(101)}`), 414, 'URI_TOO_LONG');
    assertError(await get(`/v1/accounts/${'5'.repeat(200)}`), 414, 'URI_TOO_LONG');
  });

  it('400 BAD_URL for a path parameter that is not valid percent-encoding', async () => {
    assertError(await get('/v1/blocks/%E0%A4%A'), 400, 'BAD_URL');
  });

  it('404 ROUTE_NOT_FOUND, 426 UPGRADE_REQUIRED and 503 NODE_UNAVAILABLE as documented', async () => {
    assertError(await get('/v1/nothing'), 404, 'ROUTE_NOT_FOUND');
    assertError(await get('/v1/ws/blocks'), 426, 'UPGRADE_REQUIRED');
    assertError(await get('/v1/blocks/1'), 503, 'NODE_UNAVAILABLE');
  });

  it('415 and 413 on a body', async () => {
    const post = async (body: string, contentType: string) => {
      const res = await fetch(`${base}/v1/extrinsics`, { method: 'POST', body, headers: { 'content-type': contentType } });
      return { status: res.status, contentType: res.headers.get('content-type'), body: (await res.json()) as Json };
    };
    assertError(await post('<x/>', 'application/xml'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    assertError(await post(JSON.stringify({ extrinsic: `0x${'ab'.repeat(200_000)}` }), 'application/json'), 413, 'EXTRINSIC_TOO_LARGE');
  });

  it('431 HEADERS_TOO_LARGE from the HTTP parser', async () => {
    const url = new URL(`${base}/v1/status`);
    const res = await new Promise<{ status: number; contentType: string | null; body: Json }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { 'x-big': 'a'.repeat(20_000) } }, (r) => {
        let text = '';
        r.on('data', (d: Buffer) => (text += d.toString()));
        r.on('end', () => resolve({ status: r.statusCode!, contentType: r.headers['content-type'] ?? null, body: JSON.parse(text) as Json }));
      });
      req.on('error', reject);
      req.end();
    });
    assertError(res, 431, 'HEADERS_TOO_LARGE');
  });
});
