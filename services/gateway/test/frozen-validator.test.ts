// A call waiting on a validator that freezes (SIGSTOP) moves to the next validator as soon as the health
// poll finds the frozen one unreachable, not at the call's own deadline (found by the e2e
// tests/e2e/src/rpc-failover.test.ts: every JSON-RPC subscriber's next head waited the whole 5 s gRPC
// deadline on the block fetch, 2.5 s after /readyz had already named another validator).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { ConsensusClient } from '../src/consensus/consensus-client.js';
import { FakeValidator } from './support/fake-validator.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('abandons a call to a validator the health poll finds frozen and answers from the next one', async () => {
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
  const other = new FakeValidator();
  const otherUrl = await other.start();
  cleanups.push(() => other.stop());

  // A long call deadline, as in production (5 s); the health poll's own deadline is 2 s at most.
  const client = new ConsensusClient({ urls: [frozenUrl, otherUrl], deadlineMs: 8_000 });
  cleanups.push(() => client.close());
  client.startHealthChecks(100);
  await client.whenPolled();
  assert.equal(client.currentUrl, frozenUrl, 'both at the same head: the first configured one serves');

  child.kill('SIGSTOP');
  const started = Date.now();
  const status = await client.call('getChainStatus', {});
  const tookMs = Date.now() - started;
  assert.ok(Number(status.finalizedHeight) >= 0);
  assert.equal(client.currentUrl, otherUrl);
  // Without abandoning, the call answers at its 8 s deadline; with it, after the poll's 2 s deadline.
  assert.ok(tookMs < 4_000, `the call took ${tookMs} ms`);
});
