import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError, devnetModules, devnetNatsNodes } from './commands.js';

describe('balanceai devnet flags', () => {
  it('--modules: emissions and staking by default; any of emissions, staking, models, bridge, each once', () => {
    assert.deepEqual(devnetModules(undefined), ['emissions', 'staking']);
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
