import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cryptoReady, devGenesis, keyFromUri, ss58Encode } from '@balanceai/chain';
import { modelsWorkerEnv } from './devnet.js';

describe('devnet models scoring worker', () => {
  it("signs with each genesis validator's stash, through the devnet's gateway and genesis", async () => {
    await cryptoReady();
    const { genesis } = devGenesis({ validators: 3, genesisTimeMs: 1_700_000_000_000 });
    genesis.validators.forEach((v, i) => {
      const env = modelsWorkerEnv(i, 'http://127.0.0.1:8080', '/tmp/genesis.json');
      assert.equal(ss58Encode(keyFromUri(env.BAI_VALIDATOR_STASH_URI!, 'sr25519').publicKey, genesis.ss58Prefix), v.stash);
      assert.equal(env.BAI_GATEWAY_URL, 'http://127.0.0.1:8080');
      assert.equal(env.BAI_GENESIS_FILE, '/tmp/genesis.json');
      assert.equal(env.BAI_ACCESS_PRIVATE_ENDPOINTS, 'allow', 'the devnet providers are on 127.0.0.1');
    });
  });
});
