// One trace from a client's HTTP submit of a transfer to the block that includes it (issue "Ship and
// observe it"): gateway span → SubmitExtrinsic over gRPC (W3C context in metadata) → the validator's
// "execute block" span, linked to the submission → that block's module ExecuteBlock spans. Spans are
// collected in-process: gateway, one validator and its emissions module run in this test's process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestTracing } from '@balanceai/platform/telemetry/testing';

// Tracing starts before any service (and grpc-js) is imported, as the preload does in production.
const tracing = startTestTracing({ serviceName: 'trace-test' });

type Closable = { close(): Promise<void> };
const apps: Closable[] = [];
let stopInfra: Array<() => Promise<void>> = [];
let gatewayUrl = '';
const grpcPorts: Record<string, number> = {};

before(async () => {
  const chain = await import('@balanceai/chain');
  const testing = await import('@balanceai/testing');
  await chain.cryptoReady();
  const dir = mkdtempSync(join(tmpdir(), 'bai-trace-'));
  const { genesis, validatorKeys } = chain.devGenesis({ validators: 1, blockTimeMs: 500 });
  const genesisFile = join(dir, 'genesis.json');
  writeFileSync(genesisFile, chain.genesisToJson(genesis));
  const nats = await testing.startNats();
  const pg = await testing.startPostgres();
  stopInfra = [() => nats.stop(), () => pg.stop()];
  const template = await testing.migrateTemplate(pg);
  const db = await testing.createFromTemplate(pg.adminUrl, 'bai_trace', template);
  const [emissionsPort, grpcPort, httpPort, emHttp] = await Promise.all([testing.freePort(), testing.freePort(), testing.freePort(), testing.freePort()]);
  grpcPorts.consensus = grpcPort;
  grpcPorts.emissions = emissionsPort;
  const moduleToken = 'e2e-trace-module-token-'.padEnd(64, '0');
  const emissions = await import('@balanceai/emissions');
  apps.push((await emissions.startEmissions(
    emissions.loadConfig({ BAI_GENESIS_FILE: genesisFile, DATABASE_URL: db, BAI_EMISSIONS_GRPC_PORT: String(emissionsPort), BAI_HTTP_PORT: String(emHttp), BAI_GRPC_HOST: '127.0.0.1', BAI_MODULE_TOKEN: moduleToken }),
  )) as Closable);
  const consensus = await import('@balanceai/consensus');
  apps.push((await consensus.startConsensus(
    consensus.loadConfig({
      BAI_GENESIS_FILE: genesisFile,
      BAI_VALIDATOR_KEY: validatorKeys[0],
      DATABASE_URL: db,
      NATS_URL: nats.url,
      BAI_GRPC_HOST: '127.0.0.1',
      BAI_GRPC_PORT: String(grpcPort),
      BAI_HTTP_PORT: String(httpPort),
      BAI_MODULES: `emissions=127.0.0.1:${emissionsPort}`,
      BAI_MODULE_TOKEN: moduleToken,
    }),
  )) as Closable);
  const gateway = await import('@balanceai/gateway');
  const app = await gateway.createGatewayApp(
    gateway.loadGatewayConfig({ BAI_CONSENSUS_URLS: `127.0.0.1:${grpcPort}`, NATS_URL: nats.url, BAI_CHAIN_ID: genesis.chainId, PORT: '0', HOST: '127.0.0.1' }),
  );
  await app.listen(0, '127.0.0.1');
  apps.push(app as unknown as Closable);
  const address = app.getHttpServer().address() as { port: number };
  gatewayUrl = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  for (const a of apps.reverse()) await a.close().catch(() => {});
  for (const s of stopInfra) await s();
  await tracing.shutdown();
});

test('a transfer submitted over HTTP is one trace from the gateway to the execution of its block and the modules', async () => {
  const chain = await import('@balanceai/chain');
  const runtime = (await (await fetch(`${gatewayUrl}/v1/runtime`)).json()) as { genesisHash: string; specVersion: number; transactionVersion: number };
  const alice = chain.keyFromUri('//Alice', 'sr25519');
  const bob = chain.keyFromUri('//Bob', 'sr25519');
  const gh = chain.fromHex(runtime.genesisHash);
  const xt = chain.signExtrinsic(alice, chain.encodeTransfer('allow_death', bob.publicKey, chain.ONE_BAI), { era: chain.IMMORTAL, nonce: 0, tip: 0n }, {
    specVersion: runtime.specVersion,
    transactionVersion: runtime.transactionVersion,
    genesisHash: gh,
    birthHash: gh,
  });
  const res = await fetch(`${gatewayUrl}/v1/extrinsics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ extrinsic: chain.toHex(xt) }) });
  assert.equal(res.status, 202);
  const { hash } = (await res.json()) as { hash: string };
  let blockNumber = 0;
  for (let i = 0; i < 80 && !blockNumber; i++) {
    const s = (await (await fetch(`${gatewayUrl}/v1/extrinsics/${hash}`)).json()) as { state: string; block?: { number: number } };
    if (s.state === 'finalized') blockNumber = s.block!.number;
    else await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(blockNumber > 0, 'the transfer is finalized');
  await new Promise((r) => setTimeout(r, 500)); // let the module spans of that block end

  const spans = tracing.spans();
  const submit = spans.find((s) => s.name === 'submit extrinsic' && s.attributes['bai.extrinsic.hash'] === hash);
  assert.ok(submit, 'the gateway span of the HTTP submit');
  const traceId = submit.spanContext().traceId;
  const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);
  const server = inTrace.find((s) => s.name === 'SubmitExtrinsic');
  assert.ok(server, "the validator's SubmitExtrinsic span continues the gateway's trace (gRPC metadata)");
  const traceSpanIds = new Set(inTrace.map((s) => s.spanContext().spanId));
  const execute = spans.find((s) => s.name === 'execute block' && s.attributes['bai.block.number'] === blockNumber);
  assert.ok(execute, 'the execution span of the including block');
  assert.ok(
    execute.links.some((l) => l.context.traceId === traceId && traceSpanIds.has(l.context.spanId)),
    'the block execution links to the submission trace',
  );
  const executeId = execute.spanContext().spanId;
  const moduleClient = spans.find((s) => s.name === 'ExecuteBlock emissions' && s.parentSpanContext?.spanId === executeId);
  assert.ok(moduleClient, "the module's ExecuteBlock call is a child of the block execution");
  const moduleServer = spans.find((s) => s.name === 'emissions ExecuteBlock' && s.spanContext().traceId === execute.spanContext().traceId);
  assert.ok(moduleServer, 'the emissions service continues that trace on its side');
  const published = spans.find((s) => s.name.startsWith('publish bai.') && s.attributes['messaging.system'] === 'nats' && s.parentSpanContext?.spanId === executeId);
  assert.ok(published, 'the finalized block is published to NATS inside the execution span');
});

test('consensus and module services answer the standard gRPC health check (grpc.health.v1)', async () => {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const { GRPC_HEALTH_PROTO } = await import('@balanceai/platform');
  const def = grpc.loadPackageDefinition(loader.loadSync(GRPC_HEALTH_PROTO, { keepCase: true, enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (url: string, creds: unknown) => { Check(req: object, cb: (err: Error | null, res?: { status: string }) => void): void; close(): void } } } };
  };
  for (const [name, port] of Object.entries(grpcPorts)) {
    const client = new def.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const res = await new Promise<{ status: string }>((resolve, reject) => client.Check({ service: '' }, (err, r) => (err || !r ? reject(err) : resolve(r))));
    client.close();
    assert.equal(res.status, 'SERVING', `${name} health`);
  }
});
