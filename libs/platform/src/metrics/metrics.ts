import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Every series this library defines starts with it; services adding their own should use it too. */
export const METRIC_PREFIX = 'bai_';

// Rounds per decided height: 1 is the healthy case, anything above 3 means proposers or votes go missing.
const ROUND_BUCKETS = [1, 2, 3, 4, 5, 8, 13, 21];
const MODULE_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BLOCK_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsOptions {
  /** Labels on every series, e.g. `{ validator: '2' }` when several nodes share one process (devnet). */
  labels?: Record<string, string>;
  /** Process metrics (CPU, memory, event-loop lag, GC) prefixed `bai_` (default true). */
  defaultMetrics?: boolean;
}

export interface BaiMetrics {
  /** Registry the series live on: add service-specific ones with `registers: [metrics.registry]`. */
  readonly registry: Registry;
  readonly finalizedHeight: Gauge;
  readonly consensusHeight: Gauge;
  /** Observe once per decided height: the number of rounds it took (round index + 1). */
  readonly consensusRounds: Histogram;
  readonly mempoolSize: Gauge;
  /** Inc by a block's extrinsic count at finalization; `rate(bai_finalized_extrinsics_total[1m])` = tx/s. */
  readonly finalizedExtrinsics: Counter;
  readonly validatorsOnline: Gauge;
  readonly moduleExecutionSeconds: Histogram<'module'>;
  readonly blockExecutionSeconds: Histogram;
  /** Runs `fn` before every scrape: set gauges from live state (mempool size, peers) at read time. */
  onCollect(fn: () => void | Promise<void>): void;
  /** Body of a `/metrics` response, Prometheus text format. */
  metricsText(): Promise<string>;
  /** Content-Type header for metricsText(). */
  readonly contentType: string;
}

/**
 * A fresh registry (not prom-client's global one) so several services or validators can live in one
 * process, e.g. the devnet and integration tests, each with its own `service` label.
 */
export function createMetrics(service: string, options: MetricsOptions = {}): BaiMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service, ...options.labels });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  const registers = [registry];
  const collectors: Array<() => void | Promise<void>> = [];

  const metrics: BaiMetrics = {
    registry,
    finalizedHeight: new Gauge({ name: 'bai_finalized_height', help: 'Number of the last finalized block', registers }),
    consensusHeight: new Gauge({ name: 'bai_consensus_height', help: 'Height being decided by consensus', registers }),
    consensusRounds: new Histogram({
      name: 'bai_consensus_rounds',
      help: 'Rounds needed to decide a height',
      buckets: ROUND_BUCKETS,
      registers,
    }),
    mempoolSize: new Gauge({ name: 'bai_mempool_size', help: 'Extrinsics waiting in the mempool', registers }),
    finalizedExtrinsics: new Counter({
      name: 'bai_finalized_extrinsics_total',
      help: 'Extrinsics included in finalized blocks',
      registers,
    }),
    validatorsOnline: new Gauge({ name: 'bai_validators_online', help: 'Validators heard from recently', registers }),
    moduleExecutionSeconds: new Histogram({
      name: 'bai_module_execution_seconds',
      help: "Time a runtime module spends on one block's ExecuteBlock",
      labelNames: ['module'] as const,
      buckets: MODULE_SECONDS_BUCKETS,
      registers,
    }),
    blockExecutionSeconds: new Histogram({
      name: 'bai_block_execution_seconds',
      help: 'Execution and persistence time of a finalized block',
      buckets: BLOCK_SECONDS_BUCKETS,
      registers,
    }),
    onCollect(fn) {
      collectors.push(fn);
    },
    async metricsText() {
      for (const collect of collectors) await collect();
      return registry.metrics();
    },
    contentType: registry.contentType,
  };
  return metrics;
}
