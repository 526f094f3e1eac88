// Issue 14, point 8: the devnet starts the expert service and points the gateway at it, so the expert
// REST routes work on a fresh devnet; without the service's Python venv it says why and runs without it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { cryptoReady } from '@balanceai/chain';
import { Devnet, freePort } from '@balanceai/testing';
import { Gateway } from './client.js';

const started: Devnet[] = [];

after(async () => {
  for (const net of started) await net.stop();
});

async function devnet(): Promise<Devnet> {
  await cryptoReady();
  const net = await Devnet.start({ validators: 1, expert: true });
  started.push(net);
  return net;
}

describe('the devnet runs the expert service', () => {
  test('GET /v1/expert/models answers 200 through the gateway and lists the built-in model', async () => {
    const net = await devnet();
    assert.equal(net.expert.running, true, `expert not running: ${net.expert.reason}`);
    const gw = new Gateway(net.gatewayUrl);
    const r = await gw.request<{ models: Array<{ name: string }> }>('GET', '/v1/expert/models');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.models.some((m) => m.name === 'crypto-risk'), `models: ${JSON.stringify(r.body.models.map((m) => m.name))}`);
    const ready = await fetch(`${net.expert.httpUrl}/readyz`);
    assert.equal(ready.status, 200);
    await net.stop();
  });

  test('without the Python venv the devnet starts all the same, says why, and the expert routes answer 503', async () => {
    const saved = { python: process.env.BAI_EXPERT_PYTHON, url: process.env.BAI_EXPERT_URL };
    process.env.BAI_EXPERT_PYTHON = join(tmpdir(), 'no-such-venv', 'bin', 'python');
    // The gateway inherits this: a port nothing listens on, not the default one another expert may hold.
    process.env.BAI_EXPERT_URL = `127.0.0.1:${await freePort()}`;
    try {
      const net = await devnet();
      assert.equal(net.expert.running, false);
      assert.match(net.expert.reason ?? '', /no Python venv at .*no-such-venv.*setup-python\.sh/);
      const gw = new Gateway(net.gatewayUrl);
      assert.ok((await gw.height()) >= 0, 'the rest of the devnet runs');
      const r = await gw.request<{ code: string }>('GET', '/v1/expert/models');
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.equal(r.body.code, 'EXPERT_UNAVAILABLE');
    } finally {
      for (const [variable, value] of [['BAI_EXPERT_PYTHON', saved.python], ['BAI_EXPERT_URL', saved.url]] as const) {
        if (value === undefined) delete process.env[variable];
        else process.env[variable] = value;
      }
    }
  });
});
