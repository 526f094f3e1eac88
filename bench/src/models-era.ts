// Era-end bench (issue 11): 10,000 providers (half models, half agents) scored by 100 validators that each
// scored every provider; times `endEra` (stake-weighted medians, clipping, pro-rata grants of both funds,
// history) as one block's era end runs it, and the whole block through `executeModelsBlock`.
// Run: node bench/dist/src/models-era.js [--providers 10000] [--validators 100] [--runs 3]
// Data comes from a fixed-seed generator, so every run computes the same payouts; the clock is read only
// here, never by the module.
import { performance } from 'node:perf_hooks';
import { logic } from '@balanceai/models';

const { executeModelsBlock, draftOf, endEra, emptyState } = logic;
type ModelsState = logic.ModelsState;
type Provider = logic.Provider;

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PROVIDERS = arg('providers', 10_000);
const VALIDATORS = arg('validators', 100);
const RUNS = arg('runs', 3);
const BAI = 10n ** 18n;
const ERA = 7_200n;

/** xorshift32: deterministic pseudo-random scores. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const acct = (i: number, tag: number) => `0x${tag.toString(16).padStart(2, '0')}${i.toString(16).padStart(62, '0')}`;

function build(): { state: ModelsState; validators: Array<{ stash: string; stake: bigint }> } {
  const next = rng(42);
  const providers = new Map<number, Provider>();
  for (let id = 0; id < PROVIDERS; id++) {
    providers.set(id, {
      id,
      owner: acct(id, 1),
      kind: id % 2 === 0 ? 'Model' : 'Agent',
      name: `p${id}`,
      metadataUri: `ipfs://p${id}`,
      endpoint: `http://10.0.0.1/${id}`,
      minAccessHolding: BAI,
      lock: 1_000n * BAI,
      status: 'Active',
      unlockEra: 0,
      registeredEra: 0,
      earned: 0n,
      slashed: 0n,
    });
  }
  const validators = Array.from({ length: VALIDATORS }, (_, i) => ({ stash: acct(i, 2), stake: 10_000n * BAI + BigInt(next() % 1_000_000) * BAI }));
  const weights = new Map<string, Array<readonly [number, number]>>();
  for (const v of validators) weights.set(v.stash, Array.from({ length: PROVIDERS }, (_, p) => [p, next() % 65_536] as const));
  return { state: { ...emptyState(), height: ERA - 1n, providers, nextId: PROVIDERS, weights }, validators };
}

const { state, validators } = build();
const funds = { model: 345_600n * BAI + 17n, agent: 345_600n * BAI + 3n };
const ms = (t0: number) => (performance.now() - t0).toFixed(1);
console.log(`models era end: ${PROVIDERS} providers × ${VALIDATORS} validators (every validator scores every provider)`);
for (let run = 1; run <= RUNS; run++) {
  let t0 = performance.now();
  const d = draftOf(state);
  const out = endEra(d, validators, funds);
  const endMs = ms(t0);
  const paid = out.transfers.reduce((s, t) => s + t.amount, 0n);
  t0 = performance.now();
  const block = executeModelsBlock(state, { height: ERA, eraLength: ERA, params: { modelMinLock: BAI, agentMinLock: BAI, unlockDelay: 7, slashFraction: 100_000_000, maxWeights: 65_535 }, validators, calls: [], free: new Map(), funds });
  const blockMs = ms(t0);
  if (block.transfers.length !== out.transfers.length) throw new Error('the block and endEra disagree');
  console.log(`run ${run}: endEra ${endMs} ms, whole block ${blockMs} ms; ${out.transfers.length} grants paying ${paid} of ${funds.model + funds.agent} base units`);
}
