// The expert system without transport: model registry, request validation, the worker pool and response assembly.
// The gRPC controller, the bench and the tests all drive this one class.
import { DomainError } from '@balanceai/platform';
import type { expertV1 } from '@balanceai/contracts';
import { workerSourceDir, type ExpertConfig } from './config.js';
import { buildFacts } from './evaluation/facts.js';
import { parseRequestJson, validateRequest, type ModelShape } from './evaluation/request.js';
import { assembleResponse, type RiskFact } from './evaluation/response.js';
import { ModelRegistry, type ModelVersion } from './models/model-registry.js';
import { WorkerLostError, type WorkerAnswer } from './workers/expert-worker.js';
import { WorkerPool } from './workers/worker-pool.js';

/** What loading a model in a worker told us: its template slots, or why it does not load. */
type LoadState = { templates: Record<string, string[]> } | { loadError: string };

/**
 * Who may evaluate a model. Access by holding (§6: free + bonded BAI ≥ the model's min_access_holding) arrives
 * with the models marketplace; until then every caller is allowed and this is the one place to enforce it.
 */
export interface ModelAccessPolicy {
  assertMayEvaluate(model: ModelVersion, callerId: string): Promise<void>;
}

export const openAccess: ModelAccessPolicy = { assertMayEvaluate: async () => undefined };

const WORKER_ERROR_KINDS: Record<string, DomainError['kind']> = {
  MODEL_LOAD_FAILED: 'conflict',
  EVALUATION_FAILED: 'conflict',
  MEMORY_LIMIT_EXCEEDED: 'too_large',
};

export class ExpertEngine {
  private readonly pool: WorkerPool;
  private readonly loadStates = new Map<string, LoadState>();

  constructor(
    private readonly config: ExpertConfig,
    readonly registry: ModelRegistry = ModelRegistry.fromDirectories(config.modelsDirs),
    private readonly access: ModelAccessPolicy = openAccess,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.pool = new WorkerPool({
      size: config.workers,
      maxQueue: config.maxQueue,
      launch: {
        python: config.python,
        sourceDir: workerSourceDir,
        memoryMb: config.memoryMb,
        cpuSecondsPerRequest: Math.ceil(config.timeoutMs / 1000) * 2 + 1,
        networkNamespace: config.networkNamespace,
      },
    });
  }

  get workerReplacements(): number {
    return this.pool.replacements;
  }

  get workerPids(): (number | undefined)[] {
    return this.pool.pids;
  }

  /** Loads every model once, so a model that does not parse is known (and listed with its error) from the start. */
  async start(): Promise<void> {
    for (const model of this.registry.all()) await this.loadState(model);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  async listModels(): Promise<expertV1.ListModelsResponse> {
    const models = [];
    for (const model of this.registry.newest()) models.push(await this.describe(model));
    return { models };
  }

  async getModel(request: expertV1.GetModelRequest): Promise<expertV1.GetModelResponse> {
    return { model: await this.describe(this.registry.get(request.name, request.version || undefined)) };
  }

  async evaluate(request: expertV1.EvaluateRequest): Promise<expertV1.EvaluateResponse> {
    const model = this.registry.get(request.model, request.modelVersion || undefined);
    const document = parseRequestJson(request.requestJson);
    const state = await this.loadState(model);
    if ('loadError' in state) throw new DomainError('MODEL_LOAD_FAILED', state.loadError, 'conflict');
    const shape: ModelShape = { name: model.manifest.name, input: model.manifest.input, templates: state.templates };
    const expertRequest = validateRequest(document, shape);
    await this.access.assertMayEvaluate(model, expertRequest.otUserId);
    const answer = await this.runInWorker(model, {
      op: 'evaluate',
      model: this.workerModel(model),
      facts: buildFacts(expertRequest),
      correlation: expertRequest.correlationMatrix,
      request: document,
    });
    const risks = (answer as { risks: RiskFact[] }).risks;
    return assembleResponse(
      { name: model.manifest.name, version: model.manifest.version, digest: model.digest, explanations: model.explanations },
      expertRequest,
      risks,
      this.clock(),
    );
  }

  private async describe(model: ModelVersion): Promise<expertV1.Model> {
    const state = await this.loadState(model);
    return {
      name: model.manifest.name,
      version: model.manifest.version,
      description: model.manifest.description,
      versions: this.registry.versionsOf(model.manifest.name),
      inputSchemaJson: JSON.stringify(model.manifest.input),
      explanations: model.explanations,
      hasPython: model.hasPython,
      loadError: 'loadError' in state ? state.loadError : '',
      digest: model.digest,
    };
  }

  private workerModel(model: ModelVersion): Record<string, string> {
    // The digest in the key makes a worker rebuild the environment when a model's files change under one version.
    return { name: model.manifest.name, version: `${model.manifest.version}+${model.digest.slice(0, 16)}`, dir: model.dir };
  }

  private async loadState(model: ModelVersion): Promise<LoadState> {
    const key = `${model.manifest.name}@${model.manifest.version}`;
    const known = this.loadStates.get(key);
    if (known) return known;
    let state: LoadState;
    try {
      const described = (await this.runInWorker(model, { op: 'load', model: this.workerModel(model) })) as {
        templates: Record<string, string[]>;
      };
      state = { templates: described.templates };
    } catch (err) {
      if (!(err instanceof DomainError) || err.code === 'EXPERT_BUSY') throw err;
      state = { loadError: err.message };
    }
    this.loadStates.set(key, state);
    return state;
  }

  private async runInWorker(model: ModelVersion, message: Record<string, unknown>): Promise<unknown> {
    let answer: WorkerAnswer;
    try {
      answer = await this.pool.run(message, this.config.timeoutMs);
    } catch (err) {
      if (err instanceof WorkerLostError) {
        const name = `${model.manifest.name}@${model.manifest.version}`;
        if (err.reason === 'timeout') {
          throw new DomainError(
            'EVALUATION_TIMEOUT',
            `model ${name} did not finish within ${this.config.timeoutMs} ms; the worker was stopped and replaced`,
            'unavailable',
          );
        }
        throw new DomainError('EVALUATION_FAILED', `model ${name} crashed its worker: ${err.message}`, 'conflict');
      }
      throw err;
    }
    if ('error' in answer) {
      const kind = WORKER_ERROR_KINDS[answer.error.code] ?? 'internal';
      throw new DomainError(answer.error.code, answer.error.message, kind);
    }
    return answer.result;
  }
}
