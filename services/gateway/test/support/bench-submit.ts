// Throughput of POST /v1/extrinsics against the in-process fake validator (not a test; prints a figure).
// Run after a build: node services/gateway/dist/test/support/bench-submit.js [seconds] [connections]
import { Agent, request } from 'node:http';
import { createGatewayApp } from '../../src/index.js';
import { FakeValidator } from './fake-validator.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);

const validator = new FakeValidator();
const url = await validator.start();
const app = await createGatewayApp(
  { consensusUrls: [url], natsUrl: 'nats://127.0.0.1:1', chainId: 'bench', port: 0, host: '127.0.0.1', grpcDeadlineMs: 5000, healthPollMs: 1000, staleAfterMs: 5000, maxLagBlocks: 5 },
  { logger: ['error'] },
);
await app.listen(0, '127.0.0.1');
const { port } = new URL(await app.getUrl());
const agent = new Agent({ keepAlive: true, maxSockets: connections });

let counter = 0;
function submitOnce(): Promise<number> {
  // A distinct ~110-byte extrinsic each time, like a signed transfer, so the mempool keeps growing.
  const extrinsic = `0x${(counter++).toString(16).padStart(220, '0')}`;
  const body = JSON.stringify({ extrinsic });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/extrinsics', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
let accepted = 0;
let refused = 0;
const end = Date.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (Date.now() < end) {
      const started = process.hrtime.bigint();
      const status = await submitOnce();
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (status === 202) accepted++;
      else refused++;
    }
  }),
);
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
console.log(
  `POST /v1/extrinsics: ${(accepted / seconds).toFixed(0)} accepted/s over ${seconds}s with ${connections} connections ` +
    `(refused ${refused}; latency p50 ${pct(50)} ms, p99 ${pct(99)} ms) — client, gateway and fake validator share this machine`,
);
agent.destroy();
await app.close();
validator.stop();
