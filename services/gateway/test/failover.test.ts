// Failover on health (issue 9, finding 6): the gateway leaves a validator that still answers but whose
// finalized height stopped while the others go on, and one frozen by SIGSTOP; /readyz says what it sees.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp, type GatewayConfig } from '../src/index.js';
import { FakeValidator } from './support/fake-validator.js';
import { startNatsServer, type NatsForTest } from './support/nats-server.js';

type Json = Record<string, unknown>;
interface ValidatorJson {
  url: string;
  state: string;
  height: number | null;
  advancing: boolean;
  chosen: boolean;
  reason?: string;
}

let nats: NatsForTest;
const cleanups: Array<() => Promise<void> | void> = [];

before(async () => {
  nats = await startNatsServer();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

after(async () => {
  await nats?.stop();
});

async function gateway(urls: string[]): Promise<(path: string) => Promise<{ status: number; body: Json }>> {
  const config: GatewayConfig = {
    consensusUrls: urls,
    natsUrl: nats.url,
    chainId: 'gw-failover',
    port: 0,
    host: '127.0.0.1',
    grpcDeadlineMs: 1000,
    healthPollMs: 100,
    staleAfterMs: 500,
    maxLagBlocks: 3,
  };
  const app: NestFastifyApplication = await createGatewayApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  cleanups.push(() => app.close());
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return async (path) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as Json };
  };
}

/** Polls until `probe` returns a value; the test runner's timeout bounds it. */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Adds a block to each validator every 50 ms while it runs. */
function advance(validators: FakeValidator[]): void {
  const timer = setInterval(() => validators.forEach((v) => v.addBlock([])), 50);
  cleanups.push(() => clearInterval(timer));
}

async function inProcessValidator(): Promise<{ validator: FakeValidator; url: string }> {
  const validator = new FakeValidator();
  const url = await validator.start();
  cleanups.push(() => validator.stop());
  return { validator, url };
}

const heightOf = (status: { body: Json }) => (status.body.finalized as { height: number }).height;
const validatorsOf = (ready: { body: Json }) => ready.body.validators as ValidatorJson[];

describe('failover on health', () => {
  it('leaves a validator whose finalized height stopped while another goes on; /v1/status keeps advancing, /readyz says why', async () => {
    const a = await inProcessValidator();
    const b = await inProcessValidator();
    const get = await gateway([a.url, b.url]);
    const bothMove = [a.validator, b.validator];
    advance(bothMove);
    await until(async () => ((await get('/readyz')).body.validator === a.url ? true : undefined));

    // Validator a halts: it keeps answering GetChainStatus with a frozen head, as after APP HASH MISMATCH.
    bothMove.splice(0, 1);
    const frozen = Number(a.validator.head.number);
    const status = await until(async () => {
      const s = await get('/v1/status');
      return heightOf(s) > frozen + 10 ? s : undefined;
    });
    assert.equal(status.status, 200);

    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
    assert.equal(ready.body.validator, b.url);
    const [halted, live] = validatorsOf(ready);
    assert.deepEqual({ ...halted, state: undefined }, { url: a.url, state: undefined, height: frozen, advancing: false, chosen: false });
    assert.ok(['stale', 'behind'].includes(halted!.state), halted!.state);
    assert.deepEqual([live!.url, live!.state, live!.chosen], [b.url, 'healthy', true]);
  });

  it('leaves a validator frozen by SIGSTOP and reports it unreachable', async () => {
    const script = join(dirname(fileURLToPath(import.meta.url)), 'support', 'fake-validator-process.js');
    const child: ChildProcess = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited;
    });
    const frozenUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`fake validator exited with ${code}`)));
    });
    const b = await inProcessValidator();
    const get = await gateway([frozenUrl, b.url]);
    // Both at the same head: the first configured one serves.
    assert.equal((await get('/readyz')).body.validator, frozenUrl);

    child.kill('SIGSTOP');
    advance([b.validator]);
    const start = Number(b.validator.head.number);
    await until(async () => (heightOf(await get('/v1/status')) > start + 5 ? true : undefined));

    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.validator, b.url);
    const [frozen] = validatorsOf(ready);
    assert.deepEqual([frozen!.state, frozen!.chosen, frozen!.reason], ['unreachable', false, 'DEADLINE_EXCEEDED']);
  });

  it('is not ready, and says why, when no validator is healthy', async () => {
    const a = await inProcessValidator();
    const b = await inProcessValidator();
    a.validator.syncing = true;
    b.validator.serving = false;
    const get = await gateway([a.url, b.url]);
    const ready = await get('/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.code, 'NODE_UNAVAILABLE');
    assert.deepEqual(validatorsOf(ready).map((v) => [v.url, v.state, v.chosen]), [
      [a.url, 'syncing', false],
      [b.url, 'halted', false],
    ]);
    // A healthy validator again: ready again.
    b.validator.serving = true;
    await until(async () => ((await get('/readyz')).status === 200 ? true : undefined));
  });
});
