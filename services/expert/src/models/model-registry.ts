// The models a node serves: model folders found under the configured roots, read once at start-up.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '@balanceai/platform';
import { sha256Hex, type JsonValue } from '../json.js';
import { compareVersions, parseExplanations, parseManifest, type ModelManifest } from './manifest.js';

export interface ModelVersion {
  manifest: ModelManifest;
  dir: string;
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
  return {
    manifest,
    dir,
    explanations,
    digest: sha256Hex(digestInput),
    hasPython: existsSync(join(dir, 'functions.py')),
  };
}

export class ModelRegistry {
  private readonly byName = new Map<string, ModelVersion[]>();

  constructor(models: ModelVersion[]) {
    for (const model of models) {
      const versions = this.byName.get(model.manifest.name) ?? [];
      if (versions.some((v) => v.manifest.version === model.manifest.version)) {
        throw new Error(`model ${model.manifest.name}@${model.manifest.version} is defined twice (${model.dir})`);
      }
      versions.push(model);
      versions.sort((a, b) => compareVersions(a.manifest.version, b.manifest.version));
      this.byName.set(model.manifest.name, versions);
    }
  }

  /** Every folder holding a manifest.json directly under each root. */
  static fromDirectories(roots: string[]): ModelRegistry {
    const models: ModelVersion[] = [];
    for (const root of roots) {
      for (const entry of readdirSync(root).sort()) {
        const dir = join(root, entry);
        if (statSync(dir).isDirectory() && existsSync(join(dir, 'manifest.json'))) models.push(readModelFolder(dir));
      }
    }
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
    const versions = this.byName.get(name || DEFAULT_MODEL);
    const found = version ? versions?.find((v) => v.manifest.version === version) : versions?.[versions.length - 1];
    if (!found) {
      const what = version ? `${name || DEFAULT_MODEL}@${version}` : name || DEFAULT_MODEL;
      throw new DomainError('MODEL_NOT_FOUND', `no expert model ${what}`, 'not_found');
    }
    return found;
  }
}
