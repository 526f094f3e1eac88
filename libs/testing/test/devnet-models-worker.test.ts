// The devnet's models scoring workers (Devnet.start({ modelsWorker: true })): one beside each genesis
// validator, a client of the gateway, submits set_weights signed with the validator's stash in era 0.
// Starts a devnet: on a shared machine run it alone (one devnet at a time).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cryptoReady, keyFromUri, toHex } from '@balanceai/chain';
import { Devnet, waitFor } from '../src/index.js';

let net: Devnet;

before(async () => {
  await cryptoReady();
  net = await Devnet.start({ validators: 2, modules: ['emissions', 'staking', 'models'], modelsWorker: true, eraLength: 20 });
});

after(async () => {
  await net?.stop();
});

describe('devnet models scoring worker', () => {
  it('refuses a worker without the models module', async () => {
    await assert.rejects(Devnet.start({ modules: ['emissions'], modelsWorker: true }), /needs the models module/);
  });

  it("each validator's worker submits set_weights from its stash in the first era", async () => {
    assert.equal(net.workerChildren.length, 2);
    for (let i = 0; i < 2; i++) {
      const stash = toHex(keyFromUri(`//stash/${i}`, 'sr25519').publicKey);
      // The stashes are bonded in the genesis and send nothing else: their first extrinsic is the worker's.
      await waitFor(`stash ${i}'s set_weights`, async () => {
        const res = await fetch(`${net.gatewayUrl}/v1/accounts/${stash}`);
        const body = (await res.json()) as { nonce?: number };
        return res.ok && (body.nonce ?? 0) >= 1 ? true : undefined;
      }, 60_000);
      const log = readFileSync(join(net.dir, 'logs', `models-worker-${i}.log`), 'utf8');
      const hash = log.match(/era 0: scored 0 providers, set_weights (0x[0-9a-f]{64})/)?.[1];
      assert.ok(hash, log);
      // Executed, not refused (a refused call is 'failed', with its Models.<Error>).
      const res = await fetch(`${net.gatewayUrl}/v1/extrinsics/${hash}`);
      const body = (await res.json()) as { state: string; error?: { code: string } | null };
      assert.equal(body.state, 'finalized', JSON.stringify(body));
    }
  });
});
