import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';

const preload = fileURLToPath(new URL('../src/telemetry/preload.js', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/traced-app.js', import.meta.url));

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

/** An OTLP/HTTP JSON receiver standing in for the collector. */
async function startCollector(): Promise<{ server: Server; endpoint: string; exports: OtlpExport[] }> {
  const exports: OtlpExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces') exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`, exports };
}

/** Runs the fixture under the preload, waits for its report line, stops it with SIGTERM. */
async function runApp(env: NodeJS.ProcessEnv): Promise<{ report: { rootTraceId: string; sdkLoaded: boolean }; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', preload, app], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const report = await new Promise<{ rootTraceId: string; sdkLoaded: boolean }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { rootTraceId: string; sdkLoaded: boolean });
    });
    child.once('exit', (code) => reject(new Error(`app exited (${code}) before reporting:\n${stdout}\n${stderr}`)));
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const signal = await exited;
  clearTimeout(timer);
  return { report, signal };
}

test('under the preload an ESM app that imports grpc-js statically exports CLIENT and SERVER spans of one trace over OTLP, flushed on SIGTERM', async () => {
  const collector = await startCollector();
  try {
    const { report, signal } = await runApp({
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
      OTEL_SERVICE_NAME: 'preload-test',
      OTEL_BSP_SCHEDULE_DELAY: '60000', // nothing leaves before shutdown: the SIGTERM flush must send it
    });
    assert.equal(report.sdkLoaded, true);
    assert.equal(signal, 'SIGTERM', 'the preload re-raises SIGTERM after flushing when the app has no handler');

    const resourceSpans = collector.exports.flatMap((e) => e.resourceSpans);
    const serviceNames = resourceSpans.flatMap((r) => r.resource.attributes.filter((a) => a.key === 'service.name').map((a) => a.value.stringValue));
    assert.deepEqual([...new Set(serviceNames)], ['preload-test']);
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    const inTrace = spans.filter((s) => s.traceId === report.rootTraceId);
    const describe = spans.map((s) => `${s.name}/${s.kind}`).join(', ');
    // OTLP span kinds: 2 SERVER, 3 CLIENT.
    const grpcClient = inTrace.find((s) => s.name === 'grpc.balanceai.test.v1.EchoService/Say' && s.kind === 3);
    const grpcServer = inTrace.find((s) => s.name === 'grpc.balanceai.test.v1.EchoService/Say' && s.kind === 2);
    assert.ok(grpcClient, `no gRPC client span in the root trace: ${describe}`);
    assert.ok(grpcServer, `no gRPC server span in the root trace: ${describe}`);
    assert.equal(grpcServer.parentSpanId, grpcClient.spanId);
    // fetch (undici) → node:http server, also one trace.
    const fetchClient = inTrace.find((s) => s.kind === 3 && s.name === 'GET');
    const httpServer = inTrace.find((s) => s.kind === 2 && s.name.startsWith('GET'));
    assert.ok(fetchClient && httpServer, `no fetch/http spans in the root trace: ${describe}`);
    assert.equal(httpServer.parentSpanId, fetchClient.spanId);
  } finally {
    collector.server.close();
  }
});

test('with OTEL_TRACES_EXPORTER unset the preload loads no SDK and the app runs untraced', async () => {
  const collector = await startCollector();
  try {
    const { report } = await runApp({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
    assert.equal(report.sdkLoaded, false);
    assert.equal(report.rootTraceId, '00000000000000000000000000000000');
    assert.equal(collector.exports.length, 0);
  } finally {
    collector.server.close();
  }
});
