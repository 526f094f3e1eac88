// The validators' off-chain scoring worker (issue 11, "Validators score for real"): once per era it probes
// every active provider's endpoint and submits `set_weights` signed with the validator's stash key. This file
// is the pure part (scores, when to score); worker.ts does the I/O.

/** What one probe of a provider found. */
export interface ProbeResult {
  /** GET {endpoint}/health answered 2xx within the timeout. */
  readonly healthy: boolean;
  /** POST {endpoint}/sample (the provider's declared capability on a fixed input) answered 2xx JSON within the timeout. */
  readonly sampleOk: boolean;
  /** Milliseconds the sample took (the health check's when the sample failed). */
  readonly latencyMs: number;
  /** Not probed: the endpoint's code (PROVIDER_ENDPOINT_PRIVATE, …); it scores as down. */
  readonly refused?: string;
}

export const MAX_SCORE = 65_535;
/** Latency above this scores as if it took this long. */
export const LATENCY_CAP_MS = 10_000;

/**
 * A provider's score (u16): 0 when it is down; a quarter when it is up but its sample fails; otherwise the
 * full score less 3 per millisecond of latency (a 10 s answer still scores 35,535).
 */
export function scoreOf(p: ProbeResult): number {
  if (!p.healthy) return 0;
  if (!p.sampleOk) return 16_384;
  const latency = Math.min(Math.max(0, Math.round(p.latencyMs)), LATENCY_CAP_MS);
  return MAX_SCORE - 3 * latency;
}

/** (provider, score) pairs in ascending id order, at most `maxWeights` (the lowest ids first). */
export function weightsOf(results: ReadonlyMap<number, ProbeResult>, maxWeights: number): Array<[number, number]> {
  return [...results.entries()]
    .sort((a, b) => a[0] - b[0])
    .slice(0, maxWeights)
    .map(([id, r]) => [id, scoreOf(r)]);
}

/**
 * Whether to score now: once per era, from the era's `delayBlocks`-th block on (providers registered at the
 * era's start are seen), and not in its last `marginBlocks` blocks (the call must land in the era it scores).
 */
export function shouldScore(height: number, eraLength: number, lastScoredEra: number | null, delayBlocks = 1, marginBlocks = 3): { score: boolean; era: number } {
  const era = height < 1 ? 0 : Math.floor((height - 1) / eraLength);
  const inEra = height < 1 ? 0 : (height - 1) % eraLength; // 0 = the era's first block
  const score = lastScoredEra !== era && inEra >= Math.min(delayBlocks, eraLength - 1) && inEra < eraLength - Math.min(marginBlocks, eraLength - 1);
  return { score, era };
}
