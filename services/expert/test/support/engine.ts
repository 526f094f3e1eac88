import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExpertConfig, type ExpertConfig } from '../../src/config.js';
import { ExpertEngine } from '../../src/expert-engine.js';
import type { expertV1 } from '@balanceai/contracts';
import type { JsonObject } from '../../src/json.js';

/** test/fixtures/models in the source tree (tests run from dist/test/support). */
export const fixtureModels = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'models');

export function testConfig(overrides: Partial<ExpertConfig> = {}, withFixtures = false): ExpertConfig {
  const env: NodeJS.ProcessEnv = withFixtures ? { BAI_EXPERT_MODELS_DIR: fixtureModels } : {};
  return { ...loadExpertConfig(env), workers: 2, timeoutMs: 1500, ...overrides };
}

export async function startEngine(overrides: Partial<ExpertConfig> = {}, withFixtures = false): Promise<ExpertEngine> {
  const engine = new ExpertEngine(testConfig(overrides, withFixtures));
  await engine.start();
  return engine;
}

export function evaluate(engine: ExpertEngine, document: JsonObject, model = ''): Promise<expertV1.EvaluateResponse> {
  return engine.evaluate({ model, modelVersion: '', requestJson: JSON.stringify(document) });
}

/** The risks without explanations, for exact comparisons. */
export function risksOf(response: expertV1.EvaluateResponse): { name: string; deal: string; parameters: Record<string, string> }[] {
  return response.identifiedRisks.map((r) => ({ name: r.name, deal: r.otPosDealid, parameters: r.parameters }));
}
