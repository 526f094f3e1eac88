// `node services/models/dist/src/worker/main.js`: the scoring worker beside one validator.
// BAI_GATEWAY_URL (http://127.0.0.1:8080), BAI_GENESIS_FILE (era length, maxWeights), BAI_VALIDATOR_STASH_URI or
// BAI_VALIDATOR_STASH_URI_FILE (the stash's secret URI, sr25519), BAI_WORKER_PROBE_TIMEOUT_MS (3000),
// BAI_ACCESS_PRIVATE_ENDPOINTS (deny | allow: probe loopback/private endpoints too, as the gateway's access proxy; devnets).
import { readFileSync } from 'node:fs';
import { cryptoReady, genesisFromJson, keyFromUri, privateEndpointsAllowed } from '@balanceai/chain';
import { ScoringWorker } from './worker.js';

function secret(env: NodeJS.ProcessEnv): string {
  const direct = env['BAI_VALIDATOR_STASH_URI']?.trim();
  if (direct) return direct;
  const file = env['BAI_VALIDATOR_STASH_URI_FILE']?.trim();
  if (file) return readFileSync(file, 'utf8').split('\n')[0]!.trim();
  throw new Error('BAI_VALIDATOR_STASH_URI (or BAI_VALIDATOR_STASH_URI_FILE) is required: the stash key set_weights is signed with');
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const env = process.env;
  try {
    await cryptoReady();
    const genesis = genesisFromJson(readFileSync(env['BAI_GENESIS_FILE'] ?? '', 'utf8'));
    if (!genesis.models) throw new Error('the genesis has no "models" section');
    const worker = new ScoringWorker({
      gatewayUrl: (env['BAI_GATEWAY_URL'] ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
      key: keyFromUri(secret(env), 'sr25519'),
      eraLength: genesis.params.eraLength,
      maxWeights: genesis.models.maxWeights,
      probeTimeoutMs: Number(env['BAI_WORKER_PROBE_TIMEOUT_MS'] ?? 3_000),
      privateEndpoints: privateEndpointsAllowed(env['BAI_ACCESS_PRIVATE_ENDPOINTS']),
      log: (line) => console.log(`models-worker: ${line}`),
    });
    process.once('SIGTERM', () => worker.stop());
    process.once('SIGINT', () => worker.stop());
    await worker.run();
  } catch (err) {
    console.error(`models-worker: ${(err as Error).message}`);
    process.exit(2);
  }
}
