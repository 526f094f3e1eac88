/**
 * Which validator the gateway reads from, decided from periodic status samples. Pure: the caller
 * supplies the samples and the clock, so the rules are unit-tested without gRPC or timers.
 *
 * A validator that still answers but whose finalized height no longer moves while others go on (a
 * halted node) must not be used: its head is in the past, and transfers built on it are refused.
 */

/** What one poll of a validator found. */
export type StatusSample =
  | { kind: 'status'; height: number; syncing: boolean; serving: boolean }
  | { kind: 'unreachable'; reason: string };

/**
 * healthy — answers, serving, not syncing, near the best height and (unless it is at the best) advancing;
 * stale — below the best height and its height has not moved for `staleAfterMs`;
 * behind — more than `maxLagBlocks` below the best height;
 * syncing / halted — says so itself (GetChainStatus.syncing, grpc.health.v1 NOT_SERVING);
 * unreachable — the last poll or call got no answer; unknown — not polled yet.
 */
export type ValidatorState = 'healthy' | 'stale' | 'behind' | 'syncing' | 'halted' | 'unreachable' | 'unknown';

export interface HealthPolicy {
  /** A validator below the best height whose height has not moved for this long is stale. */
  staleAfterMs: number;
  /** A validator more than this many blocks below the best height is behind. */
  maxLagBlocks: number;
}

export const DEFAULT_HEALTH_POLICY: HealthPolicy = { staleAfterMs: 5000, maxLagBlocks: 5 };

export interface ValidatorHealthView {
  url: string;
  state: ValidatorState;
  /** Last finalized height it reported, null if it never answered. */
  height: number | null;
  /** Its height rose within `staleAfterMs`. */
  advancing: boolean;
  /** Calls go to this one. */
  chosen: boolean;
  /** Why it is unreachable (the transport error). */
  reason?: string;
}

interface Observation {
  sample?: StatusSample;
  height?: number;
  advancedAtMs?: number;
}

export class ValidatorHealthBook {
  private readonly observations: Observation[];
  private chosenIndex: number | undefined;

  constructor(
    readonly urls: readonly string[],
    private readonly policy: HealthPolicy = DEFAULT_HEALTH_POLICY,
  ) {
    this.observations = urls.map(() => ({}));
  }

  /** Records the outcome of polling (or calling) validator `index` at `nowMs`. */
  record(index: number, sample: StatusSample, nowMs: number): void {
    const o = this.observations[index];
    if (!o) throw new RangeError(`no validator ${index}`);
    o.sample = sample;
    if (sample.kind !== 'status') return;
    // The first answer counts as movement: a validator is not stale before it has had time to be.
    if (o.height === undefined || sample.height > o.height) o.advancedAtMs = nowMs;
    o.height = sample.height;
  }

  /** True once any validator has been polled. */
  get sampled(): boolean {
    return this.observations.some((o) => o.sample !== undefined);
  }

  /** Highest finalized height reported by a validator that answers now. */
  bestHeight(): number | undefined {
    let best: number | undefined;
    for (const o of this.observations) {
      if (o.sample?.kind === 'status' && (best === undefined || o.sample.height > best)) best = o.sample.height;
    }
    return best;
  }

  stateOf(index: number, nowMs: number): ValidatorState {
    const o = this.observations[index]!;
    const sample = o.sample;
    if (!sample) return 'unknown';
    if (sample.kind === 'unreachable') return 'unreachable';
    if (!sample.serving) return 'halted';
    if (sample.syncing) return 'syncing';
    const best = this.bestHeight()!;
    if (best - sample.height > this.policy.maxLagBlocks) return 'behind';
    if (sample.height < best && !this.isAdvancing(o, nowMs)) return 'stale';
    return 'healthy';
  }

  /**
   * The validator calls go to: the current one while it stays healthy (no flapping between equals),
   * else the healthy one with the highest height (first configured on ties); undefined when none is.
   */
  choose(nowMs: number): number | undefined {
    if (this.chosenIndex !== undefined && this.stateOf(this.chosenIndex, nowMs) === 'healthy') return this.chosenIndex;
    let pick: number | undefined;
    for (let i = 0; i < this.urls.length; i++) {
      if (this.stateOf(i, nowMs) !== 'healthy') continue;
      if (pick === undefined || this.observations[i]!.height! > this.observations[pick]!.height!) pick = i;
    }
    this.chosenIndex = pick;
    return pick;
  }

  /**
   * Every validator, in the order a call should try them: the chosen one, other healthy ones (highest
   * first), not yet polled ones (configured order), the unhealthy that still answer (highest first), and
   * the unreachable last. Nobody is dropped: when no validator is healthy a degraded answer beats none,
   * and /readyz reports the gateway not ready meanwhile.
   */
  callOrder(nowMs: number): number[] {
    const chosen = this.choose(nowMs);
    const rank: Record<ValidatorState, number> = { healthy: 1, unknown: 2, stale: 3, behind: 3, syncing: 3, halted: 3, unreachable: 4 };
    const indices = this.urls.map((_, i) => i);
    const key = indices.map((i) => (i === chosen ? 0 : rank[this.stateOf(i, nowMs)]));
    return indices.sort((a, b) => key[a]! - key[b]! || (this.observations[b]!.height ?? -1) - (this.observations[a]!.height ?? -1) || a - b);
  }

  /** What /readyz shows: each validator in configured order. */
  views(nowMs: number): ValidatorHealthView[] {
    const chosen = this.choose(nowMs);
    return this.urls.map((url, i) => {
      const o = this.observations[i]!;
      const view: ValidatorHealthView = {
        url,
        state: this.stateOf(i, nowMs),
        height: o.height ?? null,
        advancing: this.isAdvancing(o, nowMs),
        chosen: i === chosen,
      };
      if (o.sample?.kind === 'unreachable') view.reason = o.sample.reason;
      return view;
    });
  }

  private isAdvancing(o: Observation, nowMs: number): boolean {
    return o.advancedAtMs !== undefined && nowMs - o.advancedAtMs <= this.policy.staleAfterMs;
  }
}
