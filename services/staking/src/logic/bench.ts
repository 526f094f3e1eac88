// Era-end bench: 1,000 validator candidates and 20,000 nominators with 16 targets each; times the
// election (sequential Phragmén + exposures) and the payout of the whole pot, as `endEra` runs them.
// Run: node <build>/bench.js [--validators 100] [--runs 3]
// Data is pseudo-random from a fixed seed, so every run elects the same set; the clock is only read
// here, never by the module.
import { electNextSet, endEra, genesisState, notePoints } from './era.js';
import { accountId, mulberry32 } from './prng.js';
import { DEFAULT_PARAMS, type StakingParams } from './types.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CANDIDATES = arg('candidates', 1_000);
const NOMINATORS = arg('nominators', 20_000);
const TARGETS = 16;
const SEATS = arg('validators', 100);
const RUNS = arg('runs', 3);
const BAI = 10n ** 18n;

const params: StakingParams = {
  ...DEFAULT_PARAMS,
  validatorCount: SEATS,
  minimumValidatorCount: SEATS,
  maxPayoutsPerValidator: 512,
};

function build(seed: number) {
  const rng = mulberry32(seed);
  const validators = Array.from({ length: CANDIDATES }, (_, i) => ({
    stash: accountId(i, 1),
    bond: params.minValidatorBond + rng.bigint(0n, 1_000_000n * BAI),
    commission: BigInt(rng.int(20)) * 10_000_000n,
    payee: rng.int(2) ? ('Staked' as const) : ('Stash' as const),
  }));
  const nominators = Array.from({ length: NOMINATORS }, (_, i) => {
    const targets = new Set<string>();
    while (targets.size < TARGETS) targets.add(validators[rng.int(CANDIDATES)]!.stash);
    return {
      stash: accountId(i, 2),
      bond: params.minNominatorBond + rng.bigint(0n, 50_000n * BAI),
      targets: [...targets],
      payee: rng.int(2) ? ('Staked' as const) : ('Stash' as const),
    };
  });
  return { validators, nominators };
}

console.log(
  `node ${process.version}: era end with ${CANDIDATES.toLocaleString('en-US')} candidates, ` +
    `${NOMINATORS.toLocaleString('en-US')} nominators x ${TARGETS} targets, ${SEATS} seats`,
);
const genesisData = build(2024);
for (let run = 1; run <= RUNS; run++) {
  const t0 = performance.now();
  const { state } = genesisState(params, genesisData); // genesis runs the same election
  const t1 = performance.now();
  // One era of 7,200 blocks, every active validator signing every commit (equal points).
  for (const v of state.active.validators) state.points.set(v, 7_200n);
  notePoints(state, []);
  const t2 = performance.now();
  const r = endEra(state, 1_000_000n * BAI);
  const t3 = performance.now();
  // The election alone, once more on the state after the era end (same sizes), to split the figure.
  const t4 = performance.now();
  electNextSet(state);
  const t5 = performance.now();
  const rewarded = r.events.filter((e) => e.type === 'Rewarded').length;
  const paid = r.events.find((e) => e.type === 'EraPaid');
  console.log(
    `run ${run}: genesis election ${(t1 - t0).toFixed(0)} ms; endEra (payout + election) ${(t3 - t2).toFixed(0)} ms ` +
      `(election alone ${(t5 - t4).toFixed(0)} ms); ` +
      `${rewarded.toLocaleString('en-US')} payouts, ` +
      `${paid && paid.type === 'EraPaid' ? `remainder ${paid.remainder} base units` : ''}; ` +
      `next set ${r.nextValidators.length}, min backing ${r.nextValidators.reduce((m, v) => (v.backing < m ? v.backing : m), r.nextValidators[0]!.backing) / BAI} BAI`,
  );
}
