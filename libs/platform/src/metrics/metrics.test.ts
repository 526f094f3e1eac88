import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from './metrics.js';

test('metricsText exposes the bai_ series with their values and the service label', async () => {
  const m = createMetrics('consensus', { labels: { validator: '0' } });
  m.finalizedHeight.set(41);
  m.consensusHeight.set(42);
  m.consensusRounds.observe(1);
  m.consensusRounds.observe(3);
  m.finalizedExtrinsics.inc(250);
  m.validatorsOnline.set(4);
  m.moduleExecutionSeconds.observe({ module: 'staking' }, 0.003);
  m.blockExecutionSeconds.observe(0.12);
  let mempool = 17;
  m.onCollect(() => m.mempoolSize.set(mempool));
  mempool = 9; // read at scrape time, not at registration

  const text = await m.metricsText();
  const has = (line: string) => assert.ok(text.includes(line), `missing: ${line}\n${text}`);
  has('# TYPE bai_finalized_height gauge');
  has('bai_finalized_height{service="consensus",validator="0"} 41');
  has('bai_consensus_height{service="consensus",validator="0"} 42');
  has('# TYPE bai_consensus_rounds histogram');
  has('bai_consensus_rounds_bucket{le="1",service="consensus",validator="0"} 1');
  has('bai_consensus_rounds_bucket{le="3",service="consensus",validator="0"} 2');
  has('bai_consensus_rounds_count{service="consensus",validator="0"} 2');
  has('bai_mempool_size{service="consensus",validator="0"} 9');
  has('# TYPE bai_finalized_extrinsics_total counter');
  has('bai_finalized_extrinsics_total{service="consensus",validator="0"} 250');
  has('bai_validators_online{service="consensus",validator="0"} 4');
  has('bai_module_execution_seconds_bucket{le="0.005",service="consensus",validator="0",module="staking"} 1');
  has('bai_block_execution_seconds_sum{service="consensus",validator="0"} 0.12');
  has('bai_process_cpu_user_seconds_total');
  assert.match(m.contentType, /^text\/plain/);
});

test('two registries in one process do not share series (several validators in a devnet)', async () => {
  const a = createMetrics('consensus', { labels: { validator: '0' }, defaultMetrics: false });
  const b = createMetrics('consensus', { labels: { validator: '1' }, defaultMetrics: false });
  a.finalizedHeight.set(5);
  b.finalizedHeight.set(6);
  assert.match(await a.metricsText(), /bai_finalized_height\{service="consensus",validator="0"\} 5\n/);
  assert.doesNotMatch(await a.metricsText(), /validator="1"/);
  assert.match(await b.metricsText(), /bai_finalized_height\{service="consensus",validator="1"\} 6\n/);
});
