// The expert service's marketplace surface on its HTTP port (issue 11), registered in its own Fastify scope:
// - the agent routes its genesis registration points at (endpoint `http://<host>:<port>/agent`), reached by
//   callers through the gateway's access proxy `/v1/access/{id}/…`: POST /agent/risks evaluates a risk toolkit
//   document (`?model=<name>` for another model than the default) and answers the toolkit's shape; GET
//   /agent/health and POST /agent/sample are what the validators' scoring workers probe;
// - POST /marketplace/models (x-bai-admin-token): load a model registered on chain, hash-checked (loader.ts).
// Bodies arrive as text (the toolkit reads the raw JSON: 1.0 stays a float), refusals as `{ code, message }`.
import { DomainError, httpStatusOf } from '@balanceai/platform';
import type { ExpertEngine } from '../expert-engine.js';
import type { MarketplaceLoader, MarketplaceModelFiles } from './loader.js';

interface Request {
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
}
interface Reply {
  status(code: number): Reply;
  header(name: string, value: string): Reply;
  send(body: unknown): unknown;
}
type Handler = (req: Request, reply: Reply) => Promise<unknown>;
interface Scope {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(type: string, opts: { parseAs: 'string'; bodyLimit: number }, parser: (req: unknown, body: string, done: (err: Error | null, body?: unknown) => void) => void): void;
  get(path: string, handler: Handler): void;
  post(path: string, handler: Handler): void;
}
/** The part of a Fastify instance this needs (the expert's HTTP adapter; no Fastify import here). */
export interface FastifyLike {
  register(plugin: (scope: Scope) => Promise<void>): unknown;
}

/** The fixed document the scoring workers' sample request evaluates: one position, the built-in model. */
export const SAMPLE_DOCUMENT = JSON.stringify({
  ot_user_id: 'balanceai-probe',
  ot_risk_input: {
    ot_user_balance: 10000,
    ot_user_timeframe: 'DAY',
    ot_user_diversification: 0.2,
    ot_user_limitpertrade: 0.02,
    ot_user_riskrewardratio: 2,
    'position-data': [{ ot_pos_dealid: 'P1', ot_instr_id: 'BTC/USD', ot_instr_name: 'BTC', ot_pos_direction: 'BUY', ot_pos_opening: 100, ot_pos_contractsize: 40, ot_pos_size: 1, ot_risk_check: 'true', ot_pos_stop: null, ot_pos_limit: 120 }],
  },
});

const json = (reply: Reply, status: number, body: unknown) => reply.status(status).header('content-type', 'application/json; charset=utf-8').send(typeof body === 'string' ? body : JSON.stringify(body));

function failure(reply: Reply, err: unknown): unknown {
  if (err instanceof DomainError && err.kind !== 'internal') return json(reply, httpStatusOf[err.kind], { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
  return json(reply, 500, { code: 'INTERNAL', message: 'internal error' });
}

const text = (body: unknown): string => (typeof body === 'string' ? body : '');
const header = (req: Request, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function registerMarketplaceRoutes(fastify: FastifyLike, engine: ExpertEngine, loader: MarketplaceLoader | null, maxBodyBytes: number): void {
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

    scope.get('/agent/health', async (_req, reply) =>
      engine.liveWorkers > 0 ? json(reply, 200, { status: 'ok', workers: engine.liveWorkers }) : json(reply, 503, { code: 'EXPERT_NOT_READY', message: 'no expert worker is running' }),
    );

    scope.post('/agent/sample', async (_req, reply) => {
      try {
        const answer = await engine.evaluate({ model: '', modelVersion: '', requestJson: SAMPLE_DOCUMENT });
        return json(reply, 200, { model: answer.model, version: answer.modelVersion, risks: answer.identifiedRisks.length });
      } catch (err) {
        return failure(reply, err);
      }
    });

    scope.post('/agent/risks', async (req, reply) => {
      try {
        const model = (req.query as { model?: unknown } | undefined)?.model;
        const answer = await engine.evaluate({ model: typeof model === 'string' ? model : '', modelVersion: '', requestJson: text(req.body) });
        return json(reply, 200, answer.toolkitAnswerJson || answer);
      } catch (err) {
        return failure(reply, err);
      }
    });

    scope.post('/marketplace/models', async (req, reply) => {
      try {
        if (!loader) throw new DomainError('MARKETPLACE_DISABLED', 'this expert service reads no chain: set BAI_EXPERT_CHAIN_URL (a gateway URL) to load marketplace models', 'unavailable');
        let files: MarketplaceModelFiles;
        try {
          files = JSON.parse(text(req.body)) as MarketplaceModelFiles;
        } catch {
          throw new DomainError('BAD_REQUEST', 'the body is a JSON object { provider, modelClp, functionsPy?, explanations?, description?, mode? }', 'invalid');
        }
        if (typeof files !== 'object' || files === null) throw new DomainError('BAD_REQUEST', 'the body is a JSON object', 'invalid');
        return json(reply, 201, await loader.load(files, header(req, 'x-bai-admin-token')));
      } catch (err) {
        return failure(reply, err);
      }
    });
  });
}
