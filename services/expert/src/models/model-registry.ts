// The models a node serves: model folders found under the configured roots, read once at start-up.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DomainError } from '@balanceai/platform';
import { canonicalJson, isJsonObject, sha256Hex, type JsonValue } from '../json.js';
import { MODEL_NAME, compareVersions, parseExplanations, parseManifest, type ModelManifest } from './manifest.js';

export interface ModelVersion {
  manifest: ModelManifest;
  dir: string;
  /** The CLIPS source: `model.clp` of a model folder, or a toolkit checkout's `ai_models/<name>.clp`. */
  clpPath: string;
  /** functions.py when the model has one. */
  functionsPath: string | null;
  explanations: Record<string, string>;
  /** sha256 over the model's files: a changed file under an unchanged version still changes signatures. */
  digest: string;
  hasPython: boolean;
}

export const MODEL_FILES = ['manifest.json', 'model.clp', 'functions.py', 'explanations.json'] as const;
export const DEFAULT_MODEL = 'crypto-risk';

function readJson(path: string): JsonValue {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as JsonValue;
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function readModelFolder(dir: string): ModelVersion {
  let manifest: ModelManifest;
  try {
    manifest = parseManifest(readJson(join(dir, 'manifest.json')));
  } catch (err) {
    throw new Error(`model folder ${dir}: ${(err as Error).message}`);
  }
  const explanationsPath = join(dir, 'explanations.json');
  const explanations = existsSync(explanationsPath) ? parseExplanations(readJson(explanationsPath)) : {};
  const digestInput = MODEL_FILES.map((file) => {
    const path = join(dir, file);
    return `${file}:${existsSync(path) ? sha256Hex(readFileSync(path)) : '-'}`;
  }).join('\n');
  const functionsPath = join(dir, 'functions.py');
  return {
    manifest,
    dir,
    clpPath: join(dir, 'model.clp'),
    functionsPath: existsSync(functionsPath) ? functionsPath : null,
    explanations,
    digest: sha256Hex(digestInput),
    hasPython: existsSync(functionsPath),
  };
}

/** A toolkit model's name here: its file name in lower case, `_` as `-` (risk_model_crypto → risk-model-crypto). */
export function toolkitModelName(fileStem: string): string {
  return fileStem.toLowerCase().replace(/_/g, '-');
}

/**
 * The models of a risk toolkit checkout, unchanged: every `ai_models/*.clp`, in toolkit mode, with its verbiage
 * from `nlp/verbiage.json` (keyed by the model's file name, as the toolkit reads it). Version 1.0.0: the toolkit
 * does not version models; the digest of the source and verbiage tells two checkouts apart.
 */
export function readToolkitCheckout(root: string): ModelVersion[] {
  const modelsDir = join(root, 'ai_models');
  if (!existsSync(modelsDir)) throw new Error(`toolkit checkout ${root} has no ai_models folder`);
  const verbiagePath = join(root, 'nlp', 'verbiage.json');
  const verbiage = existsSync(verbiagePath) ? readJson(verbiagePath) : {};
  const models: ModelVersion[] = [];
  for (const file of readdirSync(modelsDir).sort()) {
    if (!file.endsWith('.clp')) continue;
    const stem = basename(file, '.clp');
    const name = toolkitModelName(stem);
    if (!MODEL_NAME.test(name)) throw new Error(`toolkit model ${file}: ${name} is not a usable model name`);
    const section = isJsonObject(verbiage) ? verbiage[stem] : undefined;
    const explanations = section === undefined ? {} : parseExplanations(section);
    const clpPath = join(modelsDir, file);
    models.push({
      manifest: { name, version: '1.0.0', description: `risk toolkit model ${stem} (${root})`, input: {}, mode: 'toolkit' },
      dir: modelsDir,
      clpPath,
      functionsPath: null,
      explanations,
      digest: sha256Hex(`model.clp:${sha256Hex(readFileSync(clpPath))}\nexplanations:${sha256Hex(canonicalJson(explanations))}`),
      hasPython: false,
    });
  }
  return models;
}

export class ModelRegistry {
  private readonly byName = new Map<string, ModelVersion[]>();
  /** The model a request naming none gets. */
  defaultModel = DEFAULT_MODEL;

  constructor(models: ModelVersion[]) {
    for (const model of models) this.add(model);
  }

  /** Adds one model version (at start or at run time); a name@version already held is refused. */
  add(model: ModelVersion): void {
    const versions = this.byName.get(model.manifest.name) ?? [];
    if (versions.some((v) => v.manifest.version === model.manifest.version)) {
      throw new DomainError(
        'MODEL_VERSION_EXISTS',
        `model ${model.manifest.name}@${model.manifest.version} already exists (${model.dir}); versions never change`,
        'conflict',
      );
    }
    versions.push(model);
    versions.sort((a, b) => compareVersions(a.manifest.version, b.manifest.version));
    this.byName.set(model.manifest.name, versions);
  }

  /** Takes back a version added at run time that then failed to load. */
  remove(model: ModelVersion): void {
    const versions = (this.byName.get(model.manifest.name) ?? []).filter((v) => v !== model);
    if (versions.length > 0) this.byName.set(model.manifest.name, versions);
    else this.byName.delete(model.manifest.name);
  }

  has(name: string, version: string): boolean {
    return (this.byName.get(name) ?? []).some((v) => v.manifest.version === version);
  }

  /**
   * Every model folder directly under each root (a folder holding manifest.json), then under its subfolders
   * (the `<name>/<version>/` layout of models added at run time), and every toolkit checkout's models.
   */
  static fromDirectories(roots: string[], toolkitCheckouts: string[] = []): ModelRegistry {
    const models: ModelVersion[] = [];
    for (const root of roots) models.push(...readModelFolders(root, 2));
    for (const checkout of toolkitCheckouts) models.push(...readToolkitCheckout(checkout));
    return new ModelRegistry(models);
  }

  all(): ModelVersion[] {
    return [...this.byName.keys()].sort().flatMap((name) => this.byName.get(name) ?? []);
  }

  /** The newest version of each model, by name. */
  newest(): ModelVersion[] {
    return [...this.byName.keys()].sort().map((name) => {
      const versions = this.byName.get(name) as ModelVersion[];
      return versions[versions.length - 1] as ModelVersion;
    });
  }

  versionsOf(name: string): string[] {
    return (this.byName.get(name) ?? []).map((v) => v.manifest.version);
  }

  get(name: string, version?: string): ModelVersion {
    // A toolkit client may name a model as the toolkit's config does (risk_model_crypto).
    const wanted = name || this.defaultModel;
    const versions = this.byName.get(wanted) ?? this.byName.get(toolkitModelName(wanted));
    const found = version ? versions?.find((v) => v.manifest.version === version) : versions?.[versions.length - 1];
    if (!found) {
      const what = version ? `${wanted}@${version}` : wanted;
      throw new DomainError('MODEL_NOT_FOUND', `no expert model ${what}`, 'not_found');
    }
    return found;
  }
}

function readModelFolders(root: string, levels: number): ModelVersion[] {
  const models: ModelVersion[] = [];
  if (!existsSync(root)) return models;
  for (const entry of readdirSync(root).sort()) {
    const dir = join(root, entry);
    if (!statSync(dir).isDirectory()) continue;
    if (existsSync(join(dir, 'manifest.json'))) models.push(readModelFolder(dir));
    else if (levels > 1) models.push(...readModelFolders(dir, levels - 1));
  }
  return models;
}
