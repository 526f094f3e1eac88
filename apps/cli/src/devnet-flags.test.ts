import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_MODELS_GENESIS } from '@balanceai/chain';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '@balanceai/testing';
import { MIGRATED_SERVICES, SERVICES, UsageError, devnetModules, devnetNatsNodes, validatorModules, validatorModulesVariable } from './commands.js';

describe('balanceai devnet flags', () => {
  it('--modules: every module by default; any of emissions, staking, models, bridge, each once', () => {
    assert.deepEqual(devnetModules(undefined), ['emissions', 'staking', 'models', 'bridge']);
    assert.deepEqual(devnetModules('emissions, staking,models,bridge'), ['emissions', 'staking', 'models', 'bridge']);
    assert.deepEqual(devnetModules('emissions'), ['emissions']);
    assert.throws(() => devnetModules('emissions,expert'), (err: Error) => err instanceof UsageError && /unknown module "expert"/.test(err.message));
    assert.throws(() => devnetModules('staking,staking'), UsageError);
  });

  it('--nats-nodes: 1 by default, 1 or 3', () => {
    assert.equal(devnetNatsNodes(undefined), 1);
    assert.equal(devnetNatsNodes('3'), 3);
    assert.throws(() => devnetNatsNodes('2'), UsageError);
    assert.throws(() => devnetNatsNodes('three'), UsageError);
  });
});

describe('balanceai run validator', () => {
  it('starts emissions and staking, and models only when the genesis has its section', () => {
    assert.deepEqual(validatorModules({}).map((m) => m.name), ['emissions', 'staking']);
    const withModels = validatorModules({ models: DEFAULT_MODELS_GENESIS });
    assert.deepEqual(withModels.map((m) => m.name), ['emissions', 'staking', 'models']);
    assert.equal(validatorModulesVariable(withModels, {}), 'emissions=127.0.0.1:50061,staking=127.0.0.1:50062,models=127.0.0.1:50063');
    assert.equal(validatorModulesVariable(withModels, { BAI_MODELS_GRPC_PORT: '51063' }), 'emissions=127.0.0.1:50061,staking=127.0.0.1:50062,models=127.0.0.1:51063');
    assert.equal(validatorModulesVariable(validatorModules({}), {}), 'emissions=127.0.0.1:50061,staking=127.0.0.1:50062');
    assert.deepEqual(withModels.map((m) => m.httpOffset), [1, 2, 3]);
  });
});

describe('balanceai migrate and run <service>', () => {
  it('migrates the models schema and runs the models service and its scoring worker by package export', () => {
    assert.ok(MIGRATED_SERVICES.includes('models'));
    assert.ok(existsSync(join(REPO_ROOT, 'services', 'models', 'prisma', 'migrations')));
    assert.equal(SERVICES.models?.entry, '@balanceai/models/main');
    assert.equal(SERVICES['models-worker']?.entry, '@balanceai/models/worker');
    for (const name of ['models', 'models-worker']) {
      const file = fileURLToPath(import.meta.resolve(SERVICES[name]!.entry));
      assert.ok(file.startsWith(join(REPO_ROOT, 'services', 'models', 'dist', 'src')), file);
    }
  });

  it('migrates the bridge schema and runs the bridge module and its relayer by package export (the chart runs `run bridge`)', () => {
    assert.ok(MIGRATED_SERVICES.includes('bridge'));
    assert.ok(existsSync(join(REPO_ROOT, 'services', 'bridge', 'prisma', 'migrations')));
    for (const [name, file] of [['bridge', 'main.js'], ['bridge-relayer', join('relayer', 'main.js')]] as const) {
      assert.equal(fileURLToPath(import.meta.resolve(SERVICES[name]!.entry)), join(REPO_ROOT, 'services', 'bridge', 'dist', 'src', file));
    }
  });
});
