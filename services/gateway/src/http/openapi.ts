import { applyDecorators } from '@nestjs/common';
import { ApiResponse, type OpenAPIObject } from '@nestjs/swagger';
import { ErrorView } from './views.js';

/**
 * Documents error answers of a route (or of every route of a controller) as the gateway's
 * `{ code, message }` ErrorView: status → the codes it carries.
 */
export function ApiErrors(responses: Partial<Record<400 | 404 | 409 | 413 | 414 | 415 | 426 | 429 | 503, string>>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([status, description]) => ApiResponse({ status: Number(status), type: ErrorView, description })),
  );
}

/** 503 of a route served by a validator (ConsensusClient): none answers in time. */
export const NODE_UNAVAILABLE = 'NODE_UNAVAILABLE: no validator answers';

type Operation = {
  parameters?: Array<{ in?: string } | { $ref: string }>;
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: unknown }>;
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorView' } } };

/**
 * What Fastify answers before a route handler runs, on any route of the shape that allows it, added to the
 * document (GatewayExceptionFilter and the adapter's frameworkErrors turn each into `{ code, message }`):
 * a path parameter longer than the router's limit (414) or with broken percent-encoding (400); a body that
 * is too large (413), not JSON (415) or malformed JSON (400). A status a route already documents keeps its
 * description, with the framework's code appended.
 */
export function documentFrameworkErrors(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const add = (status: string, description: string): void => {
        const existing = op.responses[status];
        if (!existing) op.responses[status] = { description, content: errorContent };
        else if (!existing.description.includes(description.split(':')[0]!)) existing.description = `${existing.description}; ${description}`;
      };
      const inPath = (op.parameters ?? []).some((p) => 'in' in p && p.in === 'path');
      if (inPath) {
        add('400', 'BAD_URL: a path parameter is not valid percent-encoding');
        add('414', 'URI_TOO_LONG: a path parameter is longer than 100 characters');
      }
      if (op.requestBody) {
        add('400', 'MALFORMED_JSON: the body is not JSON');
        // Routes with their own body limit (expert, access proxy) document their own 413 code.
        if (!op.responses['413']) add('413', 'EXTRINSIC_TOO_LARGE: the body exceeds the request size limit');
        add('415', 'UNSUPPORTED_MEDIA_TYPE: the body is not application/json');
      }
    }
  }
  return document;
}
