// Bad input never costs the service its workers: limits are checked before parsing, each with its own code;
// a worker reads any line without dying; a worker that dies anyway is replaced and the queue goes on; readiness
// counts live workers; models are added and versioned at run time without a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, fromGrpcError } from '@balanceai/platform';
import { workerSourceDir } from '../src/config.js';
import type { ExpertEngine } from '../src/expert-engine.js';
import { createExpertApp, type ExpertApp } from '../src/index.js';
import { ExpertWorker, WorkerMessageError } from '../src/workers/expert-worker.js';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, fixtureModels, startEngine, testConfig } from './support/engine.js';
import { call, expertClient, freePort, type ExpertGrpcClient } from './support/grpc-client.js';
import { portfolio, position } from './support/portfolios.js';

function code(expected: string) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof DomainError, String(err));
    assert.equal(err.code, expected, err.message);
    return true;
  };
}

const healthy = portfolio([position('H1', 'BTC/USD', { ot_pos_stop: null })]);

function nested(depth: number): string {
  return `{"ot_user_id": "u1", "ot_risk_input": {"ot_user_balance": 1, "deep": ${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

describe('expert robustness', () => {
  let engine: ExpertEngine;
  before(async () => {
    engine = await startEngine({ limits: { maxBytes: 64 * 1024, maxDepth: 32, maxPositions: 50 } });
  });
  after(() => engine.close());

  it('refuses each request limit with its own code before parsing, and the workers never see it', async () => {
    const pids = engine.workerPids;
    await assert.rejects(engine.evaluate({ model: '', modelVersion: '', requestJson: nested(5000) }), code('REQUEST_TOO_DEEP'));
    await assert.rejects(
      engine.evaluate({ model: '', modelVersion: '', requestJson: JSON.stringify({ ...healthy, pad: 'x'.repeat(70 * 1024) }) }),
      code('REQUEST_TOO_LARGE'),
    );
    const many = portfolio(Array.from({ length: 51 }, (_, i) => position(`P${i}`, 'BTC/USD')));
    await assert.rejects(evaluate(engine, many), code('TOO_MANY_POSITIONS'));
    assert.deepEqual(engine.workerPids, pids);
    assert.equal(engine.workerReplacements, 0);
  });

  it('replaces a worker killed from outside and keeps answering, the queue included', async () => {
    const before = engine.workerReplacements;
    const victim = engine.workerPids[0] as number;
    // Queue more work than there are workers, then kill one: whatever was queued is served by the others and
    // the replacement.
    const pending = Array.from({ length: 12 }, () => evaluate(engine, healthy).then(() => 'ok', (e: DomainError) => e.code));
    process.kill(victim, 'SIGKILL');
    const results = await Promise.all(pending);
    assert.ok(results.filter((r) => r === 'ok').length >= 10, `results: ${results.join(',')}`);
    assert.ok(results.every((r) => r === 'ok' || r === 'EVALUATION_FAILED'), `results: ${results.join(',')}`);
    await until(() => engine.liveWorkers === 2 && !engine.workerPids.includes(victim));
    assert.equal(engine.workerReplacements, before + 1);
    assert.deepEqual((await evaluate(engine, healthy)).identifiedRisks.map((r) => r.name), ['position-stop-loss']);
  });

  it('replaces both workers killed at once and serves what was queued', async () => {
    const victims = engine.workerPids as number[];
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    const answers = await Promise.all(Array.from({ length: 6 }, () => evaluate(engine, healthy).then(() => 'ok', (e: DomainError) => e.code)));
    assert.ok(answers.includes('ok'), answers.join(','));
    // The kills land asynchronously: wait for both slots to hold fresh, live workers.
    await until(() => engine.liveWorkers === 2 && engine.workerPids.every((pid) => !victims.includes(pid as number)));
    assert.ok(engine.workerReplacements >= 2);
  });
});

describe('an expert worker reads any line without dying', () => {
  let worker: ExpertWorker;
  before(() => {
    const config = testConfig();
    worker = new ExpertWorker({
      python: config.python, sourceDir: workerSourceDir, memoryMb: 512, cpuSecondsPerRequest: 5, networkNamespace: false,
    });
  });
  after(async () => {
    worker.kill();
    await worker.closed();
  });

  it('answers a request nested 100 000 deep (Python json would overflow its stack) with an error, and lives on', async () => {
    const deep = `{"ot_user_id": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const dir = join(fixtureModels, 'toolkit-style');
    const model = { name: 'toolkit-style', version: '1.0.0', dir, clp: join(dir, 'model.clp'), functions: null, mode: 'toolkit', explanations: {} };
    const answer = await worker.request({ op: 'evaluate_toolkit', model, request_text: deep }, 5000);
    assert.equal((answer as { error?: { code: string } }).error?.code, 'BAD_REQUEST', JSON.stringify(answer).slice(0, 200));
    assert.equal(worker.alive, true);
    const pong = await worker.request({ op: 'ping' }, 5000);
    assert.ok('result' in pong);
  });

  it('refuses a message it cannot encode without marking the worker busy', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 200_000; i++) deep = { d: deep };
    await assert.rejects(worker.request({ op: 'ping', deep }, 5000), WorkerMessageError);
    assert.equal(worker.busy, false);
    assert.ok('result' in (await worker.request({ op: 'ping' }, 5000)));
  });

  it('answers a line whose JSON nests deeper than Python can read', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 2000; i++) deep = [deep]; // Python reads at most ~1000 levels
    const answer = await worker.request({ op: 'ping', deep }, 5000);
    assert.ok('error' in answer);
    assert.equal((answer as { error: { code: string } }).error.code, 'BAD_REQUEST');
    assert.ok('result' in (await worker.request({ op: 'ping' }, 5000)));
  });
});

describe('expert service over gRPC: message size, readiness, models added at run time', () => {
  const ADMIN = 'robustness-admin-token-0123';
  let expert: ExpertApp;
  let client: ExpertGrpcClient;
  let httpPort = 0;
  before(async () => {
    httpPort = await freePort();
    expert = await createExpertApp(testConfig({ grpcHost: '127.0.0.1', grpcPort: await freePort(), httpPort, adminToken: ADMIN }));
    client = expertClient(expert.url);
  });
  after(async () => {
    client.close();
    await expert.close();
  });

  it('answers a request above 4 MiB with REQUEST_TOO_LARGE, not a bare gRPC refusal', async () => {
    const big = JSON.stringify({ ...healthy, pad: 'x'.repeat(5 * 1024 * 1024) });
    const err = await call(client.evaluate, client, { model: '', modelVersion: '', requestJson: big }).then(() => undefined, (e: ServiceError) => e);
    assert.equal(err?.code, status.RESOURCE_EXHAUSTED);
    assert.equal(fromGrpcError(err).code, 'REQUEST_TOO_LARGE');
  });

  it('reports live workers on /readyz', async () => {
    const ready = (await (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).json()) as { workers: number; configured: number };
    assert.deepEqual(ready, { ready: true, workers: 2, configured: 2 });
  });

  function addModel(request: Record<string, unknown>, token?: string): Promise<unknown> {
    const metadata = new Metadata();
    if (token) metadata.set('bai-admin-token', token);
    const method = (client as unknown as { addModel: (r: unknown, m: Metadata, cb: (e: ServiceError | null, r: unknown) => void) => void }).addModel;
    return new Promise((resolve, reject) => method.call(client, request, metadata, (e, r) => (e ? reject(e) : resolve(r))));
  }

  const clp = (risk: string) =>
    `(deftemplate risk-data (slot risk-is) (slot ot_pos_dealid))\n(defrule r (ot_user_balance ?b) => (assert (risk-data (risk-is ${risk}) (ot_pos_dealid ?b))))`;
  const base = { name: 'hot-model', description: 'added at run time', mode: 'toolkit', functionsPy: '', explanations: { v1: 'version one on {deal1}' }, inputSchemaJson: '' };
  const document = JSON.stringify({ ot_user_id: 'u1', ot_risk_input: { ot_user_balance: 7 } });

  it('adds a model version at run time and serves it at once; a newer version becomes the default', async () => {
    // A missing or wrong token: PERMISSION_DENIED (403 through the gateway), MODEL_ADMIN_DENIED in the metadata.
    const denied = (e: ServiceError) => e.code === status.PERMISSION_DENIED && fromGrpcError(e).code === 'MODEL_ADMIN_DENIED' && fromGrpcError(e).kind === 'forbidden';
    await assert.rejects(addModel({ ...base, version: '1.0.0', modelClp: clp('v1') }), denied);
    await assert.rejects(addModel({ ...base, version: '1.0.0', modelClp: clp('v1') }, 'wrong-token-wrong-token'), denied);
    await addModel({ ...base, version: '1.0.0', modelClp: clp('v1') }, ADMIN);
    const first = await call(client.evaluate, client, { model: 'hot-model', modelVersion: '', requestJson: document });
    assert.deepEqual(JSON.parse(first.toolkitAnswerJson).identified_risks, [{ v1: 'version one on 7' }]);
    await assert.rejects(addModel({ ...base, version: '1.0.0', modelClp: clp('changed') }, ADMIN), (e: ServiceError) => fromGrpcError(e).code === 'MODEL_VERSION_EXISTS');
    await addModel({ ...base, version: '1.1.0', modelClp: clp('v2') }, ADMIN);
    const second = await call(client.evaluate, client, { model: 'hot-model', modelVersion: '', requestJson: document });
    assert.deepEqual(second.identifiedRisks.map((r) => r.name), ['v2']);
    const pinned = await call(client.evaluate, client, { model: 'hot-model', modelVersion: '1.0.0', requestJson: document });
    assert.deepEqual(pinned.identifiedRisks.map((r) => r.name), ['v1']);
    const { model } = await call(client.getModel, client, { name: 'hot-model', version: '' });
    assert.deepEqual(model?.versions, ['1.0.0', '1.1.0']);
  });

  it('takes back a version that does not load', async () => {
    await assert.rejects(
      addModel({ ...base, name: 'broken-hot', version: '1.0.0', modelClp: '(defrule oops' }, ADMIN),
      (e: ServiceError) => fromGrpcError(e).code === 'MODEL_LOAD_FAILED',
    );
    const err = await call(client.getModel, client, { name: 'broken-hot', version: '' }).then(() => undefined, (e: ServiceError) => e);
    assert.equal(fromGrpcError(err).code, 'MODEL_NOT_FOUND');
  });
});

describe('models added at run time outlive a restart', () => {
  it('reads the versions AddModel wrote back from BAI_EXPERT_RUNTIME_MODELS_DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bai-expert-runtime-'));
    chmodSync(dir, 0o755);
    const admin = 'restart-admin-token-0123456';
    const clp = '(deftemplate risk-data (slot risk-is))\n(defrule r (ot_user_balance ?b) => (assert (risk-data (risk-is kept))))';
    const first = await startEngine({ runtimeModelsDir: dir, adminToken: admin, workers: 1 });
    try {
      await first.addModel({ name: 'kept', version: '2.0.0', description: '', mode: 'toolkit', modelClp: clp, functionsPy: '', explanations: {}, inputSchemaJson: '' }, admin);
    } finally {
      await first.close();
    }
    const second = await startEngine({ runtimeModelsDir: dir, workers: 1 });
    try {
      // This node has no admin token: adding is refused as forbidden, whatever token comes.
      await assert.rejects(
        second.addModel({ name: 'other', version: '1.0.0', description: '', mode: 'toolkit', modelClp: clp, functionsPy: '', explanations: {}, inputSchemaJson: '' }, admin),
        (e: unknown) => e instanceof DomainError && e.code === 'MODEL_ADMIN_DENIED' && e.kind === 'forbidden',
      );
      const answer = await second.evaluate({ model: 'kept', modelVersion: '2.0.0', requestJson: '{"ot_user_id": "u", "ot_risk_input": {"ot_user_balance": 1}}' });
      assert.deepEqual(answer.identifiedRisks.map((r) => r.name), ['kept']);
    } finally {
      await second.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readiness with no live worker', () => {
  it('answers 503 on /readyz while no worker process runs', async () => {
    const httpPort = await freePort();
    const expert = await createExpertApp(testConfig({ grpcHost: '127.0.0.1', grpcPort: await freePort(), httpPort, python: '/bin/false', sandbox: false, networkNamespace: false }));
    try {
      await sleep(300);
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      assert.equal(ready.status, 503);
    } finally {
      await expert.close();
    }
  });
});

describe('a worker keeps nothing from one evaluation to the next', () => {
  let engine: ExpertEngine;
  before(async () => {
    engine = await startEngine({ workers: 1 }, true);
  });
  after(() => engine.close());

  const twelve = portfolio(Array.from({ length: 12 }, (_, i) => position(`M${i}`, `C${i}/USD`)));
  const memoryInUse = (answer: { identifiedRisks: { name: string; parameters: Record<string, string> }[] }): number =>
    Number(answer.identifiedRisks.find((r) => r.name === 'memory-in-use')?.parameters['param_1']);

  // clipspy 1.0.6 never released a fact its Python wrapper had retained (python/expert_worker/clips_fixes.py):
  // every evaluation left its facts behind, ~6.5 KiB more each time, and made the next one slower.
  for (const model of ['memory-probe', 'memory-probe-toolkit']) {
    it(`holds the same CLIPS memory after 40 evaluations as after 10 (${model})`, async () => {
      const used: number[] = [];
      for (let i = 0; i < 40; i++) {
        const answer = await evaluate(engine, twelve, model);
        assert.equal(answer.identifiedRisks.filter((r) => r.name === 'position-seen').length, 12);
        used.push(memoryInUse(answer));
      }
      assert.ok(used.every((bytes) => Number.isInteger(bytes) && bytes > 0), used.join(','));
      assert.ok((used[39] as number) <= (used[9] as number), `CLIPS memory in use grew from ${used[9]} to ${used[39]} bytes`);
    });
  }
});
