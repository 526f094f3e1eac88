export { createMetrics, METRIC_PREFIX, type BaiMetrics, type MetricsOptions } from './metrics.js';
