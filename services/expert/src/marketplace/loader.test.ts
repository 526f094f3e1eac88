import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { expertV1 } from '@balanceai/contracts';
import { DomainError, httpStatusOf } from '@balanceai/platform';
import type { OnChainProvider } from './chain.js';
import { MarketplaceLoader } from './loader.js';
import { modelMetadataFragment, parseModelMetadataUri, sha256Hex } from './metadata-uri.js';

const CLP = '(deftemplate risk-data (slot risk-is))\n(defrule r (ot_user_balance ?b) => (assert (risk-data (risk-is big))))';
const PY = 'def double(x):\n    return x * 2\n';

function harness(chain: Record<number, Partial<OnChainProvider>>) {
  const added: Array<{ request: expertV1.AddModelRequest; token: string | undefined }> = [];
  const loader = new MarketplaceLoader(
    async (id) => (chain[id] ? { id, kind: 'model', status: 'active', name: `m${id}`, metadataUri: '', at: '0xab', ...chain[id] } : null),
    async (request, token) => {
      added.push({ request, token });
      return { model: { name: request.name, description: request.description, versions: [request.version], defaultVersion: request.version } as unknown as expertV1.Model };
    },
  );
  return { loader, added };
}

const refusal = async (p: Promise<unknown>) =>
  p.then(
    () => 'loaded',
    (e: unknown) => (e instanceof DomainError ? `${httpStatusOf[e.kind]} ${e.code}` : String(e)),
  );

describe('marketplace model metadata URI', () => {
  it('carries the sha256 of the .clp (and of the Python functions) and the version in its fragment', () => {
    const uri = `ipfs://bafy/model${modelMetadataFragment({ modelClp: CLP, functionsPy: PY, version: '1.2.0' })}`;
    assert.deepEqual(parseModelMetadataUri(uri), { clpSha256: sha256Hex(CLP), pySha256: sha256Hex(PY), version: '1.2.0' });
    assert.deepEqual(parseModelMetadataUri(`https://x/m#version=0.0.1&clp-sha256=${'A'.repeat(64)}`), { clpSha256: 'a'.repeat(64), pySha256: null, version: '0.0.1' });
    for (const bad of ['ipfs://x', `ipfs://x#clp-sha256=${'a'.repeat(63)}&version=1.0.0`, `ipfs://x#clp-sha256=${'a'.repeat(64)}`, `ipfs://x#clp-sha256=${'a'.repeat(64)}&version=1.0`, `x#clp-sha256=${'a'.repeat(64)}&clp-sha256=${'b'.repeat(64)}&version=1.0.0`, `x#clp-sha256=${'a'.repeat(64)}&py-sha256=zz&version=1.0.0`]) {
      assert.throws(() => parseModelMetadataUri(bad), (e: unknown) => e instanceof DomainError && e.code === 'MARKETPLACE_BAD_METADATA_URI', bad);
    }
  });
});

describe('loading a marketplace model', () => {
  it('a registered, active model whose files match its on-chain hashes is added under its on-chain name and version, with the caller token', async () => {
    const { loader, added } = harness({ 3: { metadataUri: `ipfs://m3${modelMetadataFragment({ modelClp: CLP, functionsPy: PY, version: '2.0.1' })}` } });
    const loaded = await loader.load({ provider: 3, modelClp: CLP, functionsPy: PY, explanations: { big: 'big' } }, 'admin-token');
    assert.deepEqual([loaded.name, loaded.version, loaded.clpSha256, loaded.at], ['m3', '2.0.1', sha256Hex(CLP), '0xab']);
    assert.equal(added.length, 1);
    assert.deepEqual([added[0]!.request.name, added[0]!.request.version, added[0]!.request.modelClp, added[0]!.request.functionsPy, added[0]!.request.mode, added[0]!.token], ['m3', '2.0.1', CLP, PY, 'toolkit', 'admin-token']);
  });

  it('refuses a wrong hash, an unregistered provider, an agent, an inactive provider, and Python functions the chain does not name; nothing is added', async () => {
    const uri = `ipfs://m${modelMetadataFragment({ modelClp: CLP, version: '1.0.0' })}`;
    const { loader, added } = harness({ 1: { metadataUri: uri }, 2: { metadataUri: uri, kind: 'agent' }, 4: { metadataUri: uri, status: 'slashed' }, 5: { metadataUri: 'ipfs://nohash' } });
    assert.equal(await refusal(loader.load({ provider: 1, modelClp: `${CLP} ` }, 't')), '403 MARKETPLACE_HASH_MISMATCH');
    assert.equal(await refusal(loader.load({ provider: 1, modelClp: CLP, functionsPy: PY }, 't')), '403 MARKETPLACE_HASH_MISMATCH');
    assert.equal(await refusal(loader.load({ provider: 9, modelClp: CLP }, 't')), '404 MARKETPLACE_MODEL_NOT_REGISTERED');
    assert.equal(await refusal(loader.load({ provider: 2, modelClp: CLP }, 't')), '400 MARKETPLACE_NOT_A_MODEL');
    assert.equal(await refusal(loader.load({ provider: 4, modelClp: CLP }, 't')), '403 MARKETPLACE_MODEL_INACTIVE');
    assert.equal(await refusal(loader.load({ provider: 5, modelClp: CLP }, 't')), '400 MARKETPLACE_BAD_METADATA_URI');
    assert.equal(await refusal(loader.load({ provider: -1, modelClp: CLP }, 't')), '400 BAD_REQUEST');
    assert.equal(added.length, 0);
    const mismatch = await loader.load({ provider: 1, modelClp: 'x' }, 't').catch((e: DomainError) => e);
    assert.deepEqual((mismatch as DomainError).details, { file: 'model.clp', expected: sha256Hex(CLP), actual: sha256Hex('x') });
    // The py hash named on chain must match too.
    const withPy = harness({ 6: { metadataUri: `ipfs://m${modelMetadataFragment({ modelClp: CLP, functionsPy: PY, version: '1.0.0' })}` } });
    assert.equal(await refusal(withPy.loader.load({ provider: 6, modelClp: CLP }, 't')), '403 MARKETPLACE_HASH_MISMATCH');
    assert.equal(await refusal(withPy.loader.load({ provider: 6, modelClp: CLP, functionsPy: `${PY}#` }, 't')), '403 MARKETPLACE_HASH_MISMATCH');
    assert.equal(withPy.added.length, 0);
  });
});
