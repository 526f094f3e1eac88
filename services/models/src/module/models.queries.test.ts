import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '@balanceai/platform';
import { emptyState, type ModelsState, type Provider } from '../logic/types.js';
import { fundsView, listProvidersView, providerView } from './models.queries.js';

const owner = `0x${'11'.repeat(32)}`;
const v1 = `0x${'aa'.repeat(32)}`;
const v2 = `0x${'bb'.repeat(32)}`;
const provider = (id: number, name: string, kind: Provider['kind'], status: Provider['status'] = 'Active'): Provider => ({
  id,
  owner,
  kind,
  name,
  metadataUri: `ipfs://${name}`,
  endpoint: `https://${name}.example/`,
  minAccessHolding: 5n,
  lock: 100n * BigInt(id + 1),
  status,
  unlockEra: status === 'Active' ? 0 : 9,
  registeredEra: 1,
  earned: 7n,
  slashed: status === 'Slashed' ? 10n : 0n,
});

const state: ModelsState = {
  ...emptyState(),
  height: 42n,
  era: 3,
  nextId: 3,
  providers: new Map([
    [2, provider(2, 'risk-agent', 'Agent')],
    [0, provider(0, 'Alpha-Risk', 'Model')],
    [1, provider(1, 'beta', 'Model', 'Slashed')],
  ]),
  weights: new Map([
    [v1, [[0, 9], [2, 1]] as const],
    [v2, [[0, 8]] as const],
  ]),
  reports: new Map([[1, new Map([[v1, 'Fraud' as const]])]]),
  history: [
    { era: 1, scores: [{ provider: 0, consensus: 100, weight: 1_000n, paid: 50n }], funds: [{ kind: 'Agent', fund: 9n, paid: 0n, totalWeight: 0n, providers: 0 }, { kind: 'Model', fund: 60n, paid: 50n, totalWeight: 1_000n, providers: 1 }] },
    { era: 2, scores: [{ provider: 0, consensus: 200, weight: 2_000n, paid: 60n }, { provider: 2, consensus: 1, weight: 3n, paid: 4n }], funds: [{ kind: 'Model', fund: 70n, paid: 60n, totalWeight: 2_000n, providers: 1 }] },
  ],
  funds: { model: 123n, agent: 456n },
};

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DomainError);
    return `${err.kind}:${err.code}`;
  }
  return 'ok';
};

describe('models queries over the committed state', () => {
  it('lists providers in ascending id, filtered by kind, status and a case-insensitive name substring', () => {
    const all = listProvidersView(state, {});
    assert.deepEqual([all.height, all.currentEra, all.providers.map((p) => p.id)], ['42', 3, [0, 1, 2]]);
    assert.deepEqual(all.providers[1], { id: 1, owner, kind: 'model', name: 'beta', metadataUri: 'ipfs://beta', endpoint: 'https://beta.example/', minAccessHolding: '5', lock: '200', status: 'slashed', unlockEra: 9, registeredEra: 1, earned: '7', slashed: '10' });
    assert.deepEqual(listProvidersView(state, { kind: 'model' }).providers.map((p) => p.id), [0, 1]);
    assert.deepEqual(listProvidersView(state, { status: 'active' }).providers.map((p) => p.id), [0, 2]);
    assert.deepEqual(listProvidersView(state, { query: 'RISK' }).providers.map((p) => p.id), [0, 2]);
    assert.deepEqual(listProvidersView(state, { kind: 'agent', query: 'alpha' }).providers, []);
    assert.equal(code(() => listProvidersView(state, { kind: 'Model' })), 'invalid:BAD_QUERY');
    assert.equal(code(() => listProvidersView(state, { status: 'gone' })), 'invalid:BAD_QUERY');
    assert.equal(code(() => listProvidersView(state, { query: 'x'.repeat(65) })), 'invalid:BAD_QUERY');
  });

  it('one provider: its lock, its eras most recent first, and who scored and reported it this era', () => {
    const p = providerView(state, 0);
    assert.equal(p.provider?.lock, '100');
    assert.deepEqual(p.eras, [{ era: 2, consensus: 200, weight: '2000', paid: '60' }, { era: 1, consensus: 100, weight: '1000', paid: '50' }]);
    assert.deepEqual([p.scoredBy, p.reportedBy], [2, 0]);
    assert.deepEqual([providerView(state, 1).scoredBy, providerView(state, 1).reportedBy, providerView(state, 1).eras], [0, 1, []]);
    assert.equal(code(() => providerView(state, 9)), 'not_found:PROVIDER_NOT_FOUND');
  });

  it('funds: balances now, each kept era end with models before agents, and the locks total', () => {
    assert.deepEqual(fundsView(state), {
      height: '42',
      currentEra: 3,
      totalLocked: '600',
      modelsFund: '123',
      agentsFund: '456',
      eras: [
        { era: 2, kind: 'model', fund: '70', paid: '60', totalWeight: '2000', providers: 1 },
        { era: 1, kind: 'model', fund: '60', paid: '50', totalWeight: '1000', providers: 1 },
        { era: 1, kind: 'agent', fund: '9', paid: '0', totalWeight: '0', providers: 0 },
      ],
    });
  });
});
