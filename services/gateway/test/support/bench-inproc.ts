// CPU the gateway spends on one submission inside its own process, the validator call stubbed (not a test;
// prints figures). Steadier than bench-hotpath on a shared box: no batching, no gRPC, no other process, so
// the figure does not move with how many requests share an event-loop turn.
//
//   node services/gateway/dist/test/support/bench-inproc.js [--answer accept|refuse] [--path rest|rpc]
//        [--transport inject|http] [--requests 30000]
//
// `--answer refuse`: the validator refuses every submission as busy (MEMPOOL_FULL, retry after 1 s), REST
// 429 / JSON-RPC -32009. `--transport inject` drives Fastify's inject (no sockets; its own cost is in the
// figure), `http` a keep-alive node:http client in this process over 32 connections (its cost too). The
// figure is this process's CPU (user + system) per request over the measured window, after a warm-up.
// Before/after: run it from each build (a build without submitForResult is stubbed through submit).
import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DomainError } from '@balanceai/platform';
import { ConsensusClient } from '../../src/consensus/consensus-client.js';
import { createGatewayApp } from '../../src/index.js';

interface Options {
  answer: 'accept' | 'refuse';
  path: 'rest' | 'rpc';
  transport: 'inject' | 'http';
  requests: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { answer: 'accept', path: 'rest', transport: 'inject', requests: 30_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (a === '--answer' && (v === 'accept' || v === 'refuse')) o.answer = v;
    else if (a === '--path' && (v === 'rest' || v === 'rpc')) o.path = v;
    else if (a === '--transport' && (v === 'inject' || v === 'http')) o.transport = v;
    else if (a === '--requests' && Number(v) > 0) o.requests = Math.floor(Number(v));
    else {
      process.stderr.write(`bench-inproc: bad argument ${a} ${v ?? ''}\n`);
      process.exit(2);
    }
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const app = await createGatewayApp(
    { consensusUrls: ['127.0.0.1:1'], natsUrl: 'nats://127.0.0.1:1', chainId: 'bench-inproc', port: 0, host: '127.0.0.1', grpcDeadlineMs: 500, healthPollMs: 1e9, staleAfterMs: 1000, maxLagBlocks: 5 },
    { logger: false },
  );
  await app.listen(0, '127.0.0.1');
  const consensus = app.get(ConsensusClient);
  const hash = `0x${'ab'.repeat(32)}`;
  const refusal = (): DomainError => new DomainError('MEMPOOL_FULL', 'the mempool is full, retry later', 'busy', { retryAfterSeconds: '1' });
  // The refusal is built per request, as the validator's answer is.
  consensus.submit = o.answer === 'accept' ? async () => hash : async () => Promise.reject(refusal());
  consensus.submitForResult = o.answer === 'accept' ? async () => ({ hash }) : async () => ({ error: refusal() });

  const extrinsic = `0x${'a5'.repeat(147)}`;
  const [url, body, expected] =
    o.path === 'rest'
      ? ['/v1/extrinsics', JSON.stringify({ extrinsic }), o.answer === 'accept' ? 202 : 429]
      : ['/', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'author_submitExtrinsic', params: [extrinsic] }), 200];
  const payload = Buffer.from(body);
  const fastify = app.getHttpAdapter().getInstance();
  const { port } = app.getHttpServer().address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const one = (): Promise<number> =>
    o.transport === 'inject'
      ? fastify.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } }).then((r) => r.statusCode)
      : new Promise((resolve, reject) => {
          const req = request(
            { host: '127.0.0.1', port, path: url, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(payload);
        });
  const run = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 64) {
      const statuses = await Promise.all(Array.from({ length: 64 }, one));
      if (statuses.some((s) => s !== expected)) throw new Error(`expected ${expected}, got ${statuses.join(',')}`);
    }
  };
  await run(4000);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(o.requests);
  const cpu = process.cpuUsage(cpu0);
  const result = {
    bench: 'gateway-inproc',
    ...o,
    cpuUsPerRequest: Math.round(((cpu.user + cpu.system) / o.requests) * 10) / 10,
    wallUsPerRequest: Math.round(((performance.now() - t0) * 1000 * 10) / o.requests) / 10,
  };
  process.stdout.write(`${o.path} ${o.answer} over ${o.transport}: ${result.cpuUsPerRequest} µs of CPU per request\nRESULT ${JSON.stringify(result)}\n`);
  agent.destroy();
  await app.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
