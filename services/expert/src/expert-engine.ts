// The expert system without transport: model registry, request validation, the worker pool and response assembly.
// The gRPC controller, the bench and the tests all drive this one class.
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { DomainError } from '@balanceai/platform';
import type { expertV1 } from '@balanceai/contracts';
import { workerSourceDir, type ExpertConfig } from './config.js';
import { buildFacts } from './evaluation/facts.js';
import { checkRequestLimits } from './evaluation/limits.js';
import { parseRequestJson, validateRequest, type ModelShape } from './evaluation/request.js';
import {
  assembleResponse, riskSignature, sortRisks, toolkitAnswer, type RiskFact, type ToolkitRisk,
} from './evaluation/response.js';
import type { JsonObject, JsonValue } from './json.js';
import { MODEL_MODES, parseManifest, type ModelMode } from './models/manifest.js';
import { ModelRegistry, readModelFolder, type ModelVersion } from './models/model-registry.js';
import {
  WorkerLostError, WorkerMessageError, chooseSandbox, type SandboxPlan, type WorkerAnswer,
} from './workers/expert-worker.js';
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
  BAD_REQUEST: 'invalid',
  MODEL_LOAD_FAILED: 'conflict',
  EVALUATION_FAILED: 'conflict',
  MEMORY_LIMIT_EXCEEDED: 'too_large',
};

/** What a toolkit-mode evaluation answers from the worker. */
interface ToolkitWorkerAnswer {
  risks: ToolkitRisk[];
  warnings: string[];
  user_id: JsonValue;
  indicators: JsonValue;
}

export class ExpertEngine {
  private readonly pool: WorkerPool;
  private readonly loadStates = new Map<string, LoadState>();
  private readonly logger = new Logger('ExpertEngine');
  /** Where AddModel writes model versions. */
  readonly runtimeModelsDir: string;
  /** The folder above is this process's own temporary one, removed on close. */
  private readonly temporaryModelsDir: boolean;
  readonly sandbox: SandboxPlan;

  constructor(
    private readonly config: ExpertConfig,
    readonly registry?: ModelRegistry,
    private readonly access: ModelAccessPolicy = openAccess,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.temporaryModelsDir = config.runtimeModelsDir === undefined;
    this.runtimeModelsDir = config.runtimeModelsDir ?? mkdtempSync(join(tmpdir(), 'bai-expert-models-'));
    mkdirSync(this.runtimeModelsDir, { recursive: true });
    // Sandboxed workers run as another user: they must read what AddModel writes here (the files hold no secrets).
    chmodSync(this.runtimeModelsDir, 0o755);
    this.registry = registry ?? ModelRegistry.fromDirectories([...config.modelsDirs, this.runtimeModelsDir], config.toolkitDirs);
    if (config.defaultModel) this.registry.defaultModel = config.defaultModel;
    this.registry.get(''); // fails at start, naming it, when the default model does not exist
    const launch = {
      python: config.python,
      sourceDir: workerSourceDir,
      memoryMb: config.memoryMb,
      cpuSecondsPerRequest: Math.ceil(config.timeoutMs / 1000) * 2 + 1,
      networkNamespace: config.networkNamespace,
    };
    this.sandbox = chooseSandbox(launch, {
      sandbox: config.sandbox,
      workerUser: config.workerUser,
      readable: [...config.modelsDirs, ...config.toolkitDirs, this.runtimeModelsDir],
    });
    const line = `expert workers: ${this.sandbox.kind} (${this.sandbox.note})`;
    if (this.sandbox.kind === 'bwrap' && this.sandbox.uid !== undefined && this.sandbox.seccomp !== undefined) this.logger.log(line);
    else this.logger.warn(`${line}; model code is less contained than with bwrap as an unprivileged user`);
    this.pool = new WorkerPool({ size: config.workers, maxQueue: config.maxQueue, launch: { ...launch, sandbox: this.sandbox } });
  }

  private get models(): ModelRegistry {
    return this.registry as ModelRegistry;
  }

  get workerReplacements(): number {
    return this.pool.replacements;
  }

  get workerPids(): (number | undefined)[] {
    return this.pool.pids;
  }

  /** Worker processes running now (readiness counts these, not the configured size). */
  get liveWorkers(): number {
    return this.pool.live;
  }

  get configuredWorkers(): number {
    return this.pool.size;
  }

  /** Loads every model once, so a model that does not parse is known (and listed with its error) from the start. */
  async start(): Promise<void> {
    for (const model of this.models.all()) await this.loadState(model);
  }

  async close(): Promise<void> {
    await this.pool.close();
    if (this.temporaryModelsDir) rmSync(this.runtimeModelsDir, { recursive: true, force: true });
  }

  async listModels(): Promise<expertV1.ListModelsResponse> {
    const models = [];
    for (const model of this.models.newest()) models.push(await this.describe(model));
    return { models };
  }

  async getModel(request: expertV1.GetModelRequest): Promise<expertV1.GetModelResponse> {
    return { model: await this.describe(this.models.get(request.name, request.version || undefined)) };
  }

  async evaluate(request: expertV1.EvaluateRequest): Promise<expertV1.EvaluateResponse> {
    const model = this.models.get(request.model, request.modelVersion || undefined);
    // Limits on the raw text first: nothing parses a request that is too large, too deep or has too many positions.
    checkRequestLimits(request.requestJson, this.config.limits);
    const document = parseRequestJson(request.requestJson);
    const state = await this.loadState(model);
    if ('loadError' in state) throw new DomainError('MODEL_LOAD_FAILED', state.loadError, 'conflict');
    if (model.manifest.mode === 'toolkit') return this.evaluateToolkit(model, request.requestJson, document);
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

  /**
   * Toolkit mode: the worker builds facts from the raw request text (Python's own JSON reading keeps 1.0 a
   * float), as the toolkit does; the answer carries both shapes, the toolkit's in the order risks were asserted.
   */
  private async evaluateToolkit(model: ModelVersion, requestText: string, document: JsonObject): Promise<expertV1.EvaluateResponse> {
    await this.access.assertMayEvaluate(model, typeof document['ot_user_id'] === 'string' ? document['ot_user_id'] : '');
    const answer = (await this.runInWorker(model, {
      op: 'evaluate_toolkit',
      model: this.workerModel(model),
      request_text: requestText,
    })) as ToolkitWorkerAnswer;
    const evaluatedAt = this.clock();
    const identifiedRisks = sortRisks(answer.risks.map((risk) => {
      const parameters: Record<string, string> = {};
      let deal = '';
      for (const [slot, text] of risk.params) {
        if (text === 'nil') continue;
        if (slot === 'ot_pos_dealid') deal = text;
        else parameters[slot] = text;
      }
      return { name: risk.name, otPosDealid: deal, parameters, explanation: risk.explanation };
    }));
    const identity = { name: model.manifest.name, version: model.manifest.version, digest: model.digest, explanations: model.explanations };
    return {
      otUserId: typeof answer.user_id === 'string' ? answer.user_id : JSON.stringify(answer.user_id),
      otTimestamp: evaluatedAt.toISOString(),
      riskSignature: riskSignature(identity, document, identifiedRisks),
      identifiedRisks,
      otIndicatorsJson: JSON.stringify(answer.indicators ?? []),
      model: model.manifest.name,
      modelVersion: model.manifest.version,
      warnings: answer.warnings,
      toolkitAnswerJson: JSON.stringify(
        toolkitAnswer(answer.user_id, evaluatedAt, answer.risks.map((r) => ({ name: r.name, explanation: r.explanation })), answer.indicators, answer.warnings),
      ),
    };
  }

  /**
   * Adds a model version at run time: written under the runtime models folder, loaded in a worker, served at
   * once. A version that does not load is taken back (MODEL_LOAD_FAILED); an existing version is never replaced.
   */
  async addModel(request: expertV1.AddModelRequest, adminToken: string | undefined): Promise<expertV1.AddModelResponse> {
    this.assertAdmin(adminToken);
    const mode = (request.mode || 'toolkit') as ModelMode;
    if (!MODEL_MODES.includes(mode)) throw new DomainError('BAD_REQUEST', `mode must be one of ${MODEL_MODES.join(', ')}`, 'invalid', { field: 'mode' });
    let input: JsonValue = {};
    if (request.inputSchemaJson) {
      try {
        input = JSON.parse(request.inputSchemaJson) as JsonValue;
      } catch {
        throw new DomainError('BAD_REQUEST', 'input_schema_json is not valid JSON', 'invalid', { field: 'input_schema_json' });
      }
    }
    const manifestJson = { name: request.name, version: request.version, description: request.description, mode, input };
    try {
      parseManifest(manifestJson);
    } catch (err) {
      throw new DomainError('BAD_REQUEST', (err as Error).message, 'invalid', { field: 'manifest' });
    }
    if (!request.modelClp.trim()) throw new DomainError('BAD_REQUEST', 'model_clp is required', 'invalid', { field: 'model_clp' });
    if (this.models.has(request.name, request.version)) {
      throw new DomainError('MODEL_VERSION_EXISTS', `model ${request.name}@${request.version} already exists; versions never change`, 'conflict');
    }
    const dir = join(this.runtimeModelsDir, request.name, request.version);
    const staging = `${dir}.adding`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifestJson, null, 2)}\n`);
    writeFileSync(join(staging, 'model.clp'), request.modelClp);
    if (request.functionsPy) writeFileSync(join(staging, 'functions.py'), request.functionsPy);
    writeFileSync(join(staging, 'explanations.json'), `${JSON.stringify(request.explanations ?? {}, null, 2)}\n`);
    renameSync(staging, dir);
    const model = readModelFolder(dir);
    this.models.add(model);
    const state = await this.loadState(model);
    if ('loadError' in state) {
      this.models.remove(model);
      this.loadStates.delete(`${model.manifest.name}@${model.manifest.version}`);
      rmSync(dir, { recursive: true, force: true });
      throw new DomainError('MODEL_LOAD_FAILED', state.loadError, 'conflict');
    }
    return { model: await this.describe(model) };
  }

  private assertAdmin(token: string | undefined): void {
    const expected = this.config.adminToken;
    if (!expected) {
      throw new DomainError('MODEL_ADMIN_DENIED', 'adding models is disabled on this node (BAI_EXPERT_ADMIN_TOKEN is not set)', 'forbidden');
    }
    const given = Buffer.from(token ?? '');
    const wanted = Buffer.from(expected);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new DomainError('MODEL_ADMIN_DENIED', 'the bai-admin-token metadata is missing or wrong', 'forbidden');
    }
  }

  private async describe(model: ModelVersion): Promise<expertV1.Model> {
    const state = await this.loadState(model);
    return {
      name: model.manifest.name,
      version: model.manifest.version,
      description: model.manifest.description,
      versions: this.models.versionsOf(model.manifest.name),
      inputSchemaJson: JSON.stringify(model.manifest.input),
      explanations: model.explanations,
      hasPython: model.hasPython,
      loadError: 'loadError' in state ? state.loadError : '',
      digest: model.digest,
    };
  }

  private workerModel(model: ModelVersion): Record<string, unknown> {
    // The digest in the key makes a worker rebuild the environment when a model's files change under one version.
    return {
      name: model.manifest.name,
      version: `${model.manifest.version}+${model.digest.slice(0, 16)}`,
      dir: model.dir,
      clp: model.clpPath,
      functions: model.functionsPath,
      mode: model.manifest.mode,
      // The toolkit's verbiage is applied in the worker (its placeholders read printed slot values).
      explanations: model.manifest.mode === 'toolkit' ? model.explanations : {},
    };
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
      if (err instanceof WorkerMessageError) throw new DomainError('BAD_REQUEST', err.message, 'invalid');
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
