// Entry point: `node services/expert/dist/src/main.js` (env → config → gRPC server).
import { createExpertApp, loadExpertConfig } from './index.js';

try {
  const config = loadExpertConfig();
  const { url, engine } = await createExpertApp(config);
  console.log(`expert service listening on ${url} with ${config.workers} workers (pids ${engine.workerPids.join(', ')}; sandbox ${engine.sandbox.kind}: ${engine.sandbox.note})`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
}
